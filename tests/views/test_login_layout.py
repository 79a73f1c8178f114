"""The 登录 dialog keeps its fields' size when an error shows under them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.services.accounts import Accounts
from console.services.context import open_workstation
from console.ui.theme import ThemeManager
from console.views.login_dialog import LoginDialog
from testkit.server import free_port


def fields(dialog: LoginDialog) -> list[QRect]:
    return [w.geometry() for w in (dialog.server_edit, dialog.user_edit, dialog.password_edit)]


# a themed top-level dialog asks the offscreen platform for something it cannot do
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_an_error_leaves_the_fields_as_they_were(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    theme = ThemeManager(qapp, "light")  # the dialog as the officer sees it, themed
    theme.apply()
    ws = open_workstation(tmp_path / "ws")
    try:
        dialog = LoginDialog(Accounts(ws.store))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        with qtbot.waitSignal(dialog.prefilled, timeout=5000):
            pass
        QApplication.processEvents()
        before = fields(dialog)
        dialog.server_edit.setText(f"http://127.0.0.1:{free_port()}")
        dialog.user_edit.setText("zhang")
        dialog.password_edit.setText("x")
        qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.login_button.isEnabled(), timeout=15000)
        QApplication.processEvents()
        assert dialog.message.text() not in ("", "正在登录……")
        assert fields(dialog) == before
    finally:
        ws.close()
        theme.deleteLater()
