"""Export a report to PDF through Qt's printing (QPdfWriter + QTextDocument), A4, with the
command centre's header, in the bundled or system CJK font."""

from __future__ import annotations

import html
import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from console.domain import beijing, drill
from console.services.report_text import ReportDraft


def report_html(draft: ReportDraft, author: str, when: str) -> str:
    lines = "".join(
        f"<p style='margin:0 0 6px 0'>{html.escape(line) or '&nbsp;'}</p>"
        for line in draft.body.splitlines()
    )
    return (
        "<div style='text-align:center;color:#c00000;font-size:24pt;font-weight:bold'>"
        f"{html.escape(draft.issuer)}<br/>值班信息</div>"
        "<hr style='color:#c00000'/>"
        f"<div style='text-align:center;font-size:16pt;font-weight:bold;margin:12px'>"
        f"{html.escape(draft.title)}</div>"
        f"<div style='font-size:12pt'>{lines}</div>"
        f"<p style='text-align:right;font-size:12pt'>值班员：{html.escape(author)}"
        f"&nbsp;&nbsp;&nbsp;&nbsp;{html.escape(when)}</p>"
    )


def a4_writer(
    path: Path,
    title: str,
    *,
    landscape: bool = False,
    margin_mm: float = 20,
    dpi: int = 300,
) -> QPdfWriter:
    """A PDF writer on one A4 page layout, titled, made by duty-console."""
    writer = QPdfWriter(str(path))
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            orientation,
            QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(dpi)
    writer.setTitle(drill.document_title(title))
    writer.setCreator("duty-console")
    return writer


def export_pdf(draft: ReportDraft, path: Path, *, author: str, sent_at: str | None = None) -> Path:
    """Write the PDF to a temporary name first: a failure leaves no half-written report."""
    when = beijing.display(sent_at) if sent_at else beijing.display(beijing.now())
    return write_pdf(report_html(draft, author, when), path, title=draft.title)


def drill_html() -> str:
    """The 演练 line on top of a printed document in drill mode; empty otherwise."""
    if drill.mark() is None:
        return ""
    return (
        "<div style='text-align:center;color:#ffffff;background-color:#c2410c;"
        f"font-size:14pt;font-weight:bold'>{html.escape(drill.DOCUMENT_MARK)}</div>"
    )


def write_pdf(body_html: str, path: Path, *, title: str) -> Path:
    """Print ``body_html`` to an A4 PDF, through a temporary name (with the 演练 line on top
    in drill mode)."""
    body_html = drill_html() + body_html
    tmp = path.with_name(path.name + ".part")
    writer = a4_writer(tmp, title)
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)  # point sizes in the writer's 300 dpi
    doc.setHtml(body_html)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    del writer  # flushes and closes the file
    os.replace(tmp, path)
    return path
