"""Start-up as an officer sees it: the 登录 window first, then the console.

``run_gui`` runs in-process; timers act on the modal windows as the officer would.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sync_testkit import PASSWORDS, ServerProc

from console.app import run_gui
from console.cli import GuiOptions
from console.domain.reporting import DEFAULT_RULES
from console.domain.schema import Township
from console.services.context import open_workstation
from console.services.report_rules import list_rules
from console.views.login_dialog import LoginDialog
from console.views.main_window import MainWindow


def _top(kind: type) -> object | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None
    )


def test_sign_in_then_console_then_quit(qtbot: QtBot, server: ServerProc, tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    def fill_login() -> None:
        dialog = _top(LoginDialog)
        if not isinstance(dialog, LoginDialog):
            QTimer.singleShot(50, fill_login)
            return
        dialog.server_edit.setText(server.url)
        dialog.user_edit.setText("zhang")
        dialog.password_edit.setText(PASSWORDS["zhang"][1])
        dialog.login_button.click()
        QTimer.singleShot(50, look_at_console)

    def look_at_console() -> None:
        window = _top(MainWindow)
        if (
            not isinstance(window, MainWindow)
            or window.status is None  # the frame is up before its data
            or window.status.connection.text() != "● 在线"
        ):
            QTimer.singleShot(50, look_at_console)
            return
        seen["officer"] = window.status.officer.text()
        queries = window.context.queries
        seen["townships"] = str(queries.count(Township))
        seen["sample"] = str(queries.sample_present())
        window.close()

    QTimer.singleShot(0, fill_login)
    code = run_gui(GuiOptions(data_dir=tmp_path / "ws"))
    assert code == 0
    assert seen["officer"] == "值班员：zhang"
    # Joining a server on first run: no sample county pushed into it, data comes by pull.
    assert (seen["townships"], seen["sample"]) == ("0", "False")
    ws = open_workstation(tmp_path / "ws", autoload=False)
    try:
        assert ws.queries.sync_counters().next_mutation_id == 1  # nothing of ours to push
        assert len(list_rules(ws.writer)) == len(DEFAULT_RULES)  # pulled from the server
    finally:
        ws.close()


def test_standalone_first_run_loads_the_sample(qtbot: QtBot, tmp_path: Path) -> None:
    seen: dict[str, bool] = {}

    def choose_standalone() -> None:
        dialog = _top(LoginDialog)
        if not isinstance(dialog, LoginDialog):
            QTimer.singleShot(50, choose_standalone)
            return
        dialog.standalone_button.click()
        QTimer.singleShot(50, look)

    def look() -> None:
        window = _top(MainWindow)
        if not isinstance(window, MainWindow) or not window.attached:
            QTimer.singleShot(50, look)
            return
        seen["sample"] = window.context.queries.sample_present()
        seen["badge"] = not window.status.sample.isHidden()
        window.close()

    QTimer.singleShot(0, choose_standalone)
    assert run_gui(GuiOptions(data_dir=tmp_path / "ws")) == 0
    assert seen == {"sample": True, "badge": True}


def test_closing_the_sign_in_window_does_not_start(qtbot: QtBot, tmp_path: Path) -> None:
    def close_login() -> None:
        dialog = _top(LoginDialog)
        if isinstance(dialog, LoginDialog):
            dialog.reject()
        else:
            QTimer.singleShot(50, close_login)

    QTimer.singleShot(0, close_login)
    assert run_gui(GuiOptions(data_dir=tmp_path / "ws")) == 0
    assert _top(MainWindow) is None
