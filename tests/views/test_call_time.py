"""接报时间 is when the officer starts taking the call: the first keystroke into an empty form,
or F2; not when the form was opened or last cleared. A time typed by hand is kept, and a
restored draft keeps its call's own start time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.services.context import Workstation
from console.services.drafts import DraftStore
from console.services.incident_list import fetch_incident
from console.services.intake import Places
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.intake_form import IntakeForm
from console.views.pages.intake_page import IntakePage
from tests.views.conftest import Clock, activate
from tests.views.test_intake_form import type_text

OPENED = datetime(2026, 11, 30, 7, 43, tzinfo=beijing.BEIJING)


@pytest.fixture
def clock() -> Clock:
    return Clock(OPENED)


@pytest.fixture
def timed_context(window_context: WindowContext, clock: Clock) -> WindowContext:
    window_context.clock = clock
    return window_context


@pytest.fixture
def timed_window(timed_context: WindowContext, window: MainWindow) -> MainWindow:
    """The shared ``window`` built on the test clock (``timed_context`` is set up first)."""
    assert window.context.clock is timed_context.clock
    return window


def page_of(window: MainWindow) -> IntakePage:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    return page


def received(form: IntakeForm) -> str:
    return form.values()["received_at"]


def test_time_of_first_keystroke_not_of_opening(qtbot: QtBot, clock: Clock) -> None:
    form = IntakeForm(Places({}, {}), "测试", clock=clock)
    qtbot.addWidget(form)
    assert received(form) == ""  # opened at 07:43: no call yet
    clock.advance(60)  # idle for an hour
    type_text(form.fields["caller_name"], "张")
    assert received(form) == "2026-11-30 08:43"
    clock.advance(7)  # the rest of the call does not move it
    type_text(form.fields["caller_name"], "三")
    form.category.setCurrentText("自然灾害")
    assert received(form) == "2026-11-30 08:43"


def test_a_form_erased_by_hand_waits_for_its_next_call(qtbot: QtBot, clock: Clock) -> None:
    form = IntakeForm(Places({}, {}), "测试", clock=clock)
    qtbot.addWidget(form)
    type_text(form.fields["caller_name"], "误")
    assert received(form) == "2026-11-30 07:43"
    form.line("caller_name").clear()  # nothing left: no call is being taken
    assert received(form) == ""
    clock.advance(25)
    type_text(form.fields["caller_name"], "张")
    assert received(form) == "2026-11-30 08:08"


def test_a_choice_is_a_first_keystroke_too(qtbot: QtBot, clock: Clock) -> None:
    form = IntakeForm(Places({}, {}), "测试", clock=clock)
    qtbot.addWidget(form)
    clock.advance(5)
    form.category.setCurrentText("事故灾难")
    assert received(form) == "2026-11-30 07:48"


def test_time_typed_by_hand_is_kept(qtbot: QtBot, clock: Clock) -> None:
    form = IntakeForm(Places({}, {}), "测试", clock=clock)
    qtbot.addWidget(form)
    clock.advance(20)
    type_text(form.line("received_at"), "2026-11-30 07:30")
    clock.advance(3)
    type_text(form.fields["caller_name"], "李四")
    form.start_call()  # F2 on this form does not stamp over the officer's time
    assert received(form) == "2026-11-30 07:30"
    # cleared by hand: the call's next keystroke stamps it again
    form.line("received_at").clear()
    type_text(form.fields["caller_phone"], "1")
    assert received(form) == "2026-11-30 08:06"


def test_f2_starts_the_call_and_keeps_a_half_filled_one(qtbot: QtBot, clock: Clock) -> None:
    form = IntakeForm(Places({}, {}), "测试", clock=clock)
    qtbot.addWidget(form)
    clock.advance(30)
    form.start_call()  # F2: the phone rang, nothing typed yet
    assert received(form) == "2026-11-30 08:13"
    clock.advance(2)
    type_text(form.fields["caller_name"], "王")  # typing goes on: the time stays
    assert received(form) == "2026-11-30 08:13"
    clock.advance(4)
    form.start_call()  # F2 on a half-filled form: the same call, the same time
    assert received(form) == "2026-11-30 08:13"
    assert form.values()["caller_name"] == "王"


def test_f2_on_an_empty_form_restarts_an_idle_stamp(qtbot: QtBot, clock: Clock) -> None:
    form = IntakeForm(Places({}, {}), "测试", clock=clock)
    qtbot.addWidget(form)
    form.start_call()
    clock.advance(45)  # nobody called after all; the next call comes much later
    form.start_call()
    assert received(form) == "2026-11-30 08:28"


def test_restored_draft_keeps_its_start_time(qtbot: QtBot, clock: Clock, tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path)
    drafts.save({"received_at": "2026-11-30 07:20", "caller_name": "赵六"})
    clock.advance(90)  # the console comes back after a crash
    form = IntakeForm(Places({}, {}), "测试", drafts, clock=clock)
    qtbot.addWidget(form)
    assert received(form) == "2026-11-30 07:20"
    type_text(form.fields["caller_phone"], "13800000000")
    form.start_call()
    assert received(form) == "2026-11-30 07:20"


def test_saved_call_records_its_start_and_the_next_call_its_own(
    qtbot: QtBot, timed_window: MainWindow, workstation: Workstation, clock: Clock
) -> None:
    """The reported case: form cleared at 07:43, call taken from 07:48, saved at 07:50."""
    page = page_of(timed_window)
    form = page.form
    clock.advance(5)
    type_text(form.fields["caller_name"], "张三")
    form.category.setCurrentText("自然灾害")
    form.line("township").setText("北界镇")
    clock.advance(2)
    with qtbot.waitSignal(page.save_finished, timeout=5000) as saved:
        form.submit()
    incident_id = saved.args[0]
    assert incident_id
    row = fetch_incident(workstation.store, incident_id)
    assert row is not None
    assert beijing.display(row["received_at"]) == "2026-11-30 07:48"
    assert received(form) == ""  # the cleared form waits for its own call
    clock.advance(40)
    type_text(form.fields["caller_name"], "李")
    assert received(form) == "2026-11-30 08:30"


def test_f2_key_in_the_window_starts_the_call(
    qtbot: QtBot, timed_window: MainWindow, clock: Clock
) -> None:
    timed_window.show_view("settings")
    activate(qtbot, timed_window)
    clock.advance(12)
    qtbot.keyClick(timed_window, Qt.Key.Key_F2)
    assert received(page_of(timed_window).form) == "2026-11-30 07:55"
    clock.advance(3)
    timed_window.show_view("settings")
    timed_window.show_view("intake")  # arriving on the page is not a new call
    assert received(page_of(timed_window).form) == "2026-11-30 07:55"
