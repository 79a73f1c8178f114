"""The incident list as a lazy table: only the sorted rowids are held; rows are fetched a page
(~200) at a time when the view asks for them, so 100,000 incidents cost one integer list.

Sorting re-queries the store with the sort key (no proxy over the whole table); filters are an
:class:`IncidentFilter`. The 报送时限 column shows the next report's countdown at the model's
clock, refreshed by :meth:`tick`.

A refresh (row ids, place names and the first page of rows with their deadlines) runs on
the task runner when the model has one, and lands as one reset on the GUI thread; a result
overtaken by a newer filter is dropped. A change that names incidents already shown, and
cannot alter which rows match or their order, updates those rows in place
(:meth:`update_rows`, ``dataChanged``) instead of a reset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from console.domain import beijing
from console.domain.sample import SAMPLE_LABEL
from console.domain.schema import ENTITY_FIELDS
from console.models.record_table import RECORD_ROLE, SORT_ROLE
from console.services.deadlines import OVERDUE, status_text
from console.services.incident_list import IncidentFilter
from console.services.incident_source import IncidentSource
from console.services.intake import classification

if TYPE_CHECKING:
    from console.store.changes import Changes
    from console.ui.tasks import TaskRunner

Index = QModelIndex | QPersistentModelIndex
PAGE = 200
FIRST_PAGE = 64  # the rows a refresh reads up front: a tall screenful (deadlines cost ~35 µs each)
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 3

GRADE_COLORS: dict[str, str] = {
    "特别重大": "#e5484d",
    "重大": "#f08c2e",
    "较大": "#e6b422",
    "一般": "#3d8bfd",
}
OVERDUE_COLOR = "#e5484d"

_INCIDENT = ENTITY_FIELDS["incidents"]
# (header, row key it shows, sort key of the store query or None). A column showing one
# declared field is headed by its label; status (changed only by incident.set_status),
# casualties and the next deadline are not fields of their own.
COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    (_INCIDENT["received_at"].label, "received_at", "received_at"),
    (_INCIDENT["title"].label, "title", "title"),
    (_INCIDENT["grade"].label, "grade", "grade"),
    ("状态", "status", "status"),
    (_INCIDENT["township_id"].label, "township_id", "township_id"),
    ("伤亡", "casualties", None),
    ("报送时限", "next_due", None),
)
DEADLINE_COLUMN = 6  # (the category shows in the title: 北界镇地质灾害)
# A row whose values here are unchanged still matches the same filters at the same place.
PLACE_KEYS = ("status", "category", "township_id", "grade", "received_at", "title", "deleted")
LIST_TABLES = ("incidents", "incident_reports", "report_rules", "townships", "villages")


@dataclass(frozen=True)
class Loaded:
    """What a refresh reads before the view can paint: ids, names, the first page."""

    names: dict[str, str]
    rowids: list[int]
    first: dict[int, dict[str, Any]]


def load(
    source: IncidentSource,
    flt: IncidentFilter,
    sort: str,
    descending: bool,
    focus: str = "",
    now: datetime | None = None,
) -> Loaded:
    """The whole refresh's reads (any thread): row ids, place names, the first page, and
    the page holding ``focus`` (the incident to keep or make selected) wherever it is."""
    rowids = source.rowids(flt, sort, descending)
    first = rowids[:FIRST_PAGE]
    wanted = list(first)
    focus_rowid = source.rowid_of(focus) if focus else None
    if focus_rowid is not None and focus_rowid not in set(first):
        try:
            start = (rowids.index(focus_rowid) // PAGE) * PAGE
        except ValueError:
            start = -1  # it does not match the filter
        if start >= 0:
            wanted += rowids[start : start + PAGE]
    return Loaded(source.place_names(), rowids, source.rows(wanted, now))


def _casualties(row: dict[str, Any]) -> str:
    parts = [
        f"{label}{row[key]}"
        for key, label in (("dead", "亡"), ("missing", "失"), ("injured", "伤"), ("trapped", "困"))
        if row.get(key)
    ]
    return " ".join(parts)


class IncidentTableModel(QAbstractTableModel):
    refreshed = Signal()  # a refresh (reset) has landed

    def __init__(
        self,
        source: IncidentSource,
        clock: Callable[[], datetime] = beijing.now,
        parent: QObject | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._clock = clock
        self._tasks = tasks  # None: refresh on the calling thread (tools, benches)
        self._generation = 0
        self._resets = 0  # resets so far: an in-place update older than a reset is dropped
        self._filter = IncidentFilter()
        self._sort = "received_at"
        self._descending = True
        self._rowids: list[int] = []
        self._loaded = False  # the view's initial sort must not query before the filter
        self._cache: dict[int, dict[str, Any]] = {}
        self._names: dict[str, str] = {}
        self._focus = ""  # the incident whose page a refresh reads up front
        # Pages (their first row) asked of the task runner, and read, since the last reset
        # or cache drop: a page is read once, on the runner, never in data().
        self._fetching: set[int] = set()
        self._fetched: set[int] = set()

    # -- queries ---------------------------------------------------------------------------
    @property
    def filter(self) -> IncidentFilter:
        return self._filter

    def set_filter(self, flt: IncidentFilter) -> None:
        self._filter = flt
        self.refresh()

    @property
    def loading(self) -> bool:
        """A background refresh has been asked for and has not landed yet."""
        return self._generation > 0

    def set_focus(self, incident_id: str) -> None:
        """The incident the view keeps selected: each refresh reads its page up front, so
        :meth:`row_of` finds it without a read on the GUI thread."""
        self._focus = incident_id

    def refresh(self) -> None:
        """Re-query the rowids (after a change, filter or sort) and drop cached rows."""
        args = (
            self._source,
            self._filter,
            self._sort,
            self._descending,
            self._focus,
            self._clock(),
        )
        if self._tasks is None:
            self._land(load(*args))
            return
        self._generation += 1
        generation = self._generation
        self._tasks.run(load, *args, on_done=lambda r: self._landed(generation, r), receiver=self)

    def _landed(self, generation: int, loaded: Loaded) -> None:
        if generation == self._generation:  # else a newer refresh is on its way
            self._generation = 0
            self._land(loaded)

    def _land(self, loaded: Loaded) -> None:
        self._resets += 1
        self.beginResetModel()
        self._names = loaded.names
        self._rowids = loaded.rowids
        self._loaded = True
        self._drop_cache(dict(loaded.first))
        self.endResetModel()
        self.refreshed.emit()

    def update_rows(self, changes: Changes) -> bool:
        """Update the shown rows a change names in place (``dataChanged``); False when the
        set or order of rows may have changed and the caller must :meth:`refresh`.

        The named rows are re-read on the task runner; if they turn out to have moved (a
        status or time changed), that lands as a :meth:`refresh` instead."""
        if not self._loaded or self.loading or changes.touches("townships", "villages"):
            return False
        ids = changes.ids("incidents")
        if ids and self._filter.text:  # full-text membership cannot be checked here
            return False
        shown = {rec["id"]: rowid for rowid, rec in self._cache.items()}
        if not ids <= shown.keys():
            return False  # a new incident, or one not on a fetched page
        if changes.touches("incident_reports", "report_rules"):
            # Any countdown may have moved: forget the fetched rows; the view re-reads the
            # screenful it shows, as when scrolling.
            self._drop_cache()
            if self._rowids:
                last = self.index(len(self._rowids) - 1, len(COLUMNS) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            return True
        if not ids:
            return True
        wanted = {shown[i]: i for i in ids}
        resets = self._resets
        if self._tasks is None:
            self._rows_landed(resets, wanted, self._source.rows(list(wanted), self._clock()))
        else:
            self._tasks.run(
                self._source.rows,
                list(wanted),
                self._clock(),
                on_done=lambda fresh: self._rows_landed(resets, wanted, fresh),
                receiver=self,
            )
        return True

    def _rows_landed(
        self, resets: int, wanted: dict[int, str], fresh: dict[int, dict[str, Any]]
    ) -> None:
        if resets != self._resets or self.loading:
            return  # a refresh has replaced these rows meanwhile
        for rowid in wanted:
            old, new = self._cache.get(rowid), fresh.get(rowid)
            if old is None or new is None or any(old.get(k) != new.get(k) for k in PLACE_KEYS):
                self.refresh()  # it moved or left the filter
                return
        self._cache.update(fresh)
        rows = sorted(self._rowids.index(r) for r in wanted)
        self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(COLUMNS) - 1))

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
        if self._tasks is not None:  # re-query off the GUI thread; lands as a refresh
            self.refresh()
            return
        self.layoutAboutToBeChanged.emit()
        self._rowids = self._source.rowids(self._filter, self._sort, self._descending)
        self._drop_cache()
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
    def _drop_cache(self, keep: dict[int, dict[str, Any]] | None = None) -> None:
        self._cache = keep or {}
        self._fetching = set()
        self._fetched = set()

    def row_record(self, row: int) -> dict[str, Any] | None:
        """The row's record; None while its page is being read (with a task runner the
        read runs there and the rows repaint when it lands)."""
        if not (0 <= row < len(self._rowids)):
            return None
        rowid = self._rowids[row]
        record: dict[str, Any] | None = self._cache.get(rowid)
        if record is None:
            start = (row // PAGE) * PAGE
            if self._tasks is not None:
                self._fetch_page(start)
                return None
            self._page_landed(
                self._resets, start, self._source.rows(self._page(start), self._clock())
            )
            record = self._cache.get(rowid)
        return record

    def _page(self, start: int) -> list[int]:
        return self._rowids[start : start + PAGE]

    def _fetch_page(self, start: int) -> None:
        if start in self._fetching or start in self._fetched or self._tasks is None:
            return
        self._fetching.add(start)
        resets = self._resets
        self._tasks.run(
            self._source.rows,
            self._page(start),
            self._clock(),
            on_done=lambda fresh: self._page_landed(resets, start, fresh),
            receiver=self,
        )

    def fetching(self) -> bool:
        """Some rows' page is being read on the task runner."""
        return bool(self._fetching)

    def _page_landed(self, resets: int, start: int, fresh: dict[int, dict[str, Any]]) -> None:
        if resets != self._resets or (start not in self._fetching and self._tasks is not None):
            return  # a reset or a dropped cache has replaced these rows meanwhile
        if len(self._cache) > 20 * PAGE:  # keep memory bounded when scrolling far
            self._drop_cache()
        self._fetching.discard(start)
        self._fetched.add(start)  # rows that vanished meanwhile are not asked for again
        self._cache.update(fresh)
        end = min(start + PAGE, len(self._rowids)) - 1
        if self._tasks is not None and end >= start:
            self.dataChanged.emit(self.index(start, 0), self.index(end, len(COLUMNS) - 1))

    def row_of(self, incident_id: str) -> int:
        """The row showing this incident, or -1. With a task runner only the rows already
        read count (a refresh reads the :meth:`set_focus` incident's page); without one the
        first screens are read here."""
        for rowid, rec in self._cache.items():
            if rec["id"] == incident_id and rowid in self._rowids:
                return self._rowids.index(rowid)
        if self._tasks is not None:
            return -1
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
            reading = role == Qt.ItemDataRole.DisplayRole and index.column() == 1
            return "读取中……" if reading and self._fetching else None
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
            # The title names the event; what it was filed as shows on hover.
            if key != "title":
                return None
            sample = f"\n{SAMPLE_LABEL}" if record.get("is_sample") else ""
            return f"{record['title']}\n{classification(record)}{sample}"
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
            return status_text(record.get("reporting"), self._clock())
        if key == "grade":
            return record.get("grade") or ("不分级" if record["category"] == "社会安全事件" else "")
        return str(record.get(key) or "")
