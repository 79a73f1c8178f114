"""A ReadingsSource over numpy arrays held in memory (tests, benches, scenario previews).

Implements :class:`console.services.readings_source.ReadingsSource` exactly as the store's
readings table does: per station and kind, times ascending, values float64.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from console.services.readings_source import ReadingKind, Times, Values


class ArrayReadings:
    def __init__(self) -> None:
        self._series: dict[tuple[str, str], tuple[Times, Values, np.ndarray]] = {}
        self._stamp = 0

    def put(
        self,
        station_id: str,
        kind: ReadingKind,
        ts: Iterable[int],
        values: Iterable[float],
        *,
        simulated: bool = False,
    ) -> None:
        """Add readings (merged with the station's earlier ones, kept in time order; a
        reading at a time already held replaces it)."""
        new_ts = np.asarray(list(ts), dtype=np.int64)
        new_v = np.asarray(list(values), dtype=np.float64)
        new_sim = np.full(len(new_ts), simulated)
        old = self._series.get((station_id, kind))
        if old is not None:
            keep = ~np.isin(old[0], new_ts)
            new_ts = np.concatenate((old[0][keep], new_ts))
            new_v = np.concatenate((old[1][keep], new_v))
            new_sim = np.concatenate((old[2][keep], new_sim))
        order = np.argsort(new_ts, kind="stable")
        self._series[(station_id, kind)] = (new_ts[order], new_v[order], new_sim[order])
        self._stamp += 1

    def _range(self, station_id: str, kind: str, start: int, end: int) -> slice | None:
        held = self._series.get((station_id, kind))
        if held is None:
            return None
        lo = int(np.searchsorted(held[0], start, side="left"))
        hi = int(np.searchsorted(held[0], end, side="right"))
        return slice(lo, hi)

    def series(
        self, station_id: str, kind: ReadingKind, start: int, end: int
    ) -> tuple[Times, Values]:
        span = self._range(station_id, kind, start, end)
        if span is None:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        ts, values, _sim = self._series[(station_id, kind)]
        return ts[span], values[span]

    def latest(self, kind: ReadingKind) -> dict[str, tuple[int, float]]:
        return {
            station: (int(ts[-1]), float(values[-1]))
            for (station, k), (ts, values, _sim) in self._series.items()
            if k == kind and len(ts)
        }

    def simulated(self, station_id: str, start: int, end: int) -> bool:
        for kind in ("rain", "level"):
            span = self._range(station_id, kind, start, end)
            if span is not None and bool(self._series[(station_id, kind)][2][span].any()):
                return True
        return False

    def stamp(self) -> int:
        return self._stamp
