"""预警叫应 from 基础数据 > 预警信号: saving a new warning for a township offers its 预警叫应
at once (one box: 下达 / 暂不); 下达预警叫应… does the same for a warning already listed; the
order goes down the township's chain, all silent on the board, and nothing goes out without
the officer's 下达."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from console.domain.ids import reference_id
from console.services.context import Workstation
from console.services.orders import OrderService
from console.views.main_window import MainWindow
from console.views.pages.data_page import DataPage
from tests.views.conftest import idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TOWN = reference_id("township", "北界镇")


@pytest.fixture
def page(window: MainWindow) -> DataPage:
    shown = window.show_view("data")
    assert isinstance(shown, DataPage)
    idle(shown)
    shown.show_table("warnings")
    return shown


def _add_warning(qtbot: QtBot, page: DataPage, **given: Any) -> None:
    form = page.add_record()
    assert form is not None
    for name, value in {"kind": "暴雨", "level": "橙", "area": "北界镇全境",
                        "issued_at": "2026-07-01T06:00:00+08:00", **given}.items():  # fmt: skip
        form.set_value(name, value)
    with qtbot.waitSignal(page.written, timeout=5000):
        form.submit()
    idle(page)


def _answer(qtbot: QtBot, page: DataPage, button: QMessageBox.StandardButton) -> str:
    """Answer the open confirmation; what the page then said."""
    box = page.caller.box
    assert box is not None and box.isVisible()
    text = box.text()
    with qtbot.waitSignal(page.caller.said, timeout=5000):
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)
    idle(page)
    return text


def _orders(workstation: Workstation) -> list[dict[str, Any]]:
    return OrderService(workstation.store).orders()


def test_a_new_warning_offers_its_call_down_the_chain_and_sends_only_on_confirm(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    assert page.call_button.isVisible()
    service = OrderService(workstation.store)
    chain = service.chain([TOWN])
    assert len(chain) > 2

    with qtbot.waitSignal(page.caller.box_shown, timeout=5000):
        _add_warning(qtbot, page, township_id=TOWN)
    text = _answer(qtbot, page, QMessageBox.StandardButton.Cancel)
    assert "向北界镇的责任链逐级下达预警叫应" in text and f"接收人 {len(chain)} 人" in text
    assert "北界镇暴雨橙色预警叫应" in text
    assert _orders(workstation) == []  # 暂不: nothing went out
    assert page.call_note.text() == "未下达预警叫应"

    # Later, from the list: the selected warning's 预警叫应, confirmed.
    assert page.selected() is not None and page.call_button.isEnabled()
    with qtbot.waitSignal(page.caller.box_shown, timeout=5000):
        qtbot.mouseClick(page.call_button, Qt.MouseButton.LeftButton)
    _answer(qtbot, page, QMessageBox.StandardButton.Yes)
    assert "已下达：北界镇暴雨橙色预警叫应" in page.call_note.text()
    [order] = _orders(workstation)
    assert (order["kind"], order["warning_level"], order["recipients"]) == (
        "预警叫应",
        "橙",
        len(chain),
    )
    assert "暴雨橙色预警" in order["content"] and order["escalate_minutes"] == 5
    board = service.board(order["id"])
    assert {r.person_id for r in board.rows} == {e.person_id for e in chain}
    assert board.counts()["未叫应"] == len(chain)  # the board shows everyone silent

    # Asked again: the officer is told one is already out.
    with qtbot.waitSignal(page.caller.box_shown, timeout=5000):
        page.call_selected_warning()
    assert "已有 1 条正在执行" in _answer(qtbot, page, QMessageBox.StandardButton.Cancel)
    assert len(_orders(workstation)) == 1


def test_a_warning_without_a_township_or_already_lifted_is_refused_in_chinese(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    _add_warning(qtbot, page, area="全县")  # no township: nothing offered
    assert page.caller.box is None
    with qtbot.waitSignal(page.caller.said, timeout=5000):
        page.call_selected_warning()
    assert "未指定预警乡镇" in page.call_note.text()
    assert page.refusal is not None and page.refusal.isVisible()
    page.refusal.close()
    page.refusal = None

    _add_warning(
        qtbot, page, township_id=TOWN, issued_at="2020-07-01T06:00:00+08:00",
        until="2020-07-02T06:00:00+08:00",
    )  # fmt: skip
    # The offer after saving is refused: lifted long ago.
    qtbot.waitUntil(lambda: page.refusal is not None and page.refusal.isVisible(), timeout=5000)
    assert page.refusal is not None and "已于 2020-07-02 06:00 解除" in page.refusal.text()
    assert page.caller.box is None and _orders(workstation) == []


def test_other_tables_have_no_call_button_and_readonly_cannot_call(
    page: DataPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.show_table("townships")
    assert not page.call_button.isVisible()
    page.show_table("warnings")
    assert page.call_button.isVisible()
    monkeypatch.setattr(page, "role", lambda: "readonly")
    monkeypatch.setattr("console.views.pages.warning_call.signed_in_role", lambda _c: "readonly")
    page._update_buttons()
    assert not page.call_button.isEnabled()
