"""The intake form's 亚灾种 combo: shown and filled for a subtype that has sub-hazards (地质,
水旱, 气象), absent otherwise (Tab and Enter skip it), kept in drafts, and its error shown in
the classification row; the list (title tooltip) and the detail show what an incident was
filed as.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.models.incident_table_model import IncidentTableModel
from console.services.context import Workstation
from console.services.drafts import DraftStore
from console.services.incident_list import fetch_incident
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.services.intake import FormErrors, Places, validate_call
from console.views.main_window import MainWindow
from console.views.pages.intake_form import NO_SUB_HAZARD, IntakeForm
from console.views.pages.intake_page import IntakePage
from tests.views.conftest import activate

# A form shown as its own window: the offscreen platform cannot size or raise it.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def shown_form(qtbot: QtBot, drafts: DraftStore | None = None) -> IntakeForm:
    form = IntakeForm(Places({}, {}), "值班员", drafts)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def items(form: IntakeForm) -> list[str]:
    return [form.sub_hazard.itemText(i) for i in range(form.sub_hazard.count())]


def classify(form: IntakeForm, category: str, subtype: str) -> None:
    form.category.setCurrentText(category)
    form.subtype.setCurrentText(subtype)


def test_the_combo_appears_and_fills_for_subtypes_with_sub_hazards(qtbot: QtBot) -> None:
    form = shown_form(qtbot)
    assert not form.sub_hazard.isVisible()
    classify(form, "自然灾害", "气象")
    assert form.sub_hazard.isVisible()
    assert items(form) == [
        NO_SUB_HAZARD,
        "台风",
        "暴雨",
        "风雹",
        "低温冷冻",
        "雪灾",
        "高温",
        "沙尘暴",
        "其他",
    ]
    classify(form, "自然灾害", "地质")
    assert items(form) == [NO_SUB_HAZARD, "滑坡", "崩塌", "泥石流", "地面塌陷", "其他"]
    form.sub_hazard.setCurrentText("泥石流")
    assert form.values()["sub_hazard"] == "泥石流"

    form.subtype.setCurrentText("森林火灾")
    assert not form.sub_hazard.isVisible()
    assert form.values()["sub_hazard"] == ""
    classify(form, "事故灾难", "火灾")
    assert not form.sub_hazard.isVisible()
    classify(form, "自然灾害", "水旱")
    assert form.sub_hazard.isVisible() and form.values()["sub_hazard"] == ""


def test_changing_the_subtype_keeps_only_a_sub_hazard_of_the_new_one(qtbot: QtBot) -> None:
    form = shown_form(qtbot)
    classify(form, "自然灾害", "气象")
    form.sub_hazard.setCurrentText("台风")
    form.subtype.setCurrentText("水旱")
    assert form.values()["sub_hazard"] == ""
    form.sub_hazard.setCurrentText("其他")
    form.subtype.setCurrentText("地质")
    assert form.values()["sub_hazard"] == "其他"
    form.category.setCurrentText("社会安全事件")  # the subtype goes, and its sub-hazard
    assert (form.values()["subtype"], form.values()["sub_hazard"]) == ("", "")
    assert not form.sub_hazard.isVisible()


def test_keyboard_reaches_the_combo_only_when_it_is_shown(qtbot: QtBot) -> None:
    form = shown_form(qtbot)
    activate(qtbot, form)
    classify(form, "自然灾害", "地质")
    form.subtype.setFocus()
    qtbot.keyClick(form.subtype, Qt.Key.Key_Tab)
    assert form.focusWidget() is form.sub_hazard
    qtbot.keyClick(form.sub_hazard, Qt.Key.Key_Down)  # the first sub-hazard, by keyboard
    assert form.values()["sub_hazard"] == "滑坡"
    qtbot.keyClick(form.sub_hazard, Qt.Key.Key_Return)  # Enter moves on, as everywhere
    assert form.focusWidget() is form.grade

    form.subtype.setCurrentText("地震")
    form.subtype.setFocus()
    qtbot.keyClick(form.subtype, Qt.Key.Key_Tab)
    assert form.focusWidget() is form.grade
    qtbot.keyClick(form.grade, Qt.Key.Key_Backtab)
    assert form.focusWidget() is form.subtype


def test_a_draft_keeps_the_sub_hazard(qtbot: QtBot, tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path)
    form = shown_form(qtbot, drafts)
    classify(form, "自然灾害", "气象")
    form.sub_hazard.setCurrentText("暴雨")
    form.description.setPlainText("短时强降雨")
    form.save_draft()

    again = shown_form(qtbot, drafts)  # the page rebuilt over the same folder
    values = again.values()
    assert (values["subtype"], values["sub_hazard"]) == ("气象", "暴雨")
    assert again.sub_hazard.isVisible()


def test_a_sub_hazard_of_another_subtype_is_shown_in_the_classification_row(
    qtbot: QtBot,
) -> None:
    form = shown_form(qtbot)
    raw = {**form.values(), "category": "自然灾害", "subtype": "地质", "sub_hazard": "洪涝"}
    try:
        validate_call(raw, now=beijing.now(), places=Places({}, {}), recorder="值班员")
    except FormErrors as errors:
        form.show_errors(errors)
    else:
        raise AssertionError("a sub-hazard of another subtype was accepted")
    expected = "“地质”下没有亚灾种“洪涝”（可选：滑坡、崩塌、泥石流、地面塌陷、其他）"
    assert form.error_text("sub_hazard") == expected
    assert form.errors["sub_hazard"] is form.errors["category"]
    assert form.sub_hazard.property("invalid") is True


def _call(**fields: str) -> dict[str, str]:
    return {"received_at": beijing.display(beijing.now()), "category": "自然灾害", **fields}


def _selected(window: MainWindow, incident_id: str) -> IntakePage:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    tasks = window.context.tasks
    assert tasks is not None
    page.list.refresh()
    assert tasks.wait_idle(5000)
    assert page.list.select(incident_id)
    assert tasks.wait_idle(5000)
    assert page.detail.incident_id() == incident_id
    return page


def test_list_and_detail_show_the_sub_hazard(window: MainWindow, workstation: Workstation) -> None:
    call = _call(subtype="气象", sub_hazard="风雹", township="北界镇", title="北界镇冰雹砸坏大棚")
    incident_id = IncidentService(workstation.writer).take_call(call, user="测试")
    model = IncidentTableModel(IncidentSource(workstation.store))
    model.refresh()
    tip = model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "北界镇冰雹砸坏大棚\n自然灾害／气象／风雹"

    page = _selected(window, incident_id)
    assert "事件类别：自然灾害／气象／风雹" in page.detail.fields.text()
    assert page.detail.sub_hazard.currentText() == "风雹"


def test_the_detail_sets_the_sub_hazard_learnt_after_the_call(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    service = IncidentService(workstation.writer)
    fire = service.take_call(_call(subtype="森林火灾"), user="测试")
    detail = _selected(window, fire).detail
    assert detail.sub_hazard.isHidden() and detail.sub_hazard_button.isHidden()

    unknown = service.take_call(_call(subtype="地质", title="石练镇险情"), user="测试")
    detail = _selected(window, unknown).detail
    assert not detail.sub_hazard.isHidden()
    assert detail.sub_hazard.currentIndex() == 0  # 待核实
    assert not detail.save_sub_hazard()  # nothing changed, nothing written
    detail.sub_hazard.setCurrentText("崩塌")
    with qtbot.waitSignal(detail.action_finished, timeout=5000) as saved:
        assert detail.save_sub_hazard()
    assert saved.args == [True]
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)
    assert (fetch_incident(workstation.store, unknown) or {}).get("sub_hazard") == "崩塌"
    assert "自然灾害／地质／崩塌" in detail.fields.text()
