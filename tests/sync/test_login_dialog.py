"""The 登录 dialog against a real server: online, wrong password, offline during an outage."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sync_testkit import PASSWORDS

from console.services.accounts import Accounts
from console.services.context import open_workstation
from console.views.login_dialog import LoginDialog
from testkit.server import ServerProcess


def _sign_in(qtbot: QtBot, dialog: LoginDialog, server: str, user: str, password: str) -> None:
    dialog.server_edit.setText(server)
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.login_button.isEnabled(), timeout=15000)


def test_login_dialog_online_wrong_and_offline(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    ws = open_workstation(tmp_path / "ws")
    try:
        accounts = Accounts(ws.store)
        dialog = LoginDialog(accounts)
        qtbot.addWidget(dialog)
        _sign_in(qtbot, dialog, server.url, "zhang", "wrong")
        assert "用户名或密码错误" in dialog.message.text()
        assert dialog.result() != QDialog.DialogCode.Accepted

        _sign_in(qtbot, dialog, server.url, "zhang", PASSWORDS["zhang"][1])
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert dialog.session is not None and not dialog.session.offline

        server.stop()
        again = LoginDialog(accounts)
        qtbot.addWidget(again)
        with qtbot.waitSignal(again.prefilled, timeout=5000):
            pass  # the last sign-in is read on the task runner
        assert again.server_edit.text() == server.url  # prefilled from the last sign-in
        assert again.user_edit.text() == "zhang"
        _sign_in(qtbot, again, again.server_edit.text(), "zhang", PASSWORDS["zhang"][1])
        assert again.session is not None and again.session.offline
    finally:
        ws.close()
