"""Readings as numpy arrays from the workstation's local ``readings`` table
(:class:`~console.services.readings_source.ReadingsSource`).

Every query walks the table's key (station_id, kind, ts): one station's series is one range
scan, the newest reading of each station one seek per station. ``stamp`` grows with every
announcement that readings landed (the channel's pages, a phoned-in report), so a view
refreshes when it changed since it last looked.
"""

from __future__ import annotations

import threading

import numpy as np

from console.domain.readings import KINDS
from console.domain.schema import Station
from console.services.readings_source import ReadingKind, Times, Values
from console.store.changes import Changes
from console.store.database import Store

_SERIES = (
    "SELECT ts, value FROM readings WHERE station_id = ? AND kind = ? AND ts BETWEEN ? AND ? "
    "ORDER BY ts"
)
_NEWEST = (
    "SELECT ts, value FROM readings WHERE station_id = ? AND kind = ? ORDER BY ts DESC LIMIT 1"
)
_SIMULATED = (
    "SELECT 1 FROM readings WHERE station_id = ? AND kind = ? AND ts BETWEEN ? AND ? "
    "AND simulated LIMIT 1"
)


class ReadingsService:
    """The workstation's readings for the monitoring views and the threshold engine."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._stamp = 0
        self._lock = threading.Lock()
        store.subscribe(self._on_changes)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("readings"):
            with self._lock:
                self._stamp += 1

    def stamp(self) -> int:
        return self._stamp

    def series(
        self, station_id: str, kind: ReadingKind, start: int, end: int
    ) -> tuple[Times, Values]:
        with self._store.engine.connect() as conn:
            rows = conn.exec_driver_sql(_SERIES, (station_id, kind, start, end)).all()
        times = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        values = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
        return times, values

    def latest(self, kind: ReadingKind) -> dict[str, tuple[int, float]]:
        newest: dict[str, tuple[int, float]] = {}
        with self._store.engine.connect() as conn:
            ids = [str(i) for i in conn.exec_driver_sql(f"SELECT id FROM {_STATIONS}").scalars()]
            for station_id in ids:
                row = conn.exec_driver_sql(_NEWEST, (station_id, kind)).first()
                if row is not None:
                    newest[station_id] = (int(row[0]), float(row[1]))
        return newest

    def simulated(self, station_id: str, start: int, end: int) -> bool:
        with self._store.engine.connect() as conn:
            return any(
                conn.exec_driver_sql(_SIMULATED, (station_id, kind, start, end)).first()
                for kind in KINDS
            )


_STATIONS = Station.__tablename__
