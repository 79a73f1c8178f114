"""通讯录 page over the sample county: results as you type (pinyin initials), who is
responsible for a village, one key copies a number, a call logged onto an incident."""

from __future__ import annotations

import pytest
from pypinyin import Style, lazy_pinyin
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.domain import catalog
from console.domain.ids import new_id
from console.domain.schema import Village
from console.services.context import Workstation
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.contacts_page import RESULT_COLUMNS, CallDialog, ContactsPage


def _page(window: MainWindow, context: WindowContext) -> ContactsPage:
    page = window.show_view("contacts")
    assert isinstance(page, ContactsPage)
    assert context.tasks is not None and context.tasks.wait_idle(5000)
    return page


def _settle(context: WindowContext) -> None:
    assert context.tasks is not None and context.tasks.wait_idle(5000)


def _column(page: ContactsPage, model_name: str, column: int) -> list[str]:
    model = getattr(page, model_name)
    return [model.item(row, column).text() for row in range(model.rowCount())]


def test_typing_pinyin_initials_finds_a_person(
    qtbot: QtBot, window: MainWindow, window_context: WindowContext
) -> None:
    page = _page(window, window_context)
    assert page.header.badge.isVisibleTo(page)  # sample people: 样例数据
    assert page.results_model.rowCount() > 0
    person = page.index.contacts[len(page.index.contacts) // 2] if page.index else None
    assert person is not None
    initials = "".join(lazy_pinyin(person.name, style=Style.FIRST_LETTER))
    qtbot.keyClicks(page.search, initials)  # as typed, key by key (QTest types ASCII only)
    _settle(window_context)
    assert person.name in _column(page, "results_model", 0)
    page.search.insert(f" {person.unit}")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.results.hasFocus()  # Enter: on to the results, Ctrl+C copies from there
    _settle(window_context)
    names = _column(page, "results_model", RESULT_COLUMNS.index("姓名"))
    units = _column(page, "results_model", RESULT_COLUMNS.index("单位"))
    assert person.name in names
    assert len(names) < len(page.index.contacts)
    assert set(units) == {person.unit} or all(person.unit in u for u in units)
    assert "找到" in page.summary.text()


def test_who_is_responsible_for_a_village(
    window: MainWindow, window_context: WindowContext, workstation: Workstation
) -> None:
    page = _page(window, window_context)
    with workstation.store.engine.connect() as conn:
        village_id = conn.execute(select(Village.id).where(Village.name == "竹坪村")).scalar_one()
    page.show_place("village", village_id)
    _settle(window_context)
    roles = [r.split("（")[0] for r in _column(page, "responsible_model", 0)]
    assert roles[:2] == ["县领导包乡", "乡镇第一责任人"]
    work_group = [r for r in roles if r in catalog.VILLAGE_WORK_GROUP or r == "村级灾害信息员"]
    assert sorted(work_group) == sorted([*catalog.VILLAGE_WORK_GROUP, "村级灾害信息员"])
    assert all(_column(page, "responsible_model", 2))  # every one has a mobile
    assert "竹坪村" in page.place_label.text()


def test_ctrl_c_copies_the_selected_mobile(
    qtbot: QtBot, window: MainWindow, window_context: WindowContext
) -> None:
    page = _page(window, window_context)
    QGuiApplication.clipboard().setText("")
    page.results.setFocus()
    page.results.selectRow(2)
    mobile = page.results_model.item(2, RESULT_COLUMNS.index("手机")).text()
    name = page.results_model.item(2, 0).text()
    assert mobile
    qtbot.keyClick(page.results, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == mobile
    assert mobile in page.status.text() and name in page.status.text()
    # The button copies the responsible person selected in the other table.
    page.responsible.selectRow(0)
    other = page.responsible_model.item(0, 2).text()
    page.copy_button.click()
    assert QGuiApplication.clipboard().text() == other


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_call_is_logged_onto_the_incident_timeline(
    window: MainWindow, window_context: WindowContext, workstation: Workstation
) -> None:
    incident_id = IncidentService(workstation.writer).take_call(
        {"category": "自然灾害", "subtype": "水旱", "township": "金竹镇", "caller_name": "村民"},
        user="测试",
    )
    page = _page(window, window_context)
    page.results.selectRow(0)
    person = page.current
    assert person is not None

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, CallDialog):  # the open incidents are still being read
            QTimer.singleShot(20, answer)
            return
        dialog.incident.setCurrentIndex(dialog.incident.findData(incident_id))
        dialog.outcome.setCurrentText("未接通")
        dialog.note.setText("再拨")
        dialog.accept()

    QTimer.singleShot(20, answer)
    page.call_button.click()
    _settle(window_context)
    calls = [
        e
        for e in IncidentSource(workstation.store).timeline(incident_id)
        if e["kind"] == catalog.CALL_KIND
    ]
    assert len(calls) == 1
    body = calls[0]["body"]
    assert person.name in body and person.mobile in body and "未接通" in body and "再拨" in body
    assert "已记录" in page.status.text()


def test_a_new_village_joins_the_picker_and_the_choice_stays(
    qtbot: QtBot, window: MainWindow, window_context: WindowContext, workstation: Workstation
) -> None:
    page = _page(window, window_context)
    with workstation.store.engine.connect() as conn:
        village_id, township_id = conn.execute(
            select(Village.id, Village.township_id).where(Village.name == "竹坪村")
        ).one()
    page.show_place("village", village_id)
    _settle(window_context)
    rows = page.responsible_model.rowCount()
    new = {"id": new_id(), "name": "测试新村", "township_id": township_id}
    workstation.writer.apply([("village.upsert", new)], user="测试")
    qtbot.waitUntil(lambda: page.village.findData(new["id"]) > 0, timeout=5000)
    _settle(window_context)
    assert page.village.currentData() == village_id
    assert page.responsible_model.rowCount() == rows
