"""应急一指南 driven as the duty room would: browse the draft guide by hazard, level and role;
start a level-IV 山洪 response from an incident, tick an item with Space, see an item go
overdue in the danger colour, note an item, raise the response to level III, export the
checklist; an officer cannot start or raise one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.domain.ids import new_id
from console.services.context import Workstation
from console.views.main_window import MainWindow
from console.views.pages.guide_page import ActivateDialog, GuidePage
from tests.views.conftest import activate

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow) -> GuidePage:
    shown = window.show_view("response-guide")
    assert isinstance(shown, GuidePage)
    _idle(shown)
    return shown


def _idle(page: GuidePage) -> None:
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)


def _write(qtbot: QtBot, page: GuidePage, action: Callable[[], None]) -> str:
    said: list[str] = []
    page.written.connect(said.append)
    try:
        with qtbot.waitSignal(page.refreshed, timeout=5000):
            action()
            qtbot.waitUntil(lambda: bool(said), timeout=5000)
    finally:
        page.written.disconnect(said.append)
    _idle(page)
    return said[0]


def _incident(workstation: Workstation, title: str) -> str:
    incident = new_id()
    at = beijing.canonical(beijing.now())
    call = {"id": incident, "received_at": at, "category": "自然灾害", "title": title}
    workstation.writer.apply([("incident.create", call)], user="测试值班员")
    return incident


def test_the_guide_browser_by_hazard_level_and_role(
    qtbot: QtBot, page: GuidePage, tmp_path: Path
) -> None:
    page.tabs.setCurrentIndex(1)
    assert page.hazard.currentText() == "山洪" and page.level.currentData() == "IV"
    iv = page.guide_model.rowCount()
    assert iv >= 5 and page.draft.isVisibleTo(page)
    assert "全县24小时面雨量" in page.triggers.text()
    with qtbot.waitSignal(page.guide_shown, timeout=5000):
        page.role.setCurrentText("值班员")
        page.show_guide()
    roles = {page.guide_model.item(r, 1).text() for r in range(page.guide_model.rowCount())}
    assert roles == {"值班员"} and page.guide_model.rowCount() < iv
    with qtbot.waitSignal(page.guide_shown, timeout=5000):
        page.hazard.setCurrentText("台风")
        page.show_guide()
    assert page.guide_model.item(0, 3).text() == "本灾种此等级尚无指南事项"
    assert not page.draft.isVisibleTo(page)

    # The whole 山洪 guide as Word: every level with its triggers and its actions.
    page.hazard.setCurrentText("山洪")
    path = tmp_path / "山洪应急指南.docx"
    with qtbot.waitSignal(page.written, timeout=5000) as exported:
        page.export_guide(path)
    assert exported.args == [""] and page.guide_message.text() == f"已导出：{path.name}"
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "山洪应急指南" in text and "【草稿，待县里确认】" in text
    assert "Ⅳ级响应" in text and "Ⅰ级响应" in text and "启动条件：全县24小时面雨量" in text
    assert len(doc.tables) == 4 and len(doc.tables[0].rows) == 1 + iv
    assert [c.text for c in doc.tables[0].rows[1].cells][:3] == ["山洪", "IV", "带班领导"]

    # The county edits the document and imports it back: previewed, then written.
    doc.tables[0].rows[1].cells[4].text = "到岗带班，主持会商研判并报县领导"
    doc.save(str(path))
    page.role.setCurrentText("（全部）")
    dialog = page.import_guide(path)
    assert dialog is not None and dialog.table_name == "guide_items"
    qtbot.waitUntil(lambda: dialog.preview_result is not None, timeout=10000)
    preview = dialog.preview_result
    assert preview is not None and preview.count("更新") == 1 and not preview.refused
    assert dialog.import_button.isEnabled()
    with (
        qtbot.waitSignal(page.guide_shown, timeout=10000),
        qtbot.waitSignal(dialog.imported, timeout=10000),
    ):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    _idle(page)
    actions = [page.guide_model.item(r, 3).text() for r in range(page.guide_model.rowCount())]
    assert "到岗带班，主持会商研判并报县领导" in actions
    dialog.close()
    again = page.import_guide(path)  # importing twice changes nothing
    assert again is not None
    qtbot.waitUntil(lambda: again.preview_result is not None, timeout=10000)
    assert not again.import_button.isEnabled() and "无需导入" in again.status.text()
    again.close()


def test_activate_tick_overdue_note_raise_and_export(
    qtbot: QtBot, page: GuidePage, workstation: Workstation, tmp_path: Path
) -> None:
    incident = _incident(workstation, "湖山乡山洪")
    assert not page.raise_button.isEnabled()
    page.ask_activate(incident)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    dialog = page.dialog
    assert isinstance(dialog, ActivateDialog)
    assert dialog.source.currentData()["id"] == incident
    dialog.reason.setText("单站3小时雨量 62 毫米")
    values = dialog.values()
    assert values["hazard"] == "山洪" and values["level"] == "IV"
    dialog.reject()
    assert _write(qtbot, page, lambda: page.activate(values)) == ""
    # The refresh seen may be the one the incident started; the activation's follows.
    qtbot.waitUntil(lambda: page.response_model.rowCount() == 1, timeout=5000)
    assert "山洪Ⅳ级应急响应（响应中）" in page.title.text()
    assert "指南为草稿" in page.marks.text()
    rows = page.check_model.rowCount()
    assert rows >= 5

    activate(qtbot, page.window())  # back from the dialog
    page.checklist.setFocus()
    qtbot.waitUntil(page.checklist.hasFocus, timeout=5000)
    page.checklist.selectRow(0)
    assert _write(qtbot, page, lambda: qtbot.keyClick(page.checklist, Qt.Key.Key_Space)) == ""
    assert page.check_model.item(0, 0).text() == "✓"
    assert "测试值班员" in page.check_model.item(0, 4).text()
    assert page.history_model.item(0, 2).text() == "勾选"

    page.checklist.selectRow(1)
    assert _write(qtbot, page, lambda: page.note("乡镇电话占线")) == ""
    assert page.check_model.item(1, 5).text() == "乡镇电话占线"

    clock = page.context.clock
    later = clock() + timedelta(minutes=31)
    page.context.clock = lambda: later
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.refresh()
    _idle(page)
    danger = QColor(page.context.theme.colors().danger)
    assert page.check_model.item(1, 4).text() == "超时未完成"
    assert page.check_model.item(1, 2).foreground().color() == danger
    assert page.check_model.item(0, 2).foreground().color() != danger
    assert "超时" in page.response_model.item(0, 4).text()

    assert page.raise_button.isEnabled() and not page.lower_button.isEnabled()
    assert _write(qtbot, page, lambda: page.change_level("III", "雨势加大")) == ""
    assert "山洪Ⅲ级应急响应" in page.title.text()
    assert page.history_model.item(0, 2).text() == "升级"
    assert page.lower_button.isEnabled()
    assert all(page.check_model.item(r, 0).text() == "" for r in range(page.check_model.rowCount()))

    path = tmp_path / "清单.docx"
    with qtbot.waitSignal(page.written, timeout=5000) as exported:
        page.export_to(path)
    assert exported.args == [""] and path.exists()
    assert page.message.text() == f"已导出：{path}"
    pdf = tmp_path / "清单.pdf"
    with qtbot.waitSignal(page.written, timeout=5000):
        page.export_to(pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "山洪Ⅲ级应急响应工作清单" in text and "升级 Ⅳ级 → Ⅲ级（雨势加大）" in text
    with workstation.store.engine.connect() as conn:
        from sqlalchemy import text as sql

        bodies = list(
            conn.execute(
                sql("SELECT body FROM incident_timeline WHERE incident_id = :i ORDER BY at"),
                {"i": incident},
            ).scalars()
        )
    assert any("升级：Ⅳ级 → Ⅲ级" in b for b in bodies)
    page.context.clock = clock


def test_an_officer_ticks_but_cannot_start_or_raise(
    qtbot: QtBot, page: GuidePage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page, "role_name", lambda: "officer")
    page._update_buttons()
    assert not page.activate_button.isEnabled()
    assert "带班领导" in page.activate_button.toolTip()
    monkeypatch.setattr(page, "role_name", lambda: "leader")
    page._update_buttons()
    assert page.activate_button.isEnabled()


def test_start_a_response_from_the_incident_detail(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    from console.views.pages.intake_page import IntakePage

    incident = _incident(workstation, "大柘镇山洪")
    intake = window.show_view("intake")
    assert isinstance(intake, IntakePage)
    with qtbot.waitSignal(intake.detail.shown, timeout=5000):
        intake.detail.show_incident(incident)
    qtbot.waitUntil(intake.detail.response_button.isEnabled, timeout=5000)
    intake.detail.response_button.click()
    assert window.current_view() == "response-guide"  # the click switched pages
    page = window.show_view("response-guide")
    assert isinstance(page, GuidePage)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    assert page.dialog is not None and page.dialog.source.currentData()["id"] == incident
    page.dialog.reject()


def test_six_duties_per_village_and_a_residents_card(
    qtbot: QtBot, page: GuidePage, workstation: Workstation, tmp_path: Path
) -> None:
    page.tabs.setCurrentIndex(2)
    rows = page.six_model.rowCount()
    assert rows == len(page.six_villages) > 0
    # The sample's 山洪 points have routes and safe places but no warning signal.
    danger = QColor(page.context.theme.colors().danger)
    signal = page.six_model.item(0, 5)
    assert signal.text() == "未落实" and signal.foreground().color() == danger
    assert page.six_model.item(0, 8).text() == "5/6"
    assert page.six_model.item(0, 7).text() != "未落实"
    assert "六落实全部到位 0 个" in page.six_summary.text()
    assert not page.card_button.isEnabled()

    village = page.six_villages[0]
    [point] = village.points
    with qtbot.waitSignal(page.six_shown, timeout=5000):
        workstation.writer.apply(
            [("risk_point.upsert", {"id": point["id"], "warning_signal": "铜锣 + 村广播"})],
            user="测试值班员",
        )
    _idle(page)
    again = next(v for v in page.six_villages if v.village_id == village.village_id)
    assert again.filled == 6 and again.duties[3].text == "铜锣 + 村广播"
    row = page.six_villages.index(again)
    assert page.six_model.item(row, 8).text() == "6/6"

    page.six.selectRow(row)
    assert page.card_button.isEnabled()
    path = tmp_path / "明白卡.pdf"
    page.print_card(path)
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size > 1000
    assert page.card_message.text() == "已导出：明白卡.pdf"


def test_start_a_response_from_a_signed_sheet_at_its_proposed_level(
    qtbot: QtBot, page: GuidePage, workstation: Workstation
) -> None:
    sheet, at = new_id(), beijing.canonical(beijing.now())
    workstation.writer.apply(
        [
            (
                "assessment.create",
                {
                    "id": sheet,
                    "number": "研判〔2026〕9号",
                    "title": "强降雨风险研判",
                    "period_from": at,
                    "period_to": at,
                    "generated_at": at,
                    "content": "{}",
                    "proposed_response": "III",
                },
            ),
            ("assessment.sign", {"id": sheet, "at": at}),
        ],
        user="王带班",
    )
    page.ask_activate(sheet)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    dialog = page.dialog
    assert dialog is not None
    labels = [dialog.source.itemText(i) for i in range(dialog.source.count())]
    assert "研判单：研判〔2026〕9号 强降雨风险研判" in labels
    values = dialog.values()
    dialog.reject()
    assert (values["assessment_id"], values["incident_id"], values["level"]) == (sheet, None, "III")
    assert _write(qtbot, page, lambda: page.activate(values)) == ""
    assert "研判单：强降雨风险研判" in page.title.text() and "Ⅲ级" in page.title.text()


def test_start_a_response_from_the_assessment_page(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.services.assessments import AssessmentService
    from console.views.pages.assessment_page import AssessmentPage
    from testkit.situations import flood_situation

    service = AssessmentService(workstation.writer)
    sheet_id = service.generate(flood_situation(), user="张三")
    assessment = window.show_view("assessment")
    assert isinstance(assessment, AssessmentPage)
    qtbot.waitUntil(lambda: assessment.sheet is not None, timeout=5000)
    assert not assessment.response_button.isEnabled()  # a draft starts nothing
    service.sign(sheet_id, user="王带班", role=None)
    qtbot.waitUntil(lambda: assessment.sheet is not None and assessment.sheet["status"] == "已签发")
    qtbot.waitUntil(assessment.response_button.isEnabled, timeout=5000)
    monkeypatch.setattr(assessment, "role", lambda: "officer")
    assessment._update_buttons()
    assert not assessment.response_button.isEnabled()
    monkeypatch.setattr(assessment, "role", lambda: "leader")
    assessment._update_buttons()
    level = assessment.sheet["proposed_response"]
    assessment.response_button.click()
    assert window.current_view() == "response-guide"
    page = window.show_view("response-guide")
    assert isinstance(page, GuidePage)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    assert page.dialog is not None
    values = page.dialog.values()
    assert values["assessment_id"] == assessment.sheet["id"]
    assert level and values["level"] == level
    page.dialog.reject()


def test_edit_the_guide_in_the_reference_data(qtbot: QtBot, window: MainWindow) -> None:
    from console.views.pages.data_page import DataPage

    page = window.show_view("response-guide")
    assert isinstance(page, GuidePage)
    page.tabs.setCurrentIndex(1)
    page.edit_guide_button.click()
    assert window.current_view() == "data"
    data = window.show_view("data")
    assert isinstance(data, DataPage) and data.current().table == "guide_items"
