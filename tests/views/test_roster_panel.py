"""The 排班 tab with real widgets: a day planned from the keyboard (pinyin initials), a plan
breaking the rest rule saved only past a visible warning and then shown red with its
reason, a swap asked for and approved, and who is on duty in the status bar."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from console.domain import roster
from console.services.context import Workstation
from console.services.roster import RosterService
from console.views.main_window import MainWindow
from console.views.pages.roster_dialogs import CrewDialog, SwapRequestDialog, SwapsDialog
from console.views.pages.roster_panel import RosterPanel
from console.views.pages.teams_page import TeamsPage
from tests.views.conftest import activate, idle, written

# The offscreen platform cannot pass a dialog's size hints on; that is not a fault here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
MARCH = (2027, 3)


def _panel(qtbot: QtBot, window: MainWindow) -> RosterPanel:
    page = window.show_view("teams:roster")
    assert isinstance(page, TeamsPage)
    panel = page.panel("roster")
    assert isinstance(panel, RosterPanel)
    idle(panel)
    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        panel.show_month(*MARCH)
    idle(panel)
    return panel


def _cell(panel: RosterPanel, day: date) -> str:
    return str(panel.model.index_of(day).data())


def test_a_day_is_planned_from_the_keyboard_with_pinyin_initials(
    qtbot: QtBot, window: MainWindow
) -> None:
    panel = _panel(qtbot, window)
    assert panel.title.text() == "2027年3月"
    activate(qtbot, window)
    panel.select_day(date(2027, 3, 10))
    panel.calendar.setFocus()
    qtbot.keyClick(panel.calendar, Qt.Key.Key_Return)
    dialog = panel.dialog
    assert isinstance(dialog, CrewDialog)
    qtbot.keyClicks(dialog.leader, "qmm")
    chosen = dialog.leader.person()
    assert chosen is not None and chosen.name == "钱某某"
    qtbot.keyClicks(dialog.officers[0], "fmm")  # 傅某某 and 范某某: not one person
    assert not dialog.save.isEnabled() and "不是唯一的人员" in dialog.warning.text()
    offered = [dialog.suggestions.item(i).text() for i in range(dialog.suggestions.count())]
    assert offered[0] == "傅某某" and "范某某" in offered
    dialog.officers[0].clear()
    qtbot.keyClicks(dialog.officers[0], "fu")
    qtbot.keyClick(dialog.officers[0], Qt.Key.Key_Return)  # takes the top suggestion
    assert dialog.officers[0].text() == "傅某某"
    assert dialog.save.isEnabled() and dialog.save.text() == "保存"
    said = written(
        qtbot,
        panel,
        lambda: qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton),
        panel.refreshed,
    )
    assert said == ""
    text = _cell(panel, date(2027, 3, 10))
    assert "带班 钱某某" in text and "值班 傅某某" in text
    assert "已保存3月10日" in panel.said.text()


def test_breaking_the_rest_rule_warns_before_saving_and_shows_red_after(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    panel = _panel(qtbot, window)
    service = RosterService(workstation.store, workstation.writer)
    people = {p.label: p for p in service.people()}
    view = service.month(*MARCH)
    service.set_crew(view, "2027-03-10#0", people["钱某某"], [people["傅某某"]], "测试")
    idle(panel)
    qtbot.waitUntil(lambda: "钱某某" in _cell(panel, date(2027, 3, 10)), timeout=5000)
    panel.select_day(date(2027, 3, 11))
    panel.ask_plan()
    dialog = panel.dialog
    assert isinstance(dialog, CrewDialog)
    dialog.leader.setText("钱某某")
    dialog.officers[0].setText("魏某某")
    assert dialog.save.text() == "仍然保存"
    assert "休息" in dialog.warning.text() and "钱某某" in dialog.warning.text()
    said = written(qtbot, panel, dialog.save.click, panel.refreshed)
    assert said == ""
    index = panel.model.index_of(date(2027, 3, 11))
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "仅休息 0 小时" in index.data(Qt.ItemDataRole.ToolTipRole)
    listed = [panel.violations.item(i).text() for i in range(panel.violations.count())]
    assert any(t.startswith("[休息不足] 钱某某") for t in listed)
    assert panel.violations.isVisible()


def test_a_swap_is_asked_for_and_approved(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    panel = _panel(qtbot, window)
    service = RosterService(workstation.store, workstation.writer)
    people = {p.label: p for p in service.people()}
    view = service.month(*MARCH)
    service.set_crew(view, "2027-03-10#0", people["钱某某"], [people["傅某某"]], "测试")
    service.set_crew(view, "2027-03-14#0", people["赵某某"], [people["魏某某"]], "测试")
    idle(panel)
    qtbot.waitUntil(lambda: "魏某某" in _cell(panel, date(2027, 3, 14)), timeout=5000)

    panel.select_day(date(2027, 3, 10))
    panel.ask_swap()
    ask = panel.dialog
    assert isinstance(ask, SwapRequestDialog)
    ask.mine.setCurrentIndex(ask.mine.findText("03-10 值班员 傅某某"))
    ask.other_day.setDate(QDate(2027, 3, 14))
    assert [ask.other.itemText(i) for i in range(ask.other.count())] == ["03-14 值班员 魏某某"]
    ask.reason.setText("家中有事，已与魏某某商量")
    said = written(qtbot, panel, ask.accept, panel.refreshed)
    assert said == "" and panel.approve_button.text() == "换班审批（1）"

    panel.ask_approve()
    qtbot.waitUntil(lambda: isinstance(panel.dialog, SwapsDialog), timeout=5000)
    decide = panel.dialog
    assert isinstance(decide, SwapsDialog)
    status, effect = decide.table.item(0, 0), decide.table.item(0, 5)
    assert status is not None and status.text() == roster.SWAP_PENDING
    assert effect is not None and effect.text() == "无规则冲突"
    said = written(qtbot, panel, decide.approve.click, panel.refreshed)
    assert said == ""
    assert "值班 魏某某" in _cell(panel, date(2027, 3, 10))
    assert "值班 傅某某" in _cell(panel, date(2027, 3, 14))
    assert panel.approve_button.text() == "换班审批"


def test_the_status_bar_says_who_is_on_duty_now(qtbot: QtBot, window: MainWindow) -> None:
    status = window.status
    assert status is not None
    qtbot.waitUntil(lambda: status.duty.text().startswith("当班：带班 "), timeout=5000)
    assert "下一班" in status.duty.toolTip()
