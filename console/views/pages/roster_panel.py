"""排班 tab of 队伍与值班 (issue #14): the month's duty roster."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from console.views.pages.base import PageContext


class RosterPanel(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        note = QLabel("排班功能尚在建设中。", self)
        note.setObjectName("Muted")
        layout.addWidget(note)
        layout.addStretch(1)
