"""The window as an officer meets it: at 1280x800 the incident list shows 报送时限 without
scrolling sideways, wide enough for a long overdue time (the rail shows glyphs only)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.models.incident_table_model import DEADLINE_COLUMN
from console.views.main_window import MainWindow
from console.views.pages.incident_list import TOWNSHIP_COLUMN
from console.views.pages.intake_page import IntakePage

LONG_COUNTDOWN = "首报(书面) 超时 23 小时 59 分"


def test_deadline_column_fits_at_1280x800(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1280, 800)
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    qtbot.waitUntil(lambda: window.width() == 1280, timeout=2000)
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    table = page.list.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0, timeout=2000)
    QApplication.processEvents()
    header = table.horizontalHeader()
    right = header.sectionViewportPosition(DEADLINE_COLUMN) + header.sectionSize(DEADLINE_COLUMN)
    assert table.horizontalScrollBar().maximum() == 0
    assert right <= table.viewport().width()
    assert header.sectionSize(DEADLINE_COLUMN) >= table.fontMetrics().horizontalAdvance(
        LONG_COUNTDOWN
    )
    # the rail gives its width to the page: glyphs only, the names in the tooltips
    assert window.rail.compact and window.rail.width() < 80
    first = window.rail.list.item(0)
    assert first.text() == "" and first.toolTip().startswith("接警处置")
    # wide enough again: every column, 乡镇 too, and the rail with its names
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: not table.isColumnHidden(TOWNSHIP_COLUMN), timeout=2000)
    assert table.horizontalScrollBar().maximum() == 0
    assert not window.rail.compact and first.text() == "接警处置"
