"""基础数据 for people and roles (issue 10): a person added through the form, a role whose
object pickers follow the role (catalog.ROLE_OBJECTS), and the role rule's Chinese message
(catalog.role_problem) under the role before anything is written."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
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
    # The township stays enabled for roles held for a place in one: it filters the lists.
    _pick(form, "role", "水利工程巡查员")
    assert _enabled(form) == {"township_id", "risk_point_id", "station_id"}
    _pick(form, "role", "避灾场所管理员")
    assert _enabled(form) == {"township_id", "shelter_id"}
    _pick(form, "role", "会商专家")
    assert _enabled(form) == set()
    # Switching away empties a picker the new role does not take.
    _pick(form, "role", "乡镇第一责任人")
    _pick(form, "township_id", "北界镇")
    _pick(form, "role", "会商专家")
    assert form.value("township_id") is None


def test_the_role_rule_is_shown_under_the_role_and_nothing_is_written(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    before = len(_rows(workstation, "person_roles"))
    page.show_table("person_roles")
    form = page.add_record()
    assert form is not None
    _pick(form, "role", "山洪预警员")  # a risk point OR a village: here both
    _pick(form, "township_id", "北界镇")
    box = form.editors["risk_point_id"]
    assert isinstance(box, QComboBox)
    box.setCurrentIndex(1)
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


def test_a_roles_place_lists_follow_the_township_which_is_not_stored(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    town = reference_id("township", "北界镇")
    page.show_table("person_roles")
    form = page.add_record()
    assert form is not None
    _pick(form, "person_id", page.snapshot.names("people")[_rows(workstation, "people")[0]["id"]])
    _pick(form, "role", "地灾群测群防员")
    box = form.editors["risk_point_id"]
    assert isinstance(box, QComboBox)
    everywhere = box.count()
    _pick(form, "township_id", "北界镇")
    listed = {box.itemData(i) for i in range(1, box.count())}
    expected = {r["id"] for r in _rows(workstation, "risk_points") if r["township_id"] == town}
    assert listed == expected and 0 < len(listed) < everywhere - 1
    box.setCurrentIndex(1)
    point = box.currentData()
    _save(qtbot, page, form)
    [saved] = [
        r
        for r in _rows(workstation, "person_roles")
        if r["risk_point_id"] == point and r["role"] == "地灾群测群防员" and not r["is_sample"]
    ]
    assert saved["township_id"] is None  # the township only filtered the list
    # Edited again, the role shows its risk point under its township.
    page.township.setCurrentIndex(page.township.findData(town))
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)
    again = page._open_form(saved)
    assert again.value("township_id") == town and again.value("risk_point_id") == point
    again.reject()


def test_the_township_filter_keeps_roles_and_people_held_there(page: DataPage) -> None:
    town = reference_id("township", "北界镇")
    page.township.setCurrentIndex(page.township.findData(town))
    for table in ("person_roles", "people", "units"):
        page.show_table(table)
        shown = [
            page.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2)
            for r in range(page.proxy.rowCount())
        ]
        assert 0 < len(shown) < page.model.rowCount(), table
        assert all(page.snapshot.township_of(table, r) == town for r in shown)
    page.show_table("person_roles")
    shown = [
        page.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2)
        for r in range(page.proxy.rowCount())
    ]
    # Roles stored with their object alone (a village, a risk point) are among them.
    assert any(r["township_id"] is None and r["village_id"] for r in shown)
    assert any(r["township_id"] is None and r["risk_point_id"] for r in shown)
