"""研判一张单 as a document: Word (.docx, python-docx) and the HTML the PDF path prints
(console/ui/pdf_export.py). Qt-free, so the CLI and tests can make the .docx.

Marks: 演练 in drill mode (console.domain.drill), 模拟 when the sheet was built from
simulated readings, 样例数据 when from the sample county, 草稿（未签发） until it is signed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from console.domain import beijing, drill
from console.domain.assessment_rules import DRAFT, parse_content
from console.services.report_export import add_grid, headed_document, save_docx
from console.services.report_export import style_run as _font

ISSUER = "遂昌县防汛防台抗旱指挥部办公室"
RAIN_COLUMNS = (1, 3, 6, 12, 24)
SIMULATED_MARK = "模拟"
SAMPLE_MARK = "样例数据"
DRAFT_MARK = "草稿（未签发）"
NO_STATION = "无站点超过警戒（汛限）水位。"


@dataclass(frozen=True)
class SheetDocument:
    """The sheet laid out as text: what both the .docx and the PDF show."""

    title: str
    number: str
    marks: tuple[str, ...]
    meta: tuple[str, ...]  # period, generated, version
    summary: str
    rain_header: tuple[str, ...]
    rain_rows: tuple[tuple[str, ...], ...]
    station_lines: tuple[str, ...]
    endangered_header: tuple[str, ...]
    endangered_rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    warning_lines: tuple[str, ...]
    response_line: str
    tasks: tuple[str, ...]
    signature: str


def _mm(value: Any) -> str:
    return "—" if value is None else f"{float(value):g}"


def marks(row: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    if drill.mark() is not None:  # 演练: first, before every other mark
        found.append(drill.MARK)
    if row.get("simulated"):
        found.append(SIMULATED_MARK)
    if row.get("is_sample"):
        found.append(SAMPLE_MARK)
    if row.get("status") == DRAFT:
        found.append(DRAFT_MARK)
    return tuple(found)


def sheet_document(row: dict[str, Any]) -> SheetDocument:
    content = parse_content(row["content"])
    rain_rows = tuple(
        (
            str(t.get("name", "")),
            *(_mm((t.get("observed") or {}).get(str(h))) for h in RAIN_COLUMNS),
            _mm(t.get("peak_1h")),
            "、".join(f"{h}小时 {_mm(mm)}" for h, mm in sorted((t.get("forecast") or {}).items()))
            or "—",
        )
        for t in content.get("townships", [])
    )
    station_lines = tuple(
        f"{s.get('name', '')}（{s.get('township', '') or '—'}）："
        + (
            f"水位 {_mm(s.get('level_m'))} 米，超过{'、'.join(s.get('over') or [])}"
            if s.get("over")
            else f"雨量达{s.get('signal', '')}色预警标准"
        )
        for s in content.get("stations", [])
    )
    endangered_rows = tuple(
        (
            str(e.get("name", "")),
            str(e.get("township", "")),
            f"{e.get('level', '')}色"
            + (f"（预计{e['expected_level']}色）" if e.get("expected_level") else ""),
            str(e.get("persons") if e.get("persons") is not None else "—"),
            "；".join(
                f"{r.get('role', '')} {r.get('name', '')} {r.get('mobile', '')}".strip()
                for r in e.get("responsible") or []
            )
            or "—",
            str(e.get("reason", "")),
        )
        for e in content.get("endangered", [])
    )
    warning_lines = tuple(
        f"{w.get('name', '')}：{w.get('level')}色预警"
        for w in content.get("warnings", [])
        if w.get("level")
    )
    reasons = "；".join(content.get("response_reasons", []))
    response = row.get("proposed_response") or ""
    response_line = (
        f"建议启动防汛{response}级应急响应" + (f"（{reasons}）" if reasons else "")
        if response
        else "暂不建议启动应急响应"
    )
    if row.get("status") == DRAFT:
        signature = f"拟稿：{row.get('author', '')}    （未签发）"
    else:
        signature = (
            f"拟稿：{row.get('author', '')}    签发：{row.get('signed_by', '')}    "
            f"{beijing.display(row['signed_at']) if row.get('signed_at') else ''}"
        )
    return SheetDocument(
        title=str(row["title"]),
        number=str(row["number"]),
        marks=marks(row),
        meta=(
            f"研判时段：{beijing.display(row['period_from'])} 至 "
            f"{beijing.display(row['period_to'])}",
            f"生成时间：{beijing.display(row['generated_at'])}    第 {row['revision']} 版",
        ),
        summary=str(row.get("summary") or ""),
        rain_header=(
            "乡镇（街道）",
            *(f"{h}小时" for h in RAIN_COLUMNS),
            "最大1小时",
            "预报雨量",
        ),
        rain_rows=rain_rows,
        station_lines=station_lines,
        endangered_header=("村/风险点", "乡镇", "等级", "影响人数", "责任人", "依据"),
        endangered_rows=endangered_rows,
        notes=tuple(content.get("notes", [])),
        warning_lines=warning_lines,
        response_line=response_line,
        tasks=tuple(
            f"{t.get('no', i)}. {t.get('text', '')}"
            for i, t in enumerate(content.get("tasks", []), 1)
        ),
        signature=signature,
    )


def export_docx(row: dict[str, Any], path: Path) -> Path:
    """Write the sheet as .docx; through a temporary name, so a failure leaves no half file."""
    doc_ = sheet_document(row)
    doc = headed_document(ISSUER, doc_.marks, doc_.title)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(number.add_run(doc_.number), 12)
    for line in doc_.meta:
        _font(doc.add_paragraph().add_run(line), 11)

    def heading(text: str) -> None:
        _font(doc.add_paragraph().add_run(text), 13, bold=True)

    def table(header_: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> None:
        add_grid(doc, header_, rows)

    heading("一、研判意见")
    _font(doc.add_paragraph().add_run(doc_.summary or "—"), 12)
    heading("二、雨情（毫米）")
    table(doc_.rain_header, doc_.rain_rows)
    heading("三、水情")
    for line in doc_.station_lines or (NO_STATION,):
        _font(doc.add_paragraph().add_run(line), 12)
    heading("四、受威胁村和风险点")
    if doc_.endangered_rows:
        table(doc_.endangered_header, doc_.endangered_rows)
    else:
        _font(doc.add_paragraph().add_run("无。"), 12)
    for line in doc_.notes:
        _font(doc.add_paragraph().add_run(line), 11)
    heading("五、预警与响应建议")
    for line in (*doc_.warning_lines, doc_.response_line):
        _font(doc.add_paragraph().add_run(line), 12)
    heading("六、工作任务")
    for line in doc_.tasks or ("无。",):
        _font(doc.add_paragraph().add_run(line), 12)
    footer = doc.add_paragraph()
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(footer.add_run(doc_.signature), 12)
    return save_docx(doc, path)


def _html_table(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return (
        "<table border='1' cellspacing='0' cellpadding='3' width='100%' "
        f"style='border-collapse:collapse;font-size:9pt'><tr>{head}</tr>{body}</table>"
    )


def sheet_html(row: dict[str, Any]) -> str:
    """The sheet as HTML for Qt's PDF printing."""
    d = sheet_document(row)

    def paras(lines: tuple[str, ...] | list[str]) -> str:
        return "".join(f"<p style='margin:0 0 4px 0'>{html.escape(x)}</p>" for x in lines)

    def heading(text: str) -> str:
        return f"<p style='font-weight:bold;font-size:12pt;margin:10px 0 4px 0'>{text}</p>"

    marks_html = (
        "<div style='text-align:center;color:#c00000;font-size:14pt;font-weight:bold'>"
        + html.escape("【" + "】【".join(d.marks) + "】")
        + "</div>"
        if d.marks
        else ""
    )
    return (
        "<div style='text-align:center;color:#c00000;font-size:20pt;font-weight:bold'>"
        f"{html.escape(ISSUER)}</div><hr style='color:#c00000'/>"
        f"{marks_html}"
        "<div style='text-align:center;font-size:16pt;font-weight:bold;margin:8px'>"
        f"{html.escape(d.title)}</div>"
        f"<div style='text-align:center;font-size:11pt'>{html.escape(d.number)}</div>"
        f"<div style='font-size:10pt'>{paras(d.meta)}</div>"
        f"{heading('一、研判意见')}<div style='font-size:11pt'>{paras([d.summary or '—'])}</div>"
        f"{heading('二、雨情（毫米）')}{_html_table(d.rain_header, d.rain_rows)}"
        f"{heading('三、水情')}"
        f"<div style='font-size:11pt'>{paras(d.station_lines or (NO_STATION,))}</div>"
        f"{heading('四、受威胁村和风险点')}"
        + (
            _html_table(d.endangered_header, d.endangered_rows)
            if d.endangered_rows
            else paras(["无。"])
        )
        + paras(d.notes)
        + f"{heading('五、预警与响应建议')}"
        f"<div style='font-size:11pt'>{paras([*d.warning_lines, d.response_line])}</div>"
        f"{heading('六、工作任务')}<div style='font-size:11pt'>{paras(d.tasks or ('无。',))}</div>"
        f"<p style='text-align:right;font-size:11pt'>{html.escape(d.signature)}</p>"
    )
