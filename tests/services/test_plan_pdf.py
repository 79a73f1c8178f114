"""A .pdf plan's text is indexed (pypdf): a PDF printed by Qt with Chinese text in the
bundled CJK font is found by a two-character word; an encrypted or broken PDF is kept with a
Chinese note and never fails the save."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter
from PySide6.QtCore import QSizeF
from PySide6.QtGui import QFont, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QApplication

from console.app import load_fonts
from console.services.plans import (
    ENCRYPTED_PDF,
    NO_TEXT_PDF,
    UNINDEXED,
    UNREADABLE_PDF,
    PlanService,
    document_path,
    read_document,
    search_plans,
)
from console.store.database import Store
from console.store.writer import Writer
from console.views.pages.plan_panel import plan_state

FLOOD = {
    "title": "遂昌县山洪灾害防御预案",
    "kind": "专项预案",
    "level": "县级",
    "category": "自然灾害",
    "subtype": "水旱",
}
BODY = ("第三章 应急响应", "发现山洪征兆时，村转移责任人立即组织危险区群众撤离到安全地点。")


def chinese_pdf(qapp: QApplication, path: Path, lines: tuple[str, ...] = BODY) -> Path:
    """A PDF made as the console prints one: QPdfWriter + QTextDocument, the CJK font."""
    families = load_fonts(qapp)
    assert families  # the bundled font: the glyphs (and their Unicode map) are embedded
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    font = QFont()
    font.setFamilies(families)
    font.setPointSize(12)
    doc.setDefaultFont(font)
    doc.setHtml("".join(f"<p>{line}</p>" for line in lines))
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    del writer  # flushes and closes the file
    return path


def test_a_pdf_plan_is_found_by_two_characters_of_its_text(
    qapp: QApplication, store: Store, writer: Writer, tmp_path: Path
) -> None:
    source = chinese_pdf(qapp, tmp_path / "山洪预案.pdf")
    assert "组织危险区群众撤离" in read_document(source).text
    service = PlanService(writer, tmp_path / "data")
    plan_id, note = service.save_noted(FLOOD, user="甲", document=source)
    assert note == ""
    for word in ("撤离", "征兆", "转移"):
        assert [p["id"] for p in search_plans(store, word)] == [plan_id], word
    assert search_plans(store, "滑坡") == []
    [plan] = search_plans(store, "撤离")
    assert plan["indexed"] and plan_state(plan) == "有文件"
    stored = document_path(tmp_path / "data", plan)
    assert stored is not None and stored.read_bytes() == source.read_bytes()


def test_an_encrypted_or_broken_pdf_is_kept_with_a_note(
    qapp: QApplication, store: Store, writer: Writer, tmp_path: Path
) -> None:
    service = PlanService(writer, tmp_path / "data")
    plain = chinese_pdf(qapp, tmp_path / "明文.pdf")
    locked = PdfWriter(clone_from=PdfReader(str(plain)))
    locked.encrypt(user_password="mima-123", algorithm="RC4-128")
    encrypted = tmp_path / "加密预案.pdf"
    with encrypted.open("wb") as f:
        locked.write(f)
    plan_id, note = service.save_noted(FLOOD, user="甲", document=encrypted)
    assert note == ENCRYPTED_PDF and "已加密" in note
    [plan] = search_plans(store)
    assert plan["id"] == plan_id and plan["document"].endswith("加密预案.pdf")
    assert not plan["indexed"] and plan_state(plan) == f"有文件；{UNINDEXED}"
    assert document_path(tmp_path / "data", plan) is not None  # the file is kept
    assert search_plans(store, "撤离") == []  # its text could not be read

    broken = tmp_path / "损坏.pdf"
    broken.write_bytes(plain.read_bytes()[: len(plain.read_bytes()) // 3])
    other = {**FLOOD, "title": "损坏的预案"}
    broken_id, note = service.save_noted(other, user="甲", document=broken)
    assert note in (UNREADABLE_PDF, NO_TEXT_PDF)
    assert "文件已保存" in note
    assert {p["id"] for p in search_plans(store)} == {plan_id, broken_id}

    garbage = tmp_path / "乱码.pdf"
    garbage.write_bytes(b"%PDF-1.7\n\x00\xff not a pdf at all")
    assert read_document(garbage).note == UNREADABLE_PDF
    assert service.save(other, user="甲", plan_id=broken_id, document=garbage) == broken_id
