"""A real :class:`~console.services.readings_source.ReadingsSource` over numpy arrays, and a
synthetic typhoon to fill it with.

Tests, screenshots and the chart bench read readings through it exactly as the pages will
read the workstation's readings table: ``series`` slices sorted arrays with
``searchsorted``, ``stamp`` grows on every :meth:`ArrayReadings.add`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from console.services.readings_source import ReadingKind, Times, Values

STEP_S = 300  # 5-minute readings


@dataclass
class _Series:
    times: Times
    values: Values
    simulated: np.ndarray  # bool per reading


class ArrayReadings:
    """Readings per (station, kind) held as sorted arrays."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], _Series] = {}
        self._stamp = 0

    def add(
        self,
        station_id: str,
        kind: ReadingKind,
        times: Times,
        values: Values,
        *,
        simulated: bool = False,
    ) -> None:
        """Merge readings in (a later reading at the same time replaces the earlier)."""
        new_t = np.asarray(times, dtype=np.int64)
        new_v = np.asarray(values, dtype=np.float64)
        new_s = np.full(len(new_t), simulated, dtype=bool)
        old = self._series.get((station_id, kind))
        if old is not None:
            new_t = np.concatenate([old.times, new_t])
            new_v = np.concatenate([old.values, new_v])
            new_s = np.concatenate([old.simulated, new_s])
        # keep the last of equal times: reverse, unique (first occurrence), in time order
        rev_t = new_t[::-1]
        uniq, first = np.unique(rev_t, return_index=True)
        idx = len(new_t) - 1 - first
        self._series[(station_id, kind)] = _Series(uniq, new_v[idx], new_s[idx])
        self._stamp += 1

    def _slice(self, station_id: str, kind: str, start: int, end: int) -> tuple[_Series, slice]:
        series = self._series.get((station_id, kind))
        if series is None:
            empty = _Series(np.zeros(0, np.int64), np.zeros(0, np.float64), np.zeros(0, dtype=bool))
            return empty, slice(0, 0)
        lo = int(np.searchsorted(series.times, start, side="left"))
        hi = int(np.searchsorted(series.times, end, side="right"))
        return series, slice(lo, hi)

    # -- ReadingsSource ----------------------------------------------------------------------
    def series(
        self, station_id: str, kind: ReadingKind, start: int, end: int
    ) -> tuple[Times, Values]:
        series, part = self._slice(station_id, kind, start, end)
        return series.times[part].copy(), series.values[part].copy()

    def latest(self, kind: ReadingKind) -> dict[str, tuple[int, float]]:
        return {
            sid: (int(s.times[-1]), float(s.values[-1]))
            for (sid, k), s in self._series.items()
            if k == kind and len(s.times)
        }

    def simulated(self, station_id: str, start: int, end: int) -> bool:
        return any(
            bool(series.simulated[part].any())
            for kind in ("rain", "level")
            for series, part in [self._slice(station_id, kind, start, end)]
        )

    def stamp(self) -> int:
        return self._stamp


def five_minute_times(start: int, end: int) -> Times:
    """Reading times every 5 minutes from the first multiple of 300 s after ``start`` to
    ``end`` inclusive."""
    first = -(-start // STEP_S) * STEP_S
    return np.arange(first, end + 1, STEP_S, dtype=np.int64)


def typhoon_rain(times: Times, peak_at: int, peak_mm_h: float, seed: int = 7) -> Values:
    """5-minute rain (mm) of a typhoon passing at ``peak_at``: a bell of ``peak_mm_h`` mm/h
    about 18 hours wide, with gusts, plus light showers elsewhere; never negative."""
    rng = np.random.default_rng(seed)
    hours = (times - peak_at) / 3600.0
    rate = peak_mm_h * np.exp(-0.5 * (hours / 6.0) ** 2)  # mm per hour
    gust = rng.gamma(2.0, 0.5, len(times))
    showers = np.where(rng.random(len(times)) < 0.03, rng.gamma(1.5, 1.0, len(times)), 0.0)
    rain = np.maximum(rate * gust / 12.0 + showers * 0.2, 0.0)
    return np.round(rain, 1).astype(np.float64)


def level_response(rain: Values, base_m: float, gain_m_per_mm: float = 0.004) -> Values:
    """A water level (m) answering ``rain`` (5-minute mm): rises with the recent rain and
    recedes with a half-life of about six hours."""
    decay = 0.5 ** (1 / 72)  # per 5 minutes
    level = np.empty(len(rain), dtype=np.float64)
    stored = 0.0
    for i, mm in enumerate(rain):
        stored = stored * decay + float(mm)
        level[i] = base_m + gain_m_per_mm * stored
    return np.round(level, 2)
