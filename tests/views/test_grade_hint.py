"""Grade from the law in the intake form: numbers that imply a more severe grade than the one
chosen are said, with the row and its source, and one click or Alt+G accepts it; the officer
may keep their own grade, and the incident is saved with the numbers entered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.domain.grading import default_grading_calls
from console.services.context import Workstation
from console.services.incident_list import IncidentFilter, fetch_incident, query_rowids
from console.services.incidents import IncidentService
from console.services.intake import Places
from console.views.main_window import MainWindow
from console.views.pages.intake_form import IntakeForm
from console.views.pages.intake_page import IntakePage

RULES = [{**args, "deleted": False} for _name, args in default_grading_calls()]


def _form(qtbot: QtBot) -> IntakeForm:
    form = IntakeForm(Places({}, {}), "测试")
    qtbot.addWidget(form)
    form.set_grading_rules(RULES)
    return form


def _accident(form: IntakeForm, dead: str, grade: str = "一般") -> None:
    form.category.setCurrentText("事故灾难")
    form.subtype.setCurrentText("企业安全事故")
    form.grade.setCurrentText(grade)
    form.line("dead").setText(dead)


def test_five_dead_in_an_enterprise_accident_is_not_accepted_silently_as_general(
    qtbot: QtBot,
) -> None:
    form = _form(qtbot)
    _accident(form, "2")
    assert form.grade_hint.isHidden()  # 2 dead is 一般: nothing to say
    form.line("dead").setText("5")
    assert not form.grade_hint.isHidden()
    text = form.grade_hint.text.text()
    assert text.startswith("按所填数字应定为“较大”：死亡 5 人（≥ 3 人 为较大）")
    assert "国务院令493号" in text
    qtbot.mouseClick(form.grade_hint.accept_button, Qt.MouseButton.LeftButton)
    assert form.values()["grade"] == "较大"
    assert form.grade_hint.isHidden()


def test_the_officer_may_keep_their_grade(qtbot: QtBot) -> None:
    form = _form(qtbot)
    _accident(form, "12", grade="较大")
    assert form.grade_hint.finding is not None and form.grade_hint.finding.grade == "重大"
    form.accept_grade()
    assert form.values()["grade"] == "重大"
    # A grade the officer chooses above the implied one is theirs: no hint.
    form.grade.setCurrentText("特别重大")
    assert form.grade_hint.isHidden()
    # Ignoring the hint keeps the chosen grade.
    form.grade.setCurrentText("一般")
    assert not form.grade_hint.isHidden() and form.values()["grade"] == "一般"


def test_forest_fire_area_and_classes_without_rows(qtbot: QtBot) -> None:
    form = _form(qtbot)
    form.category.setCurrentText("自然灾害")
    form.subtype.setCurrentText("森林火灾")
    form.line("area_burned").setText("150")
    assert form.grade_hint.finding is not None and form.grade_hint.finding.grade == "重大"
    assert "森林防火条例" in form.grade_hint.text.text()
    form.line("area_burned").setText("abc")  # not a number: the hint stays quiet
    assert form.grade_hint.isHidden()
    form.subtype.setCurrentText("地质")  # an empty table suggests nothing
    form.line("dead").setText("27")
    assert form.grade_hint.isHidden()
    form.clear()
    assert form.grade_hint.isHidden()


def test_the_page_reads_the_table_in_the_background_and_saves_the_numbers(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    form = page.form
    form.line("caller_name").setText("厂安全员")
    _accident(form, "5")
    form.line("seriously_injured").setText("3")
    form.line("economic_loss").setText("120.5")
    # The defaults the workstation loaded reached the form; Alt+G accepts from the keyboard.
    assert not form.grade_hint.isHidden()
    form.line("economic_loss").setFocus()
    qtbot.keyClick(form.line("economic_loss"), Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert form.values()["grade"] == "较大"
    before = len(query_rowids(workstation.store, IncidentFilter()))
    with qtbot.waitSignal(page.save_finished, timeout=5000) as saved:
        form.submit()
    assert saved.args is not None and saved.args[0]
    assert len(query_rowids(workstation.store, IncidentFilter())) == before + 1
    stored = fetch_incident(workstation.store, saved.args[0])
    assert stored is not None
    assert (stored["grade"], stored["dead"], stored["seriously_injured"]) == ("较大", 5, 3)
    assert stored["economic_loss"] == 120.5


def test_a_bad_amount_is_refused_in_chinese(qtbot: QtBot, window: MainWindow) -> None:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    form = page.form
    form.line("caller_name").setText("来电人")
    form.category.setCurrentText("自然灾害")
    form.line("area_burned").setText("-3")
    with qtbot.waitSignal(page.save_finished, timeout=5000) as saved:
        form.submit()
    assert saved.args == [""]  # nothing written
    assert "过火（受害）面积（公顷）应为 0 或正数" in form.error_text("area_burned")


def test_the_detail_offers_the_implied_grade_and_logs_the_change(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    service = IncidentService(workstation.writer)
    incident_id = service.take_call(
        {
            "category": "事故灾难",
            "subtype": "企业安全事故",
            "grade": "一般",
            "caller_name": "厂安全员",
            "dead": "5",
            "received_at": beijing.display(beijing.now()),
        },
        user="测试",
    )
    page.list.refresh()
    _settle(window)
    assert page.list.select(incident_id)
    _settle(window)
    detail = page.detail
    assert detail.incident_id() == incident_id
    assert not detail.grade_hint.isHidden()
    assert detail.grade_hint.text.text().startswith("按所填数字应定为“较大”")
    with qtbot.waitSignal(detail.action_finished, timeout=5000) as done:
        qtbot.mouseClick(detail.grade_hint.accept_button, Qt.MouseButton.LeftButton)
    assert done.args == [True]
    _settle(window)
    stored = fetch_incident(workstation.store, incident_id)
    assert stored is not None and stored["grade"] == "较大"
    [note] = [e for e in page.source.timeline(incident_id) if e["kind"] == "备注"]
    assert note["body"].startswith("按定级标准改定等级：一般 → 较大（死亡 5 人")
    assert detail.grade_hint.isHidden()  # graded as the law says: nothing more to offer


def _settle(window: MainWindow) -> None:
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)
