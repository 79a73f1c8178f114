"""指挥一平台 driven as an officer would: issue an order from a template to a township down
its chain, record 已叫应 with one key down the call board, feedback, escalate a silent
recipient, finish the order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.domain.ids import reference_id
from console.services.context import Workstation
from console.services.orders import OrderService
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.command_page import CommandPage, NewOrderDialog
from tests.views.conftest import Clock, activate, flush_deletes, idle, warned_sheet, written
from tests.views.test_escalation_banner import CountingSound

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TOWN = reference_id("township", "北界镇")
T0 = datetime(2026, 7, 1, 6, 0, tzinfo=beijing.BEIJING)


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow) -> CommandPage:
    shown = window.show_view("command")
    assert isinstance(shown, CommandPage)
    _idle(shown)
    return shown


def _idle(page: Any) -> None:
    idle(page)


def _write(qtbot: QtBot, page: Any, action: Callable[[], None], *, saved: bool = True) -> str:
    return written(qtbot, page, action, page.board_shown, saved=saved)


def test_issue_call_down_the_board_feedback_and_finish(
    qtbot: QtBot, page: CommandPage, workstation: Workstation
) -> None:
    assert page.order_model.rowCount() == 0
    assert "尚无指令" in page.order_title.text()
    assert not page.ack_button.isEnabled()

    dialog = NewOrderDialog(page, page.snapshot, page.context.clock())
    assert dialog.title.text() == "人员转移指令"  # the template's
    dialog.kind.setCurrentText("预警叫应")
    assert (dialog.feedback_kind.currentText(), dialog.escalate.value()) == ("无需反馈", 5)
    assert "open_evacuation" not in dialog.values()  # only a 转移指令 opens one
    dialog.kind.setCurrentText("转移指令")
    dialog.check_all([TOWN])
    assert dialog.area() == ([TOWN], [])
    values = dialog.values()
    assert values["open_evacuation"] and values["evacuation_id"] is None  # 转移指令
    dialog.deleteLater()
    assert _write(qtbot, page, lambda: page.issue(values, [TOWN], [])) == ""
    # The order opened its evacuation on 管控一张表, linked to it.
    from console.services.transfers import TransferService

    [evacuation] = TransferService(workstation.store).evacuations()
    assert evacuation["title"] == "人员转移指令" and evacuation["status"] == "进行中"
    assert page.board.order is not None
    assert page.board.order["evacuation_id"] == evacuation["id"]

    expected = OrderService(workstation.store).chain([TOWN])
    assert page.order_model.rowCount() == 1
    assert [r.name for r in page.model.records()] == [c.name for c in expected]
    assert page.kpi["接收人"].text() == str(len(expected))
    assert page.kpi["未叫应"].text() == str(len(expected))
    assert page.kpi_total_label.text() == "已转移人数"

    # One key per call: the selection starts on the first silent row and moves on.
    first = page.selected_row()
    assert first is not None and first.name == expected[0].name
    page.table.setFocus()
    assert _write(qtbot, page, lambda: qtbot.keyClick(page.table, Qt.Key.Key_Space)) == ""
    rows = {r.id: r for r in page.model.records()}
    assert rows[first.id].state.state == "已叫应"
    assert rows[first.id].state.channel == "电话"
    assert rows[first.id].state.acked_by == first.name
    second = page.selected_row()
    assert second is not None and second.id == page.model.records()[1].id
    assert _write(qtbot, page, lambda: qtbot.keyClick(page.table, Qt.Key.Key_Return)) == ""
    assert page.kpi["已叫应"].text() == "2"
    assert page.kpi["未叫应"].text() == str(len(expected) - 2)

    # Feedback on the first: a number, summed in the KPI.
    page.table.selectRow(0)
    page.value.setValue(37)
    assert _write(qtbot, page, page.record_feedback) == ""
    assert page.kpi["合计"].text() == "37"
    assert page.kpi["已反馈"].text() == "1"

    # Everyone up the chain is on this order already: nobody to escalate to, said.
    page.table.selectRow(len(expected) - 1)
    said = _write(qtbot, page, page.escalate_selected, saved=False)
    assert "链上没有更上一级的责任人" in said

    assert _write(qtbot, page, page.close_order) == ""
    assert page.order_model.item(0, 3).text() == "已完成"
    assert not page.close_button.isEnabled()


def test_escalating_a_silent_recipient_adds_the_next_one_up(
    qtbot: QtBot, page: CommandPage, workstation: Workstation
) -> None:
    service = OrderService.of(workstation.writer)
    chain = service.chain([TOWN])
    low = next(c for c in chain if c.rank >= 2)
    head = next(c for c in chain if c.rank == 1)
    service.issue("巡查指令", [low], user="测试值班员")  # from another workstation, say
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    page.table.selectRow(0)
    assert page.escalate_button.isEnabled()
    assert _write(qtbot, page, page.escalate_selected) == ""
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    top, added = page.model.records()
    assert (top.name, added.name, added.escalated_from) == (low.name, head.name, top.id)
    assert top.state.escalated_to == added.id
    assert page.model.data(page.model.index(1, 0)).startswith("↳")


def test_sms_goes_through_the_server(
    qtbot: QtBot, page: CommandPage, workstation: Workstation
) -> None:
    service = OrderService.of(workstation.writer)
    service.issue("预警叫应", service.chain([TOWN])[:2], user="测试值班员")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    _idle(page)
    assert page.sms_button.isEnabled()
    page.send_sms()  # standalone: the server holds the gateway, none is connected
    assert page.message.text() == (
        "未登录服务器：短信由服务器发送，请在“同步状态”页登录服务器后再试"
    )
    page.table.selectRow(0)
    assert page.link_button.isEnabled()
    page.copy_link()  # the same for a recipient's acknowledgement link
    assert page.message.text() == (
        "未登录服务器：确认链接由服务器生成，请在“同步状态”页登录服务器后再试"
    )


def test_a_warning_calls_the_area_its_assessment_sheet_warned(
    qtbot: QtBot, page: CommandPage, workstation: Workstation
) -> None:
    sheet = warned_sheet(workstation, TOWN, "北界镇", "橙")
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.refresh()
    dialog = NewOrderDialog(page, page.snapshot, page.context.clock())
    dialog.kind.setCurrentText("预警叫应")
    assert dialog.area() == ([], [])
    box = dialog.links["assessment_id"]
    box.setCurrentIndex(box.findData(sheet))
    assert dialog.area() == ([TOWN], [])
    values = dialog.values()
    assert (values["assessment_id"], values["warning_level"]) == (sheet, "橙")
    dialog.deleteLater()
    assert _write(qtbot, page, lambda: page.issue(values, [TOWN], [])) == ""
    assert page.board.order is not None
    assert (page.board.order["assessment_id"], page.board.order["warning_level"]) == (sheet, "橙")


def test_buttons_follow_the_signed_in_role(
    qtbot: QtBot, page: CommandPage, workstation: Workstation, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = OrderService.of(workstation.writer)
    service.issue("巡查指令", service.chain([TOWN])[:1], user="测试值班员")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    _idle(page)
    page.table.selectRow(0)
    assert page.cancel_button.isEnabled() and page.ack_button.isEnabled()  # standalone
    monkeypatch.setattr(page, "role", lambda: "officer")
    page._update_buttons()
    assert not page.cancel_button.isEnabled() and page.ack_button.isEnabled()
    assert "带班领导" in page.cancel_button.toolTip()
    monkeypatch.setattr(page, "role", lambda: "readonly")
    page._update_buttons()
    assert not page.ack_button.isEnabled() and not page.new_button.isEnabled()
    monkeypatch.setattr(page, "role", lambda: "leader")
    page._update_buttons()
    assert page.cancel_button.isEnabled()


THREE = ("北界镇", "王村口镇", "金竹镇")


def _dialog_then(qtbot: QtBot, page: CommandPage, fill: Callable[[NewOrderDialog], None]) -> str:
    """Open 新建指令 with the page's own button, let ``fill`` drive the modal dialog, and
    return what the page said of the write (as _write)."""

    failed: list[BaseException] = []

    def drive() -> None:
        dialog = page.new_dialog
        try:
            assert dialog is not None and dialog.isVisible()
            fill(dialog)
        except BaseException as exc:  # raised inside the dialog's event loop: report after
            failed.append(exc)
            if dialog is not None:
                dialog.reject()

    QTimer.singleShot(0, drive)
    said = _write(qtbot, page, lambda: qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton))
    if failed:
        raise failed[0]
    return said


def test_an_order_to_three_township_heads_escalates_the_silent_one_to_its_county_leader(
    qtbot: QtBot, workstation: Workstation, window_context: WindowContext
) -> None:
    """Issue 12's done-when from the UI: 乡镇第一责任人 of three townships, two answer the
    phone, the third stays silent past the order's minutes; the banner proposes that
    township's 县领导包乡 and 升级 puts them on the board."""
    clock = Clock(T0)
    win = MainWindow(dataclasses.replace(window_context, clock=clock))
    try:
        win.resize(1400, 900)
        win.show()
        qtbot.waitExposed(win)
        page = win.show_view("command")
        assert isinstance(page, CommandPage)
        _idle(page)
        banner = win.escalation_banner
        assert banner is not None
        banner.sound = CountingSound()
        towns = [reference_id("township", n) for n in THREE]

        def fill(dialog: NewOrderDialog) -> None:
            dialog.kind.setCurrentText("预警叫应")
            dialog.reach.setCurrentIndex(dialog.reach.findText("乡镇第一责任人"))
            dialog.check_all(towns)
            qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)

        assert _dialog_then(qtbot, page, fill) == ""
        service = OrderService(workstation.store)
        heads = {
            t: next(c for c in service.chain([t]) if c.role == "乡镇第一责任人") for t in towns
        }
        rows = page.model.records()
        assert [r.role for r in rows] == ["乡镇第一责任人"] * 3
        assert {r.person_id for r in rows} == {h.person_id for h in heads.values()}
        assert page.kpi["接收人"].text() == "3"

        # Two townships answer the phone (one key each); the last in chain order is silent.
        activate(qtbot, win)
        page.table.setFocus()
        for _ in range(2):
            assert _write(qtbot, page, lambda: qtbot.keyClick(page.table, Qt.Key.Key_Space)) == ""
        silent = page.model.records()[2]
        assert silent.state.silent and page.kpi["未叫应"].text() == "1"
        assert silent.township_id is not None
        leader = next(c for c in service.chain([silent.township_id]) if c.role == "县领导包乡")

        clock.advance(5)  # 预警叫应: 5 minutes
        with qtbot.waitSignal(banner.checked, timeout=5000) as seen:
            banner.check()
        assert [r for _o, r in seen.args[0]] == [silent.id] and banner.isVisible()
        assert f"建议升级至县领导包乡 {leader.name}" in banner.text.text()
        assert "0 人可向上一级升级" not in banner.text.text()

        banner.acknowledge()
        qtbot.waitUntil(lambda: page.model.rowCount() == 4 and not banner.isVisible(), timeout=5000)
        added = next(r for r in page.model.records() if r.escalated_from)
        assert (added.person_id, added.role, added.escalated_from) == (
            leader.person_id,
            "县领导包乡",
            silent.id,
        )
    finally:
        win.close()
        win.deleteLater()
        flush_deletes()


def test_people_units_and_teams_added_by_hand(
    qtbot: QtBot, page: CommandPage, workstation: Workstation
) -> None:
    """另加接收人: a person found by pinyin initials, a unit and a team, with no area; each
    once; an empty dialog is not issued."""
    from sqlalchemy import text

    from console.services.contacts import pinyin_keys

    with workstation.store.engine.connect() as conn:
        duty = conn.execute(
            text(
                "SELECT p.id, p.name, u.name FROM people p JOIN units u ON u.id = p.unit_id"
                " WHERE p.post = '值班员' AND u.name = '遂昌县应急管理局' ORDER BY p.name LIMIT 1"
            )
        ).one()
        team = conn.execute(text("SELECT id, name FROM teams ORDER BY name LIMIT 1")).one()
    head = next(c for c in OrderService(workstation.store).chain([TOWN]) if c.rank == 1)
    initials = pinyin_keys(duty[1])[0][0]
    seen: dict[str, Any] = {}

    def pick(dialog: NewOrderDialog, query: str, prefix: str) -> None:
        """Search, then double-click the hit that begins with ``prefix``."""
        dialog.search.setText(query)
        hits = [dialog.hits.item(i) for i in range(dialog.hits.count())]
        dialog.hits.itemDoubleClicked.emit(next(h for h in hits if h.text().startswith(prefix)))

    def fill(dialog: NewOrderDialog) -> None:
        qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
        seen["empty"] = (dialog.isVisible(), dialog.problem.text())
        dialog.search.setFocus()
        qtbot.keyClicks(dialog.search, initials)  # typed; QTest cannot type Chinese
        dialog.search.insert(" 应急管理局 值班员")
        seen["hit"] = dialog.hits.item(0).text()
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # twice: added once
        seen["twice"] = dialog.problem.text()
        pick(dialog, "北界镇人民政府", "单位｜北界镇人民政府")
        pick(dialog, team[1], f"队伍｜{team[1]}")
        pick(dialog, head.name, f"人员｜{head.name}（北界镇人民政府")
        pick(dialog, head.name, f"人员｜{head.name}（北界镇人民政府")  # once
        seen["count"] = dialog.chosen_count.text()
        dialog.chosen.setCurrentRow(3)
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        seen["removed"] = dialog.chosen_count.text()
        pick(dialog, head.name, f"人员｜{head.name}（北界镇人民政府")
        qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)

    assert _dialog_then(qtbot, page, fill) == ""
    assert seen["empty"] == (True, "请勾选下达范围，或另加接收人")
    assert seen["hit"].startswith(f"人员｜{duty[1]}（遂昌县应急管理局")
    assert seen["twice"] == f"{duty[1]} 已在另加接收人中"
    assert (seen["count"], seen["removed"]) == ("另加 4 个接收人", "另加 3 个接收人")
    rows = {r.name: r for r in page.model.records()}
    assert len(rows) == 4
    assert rows[duty[1]].level == "另加人员" and rows[duty[1]].person_id == duty[0]
    assert rows["北界镇人民政府"].level == "另加单位" and rows["北界镇人民政府"].unit_id
    assert rows[team[1]].level == "另加队伍" and rows[team[1]].phone
    # Someone holding a chain role is placed by it: a silence escalates up their chain.
    assert (rows[head.name].role, rows[head.name].level) == ("乡镇第一责任人", "乡镇")
    # The chain first, then those added by hand (people, units, teams by township then name).
    assert page.model.records()[0].level == "乡镇"
    assert page.model.records()[-1].name == duty[1]  # no township: last


def test_a_transfer_order_opens_its_evacuation_with_the_area_in_the_circle(
    qtbot: QtBot, page: CommandPage, workstation: Workstation
) -> None:
    """转移指令: the evacuation it opens on 管控一张表 already holds its area's villages
    (three whole townships and one single village), each with its people at risk as 应转,
    written with the order in one transaction (a refused order leaves no evacuation)."""
    from console.services.transfers import TransferService

    transfers = TransferService(workstation.store)
    towns = [reference_id("township", n) for n in THREE]
    places = {t["id"]: t for t in page.snapshot.places}
    single = places[reference_id("township", "大柘镇")]["villages"][0]["id"]
    expected = {v["id"] for t in towns for v in places[t]["villages"]} | {single}

    dialog = NewOrderDialog(page, page.snapshot, page.context.clock())
    dialog.kind.setCurrentText("转移指令")
    dialog.check_all(towns)
    dialog.tree.findItems(
        places[reference_id("township", "大柘镇")]["villages"][0]["name"],
        Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
    )[0].setCheckState(0, Qt.CheckState.Checked)
    townships, villages = dialog.area()
    assert (sorted(townships), villages) == (sorted(towns), [single])
    values = dialog.values()
    dialog.deleteLater()

    # A refused order (its deadline before it is issued) opens no evacuation either.
    late = {**values, "deadline": page.context.clock() - timedelta(hours=1)}
    said = _write(qtbot, page, lambda: page.issue(late, townships, villages), saved=False)
    assert "完成时限早于下达时间" in said
    assert transfers.evacuations() == []

    assert _write(qtbot, page, lambda: page.issue(values, townships, villages)) == ""
    [evacuation] = transfers.evacuations()
    assert page.board.order is not None and page.board.order["evacuation_id"] == evacuation["id"]
    roll = transfers.roll_up(evacuation["id"])
    assert set(roll.villages) == expected
    at_risk = {v: transfers.at_risk(v) for v in expected}
    for village, tally in roll.villages.items():
        assert (tally.planned_households, tally.planned_persons) == at_risk[village]
    assert roll.county.planned_persons == sum(p for _h, p in at_risk.values()) > 0
    assert {reason for (reason,) in _reasons(workstation, evacuation["id"])} == {"转移指令下达范围"}


def _reasons(workstation: Workstation, evacuation_id: str) -> list[tuple[str]]:
    from sqlalchemy import text

    with workstation.store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT reason FROM evacuation_areas WHERE evacuation_id = :e"),
            {"e": evacuation_id},
        ).all()
    return [tuple(r) for r in rows]
