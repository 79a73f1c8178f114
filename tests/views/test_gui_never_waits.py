"""The GUI never waits on the database: no view, model or ui code checks a connection out of
the store's pool on the GUI thread while the console is used as an officer uses it.

A pool ``checkout`` listener records every checkout made on the main thread with a frame of
``console/views``, ``console/models`` or ``console/ui`` on its stack (test code reading the
store to check results does not count). The walk opens every page, filters, sorts and
scrolls a list of 250 incidents, saves a call, opens it and writes on it (the figures too),
opens the report dialog and records a report sent, edits a deadline rule and a grading row,
previews a workbook in the import dialog and exports a table, adds a village through the
基础数据 form and has a delete refused, searches the 通讯录 and asks who is responsible for a
village, searches the map, opens a place's card and picks a point for a call, searches
the case library and edits a case, and lets changes to places and reference data arrive;
then the record must be empty.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from console.domain import beijing
from console.domain.ids import new_id, reference_id
from console.services.context import Workstation
from console.services.incidents import IncidentService
from console.services.intake import validate_call
from console.ui.tasks import run_task
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.contacts_page import ContactsPage
from console.views.pages.data_page import DataPage
from console.views.pages.intake_page import IntakePage
from console.views.pages.map_picker import MapPickerDialog
from console.views.pages.risk_map_page import RiskMapPage
from console.views.pages.settings_page import SettingsPage
from console.views.registry import VIEW_NAMES
from testkit.qt_logs import AUDIO_WARNINGS
from tests.views.conftest import flush_deletes

CONSOLE = Path(__file__).resolve().parents[2] / "console"
GUI_CODE = tuple(str(CONSOLE / part) for part in ("views", "models", "ui"))
INCIDENTS = 250  # more than a page of the lazy list (200): scrolling reads more pages


class GuiCheckouts:
    """Stacks of the pool checkouts GUI code made on the GUI thread."""

    def __init__(self) -> None:
        self.stacks: list[str] = []

    def __call__(self, *_args: object) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        frames = traceback.extract_stack()[:-1]
        if any(f.filename.startswith(GUI_CODE) for f in frames):
            ours = [f for f in frames if f.filename.startswith(str(CONSOLE))]
            self.stacks.append("".join(traceback.format_list(ours[-8:])))

    def report(self) -> str:
        return f"{len(self.stacks)} checkout(s) on the GUI thread, e.g.:\n" + "\n".join(
            self.stacks[:3]
        )


@pytest.fixture
def gui_checkouts(workstation: Workstation) -> Iterator[GuiCheckouts]:
    found = GuiCheckouts()
    engine = workstation.store.engine
    event.listen(engine, "checkout", found)
    yield found
    event.remove(engine, "checkout", found)


def add_incidents(workstation: Workstation, count: int) -> None:
    """``count`` calls, one a minute back from now, in one write."""
    now = beijing.now()
    places = IncidentService(workstation.writer).places()
    calls = []
    for n in range(count):
        form = {
            "received_at": (now - timedelta(minutes=n + 5)).strftime("%Y-%m-%d %H:%M"),
            "category": "自然灾害",
            "subtype": "地质",
            "township": "北界镇",
            "description": f"第{n}起：山体滑坡",
        }
        args = validate_call(form, now=now, places=places, recorder="测试")
        calls.append(("incident.create", {"id": new_id(), **args}))
    workstation.writer.apply(calls, user="测试")


@pytest.fixture
def watched(
    qtbot: QtBot,
    workstation: Workstation,
    gui_checkouts: GuiCheckouts,
    window_context: WindowContext,
) -> Iterator[MainWindow]:
    """The main window over 250 incidents, built while checkouts are watched."""
    add_incidents(workstation, INCIDENTS)
    win = MainWindow(window_context)
    win.resize(1400, 900)
    win.show_view("intake")
    win.show()
    qtbot.waitExposed(win)
    settle(win)
    yield win
    win.close()
    win.deleteLater()
    flush_deletes()


def settle(window: MainWindow) -> None:
    """Wait (bounded) until every background read and write has landed."""
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)


def test_the_probe_sees_a_gui_thread_read(
    window: MainWindow, workstation: Workstation, gui_checkouts: GuiCheckouts
) -> None:
    """The check itself can fail: a read made from ui code on the GUI thread is recorded."""
    run_task(None, workstation.queries.sample_present)  # no runner: runs here
    assert len(gui_checkouts.stacks) == 1
    assert "sample_present" in gui_checkouts.stacks[0]
    workstation.queries.sample_present()  # test code reading the store does not count
    assert len(gui_checkouts.stacks) == 1


# The offscreen platform cannot pass the casualty dialog's size hints on: not a fault.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_an_officer_session_never_reads_on_the_gui_thread(
    qtbot: QtBot,
    watched: MainWindow,
    workstation: Workstation,
    gui_checkouts: GuiCheckouts,
    tmp_path: Path,
) -> None:
    window = watched
    for name in VIEW_NAMES:  # every page, built and shown
        window.show_view(name)
        settle(window)
    page = window.show_view("intake")
    assert isinstance(page, IntakePage)
    settle(window)
    listing = page.list
    assert listing.township.count() > 1  # the 乡镇 filter filled from the runner
    assert page.header.badge.isVisibleTo(page)  # 样例数据, read on the runner

    # The list: scroll to the end (lazy pages), filter, search, sort.
    assert listing.model.rowCount() == INCIDENTS
    listing.table.scrollToBottom()
    qtbot.waitUntil(lambda: not listing.model.fetching(), timeout=5000)
    qtbot.wait(50)
    settle(window)
    last = listing.model.index(INCIDENTS - 1, 1)
    assert listing.model.data(last) == "北界镇地质灾害"
    listing.search.setText("滑坡")
    listing.search.returnPressed.emit()
    settle(window)
    listing.search.clear()
    listing.statuses["已结案"].setChecked(True)
    listing.township.setCurrentIndex(listing.township.findText("北界镇"))
    settle(window)
    listing.township.setCurrentIndex(0)
    listing.table.sortByColumn(1, listing.table.horizontalHeader().sortIndicatorOrder())
    settle(window)

    # A call saved, then worked on in the detail.
    form = page.form
    form.line("caller_name").setText("李明")
    form.line("township").setText("北界镇")
    form.line("village").setText("苏村")
    form.category.setCurrentText("自然灾害")
    form.subtype.setCurrentText("地质")  # its 亚灾种 is set in the detail below
    form.description.setPlainText("山体滑坡，2人被困")
    qtbot.waitUntil(lambda: page.duplicate.isVisible(), timeout=3000)  # repeat-call check
    settle(window)
    page.duplicate.new_button.click()
    with qtbot.waitSignal(page.save_finished, timeout=5000) as saved:
        form.submit()
    incident_id = saved.args[0] if saved.args else ""
    assert incident_id
    settle(window)
    assert listing.selected_id() == incident_id  # selected once the refresh landed
    qtbot.waitUntil(lambda: page.detail.incident_id() == incident_id, timeout=5000)
    page.detail.entry.setText("北界镇应急队已出发")
    assert page.detail.add_entry()
    settle(window)
    page.detail.sub_hazard.setCurrentText("滑坡")
    assert page.detail.save_sub_hazard()
    settle(window)

    # Grade from the law: numbers changed elsewhere imply a grade, accepted in the detail.
    workstation.writer.apply(
        [
            (
                "incident.update",
                {
                    "id": incident_id,
                    "fields": {
                        "category": "事故灾难",
                        "subtype": "企业安全事故",
                        "sub_hazard": "",
                        "dead": 5,
                    },
                },
            )
        ],
        user="测试",
    )
    qtbot.waitUntil(lambda: page.detail.grade_hint.finding is not None, timeout=5000)
    assert page.detail.accept_grade()
    settle(window)
    # The figures corrected in the detail's 修改伤亡… dialog.
    figures = page.detail.edit_figures()
    assert figures is not None
    figures.boxes["dead"].setValue(12)
    with qtbot.waitSignal(page.detail.action_finished, timeout=5000):
        figures.save.click()
    settle(window)

    # The report dialog: composed, recorded as sent.
    dialog = page.report_dialog(incident_id)
    settle(window)
    assert "北界镇苏村" in dialog.body.toPlainText()
    dialog.stage.setCurrentText("续报")
    dialog.recipient.setText("丽水市应急管理局")
    with qtbot.waitSignal(dialog.recorded, timeout=5000):
        assert dialog.mark_sent()
    settle(window)
    dialog.close()

    # Changes from elsewhere (a pull, another writer): places and reference data.
    workstation.writer.apply(
        [
            (
                "village.upsert",
                {
                    "id": reference_id("village", "测试村"),
                    "name": "测试村",
                    "township_id": reference_id("township", "北界镇"),
                },
            ),
            (
                "shelter.upsert",
                {
                    "id": reference_id("shelter", "测试避灾点"),
                    "name": "测试避灾点",
                    "township_id": reference_id("township", "妙高街道"),
                },
            ),
        ],
        user="测试",
    )
    with qtbot.waitSignal(page.places_loaded, timeout=5000):
        pass  # the bus's burst reached the page, which re-read the names on the runner
    settle(window)

    # 设置: a deadline rule saved.
    settings = window.show_view("settings")
    assert isinstance(settings, SettingsPage) and settings.rules is not None
    settle(window)
    rules = settings.rules
    rules.category.setCurrentText("自然灾害")
    rules.minutes.setValue(45)
    with qtbot.waitSignal(window.context.bus.changed, timeout=5000):
        rules.save.click()
    settle(window)
    # 设置 > 定级标准: a grading row changed.
    grading = settings.grading
    assert grading is not None
    grading.table.selectRow(0)
    grading.bounds["min_general"].setText("2")
    with qtbot.waitSignal(grading.refreshed, timeout=5000):
        grading.save.click()
    settle(window)
    # 设置 > 导入/导出基础数据: a workbook previewed and imported, the table exported.
    from console.services.io.exporter import export_table

    book = tmp_path / "villages.xlsx"
    export_table(workstation.store, "villages", book)  # test code: not watched
    settings.open_import_dialog()
    dialog = settings.import_dialog
    assert dialog is not None
    dialog.set_table("villages")
    with qtbot.waitSignal(dialog.preview_ready, timeout=10_000):
        dialog.set_file(book)
    assert dialog.preview_result is not None and not dialog.preview_result.refused
    with qtbot.waitSignal(dialog.exported, timeout=10_000):
        dialog.export_to(tmp_path / "out.csv")
    dialog.close()

    # 基础数据: a village added and edited through the record form, then a delete refused.
    data = window.show_view("data")
    assert isinstance(data, DataPage)
    settle(window)
    data.show_table("villages")
    form = data.add_record()
    assert form is not None
    form.editors["name"].setText("测试新村")  # type: ignore[attr-defined]
    with qtbot.waitSignal(data.written, timeout=5000):
        form.submit()
    settle(window)
    data.show_table("townships")
    assert data.select(reference_id("township", "北界镇"))
    box = data.delete_record()
    assert box is not None
    with qtbot.waitSignal(data.written, timeout=5000):
        box.button(QMessageBox.StandardButton.Yes).click()
    settle(window)
    # 通讯录: a search typed key by key, who is responsible for a village, a number copied.
    contacts = window.show_view("contacts")
    assert isinstance(contacts, ContactsPage)
    settle(window)
    qtbot.keyClicks(contacts.search, "hmm")
    settle(window)
    contacts.show_place("village", reference_id("village", "金竹镇", "竹坪村"))
    settle(window)
    assert contacts.responsible_model.rowCount() >= 7
    contacts.results.selectRow(0)
    contacts.copy_number()
    # 识别一张图: a search, a layer hidden, a card opened, 谁负责这里; the call form's picker.
    risk_map = window.show_view("risk-map")
    assert isinstance(risk_map, RiskMapPage)
    settle(window)
    qtbot.keyClicks(risk_map.search, "bjz")
    risk_map.search_to(risk_map.search.text())
    settle(window)
    risk_map.layer_panel.boxes["villages"].setChecked(False)
    risk_map.open_card(risk_map.snapshot.layer("risk:山洪危险区")[0])
    settle(window)
    assert risk_map.card.card is not None and risk_map.card.card.people
    risk_map.card.responsible_button.click()
    settle(window)
    intake = window.show_view("intake")
    assert isinstance(intake, IntakePage)
    picked: list[object] = []
    with patch.object(MapPickerDialog, "exec", return_value=QDialog.DialogCode.Accepted):
        intake.pick_point(intake.form, None, picked.append)
        settle(window)
    assert len(picked) == 1
    # 指挥一平台: an order issued down a township's chain, calls recorded with one key,
    # feedback, an escalation asked for, the 叫应超时 banner checked, the order finished.
    from console.views.pages.command_page import CommandPage

    command = window.show_view("command")
    assert isinstance(command, CommandPage)
    settle(window)
    town = reference_id("township", "北界镇")
    values = {"kind": "转移指令", "title": "测试转移指令"}
    with qtbot.waitSignal(command.board_shown, timeout=5000):
        command.issue(values, [town], [])
        qtbot.waitUntil(lambda: command.model.rowCount() > 0, timeout=5000)
    settle(window)
    command.table.setFocus()
    qtbot.keyClick(command.table, Qt.Key.Key_Space)
    settle(window)
    command.value.setValue(12)
    command.record_feedback()
    settle(window)
    command.table.selectRow(command.model.rowCount() - 1)
    command.escalate_selected()
    settle(window)
    assert window.escalation_banner is not None
    window.escalation_banner.check()
    settle(window)
    command.close_order()
    settle(window)
    # 案例一个库: a search, a filter, the similar cases of an incident, a case edited.
    from console.views.pages.case_page import CaseLibraryPage

    cases = window.show_view("case-library")
    assert isinstance(cases, CaseLibraryPage)
    settle(window)
    cases.search.setText("滑坡")
    settle(window)
    cases.hazard.setCurrentIndex(cases.hazard.findData("滑坡"))
    cases.hazard.activated.emit(cases.hazard.currentIndex())
    settle(window)
    assert cases.case is not None
    cases.incident.setCurrentIndex(0)
    cases.show_similar()
    settle(window)
    cases.save_edit({"lessons": "值班台补充的经验教训"})
    # 应急一指南: a response started from an incident, an item ticked with Space, a note,
    # the level raised, the guide browsed.
    from console.views.pages.guide_page import GuidePage

    guide = window.show_view("response-guide")
    assert isinstance(guide, GuidePage)
    settle(window)
    guide.ask_activate()
    settle(window)
    assert guide.dialog is not None
    values = guide.dialog.values()
    guide.dialog.reject()
    with qtbot.waitSignal(guide.refreshed, timeout=5000):
        guide.activate(values)
        qtbot.waitUntil(lambda: guide.check_model.rowCount() > 0, timeout=5000)
    settle(window)
    guide.checklist.setFocus()
    guide.checklist.selectRow(0)
    guide.toggle_selected()
    settle(window)
    guide.note("已电话叫应")
    settle(window)
    guide.change_level("III", "雨势加大")
    settle(window)
    guide.tabs.setCurrentIndex(1)
    guide.level.setCurrentIndex(1)
    guide.show_guide()
    settle(window)
    for name in VIEW_NAMES:  # every page again, after the changes
        window.show_view(name)
        settle(window)
    window.toggle_theme()
    settle(window)
    assert not gui_checkouts.stacks, gui_checkouts.report()


@pytest.mark.qt_log_ignore(*AUDIO_WARNINGS)
def test_the_assessment_page_and_threshold_alerts_never_read_on_the_gui_thread(
    qtbot: QtBot,
    workstation: Workstation,
    gui_checkouts: GuiCheckouts,
    window_context: WindowContext,
    tmp_path: Path,
) -> None:
    """研判一张单 and the threshold banner: the watch raises alerts and proposes a draft,
    the banner shows and acknowledges them, the page lists, generates, saves, signs,
    revises, shows a version and exports."""
    import dataclasses

    from console.services.threshold_alerts import ThresholdAlerts
    from console.views.pages.assessment_page import AssessmentPage
    from testkit.situations import flood_situation

    context = dataclasses.replace(
        window_context,
        alerts=ThresholdAlerts(workstation.writer),
        situation=flood_situation,
    )
    win = MainWindow(context)
    try:
        win.resize(1400, 900)
        win.show()
        qtbot.waitExposed(win)
        settle(win)
        assert win.situation_watch is not None
        win.situation_watch.look()
        settle(win)
        banner = win.threshold_banner
        assert banner is not None
        qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)
        banner.acknowledge()
        settle(win)
        page = win.show_view("assessment")
        assert isinstance(page, AssessmentPage)
        settle(win)
        assert page.model.rowCount() == 1  # the draft the watch proposed
        page.generate()
        settle(win)
        page.tasks.setPlainText("县领导到岗")
        page.save()
        settle(win)
        page.sign()
        settle(win)
        page.revise()
        settle(win)
        page.versions.selectRow(1)
        page.export_docx(tmp_path / "a.docx")
        settle(win)
        page.export_pdf(tmp_path / "a.pdf")
        win.toggle_theme()
        settle(win)
        assert page.versions_model.rowCount() == 2
        assert not gui_checkouts.stacks, gui_checkouts.report()
    finally:
        win.close()
        win.deleteLater()
        flush_deletes()
