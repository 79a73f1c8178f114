"""A call overdue by days reads 超时 2 天 4 小时 in the list, the detail and the banner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.models.incident_table_model import DEADLINE_COLUMN
from console.services.context import Workstation
from console.services.incidents import IncidentService
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.intake_page import IntakePage
from tests.views.conftest import Clock

RECEIVED = datetime(2026, 11, 28, 13, 0, tzinfo=beijing.BEIJING)
CALL = {
    "category": "自然灾害",
    "subtype": "地质",
    "grade": "较大",
    "township": "北界镇",
    "received_at": "2026-11-28 13:00",
}


@pytest.fixture
def late_window(
    qtbot: QtBot, window_context: WindowContext, workstation: Workstation
) -> Iterator[MainWindow]:
    IncidentService(workstation.writer).take_call(CALL, user="测试", now=RECEIVED)
    # 首报(电话) is due 30 min after the call: two days and four hours late (the banner
    # looks back 72 h)
    window_context.clock = Clock(RECEIVED + timedelta(days=2, hours=4, minutes=40))
    win = MainWindow(window_context)
    win.resize(1600, 1000)
    win.show_view("intake")
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_overdue_by_days_everywhere(qtbot: QtBot, late_window: MainWindow) -> None:
    page = late_window.page("intake")
    assert isinstance(page, IntakePage)
    model = page.list.model
    qtbot.waitUntil(lambda: model.rowCount() > 0 and not model.loading, timeout=5000)
    expected = "超时 2 天 4 小时"

    def cell() -> str:
        value = model.data(model.index(0, DEADLINE_COLUMN), Qt.ItemDataRole.DisplayRole)
        return str(value or "")

    qtbot.waitUntil(lambda: expected in cell(), timeout=5000)
    assert "分" not in cell()
    qtbot.waitUntil(lambda: expected in page.detail.countdown.text(), timeout=5000)
    banner = late_window.banner
    assert banner is not None
    qtbot.waitUntil(lambda: expected in banner.text.text(), timeout=5000)
