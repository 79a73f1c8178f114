"""案例一个库 driven as an officer would: find the 苏村 case by typing 滑坡, filter, close an
incident into a case draft, see 苏村 offered as a similar case with the reason, edit the
draft, publish it and export it as Word."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from pytestqt.qtbot import QtBot

from console.domain import catalog
from console.domain.ids import new_id, reference_id
from console.services.cases import CaseFilter, draft_id, read_case, search_cases
from console.services.context import Workstation
from console.views.main_window import MainWindow
from console.views.pages.case_page import CaseEditDialog, CaseLibraryPage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
SUCUN = "北界镇苏村“9·28”山体滑坡"
BEIJIE = reference_id("township", "北界镇")


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow) -> CaseLibraryPage:
    shown = window.show_view("case-library")
    assert isinstance(shown, CaseLibraryPage)
    _idle(shown)
    return shown


def _idle(page: CaseLibraryPage) -> None:
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)


def _titles(page: CaseLibraryPage) -> list[str]:
    return [page.model.item(r, 0).text() for r in range(page.model.rowCount())]


def _write(qtbot: QtBot, page: CaseLibraryPage, action: Callable[[], None]) -> str:
    said: list[str] = []
    page.written.connect(said.append)
    try:
        action()
        qtbot.waitUntil(lambda: bool(said), timeout=5000)
    finally:
        page.written.disconnect(said.append)
    _idle(page)
    qtbot.wait(400)  # the change bus coalesces, then the page reloads
    _idle(page)
    return said[0]


def test_typing_the_two_characters_finds_the_sucun_case(
    qtbot: QtBot, page: CaseLibraryPage
) -> None:
    assert _titles(page)[0] == f"〔样例〕{SUCUN}" and len(_titles(page)) == 2
    assert page.case is not None and "中新网 2016-10-09" in page.detail.toPlainText()
    for typed, expected in (("滑坡", 2), ("山洪", 0), ("苏村", 1)):
        with qtbot.waitSignal(page.refreshed, timeout=5000):
            page.search.setText(typed)
        _idle(page)
        assert page.model.rowCount() == expected, typed
    assert page.count.text() == "共 1 个案例"
    page.hazard.setCurrentIndex(page.hazard.findData("森林火灾"))
    page.hazard.activated.emit(page.hazard.currentIndex())
    _idle(page)
    assert page.model.rowCount() == 0 and "没有符合条件" in page.detail.toPlainText()
    assert page.year.findData(2016) > 0 and page.township.findData(BEIJIE) > 0


def _landslide(incident_id: str) -> tuple[str, dict[str, object]]:
    """A landslide in 北界镇 in typhoon rain, September 2026 (as the officer took it)."""
    return (
        "incident.create",
        {
            "id": incident_id,
            "received_at": "2026-09-20T14:05:00+08:00",
            "category": "自然灾害",
            "subtype": "地质",
            "sub_hazard": "滑坡",
            "title": "北界镇后山滑坡",
            "description": "受台风影响持续降雨，后山土石滑落",
            "township_id": BEIJIE,
        },
    )


def _close_landslide(ws: Workstation) -> str:
    incident_id = new_id()
    ws.writer.apply(
        [
            _landslide(incident_id),
            (
                "incident.set_status",
                {
                    "id": incident_id,
                    "status": "已结案",
                    "reason": "险情排除",
                    "at": "2026-09-21T09:00:00+08:00",
                    "timeline_id": new_id(),
                },
            ),
        ],
        user="测试值班员",
    )
    return incident_id


def test_a_closed_incident_becomes_a_draft_that_is_edited_published_and_exported(
    qtbot: QtBot, page: CaseLibraryPage, workstation: Workstation, tmp_path: Path
) -> None:
    incident_id = _close_landslide(workstation)
    qtbot.waitUntil(lambda: page.closed.findData(incident_id) >= 0, timeout=5000)
    _idle(page)
    # the incident's similar cases: 苏村 first, with why
    page.incident.setCurrentIndex(page.incident.findData(incident_id))
    with qtbot.waitSignal(page.similar_shown, timeout=5000):
        page.show_similar()
    assert page.similar_model.item(0, 0).text() == SUCUN
    assert page.similar_model.item(0, 1).text() == "100"
    assert page.similar_model.item(0, 2).text() == "同为滑坡；同在北界镇；同为台风雨；同为9月"
    assert page.similar_model.item(1, 2).text() == "同为滑坡"

    page.closed.setCurrentIndex(page.closed.findData(incident_id))
    page._update_buttons()
    assert page.draft_button.isEnabled()
    assert _write(qtbot, page, page.draft_button.click) == ""
    assert "已生成案例草稿" in page.message.text()
    qtbot.waitUntil(
        lambda: page.case is not None and page.case.get("title") == "北界镇后山滑坡",
        timeout=5000,
    )
    assert page.case is not None and page.case["id"] == draft_id(incident_id)
    assert "【草稿】" in page.detail.toPlainText()
    assert page.publish_button.isEnabled()

    dialog = CaseEditDialog(page.case, page)
    dialog.texts["lessons"].setPlainText("雨前提前转移隐患点人员")
    fields = dialog.changed_fields()
    assert fields == {"lessons": "雨前提前转移隐患点人员"}
    dialog.deleteLater()
    assert _write(qtbot, page, lambda: page.save_edit(fields)) == ""
    assert _write(qtbot, page, page.publish_button.click) == ""
    case = read_case(workstation.store, draft_id(incident_id))
    assert case is not None
    assert (case["status"], case["lessons"]) == (catalog.CASE_PUBLISHED, "雨前提前转移隐患点人员")
    qtbot.waitUntil(lambda: page.case is not None and page.case["status"] == "已发布", timeout=5000)
    assert not page.publish_button.isEnabled()

    target = tmp_path / "case.docx"
    assert _write(qtbot, page, lambda: page.export(target)) == ""
    lines = [p.text for p in Document(str(target)).paragraphs]
    assert "北界镇后山滑坡" in lines and "雨前提前转移隐患点人员" in lines


def test_the_matching_plan_is_added_flagged_and_opened_from_an_incident(
    qtbot: QtBot, page: CaseLibraryPage, workstation: Workstation, tmp_path: Path
) -> None:
    from unittest.mock import patch

    from PySide6.QtCore import QUrl

    source = tmp_path / "地质灾害应急预案.docx"
    doc = Document()
    doc.add_paragraph("发现前兆立即组织受威胁群众撤离。")
    doc.save(str(source))
    panel = page.plans
    values = {
        "title": "遂昌县突发地质灾害应急预案",
        "kind": "专项预案",
        "level": "县级",
        "owner": "县自然资源和规划局",
        "plan_version": "2021版",
        "issued_on": "2021-05-10",
        "revise_by": "2024-05-10",  # past: flagged
        "category": "自然灾害",
        "subtype": "地质",
        "summary": "",
    }
    page.sections.setCurrentWidget(panel)
    assert _write(qtbot, page, lambda: panel.save(values, None, source)) == ""
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    assert panel.model.item(0, 7).text() == "已过修订期；有文件"
    assert "1 项已过修订期" in panel.count.text()
    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        panel.search.setText("撤离")  # a word of the document itself
    assert panel.model.rowCount() == 1
    panel.table.selectRow(0)
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    with patch("console.views.pages.file_open.QDesktopServices.openUrl", side_effect=open_url):
        panel.open_selected()
        assert opened and Path(opened[0].toLocalFile()).read_bytes() == source.read_bytes()
        # an incident of that type shows it; a double click opens it
        incident_id = _close_landslide(workstation)
        qtbot.waitUntil(lambda: page.incident.findData(incident_id) >= 0, timeout=5000)
        page.incident.setCurrentIndex(page.incident.findData(incident_id))
        with qtbot.waitSignal(page.plans_shown, timeout=5000):
            page.show_similar()
        item = page.incident_plans.item(0)
        assert item.text() == "专项预案：遂昌县突发地质灾害应急预案（已过修订期）"
        page.incident_plans.itemDoubleClicked.emit(item)
        assert len(opened) == 2 and page.message.text() == "已打开：遂昌县突发地质灾害应急预案"


def test_the_plan_dialog_offers_the_category_s_subtypes_and_refuses_bad_dates(
    qtbot: QtBot, page: CaseLibraryPage
) -> None:
    from console.views.pages.plan_panel import PlanDialog

    dialog = PlanDialog(None, page)
    qtbot.addWidget(dialog)
    dialog.lines["title"].setText("遂昌县森林火灾应急预案")
    dialog.category.setCurrentIndex(dialog.category.findData("自然灾害"))
    assert dialog.subtype.findData("森林火灾") > 0 and dialog.subtype.findData("火灾") < 0
    dialog.subtype.setCurrentIndex(dialog.subtype.findData("森林火灾"))
    dialog.lines["issued_on"].setText("2024-05-10")
    dialog.lines["revise_by"].setText("2023-05-10")
    dialog._accept()
    assert dialog.problem.text() == "修订期限不能早于印发日期"
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.lines["revise_by"].setText("2027-05-10")
    dialog._accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.values() == {
        "title": "遂昌县森林火灾应急预案",
        "owner": "",
        "plan_version": "",
        "issued_on": "2024-05-10",
        "revise_by": "2027-05-10",
        "kind": "专项预案",
        "level": "县级",
        "category": "自然灾害",
        "subtype": "森林火灾",
        "summary": "",
    }
    assert dialog.document_file() is None


def test_case_and_plans_open_from_the_incident_detail(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    from console.views.pages.intake_page import IntakePage

    incident_id = _close_landslide(workstation)
    intake = window.show_view("intake")
    assert isinstance(intake, IntakePage)
    intake.detail.incident = {"id": incident_id}
    with qtbot.waitSignal(intake.detail.cases_requested, timeout=1000) as asked:
        intake.detail._ask_cases()
    assert asked.args == [incident_id]
    page = window.show_view("case-library")  # what the signal did
    assert isinstance(page, CaseLibraryPage)
    qtbot.waitUntil(lambda: page.incident.currentData() == incident_id, timeout=5000)
    _idle(page)
    assert page.tabs.currentIndex() == 1 and page.closed.currentData() == incident_id
    assert page.similar_model.item(0, 0).text() == SUCUN


def test_issue_13_done_when_a_closed_incident_a_search_and_the_matching_plan(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, tmp_path: Path
) -> None:
    """Issue #13's done-when as one drill: a landslide in 北界镇 is handled and closed, the
    officer opens 案例与预案 from it, makes the case draft, finds the 苏村 case by 滑坡, and
    opens the matching 专项预案 with the system viewer."""
    from unittest.mock import patch

    from PySide6.QtCore import QUrl

    from console.services.incidents import IncidentService
    from console.services.plans import PlanService
    from console.views.pages.intake_page import IntakePage

    source = tmp_path / "遂昌县突发地质灾害应急预案.docx"
    doc = Document()
    doc.add_paragraph("地质灾害险情发生后，立即组织受威胁群众撤离。")
    doc.save(str(source))
    PlanService(workstation.writer, window.context.data_dir).save(
        {
            "title": "遂昌县突发地质灾害应急预案",
            "kind": "专项预案",
            "level": "县级",
            "category": "自然灾害",
            "subtype": "地质",
        },
        user="测试值班员",
        document=source,
    )
    incident_id = new_id()
    service = IncidentService(workstation.writer)
    workstation.writer.apply([_landslide(incident_id)], user="测试值班员")
    service.set_status(incident_id, "处置中", user="测试值班员")
    service.set_status(incident_id, "已结案", user="测试值班员")

    intake = window.show_view("intake")
    assert isinstance(intake, IntakePage)
    intake.show_cases(incident_id)  # 案例与预案 in its detail
    page = window.show_view("case-library")
    assert isinstance(page, CaseLibraryPage)
    qtbot.waitUntil(lambda: page.closed.currentData() == incident_id, timeout=5000)
    _idle(page)
    page._update_buttons()
    assert _write(qtbot, page, page.draft_button.click) == ""
    case = read_case(workstation.store, draft_id(incident_id))
    assert case is not None and case["status"] == catalog.CASE_DRAFT
    assert "状态变更：处置中 → 已结案" in case["course"]

    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.search.setText("滑坡")
    assert f"〔样例〕{SUCUN}" in _titles(page)

    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    qtbot.waitUntil(lambda: page.incident_plans.count() > 0, timeout=5000)
    item = page.incident_plans.item(0)
    assert item.text() == "专项预案：遂昌县突发地质灾害应急预案"
    with patch("console.views.pages.file_open.QDesktopServices.openUrl", side_effect=open_url):
        page.incident_plans.itemDoubleClicked.emit(item)
    assert [Path(u.toLocalFile()).read_bytes() for u in opened] == [source.read_bytes()]


def test_a_case_typed_by_the_officer_is_saved_as_a_draft(
    qtbot: QtBot, page: CaseLibraryPage, workstation: Workstation
) -> None:
    dialog = CaseEditDialog({}, page)
    qtbot.addWidget(dialog)
    dialog.lines["title"].setText("金竹镇山洪")
    dialog.lines["occurred_on"].setText("2020-06-10")
    dialog.hazard.setCurrentText("山洪")
    dialog.texts["lessons"].setPlainText("涉水路段提前封控")
    fields = dialog.changed_fields()
    assert fields == {
        "title": "金竹镇山洪",
        "occurred_on": "2020-06-10",
        "hazard": "山洪",
        "lessons": "涉水路段提前封控",
    }
    assert _write(qtbot, page, lambda: page.create_case(fields)) == ""
    qtbot.waitUntil(lambda: page.case is not None and page.case.get("title") == "金竹镇山洪")
    assert page.case is not None and page.case["status"] == catalog.CASE_DRAFT
    assert "金竹镇山洪" in _titles(page)
    # refused in Chinese: a case needs its name
    said = _write(qtbot, page, lambda: page.create_case({"hazard": "山洪"}))
    assert "案例名称" in said and page.message.text().startswith("未保存")


def test_public_cases_already_in_the_sample_library_are_not_loaded_twice(
    qtbot: QtBot, page: CaseLibraryPage, workstation: Workstation
) -> None:
    before = len(search_cases(workstation.store, CaseFilter()))
    assert page.public_button.isEnabled()
    with qtbot.waitSignal(page.written, timeout=10_000) as said:
        page.public_button.click()
    assert said.args == [""]
    qtbot.waitUntil(lambda: page.message.text() == "公开案例均已在案例库中", timeout=5000)
    assert len(search_cases(workstation.store, CaseFilter())) == before  # the sample has them
