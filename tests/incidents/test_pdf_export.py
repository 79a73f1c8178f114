"""PDF export of a report through Qt's printer: a real PDF holding the report's text."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from console.services.report_text import ReportDraft
from console.ui.pdf_export import export_pdf


def test_pdf_is_written_with_text(qtbot: QtBot, tmp_path: Path) -> None:
    del qtbot  # the QApplication it provides is what QPdfWriter needs
    draft = ReportDraft(
        "首报", "关于北界镇苏村地质灾害的首报", "2026-11-28 13:50，发生滑坡。\n被困3人。"
    )
    path = export_pdf(draft, tmp_path / "r.pdf", author="张三")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    assert not (tmp_path / "r.pdf.part").exists()
    title = draft.title.encode("utf-16-be")
    for raw, escaped in ((b"\\", b"\\\\"), (b"(", b"\\("), (b")", b"\\)")):
        title = title.replace(raw, escaped)  # PDF literal-string escaping
    assert b"\xfe\xff" + title in data  # the document title, UTF-16
    assert b"/Type /Page" in data
    # Glyphs come with a ToUnicode map: the Chinese text is real text, searchable and
    # copyable, not boxes or an image.
    assert b"/ToUnicode" in data
