"""The grade hint: numbers that imply a more severe grade than the one chosen, said with the
rows of the grading table (定级标准) and their source, and a button that accepts it.

Shown by the intake form and by the incident detail; it never reads anything itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from console.domain import grading


class GradeHint(QFrame):
    """按所填数字应定为“较大”：死亡 5 人（≥ 3 人 为较大），依据：… [按此定级（Alt+G）]."""

    def __init__(self, parent: QWidget | None = None, action: str = "按此定级（Alt+G）") -> None:
        super().__init__(parent)
        self.setObjectName("GradeHint")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        self.text = QLabel(self)
        self.text.setObjectName("GradeHintText")
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.accept_button = QPushButton(action, self)
        self.accept_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not in the Tab walk
        row.addWidget(self.accept_button, 0, Qt.AlignmentFlag.AlignTop)
        self.finding: grading.Finding | None = None
        self.hide()

    def offer(self, finding: grading.Finding | None) -> None:
        self.finding = finding
        if finding is None:
            self.hide()
            return
        reasons = "；".join(r.text() for r in finding.reasons)
        self.text.setText(f"按所填数字应定为“{finding.grade}”：{reasons}")
        self.show()
