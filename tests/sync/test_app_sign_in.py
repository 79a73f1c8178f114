"""Start-up as an officer sees it: the 登录 window first, then the console.

``run_gui`` runs in-process; timers act on the modal windows as the officer would. Each
step polls with a deadline (:class:`Officer`): a window that never comes fails the test in
seconds, naming what it waited for, instead of hanging the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call

from console.app import run_gui
from console.cli import GuiOptions
from console.domain.reporting import DEFAULT_RULES
from console.domain.schema import Incident, Township
from console.memory import collection_on, pause_collector, resume_collector
from console.services.context import open_workstation
from console.services.report_rules import list_rules
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from console.views.login_dialog import LoginDialog
from console.views.main_window import MainWindow
from console.views.sample_question import SampleQuestion
from testkit.server import ServerProcess

W = TypeVar("W", bound=QWidget)


def _top(kind: type[W]) -> W | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None
    )


class Officer:
    """Runs steps on the GUI thread while :meth:`run` (``run_gui``) holds the event loop. A
    step returns True when done, False to be polled again 50 ms later. Past the deadline
    every window is closed (and, if that did not end ``run_gui``, its event loops are told to
    exit), so :meth:`run` returns and :attr:`failure` says what never came."""

    POLL_MS = 50

    def __init__(self, deadline_s: float = 30.0) -> None:
        self.deadline_s = deadline_s
        self.started = time.monotonic()
        self.failure: str | None = None
        self.running = False

    def run(self, options: GuiOptions) -> int:
        self.running = True
        try:
            return run_gui(options)
        finally:
            self.running = False

    def run_to_the_end(self, options: GuiOptions) -> None:
        """:meth:`run`, which must end cleanly with every step done in time."""
        code = self.run(options)
        assert self.failure is None, self.failure
        assert code == 0

    def then(self, what: str, step: Callable[[], bool]) -> None:
        def tick() -> None:
            if not self.running or self.failure is not None or step():
                return
            if time.monotonic() - self.started > self.deadline_s:
                self.give_up(what)
                return
            QTimer.singleShot(self.POLL_MS, tick)

        QTimer.singleShot(0, tick)

    def give_up(self, what: str) -> None:
        self.failure = f"still waiting for {what} after {self.deadline_s:.0f} s"
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        dialogs = [w for w in shown if isinstance(w, QDialog)]
        for widget in dialogs or shown:  # a modal dialog first, as the officer would
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()
        QTimer.singleShot(2000, self._exit_if_still_running)

    def _exit_if_still_running(self) -> None:
        if self.running:  # never after run() returned: the next test shares the application
            QApplication.exit(1)  # ends nested (modal) event loops too


def _sign_in_as_zhang(
    officer: Officer, server_url: str, what: str, then: Callable[[], bool]
) -> Callable[[], bool]:
    """A step: fill in and submit the 登录 window, then wait for ``what`` (``then``)."""

    def fill_login() -> bool:
        dialog = _top(LoginDialog)
        if dialog is None:
            return False
        dialog.server_edit.setText(server_url)
        dialog.user_edit.setText("zhang")
        dialog.password_edit.setText(PASSWORDS["zhang"][1])
        dialog.login_button.click()
        officer.then(what, then)
        return True

    return fill_login


def _online_console() -> MainWindow | None:
    window = _top(MainWindow)
    if (
        not isinstance(window, MainWindow)
        or window.status is None  # the frame is up before its data
        or window.status.connection.text() != "● 在线"
    ):
        return None
    return window


def test_sign_in_then_console_then_quit(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    seen: dict[str, str] = {}
    officer = Officer()

    def look_at_console() -> bool:
        window = _online_console()
        if window is None:
            return False
        seen["officer"] = window.status.officer.text()
        queries = window.context.queries
        seen["townships"] = str(queries.count(Township))
        seen["sample"] = str(queries.sample_present())
        window.close()
        return True

    officer.then(
        "the sign-in window",
        _sign_in_as_zhang(officer, server.url, "the console, online", look_at_console),
    )
    officer.run_to_the_end(GuiOptions(data_dir=tmp_path / "ws"))
    assert seen["officer"] == "值班员：zhang"
    # Joining a server on first run: no sample county pushed into it, data comes by pull.
    assert (seen["townships"], seen["sample"]) == ("0", "False")
    ws = open_workstation(tmp_path / "ws", autoload=False)
    try:
        assert ws.queries.sync_counters().next_mutation_id == 1  # nothing of ours to push
        assert len(list_rules(ws.writer)) == len(DEFAULT_RULES)  # pulled from the server
    finally:
        ws.close()


def test_joining_with_the_sample_asks_and_discards_it_by_default(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """A workstation that worked 单机使用 signs in to a county's (non-demo) server: the
    question comes, its default discards the sample; the officer's own work goes up."""
    ws = open_workstation(tmp_path / "ws")  # the earlier standalone start: the sample
    ws.writer.apply([incident_call("单机时登记")], user="zhang")
    ws.close()
    seen: dict[str, object] = {}
    officer = Officer()

    def answer() -> bool:
        question = _top(SampleQuestion)
        if question is None:
            return False
        seen["question"] = question.text()
        seen["default_discards"] = question.defaultButton() is question.discard_button
        question.defaultButton().click()  # Enter: the default answer
        officer.then("the console, online and synced", look_at_console)
        return True

    def look_at_console() -> bool:
        window = _online_console()
        if window is None or window.context.queries.sync_counters().pending != 0:
            return False
        queries = window.context.queries
        seen["townships"] = queries.count(Township)
        seen["sample"] = queries.sample_present()
        window.close()
        return True

    officer.then(
        "the sign-in window",
        _sign_in_as_zhang(officer, server.url, "the sample question", answer),
    )
    officer.run_to_the_end(GuiOptions(data_dir=tmp_path / "ws"))
    assert "样例数据" in str(seen["question"]) and seen["default_discards"] is True
    assert (seen["townships"], seen["sample"]) == (0, False)
    other = open_workstation(tmp_path / "other", autoload=False)
    try:
        client = SyncClient(server.url)
        client.login("li", PASSWORDS["li"][1])
        SyncEngine(other.store, client).sync_once()
        assert other.queries.count(Township) == 0 and not other.queries.sample_present()
        with other.store.engine.connect() as conn:
            titles = set(conn.execute(select(Incident.title)).scalars())
        assert titles == {"单机时登记"}  # the officer's own work reached the county
    finally:
        other.close()


def test_standalone_first_run_loads_the_sample(qtbot: QtBot, tmp_path: Path) -> None:
    seen: dict[str, bool] = {}
    officer = Officer()

    def choose_standalone() -> bool:
        dialog = _top(LoginDialog)
        if dialog is None:
            return False
        dialog.standalone_button.click()
        officer.then("the console with its data", look)
        return True

    def look() -> bool:
        window = _top(MainWindow)
        if not isinstance(window, MainWindow) or not window.attached:
            return False
        # The sample is written in the background once the console is up.
        seen["sample"] = window.context.queries.sample_present()
        seen["badge"] = not window.status.sample.isHidden()
        if not all(seen.values()):
            return False
        window.close()
        return True

    officer.then("the sign-in window", choose_standalone)
    officer.run_to_the_end(GuiOptions(data_dir=tmp_path / "ws"))
    assert seen == {"sample": True, "badge": True}


def test_closing_the_sign_in_window_does_not_start(qtbot: QtBot, tmp_path: Path) -> None:
    officer = Officer()

    def close_login() -> bool:
        dialog = _top(LoginDialog)
        if dialog is None:
            return False
        dialog.reject()
        return True

    officer.then("the sign-in window", close_login)
    officer.run_to_the_end(GuiOptions(data_dir=tmp_path / "ws"))
    assert _top(MainWindow) is None


def test_the_collector_runs_again_while_the_sign_in_window_waits(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Start-up pauses the garbage collector (console/memory.py) until the first page has its
    data; the 登录 window may wait for the officer for long, with the collector running."""
    officer = Officer()
    collecting: list[bool] = []

    def close_login() -> bool:
        dialog = _top(LoginDialog)
        if dialog is None:
            return False
        collecting.append(collection_on())
        dialog.reject()
        return True

    officer.then("the sign-in window", close_login)
    pause_collector()  # as the command line does before run_gui
    try:
        officer.run_to_the_end(GuiOptions(data_dir=tmp_path / "ws"))
    finally:
        resume_collector()
    assert collecting == [True]


def test_a_window_that_never_comes_fails_in_seconds(qtbot: QtBot, tmp_path: Path) -> None:
    """The deadline itself: waiting for something that never shows ends run_gui and names it."""
    officer = Officer(deadline_s=1.0)
    officer.then("a window that does not exist", lambda: False)
    started = time.monotonic()
    officer.run(GuiOptions(data_dir=tmp_path / "ws"))
    assert time.monotonic() - started < 15
    assert officer.failure == "still waiting for a window that does not exist after 1 s"
