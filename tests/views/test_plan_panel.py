"""预案库 driven as an officer would: a plan saved with a PDF whose text cannot be read is
kept, the page says why in the error style, and the list marks it 正文未能提取; the tab opens
by name (case-library:plans)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from console.services.plans import ENCRYPTED_PDF, UNINDEXED, document_path
from console.views.main_window import MainWindow
from console.views.pages.case_page import CaseLibraryPage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
PLAN = {
    "title": "遂昌县防汛防台应急预案",
    "kind": "专项预案",
    "level": "县级",
    "category": "自然灾害",
    "subtype": "气象",
}


def test_a_plan_with_an_unreadable_pdf_is_kept_with_the_reason(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from pypdf import PdfWriter

    page = window.show_view("case-library:plans")
    assert isinstance(page, CaseLibraryPage) and page.sections.currentIndex() == 1
    locked = PdfWriter()
    locked.add_blank_page(200, 200)
    locked.encrypt(user_password="mima-123", algorithm="RC4-128")
    source = tmp_path / "加密预案.pdf"
    with source.open("wb") as f:
        locked.write(f)
    said: list[str] = []
    page.written.connect(said.append)
    with qtbot.waitSignal(page.plans.refreshed, timeout=10000):
        page.plans.save(PLAN, None, source)
        qtbot.waitUntil(lambda: bool(said), timeout=10000)
    assert said == [""]  # saved
    assert page.message.text() == f"预案已保存。{ENCRYPTED_PDF}"
    assert page.message.objectName() == "FieldError"
    qtbot.waitUntil(lambda: page.plans.model.rowCount() == 1, timeout=10000)
    state = page.plans.model.item(0, 7).text()
    assert state == f"有文件；{UNINDEXED}"
    [plan] = page.plans.rows
    assert document_path(window.context.data_dir, plan) is not None
