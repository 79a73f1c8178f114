"""The phone page of an acknowledgement link (server.ack_links): plain HTML, no script, one
column that fits a small screen, every value escaped. Security headers: nothing loaded from
anywhere, forms only to this server, no framing, no referrer (the link is the credential),
never cached."""

from __future__ import annotations

from html import escape

from console.domain import beijing, catalog
from server.ack_links import LinkView

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

_STYLE = """
body{margin:0;font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;
font-size:17px;line-height:1.5;background:#f4f6f8;color:#111}
main{max-width:560px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:0 0 8px}
.card{background:#fff;border-radius:8px;padding:14px 16px;margin:0 0 14px}
.muted{color:#555;font-size:15px}
.ok{color:#17602f;font-weight:bold}.err{color:#b3261e;font-weight:bold}
button{display:block;width:100%;font-size:20px;padding:14px;border:0;border-radius:8px;
background:#1f6fc2;color:#fff;margin:8px 0}
input,textarea{box-sizing:border-box;width:100%;font-size:18px;padding:10px;
border:1px solid #999;border-radius:6px}
label{display:block;margin:8px 0 4px}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def message_page(text: str, *, ok: bool = False) -> str:
    cls = "ok" if ok else "err"
    return _page(
        "县应急指挥中心",
        f'<div class="card"><p class="{cls}" id="message">{escape(text)}</p></div>',
    )


def link_page(link: LinkView, *, said: str = "", ok: bool = True) -> str:
    parts = [
        f"<h1>{escape(link.kind)}：{escape(link.title)}</h1>",
        f'<p class="muted">致 {escape(link.recipient)}　'
        f"时限 {escape(beijing.display(link.deadline))}</p>",
        f'<div class="card"><p id="content">{escape(link.content)}</p>',
    ]
    if link.action:
        parts.append(f"<p><b>要求：</b>{escape(link.action)}</p>")
    parts.append("</div>")
    if said:
        cls = "ok" if ok else "err"
        parts.append(f'<div class="card"><p class="{cls}" id="message">{escape(said)}</p></div>')
    if link.acked_at is None:
        parts.append(
            '<form method="post" class="card"><input type="hidden" name="action" value="ack">'
            '<button type="submit" id="ack">收到</button></form>'
        )
    else:
        parts.append('<p class="ok" id="acked">已确认收到</p>')
    if link.wants_feedback and link.fed_back_at is None:
        label = escape(link.feedback_label or "反馈")
        if link.feedback_kind == catalog.FEEDBACK_NUMBER:
            field = (
                f'<label for="value">{label}（数字）</label>'
                '<input id="value" name="value" inputmode="numeric" pattern="[0-9]*" '
                'maxlength="8" required>'
                '<label for="note">说明（可不填）</label>'
                '<input id="note" name="note" maxlength="500">'
            )
        else:
            field = (
                f'<label for="note">{label}</label>'
                '<textarea id="note" name="note" rows="3" maxlength="500" required></textarea>'
            )
        parts.append(
            '<form method="post" class="card"><input type="hidden" name="action" value="feedback">'
            f'{field}<button type="submit" id="send">提交反馈</button></form>'
        )
    elif link.fed_back_at is not None:
        parts.append('<p class="ok" id="fed">反馈已送达</p>')
    parts.append('<p class="muted">县应急指挥中心　如有疑问请直接回电</p>')
    return _page(f"{link.kind} - 县应急指挥中心", "".join(parts))
