"""伤亡与损失: the figures of an incident, corrected after the call (a third death reported
at the hospital, the area burned measured the next morning).

The dialog only states the figures; the incident detail writes them through
``IncidentService.update`` (with the values the officer saw, so a change made meanwhile on
another workstation is reported as a conflict) and closes the dialog once they are saved.
A refused write leaves the dialog open with the reason and the numbers typed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.schema import ENTITY_FIELDS

_INCIDENT = ENTITY_FIELDS["incidents"]
# The figures the grading table and the 补报 rules read, in the order a report gives them.
FIGURES: tuple[str, ...] = (
    "dead",
    "missing",
    "injured",
    "seriously_injured",
    "trapped",
    "evacuated",
    "economic_loss",
    "area_burned",
)


class CasualtyDialog(QDialog):
    submitted = Signal(dict)  # the figures changed, field -> new value (never empty)

    def __init__(self, incident: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CasualtyDialog")
        self.setWindowTitle("修改伤亡与损失")
        self.incident = dict(incident)  # as the officer saw it: the ``before`` of the write
        self._writing = False  # a write is running: the dialog waits for it
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        title = QLabel(f"伤亡与损失：{incident.get('title') or ''}", self)
        title.setObjectName("CardHeading")
        title.setWordWrap(True)
        layout.addWidget(title)
        note = QLabel("伤亡数字的变化记入事件记录（伤亡变化），需要时产生补报时限。", self)
        note.setObjectName("Muted")
        note.setWordWrap(True)
        layout.addWidget(note)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        self.boxes: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for n, key in enumerate(FIGURES):
            spec = _INCIDENT[key]
            box: QSpinBox | QDoubleSpinBox
            if spec.kind is int:
                box = QSpinBox(self)
                box.setRange(int(spec.minimum or 0), int(spec.maximum or 10_000_000))
                box.setValue(int(incident.get(key) or 0))
            else:
                box = QDoubleSpinBox(self)
                box.setDecimals(2)
                box.setRange(float(spec.minimum or 0), float(spec.maximum or 1e9))
                box.setValue(float(incident.get(key) or 0))
            box.setObjectName(f"figure_{key}")
            box.setAlignment(Qt.AlignmentFlag.AlignRight)
            box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
            box.setMinimumWidth(120)
            label = QLabel(spec.label, self)
            label.setBuddy(box)
            row, column = divmod(n, 2)
            grid.addWidget(label, row, 2 * column)
            grid.addWidget(box, row, 2 * column + 1)
            self.boxes[key] = box
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)

        self.error = QLabel(self)
        self.error.setObjectName("FieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel = QPushButton("取消", self)
        self.save = QPushButton("保存", self)
        self.save.setObjectName("PrimaryButton")
        self.save.setDefault(True)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        layout.addLayout(buttons)
        self.cancel.clicked.connect(self.reject)
        self.save.clicked.connect(self._submit)

    def values(self) -> dict[str, Any]:
        return {key: box.value() for key, box in self.boxes.items()}

    def changes(self) -> dict[str, Any]:
        """The figures that differ from the incident as it was shown."""
        return {
            key: value
            for key, value in self.values().items()
            if value != (self.incident.get(key) or 0)
        }

    def _submit(self) -> None:
        changed = self.changes()
        if not changed:
            self.show_error("数字没有变化")
            return
        self._writing = True
        self.save.setEnabled(False)  # until the write has returned
        self.cancel.setEnabled(False)
        self.error.hide()
        self.submitted.emit(changed)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def write_finished(self, saved: bool) -> None:
        self._writing = False
        if not saved:
            self.save.setEnabled(True)
            self.cancel.setEnabled(True)

    def reject(self) -> None:
        if not self._writing:  # Esc while saving: the write's outcome is shown here
            super().reject()
