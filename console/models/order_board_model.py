"""The call board of an order (叫应): recipients in chain order with their state; the
silent ones past the order's time in the danger colour, the other silent ones in the
warning colour, those who answered in the ok colour."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from console.domain import beijing
from console.models.record_table import Column, Index, RecordTableModel
from console.services.orders import BoardRow


def _acked(r: BoardRow) -> str:
    s = r.state
    if s.acked_at is None:
        return ""
    who = f" {s.acked_by}" if s.acked_by else ""
    return f"{beijing.display(s.acked_at)[-5:]} {s.channel}{who}".strip()


def _feedback(r: BoardRow) -> str:
    s = r.state
    parts = [f"{s.value:g}" if s.value is not None else "", s.note]
    return "；".join(p for p in parts if p)


def _state(r: BoardRow) -> str:
    if r.state.escalated_to:
        return "已升级" if r.state.silent else r.state.state
    if r.state.silent:
        return "未叫应"
    return r.state.state


def _silent(r: BoardRow) -> str:
    return str(r.silent_minutes) if r.state.silent else ""


class OrderBoardModel(RecordTableModel[BoardRow]):
    columns = (
        Column[BoardRow]("层级", lambda r: ("↳ " if r.escalated_from else "") + r.level),
        Column[BoardRow]("责任", lambda r: r.role),
        Column[BoardRow]("姓名", lambda r: r.name, tooltip=lambda r: r.name),
        Column[BoardRow]("地点", lambda r: r.place),
        Column[BoardRow]("电话", lambda r: r.phone),
        Column[BoardRow]("状态", _state),
        Column[BoardRow]("沉默分钟", _silent, lambda r: r.silent_minutes, numeric=True),
        Column[BoardRow]("叫应", _acked),
        Column[BoardRow]("反馈", _feedback, tooltip=_feedback),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__((), parent)
        self.danger = QColor("#ff5a52")
        self.warn = QColor("#f2b43a")
        self.ok = QColor("#3fb96b")

    def set_colors(self, danger: str, warn: str, ok: str) -> None:
        self.danger, self.warn, self.ok = QColor(danger), QColor(warn), QColor(ok)

    def key(self, record: BoardRow) -> Hashable:
        return record.id

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.record(index.row())
            if row.overdue:
                return self.danger
            if row.state.silent and not row.state.escalated_to:
                return self.warn
            if not row.state.silent and index.column() == 5:
                return self.ok
            return None
        return super().data(index, role)

    def next_silent(self, after: int) -> int | None:
        """The first row below ``after`` still to be called (wrapping), None when none."""
        n = len(self._records)
        for step in range(1, n + 1):
            i = (after + step) % n
            r = self._records[i]
            if r.state.silent and not r.state.escalated_to:
                return i
        return None
