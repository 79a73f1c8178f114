"""The navigation rail at 1280x800 with the 叫应超时 and 报送提醒 banners both up: every area
in sight, no scroll bar; the rows open up again once the banners are gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.domain.ids import reference_id
from console.services.context import Workstation
from console.services.incidents import IncidentService
from console.services.orders import OrderService
from console.views.main_window import MainWindow
from console.views.nav_rail import ICON_SIZE, ROW_HEIGHT

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TOWN = reference_id("township", "北界镇")
CALL = {
    "category": "自然灾害",
    "subtype": "地质",
    "grade": "较大",  # 初报 by phone within 30 minutes
}


class _Quiet:
    def play(self) -> None:
        pass


def _all_in_sight(rail: QListWidget) -> bool:
    """No scroll bar, and every row's glyph inside the visible area."""
    if rail.verticalScrollBar().isVisible() or rail.verticalScrollBar().maximum() > 0:
        return False
    view = rail.viewport().rect()
    for row in range(rail.count()):
        rect = rail.visualItemRect(rail.item(row))
        if not view.contains(rect) or rect.height() < ICON_SIZE:
            return False
    return True


def test_every_area_in_sight_under_both_banners_at_1280x800(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    win = window
    win.resize(1280, 800)
    rail = win.rail
    qtbot.waitUntil(lambda: rail.compact, timeout=3000)
    assert rail.compact  # 1280 wide: glyphs only
    assert _all_in_sight(rail.list) and rail.row_height == ROW_HEIGHT

    # Several overdue reports and several silent recipients: both banners wrap to two lines.
    now = beijing.now()
    received = beijing.display(now - timedelta(minutes=40))  # the phone report overdue
    incidents = IncidentService(workstation.writer)
    for township in ("北界镇", "妙高街道", "湖山乡"):
        call = {**CALL, "township": township, "received_at": received}
        incidents.take_call(call, user="测试", now=now)
    orders = OrderService.of(workstation.writer)
    silent = [c for c in orders.chain([TOWN]) if c.rank >= 2][:4]
    orders.issue("预警叫应", silent, user="甲", now=now - timedelta(minutes=10))  # 5 min
    deadline, escalation = win.banner, win.escalation_banner
    assert deadline is not None and escalation is not None
    escalation.sound = _Quiet()  # type: ignore[assignment]  # no sound device here
    for banner in (deadline, escalation):
        with qtbot.waitSignal(banner.checked, timeout=5000):
            banner.check()
    assert deadline.isVisible() and escalation.isVisible()
    assert "已超时" in deadline.text.text() and silent[0].name in escalation.text.text()

    qtbot.waitUntil(lambda: _all_in_sight(rail.list), timeout=3000)
    assert rail.row_height < ROW_HEIGHT  # closed up to make room
    closed_up = rail.row_height
    win.resize(1280, 700)  # shorter still: closer still, every area still in sight
    qtbot.waitUntil(lambda: rail.row_height < closed_up and _all_in_sight(rail.list), timeout=3000)
    win.resize(1280, 800)

    # Both acknowledged: the rows are back to their full height.
    deadline.ack_button.click()
    with qtbot.waitSignal(escalation.checked, timeout=5000):
        escalation.acknowledge()
    assert not deadline.isVisible() and not escalation.isVisible()
    qtbot.waitUntil(lambda: rail.row_height == ROW_HEIGHT, timeout=3000)
    assert _all_in_sight(rail.list)
