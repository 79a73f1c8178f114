"""登录 dialog: server address, account, password; works offline against the local verifier.

The sign-in runs on a worker thread (an unreachable server takes seconds to time out), the
result comes back through a queued signal. "单机使用" opens the console without a server:
everything is kept locally and synced once a server is configured.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.services.accounts import Accounts, LoginError, Session

DEFAULT_SERVER = "http://127.0.0.1:8765"


class LoginDialog(QDialog):
    _finished = Signal(object)  # Session | str (Chinese error)

    def __init__(
        self, accounts: Accounts, parent: QWidget | None = None, *, allow_standalone: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("登录 — 县综合应急指挥中心值班台")
        self.setMinimumWidth(440)
        self._accounts = accounts
        self.session: Session | None = None
        self.standalone = False

        last = accounts.last_login()
        self.server_edit = QLineEdit(last[0] if last else DEFAULT_SERVER)
        self.user_edit = QLineEdit(last[1] if last else "")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("loginMessage")

        form = QFormLayout()
        form.addRow("服务器地址", self.server_edit)
        form.addRow("账号", self.user_edit)
        form.addRow("密码", self.password_edit)

        buttons = QDialogButtonBox()
        self.login_button = QPushButton("登录")
        self.login_button.setDefault(True)
        self.standalone_button = QPushButton("单机使用（暂不连接服务器）")
        buttons.addButton(self.login_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.standalone_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.standalone_button.setVisible(allow_standalone)
        self.login_button.clicked.connect(self._login)
        self.standalone_button.clicked.connect(self._standalone)

        hint = QLabel(
            "网络中断时，曾在本机成功登录过的账号可以离线登录；"
            "离线期间的所有操作保存在本机，恢复连接后自动同步。"
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._finished.connect(self._done, Qt.ConnectionType.QueuedConnection)
        (self.password_edit if last else self.user_edit).setFocus()

    @Slot()
    def _login(self) -> None:
        server, user = self.server_edit.text(), self.user_edit.text()
        password = self.password_edit.text()
        self._busy(True)
        self.message.setText("正在登录……")

        def work() -> None:
            try:
                self._finished.emit(self._accounts.login(server, user, password))
            except LoginError as exc:
                self._finished.emit(str(exc))
            except Exception as exc:  # never leave the dialog hanging on a surprise
                self._finished.emit(f"登录出错：{exc}")

        threading.Thread(target=work, name="login", daemon=True).start()

    @Slot(object)
    def _done(self, result: object) -> None:
        self._busy(False)
        if isinstance(result, Session):
            self.session = result
            self.accept()
            return
        self.message.setText(str(result))
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    @Slot()
    def _standalone(self) -> None:
        self.standalone = True
        self.accept()

    def _busy(self, busy: bool) -> None:
        for widget in (
            self.login_button,
            self.standalone_button,
            self.server_edit,
            self.user_edit,
            self.password_edit,
        ):
            widget.setEnabled(not busy)
