"""The 排班 calendar: a month as a grid of weeks (rows) by weekdays (columns, 一 to 日).

Each day cell shows the day, a holiday's name, and each shift's 带班 and 值班 names; a
cell whose shift breaks a rule is shaded red with the reasons as its tooltip; today is
shaded in the accent colour. The model holds a :class:`~console.services.roster.MonthView`
handed to it (no reads of its own).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from console.domain import roster
from console.services.roster import MonthView

DayRole = Qt.ItemDataRole.UserRole + 1  # the cell's date (None outside the month)
ViolationRole = Qt.ItemDataRole.UserRole + 2  # the cell's violation messages
_Index = QModelIndex | QPersistentModelIndex
ROWS = 6


class RosterMonthTableModel(QAbstractTableModel):
    def __init__(self, danger: str, accent: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.view: MonthView | None = None
        self.today: date | None = None
        self._danger = QColor(danger)
        self._danger.setAlpha(90)
        self._accent = QColor(accent)
        self._accent.setAlpha(60)
        self._holiday = QColor(danger)

    def set_month(self, view: MonthView, today: date) -> None:
        self.beginResetModel()
        self.view, self.today = view, today
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else ROWS

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return f"星期{roster.WEEKDAYS[section]}"
        return None

    def day_at(self, row: int, column: int) -> date | None:
        if self.view is None:
            return None
        first, nxt = roster.month_bounds(self.view.year, self.view.month)
        day = first - timedelta(days=first.weekday()) + timedelta(days=row * 7 + column)
        return day if first <= day < nxt else None

    def index_of(self, day: date) -> QModelIndex:
        if self.view is None:
            return QModelIndex()
        first, _ = roster.month_bounds(self.view.year, self.view.month)
        offset = (day - first).days + first.weekday()
        return self.index(offset // 7, offset % 7)

    def violations(self, day: date) -> list[str]:
        assert self.view is not None
        return [
            v.message for s in self.view.day_shifts(day) for v in self.view.by_shift.get(s.key, [])
        ]

    def text(self, day: date) -> str:
        view = self.view
        assert view is not None
        head = str(day.day)
        holiday = view.holidays.get(day)
        if holiday:
            head += f"  {holiday[0]}" + ("（法定）" if holiday[1] else "")
        lines = [head]
        shifts = view.day_shifts(day)
        for shift in shifts:
            crew = view.crew(shift.key)
            leader = roster.crew_text(crew, roster.LEADER) or "—"
            officers = roster.crew_text(crew, roster.OFFICER) or "—"
            if len(shifts) > 1:
                lines.append(f"{shift.start:%H:%M} {leader}／{officers}")
            else:
                lines += [f"带班 {leader}", f"值班 {officers}"]
        return "\n".join(lines)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        day = self.day_at(index.row(), index.column())
        if role == DayRole:
            return day
        if day is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(day)
        if role == ViolationRole:
            return self.violations(day)
        if role == Qt.ItemDataRole.ToolTipRole:
            found = self.violations(day)
            return "\n".join(f"⚠ {m}" for m in found) if found else "按 Enter 排班"
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.violations(day):
                return QBrush(self._danger)
            if day == self.today:
                return QBrush(self._accent)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            assert self.view is not None
            if day in self.view.holidays:
                return QBrush(self._holiday)
            return None
        if role == Qt.ItemDataRole.FontRole and day == self.today:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.text(day).replace("\n", "，")
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid() or self.day_at(index.row(), index.column()) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
