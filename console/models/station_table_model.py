"""Stations of the 雨水情 page as a table: a tick to chart it, name, kind, township, latest
reading; and the proxy that filters them by township, kind and typed text.

At most :data:`MAX_CHARTED` stations are ticked at once; ticking one more is refused and
reported through :attr:`StationTableModel.refused`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from console.domain import catalog
from console.domain.beijing import BEIJING
from console.models.record_table import RECORD_ROLE, Column, RecordTableModel
from console.services.monitoring import MonitorStation

MAX_CHARTED = 4
Latest = Mapping[str, tuple[int, float]]  # station id -> (epoch s, value)
Index = QModelIndex | QPersistentModelIndex


def latest_text(station: MonitorStation, latest: tuple[int, float] | None) -> str:
    if latest is None:
        return "—"
    unit = "mm" if station.reading_kind == "rain" else "m"
    return f"{latest[1]:.1f} {unit}" if unit == "mm" else f"{latest[1]:.2f} {unit}"


def latest_tip(latest: tuple[int, float] | None) -> str:
    if latest is None:
        return "暂无数据"
    at = datetime.fromtimestamp(latest[0], BEIJING).strftime("%Y-%m-%d %H:%M")
    return f"最新观测时间 {at}（北京时间）"


def _kind_order(station: MonitorStation) -> str:
    """Rain stations first, then 水位站, 水文站, 水库 (the catalog's order), then by code; a
    string, which the proxy can compare (a tuple it cannot)."""
    kinds = catalog.STATION_KINDS
    rank = kinds.index(station.kind) if station.kind in kinds else len(kinds)
    return f"{rank:02d} {station.code}"


class StationTableModel(RecordTableModel[MonitorStation]):
    """Station records plus the newest reading of each; column 0 carries the tick."""

    checked_changed = Signal()
    refused = Signal(str)  # the station that could not be ticked (limit reached)

    def __init__(self, parent: QObject | None = None) -> None:
        self._latest: dict[str, tuple[int, float]] = {}
        self.columns = (
            Column[MonitorStation]("站名", lambda s: s.name),
            Column[MonitorStation]("类型", lambda s: s.kind, _kind_order),
            Column[MonitorStation]("乡镇", lambda s: s.township or "—"),
            Column[MonitorStation](
                "最新",
                lambda s: latest_text(s, self._latest.get(s.id)),
                lambda s: self._latest.get(s.id, (0, float("-inf")))[1],
                True,
                lambda s: latest_tip(self._latest.get(s.id)),
            ),
        )
        super().__init__((), parent)
        self._checked: list[str] = []  # in the order ticked: the charts' order
        self.user_picked = False  # the officer ticked or unticked: no more default picks

    def key(self, record: MonitorStation) -> Hashable:
        return record.id

    def set_stations(self, stations: Sequence[MonitorStation], latest: Latest) -> None:
        self._latest = dict(latest)
        ids = {s.id for s in stations}
        before = list(self._checked)
        self._checked = [sid for sid in self._checked if sid in ids]
        self.set_records(stations)
        if self._checked != before:
            self.checked_changed.emit()

    def latest(self, station_id: str) -> tuple[int, float] | None:
        return self._latest.get(station_id)

    def checked(self) -> list[MonitorStation]:
        by_id = {s.id: s for s in self._records}
        return [by_id[sid] for sid in self._checked if sid in by_id]

    def set_checked(self, station_ids: Sequence[str]) -> None:
        self._checked = list(dict.fromkeys(station_ids))[:MAX_CHARTED]
        if self._records:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._records) - 1, 0), [_CHECK])
        self.checked_changed.emit()

    # -- Qt -----------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == _CHECK and index.isValid() and index.column() == 0:
            record = self._records[index.row()]
            return Qt.CheckState.Checked if record.id in self._checked else Qt.CheckState.Unchecked
        return super().data(index, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != _CHECK or not index.isValid() or index.column() != 0:
            return False
        record = self._records[index.row()]
        on = Qt.CheckState(value) == Qt.CheckState.Checked
        if on == (record.id in self._checked):
            return False
        if on and len(self._checked) >= MAX_CHARTED:
            self.refused.emit(record.name)
            return False
        self.user_picked = True
        if on:
            self._checked.append(record.id)
        else:
            self._checked.remove(record.id)
        self.dataChanged.emit(index, index, [_CHECK])
        self.checked_changed.emit()
        return True


_CHECK = int(Qt.ItemDataRole.CheckStateRole)
ALL = ""


class StationFilterProxy(QSortFilterProxyModel):
    """Rows whose township and kind match the pickers and whose text contains the query."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.township_id = ALL
        self.kind = ALL
        self.query = ""

    def set_filter(self, township_id: str, kind: str, query: str) -> None:
        self.beginFilterChange()
        self.township_id, self.kind, self.query = township_id, kind, query.strip()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        station = model.data(model.index(source_row, 0, source_parent), RECORD_ROLE)
        if not isinstance(station, MonitorStation):
            return False
        if self.township_id and station.township_id != self.township_id:
            return False
        if self.kind and station.kind != self.kind:
            return False
        if self.query:
            haystack = f"{station.name} {station.code} {station.township} {station.kind}"
            return self.query.lower() in haystack.lower()
        return True
