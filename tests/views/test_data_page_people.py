"""基础数据 for people and roles (issue 10): a person added through the form, a role whose
object pickers follow the role (catalog.ROLE_OBJECTS), and the role rule's Chinese message
(catalog.role_problem) under the role before anything is written."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import Table, select

from console.domain.ids import reference_id
from console.domain.schema import MODEL_BY_TABLE
from console.services.context import Workstation
from console.views.forms.record_form import RecordForm
from console.views.main_window import MainWindow
from console.views.pages.data_page import DataPage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

OBJECTS = ("township_id", "village_id", "risk_point_id", "shelter_id", "station_id")


@pytest.fixture
def page(window: MainWindow) -> DataPage:
    shown = window.show_view("data")
    assert isinstance(shown, DataPage)
    tasks = shown.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)
    return shown


def _rows(workstation: Workstation, table: str) -> list[dict[str, Any]]:
    t = MODEL_BY_TABLE[table].__table__
    assert isinstance(t, Table)
    with workstation.store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t).where(t.c.deleted.is_(False))).mappings()]


def _type(form: RecordForm, name: str, text: str) -> None:
    editor = form.editors[name]
    assert isinstance(editor, QLineEdit)
    editor.clear()
    editor.insert(text)  # QTest types ASCII only: Chinese as an input method commits it


def _pick(form: RecordForm, name: str, text: str) -> None:
    box = form.editors[name]
    assert isinstance(box, QComboBox)
    index = box.findText(text)
    assert index >= 0, (name, text)
    box.setCurrentIndex(index)


def _save(qtbot: QtBot, page: DataPage, form: RecordForm) -> None:
    with qtbot.waitSignal(page.written, timeout=5000):
        form.submit()
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)


def _enabled(form: RecordForm) -> set[str]:
    return {n for n in OBJECTS if form.editors[n].isEnabled()}


def test_add_a_person_then_a_role_with_pickers_by_name(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("people")
    form = page.add_record()
    assert form is not None
    _type(form, "name", "测试某某")
    _pick(form, "unit_id", "遂昌县水利局")
    _type(form, "mobile", "13912345678")
    _save(qtbot, page, form)
    assert page.form is None
    person = reference_id("person", "13912345678")  # the sample's rule: by mobile
    assert {r["id"]: r["name"] for r in _rows(workstation, "people")}[person] == "测试某某"

    page.show_table("person_roles")
    form = page.add_record()
    assert form is not None
    # A person is picked by name, with their unit (names repeat across units).
    _pick(form, "person_id", "测试某某（遂昌县水利局）")
    _pick(form, "role", "村监测预警")
    # Only the village (and the township that filters it) can be chosen.
    assert _enabled(form) == {"township_id", "village_id"}
    _pick(form, "township_id", "北界镇")
    _pick(form, "village_id", "苏村")
    _save(qtbot, page, form)
    assert page.form is None
    roles = [r for r in _rows(workstation, "person_roles") if r["person_id"] == person]
    assert len(roles) == 1
    assert roles[0]["role"] == "村监测预警"
    assert roles[0]["village_id"] == reference_id("village", "北界镇", "苏村")
    assert roles[0]["risk_point_id"] is None
    assert roles[0]["township_id"] is None  # it only filtered the villages


def test_the_object_pickers_follow_the_role(page: DataPage) -> None:
    page.show_table("person_roles")
    form = page.add_record()
    assert form is not None
    _pick(form, "role", "县领导包乡")
    assert _enabled(form) == {"township_id"}
    _pick(form, "role", "水利工程巡查员")
    assert _enabled(form) == {"risk_point_id", "station_id"}
    _pick(form, "role", "避灾场所管理员")
    assert _enabled(form) == {"shelter_id"}
    _pick(form, "role", "会商专家")
    assert _enabled(form) == set()
    # Switching away empties a picker the new role does not take.
    _pick(form, "role", "乡镇第一责任人")
    _pick(form, "township_id", "北界镇")
    _pick(form, "role", "避灾场所管理员")
    assert form.value("township_id") is None


def test_the_role_rule_is_shown_under_the_role_and_nothing_is_written(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    before = len(_rows(workstation, "person_roles"))
    page.show_table("person_roles")
    form = page.add_record()
    assert form is not None
    _pick(form, "role", "山洪预警员")  # a risk point OR a village: here both
    box = form.editors["risk_point_id"]
    assert isinstance(box, QComboBox)
    box.setCurrentIndex(1)
    _pick(form, "township_id", "北界镇")
    _pick(form, "village_id", "苏村")
    form.submit()
    message = form.messages["role"]
    assert message.isVisibleTo(form)
    assert message.text() == "“山洪预警员”应在风险点、村中选填一项（只填一项）"
    assert form.save_button.isEnabled()  # not sent to the page
    # Neither object: the same rule, same words.
    box.setCurrentIndex(0)
    _pick(form, "village_id", "（未选择）")
    form.submit()
    assert message.text() == "“山洪预警员”应在风险点、村中选填一项（只填一项）"
    assert len(_rows(workstation, "person_roles")) == before
