"""研判一张单 and its orders: the sheet lists the orders linked to it with their 叫应
progress, and 下达指令… opens 指挥一平台's 新建指令 already linked to the sheet (its warned
townships ticked, its highest warning level taken)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from console.domain.ids import reference_id
from console.services.context import Workstation
from console.services.orders import OrderService
from console.views.main_window import MainWindow
from console.views.pages.assessment_page import AssessmentPage
from console.views.pages.command_page import CommandPage, NewOrderDialog
from tests.views.conftest import idle, warned_sheet

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TOWN = reference_id("township", "北界镇")


def _sheet_warning_beijie(window: MainWindow, workstation: Workstation) -> AssessmentPage:
    """A sheet warning 北界镇 橙, shown on the page."""
    warned_sheet(workstation, TOWN, "北界镇", "橙")
    page = window.show_view("assessment")
    assert isinstance(page, AssessmentPage)
    idle(page)
    assert page.sheet is not None
    return page


def test_an_order_issued_from_the_sheet_is_linked_and_listed_with_its_progress(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = _sheet_warning_beijie(window, workstation)
    assert page.sheet is not None
    sheet_id = page.sheet["id"]
    assert page.orders_note.isVisible() and "尚未据本单下达指令" in page.orders_note.text()
    assert not page.orders.isVisible()
    assert page.order_button.isEnabled()

    seen: dict[str, object] = {}

    def drive() -> None:
        dialog = getattr(window.page("command"), "new_dialog", None)
        if not isinstance(dialog, NewOrderDialog) or not dialog.isVisible():
            QTimer.singleShot(20, drive)
            return
        seen["link"] = dialog.links["assessment_id"].currentData()
        seen["area"] = dialog.area()
        seen["level"] = dialog.warning_level.currentData()
        dialog.kind.setCurrentText("预警叫应")
        seen["after_kind"] = dialog.area()
        dialog.accept()

    QTimer.singleShot(0, drive)
    qtbot.mouseClick(page.order_button, Qt.MouseButton.LeftButton)
    command = window.show_view("command")
    assert isinstance(command, CommandPage)
    qtbot.waitUntil(lambda: command.board.order is not None, timeout=10_000)
    assert seen == {
        "link": sheet_id,
        "area": ([TOWN], []),
        "level": "橙",
        "after_kind": ([TOWN], []),
    }
    order = command.board.order
    assert order is not None
    assert (order["kind"], order["assessment_id"], order["warning_level"]) == (
        "预警叫应",
        sheet_id,
        "橙",
    )
    total = len(command.board.rows)
    assert total > 1 and all(r.township_id == TOWN for r in command.board.rows)

    # Back on the sheet: the order listed, nobody answered yet; one answer shows up.
    assert window.show_view("assessment") is page
    qtbot.waitUntil(lambda: page.orders.rowCount() == 1, timeout=5000)
    assert page.orders.isVisible() and not page.orders_note.isVisible()
    assert page.orders.item(0, 1).text().startswith("预警叫应：")
    assert page.orders.item(0, 2).text() == "执行中"
    assert page.orders.item(0, 3).text() == f"0/{total}"
    service = OrderService.of(workstation.writer)
    service.acknowledge(order["id"], command.board.rows[0].id, user="测试值班员", channel="电话")
    qtbot.waitUntil(lambda: page.orders.item(0, 3).text() == f"1/{total}", timeout=5000)


def test_an_order_of_another_sheet_is_not_listed(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = _sheet_warning_beijie(window, workstation)
    service = OrderService.of(workstation.writer)
    service.issue("巡查指令", service.chain([TOWN])[:1], user="测试值班员")  # no sheet
    idle(page)
    assert page.orders.rowCount() == 0 and page.orders_note.isVisible()
    assert page.sheet is not None
    service.issue(
        "巡查指令", service.chain([TOWN])[:2], user="测试值班员", assessment_id=page.sheet["id"]
    )
    qtbot.waitUntil(lambda: page.orders.rowCount() == 1, timeout=5000)
    assert page.orders.item(0, 3).text() == "0/2"
