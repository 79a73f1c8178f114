"""The rows of an import preview: where, outcome, natural key, what changes or why refused.
Refused rows first (they are what the officer must fix), each outcome in its colour."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from console.models.record_table import Column, Index, RecordTableModel
from console.services.io.importer import OUTCOMES, UNCHANGED, RowResult

OUTCOME_COLUMN = 1


class ImportPreviewModel(RecordTableModel[RowResult]):
    columns = (
        Column[RowResult]("位置", lambda r: r.place),
        Column[RowResult]("结果", lambda r: r.outcome),
        Column[RowResult]("匹配键", lambda r: r.key),
        Column[RowResult](
            "说明（拒绝原因 / 修改的字段）", lambda r: r.detail, tooltip=lambda r: r.detail
        ),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__((), parent)
        self._colors: dict[str, str] = {}

    def set_colors(self, colors: Mapping[str, str]) -> None:
        """Outcome -> colour (the theme's danger/ok/warn/muted)."""
        self._colors = dict(colors)
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )

    def set_rows(self, rows: Sequence[RowResult]) -> None:
        order = {o: i for i, o in enumerate(OUTCOMES)}
        self.set_records(sorted(rows, key=lambda r: order[r.outcome]))  # stable: file order

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < self.rowCount():
            color = self._colors.get(self.record(index.row()).outcome)
            if color is not None:
                # Unchanged rows keep the table's own background: the eye goes to the rest.
                if (
                    role == Qt.ItemDataRole.BackgroundRole
                    and self.record(index.row()).outcome != UNCHANGED
                ):
                    tint = QColor(color)
                    tint.setAlpha(38)
                    return QBrush(tint)
                if role == Qt.ItemDataRole.ForegroundRole and index.column() == OUTCOME_COLUMN:
                    return QBrush(QColor(color))
        return super().data(index, role)
