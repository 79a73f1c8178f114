"""The question asked when a workstation holding the sample county joins a server.

The default answer discards the sample (and the standalone default rules) and takes the
county from the server; keeping it is for a demo server (``duty-server load-sample``),
the only kind that accepts sample data. The officer's own work is kept either way.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

QUESTION = (
    "本机有单机使用时载入的样例数据（演示用的虚拟数据）。\n\n"
    "连接服务器时，是否丢弃样例数据，并从服务器下载全县数据？\n"
    "您自己录入的记录会保留，并提交到服务器。"
)
DETAIL = "样例数据不会提交到正式服务器；只有演示服务器（加载了样例数据的服务器）接受样例数据。"


class SampleQuestion(QMessageBox):
    """丢弃样例数据 (the default button, and what Esc means) or 保留 (demo servers only)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("样例数据")
        self.setIcon(QMessageBox.Icon.Question)
        self.setText(QUESTION)
        self.setInformativeText(DETAIL)
        self.discard_button = self.addButton(
            "丢弃样例数据，下载全县数据", QMessageBox.ButtonRole.AcceptRole
        )
        self.keep_button = self.addButton(
            "保留样例数据（仅演示服务器）", QMessageBox.ButtonRole.RejectRole
        )
        self.setDefaultButton(self.discard_button)
        # Closing the window (Esc) is not a choice to keep: discarding is the safe answer.
        self.setEscapeButton(self.discard_button)

    def keep_chosen(self) -> bool:
        return self.clickedButton() is self.keep_button


def keep_sample_on_joining(parent: QWidget | None, local_only: int) -> bool:
    """Ask when there is sample data waiting; True only when the officer chose to keep it."""
    if local_only <= 0:
        return False
    question = SampleQuestion(parent)
    question.exec()
    return question.keep_chosen()
