"""设置视频地址 (administrators): a camera's stream address and optional user name and
password, sent to the duty-server by the video page (services.cameras.StreamSettings).

The dialog holds what is typed only while it is open: nothing is written on the workstation,
the password field echoes dots and the stored password is never shown back (the current
address is shown with it masked).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.domain import cameras as rules
from console.services.cameras import StreamSetting

PLACEHOLDERS = {
    "RTSP": "rtsp://网关地址:554/通道路径",
    "HLS": "http://网关地址/live/通道.m3u8",
    "HTTP-FLV": "http://网关地址/live/通道.flv",
    "MJPEG": "http://设备地址/mjpeg",
    "文件": "file:///视频文件路径.mp4",
}


class StreamDialog(QDialog):
    """``save_requested(url, username, password)``: the page checks and sends it, then calls
    :meth:`saved` or :meth:`refused`."""

    save_requested = Signal(str, str, str)

    def __init__(self, camera: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera = camera
        protocol = str(camera.get("protocol", ""))
        self.setWindowTitle(f"设置视频地址：{camera['name']}")
        self.setMinimumWidth(620)
        box = QVBoxLayout(self)
        schemes = "、".join(f"{s}://" for s in rules.SCHEMES.get(protocol, ()))
        intro = QLabel(
            f"{camera['name']}（{camera.get('department', '')}，{protocol}）。"
            f"地址须以 {schemes} 开头，GB/T 28181 摄像机填写县媒体网关转出的地址。"
            "地址和密码只保存在服务器上，本机不保存。",
            self,
        )
        intro.setWordWrap(True)
        box.addWidget(intro)
        form = QFormLayout()
        self.current = QLabel("正在读取服务器上的地址…", self)
        self.current.setObjectName("Muted")
        self.current.setWordWrap(True)
        form.addRow("当前地址", self.current)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText(PLACEHOLDERS.get(protocol, ""))
        self.url.setMaxLength(rules.URL_MAX_LEN)
        form.addRow("视频地址", self.url)
        self.username = QLineEdit(self)
        self.username.setPlaceholderText("可选")
        self.username.setMaxLength(rules.SECRET_MAX_LEN)
        form.addRow("用户名", self.username)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("可选；用户名不变时留空则保留原密码")
        self.password.setMaxLength(rules.SECRET_MAX_LEN)
        form.addRow("密码", self.password)
        box.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName("FieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        box.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存到服务器")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)

    def show_current(self, setting: StreamSetting | None) -> None:
        """What the server holds: the address (password masked) and the user name filled in
        for editing; the password field stays empty."""
        if setting is None:
            self.current.setText("尚未设置")
            return
        self.current.setText(setting.masked())
        if not self.url.text():
            self.url.setText(setting.url)
        if not self.username.text():
            self.username.setText(setting.username)

    def read_failed(self, why: str) -> None:
        self.current.setText(f"未能读取：{why}")

    def _save(self) -> None:
        self.buttons.setEnabled(False)
        self.error.hide()
        self.save_requested.emit(self.url.text(), self.username.text(), self.password.text())

    def refused(self, why: str) -> None:
        """Not saved: the reason shown, everything typed kept."""
        self.buttons.setEnabled(True)
        self.error.setText(why)
        self.error.show()

    def saved(self) -> None:
        self.password.clear()
        self.accept()
