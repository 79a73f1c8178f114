"""A response's checklist as a document: Word (.docx, python-docx) and the HTML the PDF path
prints (console/ui/pdf_export.py). Qt-free, so the CLI and tests can make the .docx.

Marks: 样例数据 when started from a sample incident, 指南为草稿 while the level's guide is
the draft the county has not confirmed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from console.domain import beijing, catalog, guides
from console.domain.situation import RESPONSE_LEVELS
from console.services.guides import ResponseView, VillageDuties
from console.services.report_export import add_grid, headed_document, save_docx
from console.services.report_export import style_run as _font
from console.store.database import Store

ISSUER = "遂昌县防汛防台抗旱指挥部办公室"
HEADER = ("序号", "责任主体", "工作事项", "时限", "完成情况", "备注")
HISTORY = {
    catalog.TICKED: "完成",
    catalog.UNTICKED: "取消完成",
    catalog.ITEM_NOTE: "备注",
    catalog.RAISED: "升级",
    catalog.LOWERED: "降级",
    catalog.ENDED: "终止",
}


@dataclass(frozen=True)
class ChecklistDocument:
    title: str
    marks: tuple[str, ...]
    meta: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    history: tuple[str, ...]
    summary: str


def _limit(minutes: int) -> str:
    if minutes <= 0:
        return "—"
    if minutes % 60 == 0:
        return f"{minutes // 60} 小时内"
    return f"{minutes} 分钟内"


def checklist_document(view: ResponseView, now: datetime) -> ChecklistDocument:
    r = view.response
    level = guides.LEVEL_NAMES[str(r["level"])]
    rows = []
    for n, s in enumerate(view.items, 1):
        if s.ticked:
            done = f"已完成 {s.ticked_by} {beijing.display(s.ticked_at)[5:]}"
            done += "（超时）" if s.late else ""
        else:
            done = "超时未完成" if s.overdue else "未完成"
        notes = "；".join(f"{x.text}（{x.author}）" for x in s.notes)
        rows.append((str(n), s.role, s.action, _limit(s.limit_minutes), done, notes))
    history = []
    for e in view.events:
        line = f"{beijing.display(e['at'])} {e['author']} {HISTORY.get(e['kind'], e['kind'])}"
        if e["kind"] in (catalog.RAISED, catalog.LOWERED):
            line += f" {guides.LEVEL_NAMES[e['from_level']]} → {guides.LEVEL_NAMES[e['to_level']]}"
        action = view.actions.get(str(e["guide_item_id"]), "")
        if action:
            line += f"：{action}"
        if e["note"]:
            line += f"（{e['note']}）"
        history.append(line)
    ticked, total, overdue = view.progress
    status = "响应中" if r["status"] == catalog.RESPONSE_ACTIVE else "已终止"
    return ChecklistDocument(
        title=f"{r['hazard']}{level}应急响应工作清单",
        marks=view.marks,
        meta=(
            f"启动：{beijing.display(r['activated_at'])}  {r['author']}    状态：{status}",
            f"来源：{view.source or '—'}",
            f"启动理由：{r['reason'] or '—'}",
        ),
        rows=tuple(rows),
        history=tuple(history),
        summary=f"截至 {beijing.display(beijing.canonical(now))}：完成 {ticked}/{total} 项，"
        f"超时未完成 {overdue} 项",
    )


def export_docx(view: ResponseView, path: Path, now: datetime) -> Path:
    """Write the checklist as .docx; through a temporary name, so a failure leaves no half
    file."""
    d = checklist_document(view, now)
    doc = headed_document(ISSUER, d.marks, d.title)
    for line in d.meta:
        _font(doc.add_paragraph().add_run(line), 11)
    _font(doc.add_paragraph().add_run(d.summary), 11, bold=True)
    add_grid(doc, HEADER, d.rows)
    _font(doc.add_paragraph().add_run("处置记录"), 13, bold=True)
    for line in d.history or ("无。",):
        _font(doc.add_paragraph().add_run(line), 10)
    return save_docx(doc, path)


def checklist_html(view: ResponseView, now: datetime) -> str:
    """The checklist as HTML for Qt's PDF printing."""
    d = checklist_document(view, now)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADER)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in d.rows
    )
    marks = (
        "<div style='text-align:center;color:#c00000;font-size:14pt;font-weight:bold'>"
        + html.escape("【" + "】【".join(d.marks) + "】")
        + "</div>"
        if d.marks
        else ""
    )
    paras = "".join(f"<p style='margin:0 0 4px 0'>{html.escape(x)}</p>" for x in d.meta)
    history = "".join(f"<p style='margin:0'>{html.escape(x)}</p>" for x in d.history)
    return (
        "<div style='text-align:center;color:#c00000;font-size:20pt;font-weight:bold'>"
        f"{html.escape(ISSUER)}</div><hr/>{marks}"
        "<div style='text-align:center;font-size:16pt;font-weight:bold;margin:8px'>"
        f"{html.escape(d.title)}</div><div style='font-size:10pt'>{paras}</div>"
        f"<p style='font-weight:bold'>{html.escape(d.summary)}</p>"
        "<table border='1' cellspacing='0' cellpadding='3' width='100%' "
        f"style='border-collapse:collapse;font-size:9pt'><tr>{head}</tr>{body}</table>"
        f"<p style='font-weight:bold;font-size:12pt'>处置记录</p>"
        f"<div style='font-size:9pt'>{history or '无。'}</div>"
    )


CARD_ADVICE = (
    "听到预警信号（锣声、广播、电话通知）立即按转移路线撤离到安全地点，不要等待、不要返回取物。",
    "夜间或暴雨中转移，听从村转移责任人指挥，老人、小孩、病人优先。",
    "转移途中远离河道、沟谷和山脚，不要涉水过河。",
    "险情解除前不得返回危险区。",
)


def _heading(text: str) -> str:
    return f"<p style='font-weight:bold;font-size:12pt'>{text}</p>"


def card_html(village: VillageDuties) -> str:
    """The residents' 明白卡 (山洪灾害防御明白卡) of one village, for printing: its danger
    zones with the warning signal, the route and the safe place, and whom to call."""
    marks = "【样例数据】" if village.is_sample else ""
    people = [d for d in village.duties if d.name in ("行政责任人", "监测负责人", "信息报送人")]
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                p["name"],
                p["persons"],
                p["warning_signal"] or "（未填写）",
                p["transfer_route"] or "（未填写）",
                p["shelter"] or "（未填写）",
            )
        )
        + "</tr>"
        for p in village.points
    )
    contacts = "".join(
        f"<p style='margin:0 0 4px 0'>{html.escape(d.name)}："
        f"{html.escape(d.text or '（未落实）')}</p>"
        for d in people
    )
    advice = "".join(f"<li>{html.escape(x)}</li>" for x in CARD_ADVICE)
    head = "".join(
        f"<th>{h}</th>" for h in ("危险区", "影响人数", "预警信号", "转移路线", "安全地点")
    )
    return (
        f"<div style='text-align:center;color:#c00000;font-size:12pt'>{marks}</div>"
        "<div style='text-align:center;font-size:18pt;font-weight:bold'>"
        f"{html.escape(village.township)}{html.escape(village.village)}山洪灾害防御明白卡</div>"
        "<table border='1' cellspacing='0' cellpadding='4' width='100%' "
        f"style='border-collapse:collapse;font-size:10pt;margin-top:8px'><tr>{head}</tr>{rows}</table>"
        f"{_heading('联系人')}<div style='font-size:11pt'>{contacts}</div>"
        f"{_heading('避险须知')}<ol style='font-size:11pt'>{advice}</ol>"
        f"<p style='font-size:9pt'>{ISSUER} 制</p>"
    )


IMPORT_NOTE = (
    "说明：每个表格为一个灾种的一个响应等级，列与 Excel 导入格式相同；修改后可在“应急一指南 — "
    "导入指南…”或“基础数据 — 应急指南事项”中导入（按灾种+响应等级+责任主体+序号匹配）。"
)


def export_guide_docx(store: Store, path: Path, hazard: str | None = None) -> int:
    """The guide as .docx in its import layout: per hazard and level (IV to I) a heading,
    the level's triggers and a table of its items with the workbook's columns (灾种, 响应等级,
    责任主体, 序号, 工作事项, 时限（分钟）, 草稿), so the document imports back. ``hazard``
    None: every hazard, the levels with items. Marked 草稿 while any item is a draft. Returns
    the number of items."""
    from console.services.guides import GuideService
    from console.services.io.exporter import table_rows
    from console.services.io.layout import TRUE_TEXT, layout

    lay = layout("guide_items")
    at = {c.field: i for i, c in enumerate(lay.columns)}
    rows = [r for r in table_rows(store, lay.table) if hazard is None or r[at["hazard"]] == hazard]
    service = GuideService(store)
    hazards = (
        [hazard]
        if hazard
        else [h for h in service.hazards() if any(r[at["hazard"]] == h for r in rows)]
    )
    marks = (guides.DRAFT_LABEL,) if any(r[at["is_draft"]] == TRUE_TEXT for r in rows) else ()
    doc = headed_document(ISSUER, marks, f"{hazard or ''}应急指南")
    _font(doc.add_paragraph().add_run(IMPORT_NOTE), 9)
    for name in hazards:
        for level in RESPONSE_LEVELS:
            mine = [r for r in rows if r[at["hazard"]] == name and r[at["level"]] == level]
            if not mine and hazard is None:
                continue
            title = f"{name}{guides.LEVEL_NAMES[level]}响应"
            _font(doc.add_paragraph().add_run(title), 13, bold=True)
            conditions = "；".join(guides.trigger_text(t) for t in service.triggers(level))
            _font(doc.add_paragraph().add_run(f"启动条件：{conditions or '未设置'}"), 11)
            if not mine:
                _font(doc.add_paragraph().add_run("尚无工作事项。"), 11)
                continue
            mine.sort(key=lambda r: guides.sort_key(_item(r, at)))
            cells = [tuple("" if v is None else str(v) for v in r) for r in mine]
            add_grid(doc, lay.headers, cells)
    save_docx(doc, path)
    return len(rows)


def _item(row: list[Any], at: dict[str, int]) -> dict[str, Any]:
    """The fields :func:`guides.sort_key` orders by, from a row of the layout."""
    return {"level": row[at["level"]], "role": row[at["role"]], "seq": row[at["seq"]], "id": ""}
