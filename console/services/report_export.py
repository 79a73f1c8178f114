"""Export a report as Word (.docx, python-docx) with the command centre's header.

PDF goes through Qt's printer in the UI layer (console/ui/pdf_export.py); this module stays
Qt-free so the CLI and tests can produce the .docx.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from console.domain import beijing, drill
from console.services.report_text import ReportDraft

DRILL_RED = RGBColor(0xC2, 0x41, 0x0C)
FONT = "SimSun"  # 宋体: what county documents use; Word substitutes if missing


def style_run(run: object, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]
    run.font.name = FONT  # type: ignore[attr-defined]
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # type: ignore[attr-defined]
    if color is not None:
        run.font.color.rgb = color  # type: ignore[attr-defined]


def mark_docx(doc: Any, *, heading: bool = True) -> None:
    """In drill mode (演练): the mark in every page's header, the document's properties and
    (``heading``) a red 【演练】 line on top; nothing otherwise."""
    if drill.mark() is None:
        return
    header = doc.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(header.add_run(drill.DOCUMENT_MARK), 12, bold=True, color=DRILL_RED)
    doc.core_properties.keywords = drill.MARK
    doc.core_properties.subject = drill.DOCUMENT_MARK
    if heading:
        top = doc.add_paragraph()
        top.alignment = WD_ALIGN_PARAGRAPH.CENTER
        style_run(top.add_run(f"【{drill.MARK}】"), 18, bold=True, color=DRILL_RED)


def export_docx(draft: ReportDraft, path: Path, *, author: str, sent_at: str | None = None) -> Path:
    """Write the report; written to a temporary name first so a failure leaves no half file."""
    doc = Document()
    mark_docx(doc)
    doc.core_properties.title = drill.document_title(draft.title)
    header = doc.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(
        header.add_run(draft.issuer + "\n值班信息"), 22, bold=True, color=RGBColor(0xC0, 0x00, 0x00)
    )
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(title.add_run(draft.title), 16, bold=True)
    for line in draft.body.splitlines():
        para = doc.add_paragraph()
        style_run(para.add_run(line), 12)
    footer = doc.add_paragraph()
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    when = beijing.display(sent_at) if sent_at else beijing.display(beijing.now())
    style_run(footer.add_run(f"值班员：{author}    {when}"), 12)
    tmp = path.with_name(path.name + ".part")
    doc.save(str(tmp))
    os.replace(tmp, path)
    return path


RED = RGBColor(0xC0, 0x00, 0x00)


def headed_document(issuer: str, marks: tuple[str, ...], title: str) -> Any:
    """A new .docx opening with the issuer in red, the marks (【样例数据】...) and the title,
    as the duty room's documents (研判单, 应急响应工作清单) do."""
    doc = Document()
    mark_docx(doc, heading=False)  # drill: page header and properties; the line below
    doc.core_properties.title = drill.document_title(title)
    if drill.mark() is not None and drill.MARK not in marks:
        marks = (drill.MARK, *marks)
    header = doc.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(header.add_run(issuer), 18, bold=True, color=RED)
    if marks:
        mark = doc.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        style_run(mark.add_run("【" + "】【".join(marks) + "】"), 14, bold=True, color=RED)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(heading.add_run(title), 16, bold=True)
    return doc


def add_grid(doc: Any, header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    """A bordered table, header row bold; filled row by row (Table.cell() walks the whole
    grid each call: minutes for 300 rows)."""
    grid = doc.add_table(rows=0, cols=len(header))
    grid.style = "Table Grid"
    for r, values in enumerate((header, *rows)):
        for cell, value in zip(grid.add_row().cells, values, strict=True):
            style_run(cell.paragraphs[0].add_run(value), 10, bold=r == 0)


def save_docx(doc: Any, path: Path) -> Path:
    """Save through a temporary name, so a failure leaves no half file."""
    tmp = path.with_name(path.name + ".part")
    doc.save(str(tmp))
    os.replace(tmp, path)
    return path
