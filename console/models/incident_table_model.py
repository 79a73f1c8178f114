"""The incident list as a lazy table: only the sorted rowids are held; rows are fetched a page
(~200) at a time when the view asks for them, so 100,000 incidents cost one integer list.

Sorting re-queries the store with the sort key (no proxy over the whole table); filters are an
:class:`IncidentFilter`. The 报送时限 column shows the next report's countdown at the model's
clock, refreshed by :meth:`tick`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from console.domain import beijing
from console.models.record_table import RECORD_ROLE, SORT_ROLE
from console.services.deadlines import OVERDUE, countdown_text
from console.services.incident_list import IncidentFilter
from console.services.incident_source import IncidentSource

Index = QModelIndex | QPersistentModelIndex
PAGE = 200
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 3

GRADE_COLORS: dict[str, str] = {
    "特别重大": "#e5484d",
    "重大": "#f08c2e",
    "较大": "#e6b422",
    "一般": "#3d8bfd",
}
OVERDUE_COLOR = "#e5484d"

# (header, row key it shows, sort key of the store query or None)
COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("接报时间", "received_at", "received_at"),
    ("事件", "title", "title"),
    ("等级", "grade", "grade"),
    ("状态", "status", "status"),
    ("乡镇", "township_id", "township_id"),
    ("伤亡", "casualties", None),
    ("报送时限", "next_due", None),
)
DEADLINE_COLUMN = 6  # (the category shows in the title: 北界镇地质灾害)


def _casualties(row: dict[str, Any]) -> str:
    parts = [
        f"{label}{row[key]}"
        for key, label in (("dead", "亡"), ("missing", "失"), ("injured", "伤"), ("trapped", "困"))
        if row.get(key)
    ]
    return " ".join(parts)


class IncidentTableModel(QAbstractTableModel):
    def __init__(
        self,
        source: IncidentSource,
        clock: Callable[[], datetime] = beijing.now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._clock = clock
        self._filter = IncidentFilter()
        self._sort = "received_at"
        self._descending = True
        self._rowids: list[int] = []
        self._loaded = False  # the view's initial sort must not query before the filter
        self._cache: dict[int, dict[str, Any]] = {}
        self._names: dict[str, str] = {}

    # -- queries ---------------------------------------------------------------------------
    @property
    def filter(self) -> IncidentFilter:
        return self._filter

    def set_filter(self, flt: IncidentFilter) -> None:
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Re-query the rowids (after a change, filter or sort) and drop cached rows."""
        self.beginResetModel()
        self._names = self._source.place_names()
        self._rowids = self._source.rowids(self._filter, self._sort, self._descending)
        self._loaded = True
        self._cache = {}
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(COLUMNS)):
            return
        key = COLUMNS[column][2]
        if key is None:
            return
        self._sort = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        if not self._loaded:
            return
        self.layoutAboutToBeChanged.emit()
        self._rowids = self._source.rowids(self._filter, self._sort, self._descending)
        self._cache = {}
        self.layoutChanged.emit()

    def tick(self) -> None:
        """Repaint the countdown column (the clock moved)."""
        if self._rowids:
            self.dataChanged.emit(
                self.index(0, DEADLINE_COLUMN),
                self.index(len(self._rowids) - 1, DEADLINE_COLUMN),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )

    # -- rows ------------------------------------------------------------------------------
    def row_record(self, row: int) -> dict[str, Any] | None:
        if not (0 <= row < len(self._rowids)):
            return None
        rowid = self._rowids[row]
        record: dict[str, Any] | None = self._cache.get(rowid)
        if record is None:
            start = (row // PAGE) * PAGE
            page = self._rowids[start : start + PAGE]
            fetched = self._source.rows(page)
            if len(self._cache) > 20 * PAGE:  # keep memory bounded when scrolling far
                self._cache = {}
            self._cache.update(fetched)
            record = self._cache.get(rowid)
        return record

    def row_of(self, incident_id: str) -> int:
        """The row showing this incident, or -1 (only looks at cached pages first)."""
        for rowid, rec in self._cache.items():
            if rec["id"] == incident_id and rowid in self._rowids:
                return self._rowids.index(rowid)
        for row in range(min(len(self._rowids), 5 * PAGE)):  # the first screens only
            found = self.row_record(row)
            if found is not None and found["id"] == incident_id:
                return row
        return -1

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rowids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rowids):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.column() < len(COLUMNS)):
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.FontRole,
            SORT_ROLE,
            RECORD_ROLE,
            ID_ROLE,
        ):
            return None
        record = self.row_record(index.row())
        if record is None:
            return None
        column = index.column()
        key = COLUMNS[column][1]
        if role == RECORD_ROLE:
            return record
        if role == ID_ROLE:
            return record["id"]
        if role == SORT_ROLE:
            return record.get(key)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return record["title"] if key == "title" else None
        grade = record.get("grade") or ""
        if role == Qt.ItemDataRole.DecorationRole and key == "title" and grade in GRADE_COLORS:
            return QColor(GRADE_COLORS[grade])
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "grade" and grade in GRADE_COLORS:
                return QBrush(QColor(GRADE_COLORS[grade]))
            if key == "next_due" and self._overdue(record):
                return QBrush(QColor(OVERDUE_COLOR))
        if role == Qt.ItemDataRole.FontRole and (
            (key == "grade" and grade) or (key == "next_due" and self._overdue(record))
        ):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _overdue(self, record: dict[str, Any]) -> bool:
        due = record.get("next_due")
        return due is not None and due.alert(self._clock()) == OVERDUE

    def _text(self, record: dict[str, Any], key: str) -> str:
        if key == "received_at":
            return beijing.display(record["received_at"])[5:]
        if key == "township_id":
            return self._names.get(record.get("township_id") or "", "")
        if key == "casualties":
            return _casualties(record)
        if key == "next_due":
            due = record.get("next_due")
            return countdown_text(due, self._clock()) if due is not None else ""
        if key == "grade":
            return record.get("grade") or ("不分级" if record["category"] == "社会安全事件" else "")
        return str(record.get(key) or "")
