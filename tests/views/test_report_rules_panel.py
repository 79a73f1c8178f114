"""设置 > 信息报送时限: a duty leader changes a deadline; the countdown follows it."""

from __future__ import annotations

from datetime import datetime

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.domain.schema import ENTITY_FIELDS
from console.models.report_rule_table_model import ReportRuleTableModel
from console.services.context import Workstation
from console.services.deadlines import deadlines_for
from console.services.incident_list import fetch_incident
from console.services.incidents import IncidentService
from console.services.report_rules import list_rules
from console.views.main_window import MainWindow
from console.views.pages.settings_page import SettingsPage


def test_leader_edits_a_deadline(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow, workstation: Workstation
) -> None:
    page = window.show_view("settings")
    assert isinstance(page, SettingsPage) and page.rules is not None
    panel = page.rules
    assert not panel.save.isEnabled()  # until the rules have been read
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=5000)
    qtmodeltester.check(panel.model)
    assert panel.model.rowCount() == len(list_rules(workstation.writer)) > 0
    assert panel.save.isEnabled()  # standalone: no account, edits locally
    assert panel.basis.maxLength() == ENTITY_FIELDS["report_rules"]["basis"].max_len == 200

    panel.new.click()
    panel.category.setCurrentText("自然灾害")
    panel.subtype.setCurrentText("地质")
    assert panel.sub_hazard.isEnabled()  # 地质 splits into sub-hazards
    panel.sub_hazard.setCurrentText("滑坡")
    panel.grade.setCurrentText("较大")
    panel.stage.setCurrentText("初报")
    panel.channel.setCurrentText("电话")
    panel.schedule.setCurrentText("接报后")
    panel.unit.setCurrentText("分钟")
    panel.minutes.setValue(20)
    assert not panel.daily_at.isEnabled() and not panel.window_days.isEnabled()
    panel.basis.setText("县防指2026年规定")
    assert panel.hint.text() == "初报（电话）：接报后 20 分内"
    panel.save.click()
    # Saved, and read back: the buttons wait for the read after the write (the change
    # notice can come before either).
    qtbot.waitUntil(lambda: "已保存" in panel.message.text() and panel.new.isEnabled())

    now = datetime(2026, 11, 28, 14, 0, tzinfo=beijing.BEIJING)
    service = IncidentService(workstation.writer)
    call = {
        "received_at": "2026-11-28 13:50",
        "category": "自然灾害",
        "subtype": "地质",
        "sub_hazard": "滑坡",
        "grade": "较大",
        "township": "北界镇",
    }
    incident_id = service.take_call(call, user="李四", now=now)
    incident = fetch_incident(workstation.store, incident_id)
    assert incident is not None
    phone = [
        d
        for d in deadlines_for(incident, list_rules(workstation.writer), [], now=now)
        if d.channel == "电话"
    ]
    # the county's rule names subtype, sub-hazard and grade: it beats the 30-min practice
    assert [d.due.strftime("%H:%M") for d in phone] == ["14:10"]  # 13:50 + 20 min
    other = service.take_call({**call, "sub_hazard": "崩塌"}, user="李四", now=now)
    crumbled = fetch_incident(workstation.store, other)
    assert crumbled is not None
    assert [
        d.due.strftime("%H:%M")
        for d in deadlines_for(crumbled, list_rules(workstation.writer), [], now=now)
        if d.channel == "电话"
    ] == ["14:20"]

    # a rule the schedule does not fit is refused before writing, in Chinese
    panel.new.click()
    panel.schedule.setCurrentText("伤亡变化")
    panel.window_days.setValue(0)
    assert "天数" in panel.hint.text()
    panel.save.click()
    assert panel.message.text().startswith("未保存")

    qtbot.waitUntil(lambda: any(r["basis"] == "县防指2026年规定" for r in panel.model.records()))
    row = next(i for i, r in enumerate(panel.model.records()) if r["basis"] == "县防指2026年规定")
    panel.table.selectRow(row)
    before = panel.model.rowCount()
    with qtbot.waitSignal(window.context.bus.changed, timeout=3000):
        panel.delete.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == before - 1)


def test_rule_model_orders_by_category_and_grade(qtmodeltester: ModelTester) -> None:
    rules = [
        {
            "id": "b",
            "deleted": False,
            "category": "事故灾难",
            "grade": "",
            "stage": "首报",
            "channel": "书面",
            "minutes": 120,
            "basis": "",
        },
        {
            "id": "a",
            "deleted": False,
            "category": "自然灾害",
            "grade": "重大",
            "stage": "首报",
            "channel": "电话",
            "minutes": 30,
            "basis": "",
        },
    ]
    model = ReportRuleTableModel()
    model.set_rules(rules)
    qtmodeltester.check(model)
    assert [model.index(r, 1).data() for r in range(2)] == ["自然灾害", "事故灾难"]
    assert model.index(1, 3).data() == "全部等级"
    assert model.index(0, 6).data() == "接报后 30 分内"
    assert model.index(1, 2).data() == "全部子类" and model.index(1, 0).data() == "是"
