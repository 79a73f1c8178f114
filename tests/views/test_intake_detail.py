"""The incident detail (status with reason, timeline entries, teams), repeat-call attaching,
and the report dialog (composed 初报/首报, .docx export, marked as sent)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.domain.schema import ENTITY_FIELDS
from console.services.context import Workstation
from console.services.incident_list import IncidentFilter, fetch_incident, query_rowids
from console.services.incidents import IncidentService
from console.views.main_window import MainWindow
from console.views.pages.intake_page import IntakePage

NOW = datetime(2026, 11, 28, 14, 0, tzinfo=beijing.BEIJING)
LANDSLIDE = {
    "category": "自然灾害",
    "subtype": "地质",
    "grade": "较大",
    "township": "北界镇",
    "village": "苏村",
    "address": "后山",
    "caller_name": "李明",
    "description": "山体滑坡，2人被困",
    "trapped": "2",
}


def page_with_incident(window: MainWindow, workstation: Workstation) -> tuple[IntakePage, str]:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    incident_id = IncidentService(workstation.writer).take_call(
        {**LANDSLIDE, "received_at": beijing.display(beijing.now())}, user="测试"
    )
    page.list.refresh()
    settle(window)
    assert page.list.select(incident_id)
    settle(window)
    assert page.detail.incident_id() == incident_id
    return page, incident_id


def settle(window: MainWindow) -> None:
    """Wait (bounded) until the background reads and saves have landed."""
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)


def timeline_kinds(page: IntakePage, incident_id: str) -> list[str]:
    return [e["kind"] for e in page.source.timeline(incident_id)]


def test_status_change_needs_reason_when_closing_unhandled(
    window: MainWindow, workstation: Workstation
) -> None:
    page, incident_id = page_with_incident(window, workstation)
    detail = page.detail
    assert set(detail.status_buttons) == {"核实", "处置中", "已结案"}
    detail.status_buttons["已结案"].click()
    assert "原因" in detail.status_error.text()
    assert not detail.status_error.isHidden()
    assert fetch_incident(workstation.store, incident_id)["status"] == "接报"  # type: ignore[index]
    detail.reason.setText("误报，来电人已自行处理")
    detail.status_buttons["已结案"].click()
    assert not detail.status_buttons["已结案"].isEnabled()  # no second submit meanwhile
    detail.status_buttons["已结案"].click()
    settle(window)
    incident = fetch_incident(workstation.store, incident_id)
    assert incident is not None and incident["status"] == "已结案"
    last = page.source.timeline(incident_id)[-1]
    assert last["kind"] == "状态变更" and "误报" in last["body"]
    assert set(detail.status_buttons) == {"处置中"}  # reopening only


def test_timeline_entry_and_teams(window: MainWindow, workstation: Workstation) -> None:
    page, incident_id = page_with_incident(window, workstation)
    detail = page.detail
    detail.entry_kind.setCurrentText("领导批示")
    detail.entry.setText("全力搜救被困人员")
    assert detail.add_entry()
    settle(window)
    assert timeline_kinds(page, incident_id)[-1] == "领导批示"
    assert detail.timeline_model.rowCount() == 2
    # 处置队伍 is the dispatches now (调派队伍…: tests/views/test_team_board.py).
    assert detail.teams.text() == "未调派队伍" and detail.teams_button.isEnabled()


def test_repeat_call_offered_and_attached(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page, incident_id = page_with_incident(window, workstation)
    before = query_rowids(workstation.store, IncidentFilter())
    form = page.form
    form.line("caller_name").setText("王五")
    form.line("township").setText("北界镇")
    form.line("village").setText("苏村")
    form.category.setCurrentText("自然灾害")
    qtbot.waitUntil(lambda: page.duplicate.isVisible(), timeout=3000)
    assert page.duplicate.text.text().startswith("可能是同一事件：北界镇苏村地质灾害（同一村")
    assert page.duplicate.candidate is not None
    assert page.duplicate.candidate.incident_id == incident_id
    page.duplicate.attach_button.click()
    settle(window)
    assert query_rowids(workstation.store, IncidentFilter()) == before  # no new incident
    entries = page.source.timeline(incident_id)
    assert [e["kind"] for e in entries] == ["来电", "来电"]
    assert "重复来电" in entries[-1]["body"] and "王五" in entries[-1]["body"]
    assert form.values()["caller_name"] == ""
    assert not page.duplicate.isVisible()
    assert "续报来电" in form.notice.text()


def test_repeat_call_can_be_filed_as_new(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page, _incident_id = page_with_incident(window, workstation)
    form = page.form
    form.line("township").setText("北界镇")
    form.category.setCurrentText("自然灾害")
    qtbot.waitUntil(lambda: page.duplicate.isVisible(), timeout=3000)
    page.duplicate.new_button.click()
    assert not page.duplicate.isVisible()
    form.line("address").setText("另一处")
    qtbot.wait(600)
    assert not page.duplicate.isVisible()  # not offered again for this call
    with qtbot.waitSignal(page.save_finished, timeout=5000) as saved:
        page.save_call(form.values())
    assert saved.args is not None and saved.args[0] != ""


def test_report_dialog_composes_and_exports_docx(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, data_dir: Path
) -> None:
    page, incident_id = page_with_incident(window, workstation)
    dialog = page.report_dialog(incident_id)
    assert not dialog.body.isEnabled()  # composed once the incident has been read
    with qtbot.waitSignal(dialog.ready, timeout=5000) as ready:
        pass
    assert ready.args == [True]
    # a natural disaster: the report due first is the 初报 by phone (应急〔2020〕19号 wording)
    assert dialog.stage.currentText() == "初报" and dialog.channel.currentText() == "电话"
    assert [dialog.stage.itemText(i) for i in range(dialog.stage.count())] == [
        "初报",
        "续报",
        "补报",
        "核报",
    ]
    assert "北界镇苏村后山" in dialog.body.toPlainText()
    assert dialog.title.text() == "关于北界镇苏村地质灾害的初报"
    dialog.body.appendPlainText("值班员补充：现场已拉警戒线。")
    default = dialog.default_path("docx")
    assert default.parent == data_dir / "reports"
    path = dialog.export(default)
    assert path is not None and path.exists()
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "北界镇苏村后山" in text and "现场已拉警戒线" in text
    assert "关于北界镇苏村地质灾害的初报" in text

    dialog.channel.setCurrentText("电话")
    dialog.recipient.setText("丽水市应急管理局")
    with qtbot.waitSignal(dialog.recorded, timeout=5000) as recorded:
        assert dialog.mark_sent()
    assert recorded.args == [True]
    reports = page.source.reports_for([incident_id])[incident_id]
    assert [(r["stage"], r["channel"], r["recipient"]) for r in reports] == [
        ("初报", "电话", "丽水市应急管理局")
    ]
    assert timeline_kinds(page, incident_id)[-1] == "报送"
    again = page.report_dialog(incident_id)
    settle(window)
    # next due: the written 初报 (1 h for a 较大 event, duty-room practice)
    assert again.stage.currentText() == "初报" and again.channel.currentText() == "书面"
    dialog.close()
    again.close()


def test_report_dialog_exports_pdf(window: MainWindow, workstation: Workstation) -> None:
    page, incident_id = page_with_incident(window, workstation)
    dialog = page.report_dialog(incident_id)
    settle(window)
    path = dialog.export(dialog.default_path("pdf"))
    assert path is not None and path.read_bytes()[:4] == b"%PDF"
    dialog.close()


def test_a_refused_change_is_shown_and_the_input_kept(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page, incident_id = page_with_incident(window, workstation)
    detail = page.detail
    declared = ENTITY_FIELDS["incident_timeline"]["body"]
    assert detail.entry.maxLength() == declared.max_len  # as the field is declared
    detail.entry.setText("北界镇应急队" * 4000)  # 24,000 characters: the line keeps the limit
    assert len(detail.entry.text()) == declared.max_len
    # The incident is deleted by a leader elsewhere (a pull, not yet shown): both writes are
    # refused by the mutation, not raised into Qt, and the input stays.
    workstation.writer.apply([("incident.delete", {"id": incident_id})], user="李四")
    typed = detail.entry.text()
    with qtbot.waitSignal(detail.action_finished, timeout=5000) as saved:
        detail.add_entry()
    assert saved.args == [False]
    assert "不存在" in detail.action_error.text() and not detail.action_error.isHidden()
    assert detail.entry.text() == typed
    detail.status_buttons["核实"].click()
    settle(window)
    assert "不存在" in detail.status_error.text() and not detail.status_error.isHidden()
