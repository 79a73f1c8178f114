"""登录 dialog: server address, account, password; works offline against the local verifier.

The sign-in runs on the task runner (an unreachable server takes seconds to time out); the
result comes back on the GUI thread while the modal dialog's event loop runs. "单机使用" opens
the console without a server: everything is kept locally and synced once a server is
configured. The 演练模式 switch closes the dialog so that the app reopens on the drill
store (or back on the real one).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.domain import drill as drill_mode
from console.services.accounts import Accounts, LoginError, Session
from console.ui.tasks import TaskRunner
from console.views.drill_banner import drill_bar

log = logging.getLogger(__name__)
DEFAULT_SERVER = "http://127.0.0.1:8765"
DEFAULT_DRILL_SERVER = "http://127.0.0.1:8766"  # duty-server --drill
DRILL_SWITCH_HINT = "切换后值班台将重新打开：演练模式使用单独的演练数据和演练服务器。"


class LoginDialog(QDialog):
    prefilled = Signal()  # the last sign-in has been read (and shown unless typed over)

    def __init__(
        self,
        accounts: Accounts,
        parent: QWidget | None = None,
        *,
        allow_standalone: bool = True,
        tasks: TaskRunner | None = None,
        drill: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks or TaskRunner(1, self)
        self.setWindowTitle("登录 — 县综合应急指挥中心值班台")
        self.setMinimumWidth(440)
        self._accounts = accounts
        self.session: Session | None = None
        self.standalone = False
        if drill is None:
            drill = drill_mode.active()
        self.drill = drill
        self.switch_drill: bool | None = None  # the officer switched 演练模式: reopen so
        self._default_server = DEFAULT_DRILL_SERVER if drill else DEFAULT_SERVER

        # Prefilled from the last sign-in once that is read (on the task runner), unless
        # the officer has started typing by then.
        self.server_edit = QLineEdit(self._default_server)
        self.user_edit = QLineEdit("")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("loginMessage")
        # Room for a three-line error from the start, and fields that never give up height:
        # an error appearing must not squeeze or move what the officer is typing in.
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 3)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for edit in (self.server_edit, self.user_edit, self.password_edit):
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

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
        self.drill_box = QCheckBox("演练模式（数据不计入正式记录）")
        self.drill_box.setObjectName("DrillSwitch")
        self.drill_box.setChecked(drill)
        self.drill_box.setToolTip(DRILL_SWITCH_HINT)
        self.drill_box.toggled.connect(self._drill_toggled)
        # At start-up only: switching reopens the console (the 同步状态 page's 连接 does not).
        self.drill_box.setVisible(allow_standalone)
        layout = QVBoxLayout(self)
        if drill:
            bar = drill_bar(self)
            layout.addWidget(bar)
        layout.addLayout(form)
        layout.addWidget(self.drill_box)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.user_edit.setFocus()
        self._tasks.run(accounts.last_login, on_done=self._prefill, receiver=self)

    def _prefill(self, last: tuple[str, str] | None) -> None:
        typed = self.server_edit.text() != self._default_server or self.user_edit.text() != ""
        if last is not None and not typed:
            self.server_edit.setText(last[0])
            self.user_edit.setText(last[1])
            if self.user_edit.hasFocus():
                self.password_edit.setFocus()
        self.prefilled.emit()

    @Slot()
    def _login(self) -> None:
        server, user = self.server_edit.text(), self.user_edit.text()
        password = self.password_edit.text()
        self._busy(True)
        self.message.setText("正在登录……")

        self._tasks.run(
            self._accounts.login, server, user, password, on_done=self._done, on_error=self._failed
        )

    def _failed(self, error: BaseException) -> None:
        # Never leave the dialog hanging on a surprise: say it, and log a real bug.
        if isinstance(error, LoginError):
            self._done(str(error))
            return
        log.error("sign-in failed", exc_info=error)
        self._done(f"登录出错：{error}")

    def _done(self, result: object) -> None:
        self._busy(False)
        if isinstance(result, Session):
            self.session = result
            self.accept()
            return
        self.message.setText(str(result))
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    @Slot(bool)
    def _drill_toggled(self, on: bool) -> None:
        """演练模式 switched: close, and the app reopens on the other store."""
        if on == self.drill:
            return
        self.switch_drill = on
        self.accept()

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
