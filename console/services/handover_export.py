"""交接单 and 值班日志 as documents: Word (.docx, python-docx) and the HTML that Qt prints
(QTextDocument: the printer dialog, or a PDF through console/ui/pdf_export.py). Qt-free, so
the CLI and the tests can make the .docx.

A handover is printed from its stored snapshot only: the printout of a signed handover is
the same next month, whatever happened to the incidents it lists.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

from console.domain import beijing
from console.domain import handover as ho
from console.services.duty_log import LogLine
from console.services.report_export import add_grid, headed_document, save_docx, style_run

ISSUER = "遂昌县综合应急指挥中心"
LOG_HEADER = ("时间", "类别", "内容", "记录人")
NONE = "无"
SAMPLE_MARK = "样例数据"


def _when(text: str | None) -> str:
    return beijing.display(text) if text else ""


def handover_meta(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The handover's who and when, as label/value pairs (both names and times)."""
    signed = row["status"] == ho.SIGNED
    return [
        ("班次", f"{_when(row['shift_start'])} 至 {_when(row['shift_end'])}"),
        ("交班人", f"{row['author']}（生成于 {_when(row['generated_at'])}）"),
        (
            "接班人",
            f"{row['signed_by']}（签收于 {_when(row['signed_at'])}）"
            if signed
            else f"{row['incoming'] or '待接班人签收'}（未签收）",
        ),
        ("状态", str(row["status"])),
    ]


def handover_title(row: dict[str, Any]) -> str:
    return f"值班交接单（{_when(row['shift_start'])[:10]}）"


def _free_texts(row: dict[str, Any]) -> list[tuple[str, str]]:
    out = [("领导交办事项", row["instructions"] or NONE), ("交班备注", row["notes"] or NONE)]
    if row["status"] == ho.SIGNED:
        out.append(("接班意见", row["remarks"] or NONE))
    return out


def _marks(row: dict[str, Any]) -> tuple[str, ...]:
    return (SAMPLE_MARK,) if row.get("is_sample") else ()


def handover_html(row: dict[str, Any]) -> str:
    marks = "".join(
        f"<div style='text-align:center;color:#c00000;font-weight:bold'>【{m}】</div>"
        for m in _marks(row)
    )
    parts = [
        f"<div style='text-align:center;color:#c00000;font-size:18pt;font-weight:bold'>"
        f"{ISSUER}</div>{marks}",
        f"<div style='text-align:center;font-size:15pt;font-weight:bold;margin:8px'>"
        f"{html.escape(handover_title(row))}</div>",
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>",
    ]
    for label, value in handover_meta(row):
        parts.append(f"<tr><td width='18%'><b>{label}</b></td><td>{html.escape(value)}</td></tr>")
    parts.append("</table>")
    for n, section in enumerate(ho.parse_content(row["content"]), 1):
        parts.append(f"<h3>{n}. {html.escape(section['title'])}</h3>")
        items = section["items"] or [NONE]
        parts.append("<ol>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ol>")
    for label, value in _free_texts(row):
        parts.append(f"<h3>{label}</h3><p>{html.escape(value).replace(chr(10), '<br/>')}</p>")
    return "".join(parts)


def export_handover_docx(row: dict[str, Any], path: Path) -> Path:
    doc = headed_document(ISSUER, _marks(row), handover_title(row))
    add_grid(doc, ("项目", "内容"), handover_meta(row))
    for n, section in enumerate(ho.parse_content(row["content"]), 1):
        style_run(doc.add_paragraph().add_run(f"{n}. {section['title']}"), 13, bold=True)
        for i, item in enumerate(section["items"] or [NONE], 1):
            style_run(doc.add_paragraph().add_run(f"（{i}）{item}"), 11)
    for label, value in _free_texts(row):
        style_run(doc.add_paragraph().add_run(label), 13, bold=True)
        for line in value.splitlines() or [NONE]:
            style_run(doc.add_paragraph().add_run(line), 11)
    return save_docx(doc, path)


def log_title(day: date) -> str:
    return f"值班日志（{day.isoformat()}）"


def _log_rows(lines: list[LogLine]) -> list[tuple[str, str, str, str]]:
    return [(line.minute, line.kind, line.text, line.author) for line in lines]


def duty_log_html(day: date, lines: list[LogLine], span: str) -> str:
    head = "".join(f"<th>{h}</th>" for h in LOG_HEADER)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
        for row in _log_rows(lines)
    )
    if not lines:
        body = f"<tr><td colspan='4'>{NONE}</td></tr>"
    return (
        f"<div style='text-align:center;color:#c00000;font-size:18pt;font-weight:bold'>"
        f"{ISSUER}</div>"
        f"<div style='text-align:center;font-size:15pt;font-weight:bold;margin:8px'>"
        f"{html.escape(log_title(day))}</div>"
        f"<p>值班时段：{html.escape(span)}，共 {len(lines)} 条</p>"
        "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
        f"<tr>{head}</tr>{body}</table>"
    )


def export_duty_log_docx(day: date, lines: list[LogLine], span: str, path: Path) -> Path:
    doc = headed_document(ISSUER, (), log_title(day))
    style_run(doc.add_paragraph().add_run(f"值班时段：{span}，共 {len(lines)} 条"), 11)
    add_grid(doc, LOG_HEADER, _log_rows(lines) or [(NONE, "", "", "")])
    return save_docx(doc, path)
