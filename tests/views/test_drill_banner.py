"""Drill mode (演练) on screen: the main window's bar above every other banner, the status
bar's badge, 【演练】 in window titles, the sign-in dialog's 演练模式 switch; none of it
outside drill mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from pytestqt.qtbot import QtBot

from console.domain import drill
from console.services.accounts import Accounts
from console.services.context import open_workstation
from console.views.drill_banner import TITLE_PREFIX, install_drill_titles
from console.views.login_dialog import DEFAULT_DRILL_SERVER, DEFAULT_SERVER, LoginDialog
from console.views.main_window import MainWindow


@pytest.fixture
def drill_on() -> None:
    """Drill mode before the window is built (request it before ``window``)."""
    drill.activate(True)


def test_drill_window_bar_badge_and_titles(drill_on: None, window: MainWindow) -> None:
    del drill_on
    win = window
    titles = install_drill_titles(QApplication.instance())  # type: ignore[arg-type]
    try:
        assert win.drill_bar is not None and win.drill_bar.isVisible()
        assert win.drill_bar.text() == "演练 — 数据不计入正式记录"
        assert win.drill_bar.geometry().top() == 0  # above the alert banners
        column = win.centralWidget().layout()  # type: ignore[union-attr]
        assert column is not None and column.indexOf(win.drill_bar) == 0
        for banner in (win.banner, win.threshold_banner, win.escalation_banner):
            if banner is not None:
                assert column.indexOf(banner) > 0
        assert win.status is not None and win.status.drill is not None
        assert win.status.drill.isVisible() and win.status.drill.text() == "演练"
        assert win.windowTitle().startswith(TITLE_PREFIX)
        other = QDialog()
        other.setWindowTitle("导出报告")
        other.show()  # any window shown in drill mode: its title says so
        assert other.windowTitle() == TITLE_PREFIX + "导出报告"
        other.close()
    finally:
        if titles is not None:
            QApplication.instance().removeEventFilter(titles)  # type: ignore[union-attr]


def test_no_drill_marks_outside_drill_mode(window: MainWindow) -> None:
    assert install_drill_titles(QApplication.instance()) is None  # type: ignore[arg-type]
    win = window
    assert win.drill_bar is None
    assert win.status is not None and win.status.drill is None
    assert not win.windowTitle().startswith(TITLE_PREFIX)
    assert not any(label.text() == "演练" for label in win.findChildren(QLabel))


def test_sign_in_switch_asks_to_reopen_on_the_other_store(qtbot: QtBot, tmp_path: Path) -> None:
    ws = open_workstation(tmp_path / "ws")
    try:
        dialog = LoginDialog(Accounts(ws.store))
        qtbot.addWidget(dialog)
        assert dialog.server_edit.text() == DEFAULT_SERVER
        assert not dialog.drill_box.isChecked() and dialog.findChild(QLabel, "DrillBanner") is None
        dialog.drill_box.setChecked(True)
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert dialog.switch_drill is True and dialog.session is None

        drill.activate(True)
        in_drill = LoginDialog(Accounts(ws.store), drill=True)
        qtbot.addWidget(in_drill)
        assert in_drill.server_edit.text() == DEFAULT_DRILL_SERVER
        assert in_drill.findChild(QLabel, "DrillBanner") is not None
        in_drill.drill_box.setChecked(False)
        assert in_drill.switch_drill is False
        connect = LoginDialog(Accounts(ws.store), allow_standalone=False)  # 同步状态 → 连接
        qtbot.addWidget(connect)
        assert connect.server_edit.text() == DEFAULT_DRILL_SERVER  # drill mode: from the switch
        assert connect.drill_box.isHidden() and not dialog.drill_box.isHidden()
    finally:
        ws.close()


def test_restart_arguments_switch_the_store_of_the_same_folder(tmp_path: Path) -> None:
    real = tmp_path / "ws"
    folder = drill.drill_dir(real)
    argv = ["--theme", "light", "--data-dir", str(folder), "--drill", "--view", "intake"]
    back = drill.restart_arguments(argv, folder, drill=False)
    assert back == ["--theme", "light", "--view", "intake", "--data-dir", str(real)]
    there = drill.restart_arguments([f"--data-dir={real}"], real, drill=True)
    assert there == ["--data-dir", str(real), "--drill"]
