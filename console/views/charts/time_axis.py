"""A time axis that reads Beijing time whatever zone the machine runs in.

pyqtgraph's ``DateAxisItem`` places ticks in the machine's local zone unless told otherwise,
and labels them in English (``Mon 05``, ``Jan``). The machines run UTC; the officers read
Beijing time (UTC+8, no daylight saving) in Chinese. Tick placement is done here too: with a
fixed offset it is simple arithmetic, several times cheaper than pyqtgraph's per-tick
``QDateTime`` conversions, and linked charts showing the same span share one computation
(:data:`_TICK_CACHE`). That matters when four charts redraw on every zoom step.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pyqtgraph as pg

from console.domain.beijing import BEIJING

BEIJING_UTC_OFFSET = -8 * 3600  # pyqtgraph's sign: seconds *west* of UTC
OFFSET_S = 8 * 3600  # Beijing = UTC + 8 h, no daylight saving
MINUTE_S = 60
HOUR_S = 3600
DAY_S = 86_400
MONTH_S = 28 * DAY_S  # a spacing at least this long is counted in months
YEAR_S = 365 * DAY_S
# Tick steps below a month, in seconds, finest first.
STEPS_S: tuple[int, ...] = (
    MINUTE_S,
    5 * MINUTE_S,
    10 * MINUTE_S,
    15 * MINUTE_S,
    30 * MINUTE_S,
    HOUR_S,
    2 * HOUR_S,
    3 * HOUR_S,
    6 * HOUR_S,
    12 * HOUR_S,
    DAY_S,
    2 * DAY_S,
    7 * DAY_S,
    14 * DAY_S,
)
MONTH_STEPS: tuple[int, ...] = (1, 2, 3, 6)
LABEL_PX = 78  # room one label needs ("12月31日" with its gap)
Ticks = list[tuple[float, list[float]]]
_TICK_CACHE: dict[tuple[int, int, int], Ticks] = {}
_CACHE_SIZE = 64


@lru_cache(maxsize=512)  # linked charts label the same ticks
def tick_label(epoch_s: float, spacing: float) -> str:
    """The label of a tick at ``epoch_s`` among ticks ``spacing`` seconds apart."""
    moment = datetime.fromtimestamp(epoch_s, BEIJING)
    if spacing >= YEAR_S:
        return f"{moment.year}年"
    if spacing >= MONTH_S:
        return f"{moment.year}年1月" if moment.month == 1 else f"{moment.month}月"
    if spacing >= DAY_S:
        return f"{moment.month}月{moment.day}日"
    if spacing >= MINUTE_S:
        return moment.strftime("%H:%M")
    return moment.strftime("%H:%M:%S")


def _regular(lo: float, hi: float, step: int) -> list[float]:
    """Multiples of ``step`` in Beijing wall time (days start at Beijing midnight)."""
    first = np.ceil((lo + OFFSET_S) / step) * step - OFFSET_S
    return [float(v) for v in np.arange(first, hi + 1, step)]


def _month_starts(lo: float, hi: float, every: int) -> list[float]:
    """Beijing midnights on the 1st of every ``every``-th month (Jan-aligned) in [lo, hi]."""
    start = datetime.fromtimestamp(lo, BEIJING)
    year, month = start.year, start.month
    out: list[float] = []
    while True:
        if (month - 1) % every == 0:
            at = datetime(year, month, 1, tzinfo=BEIJING).timestamp()
            if at > hi:
                return out
            if at >= lo:
                out.append(at)
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _years(lo: float, hi: float, every: int) -> list[float]:
    first = datetime.fromtimestamp(lo, BEIJING).year
    out = []
    for year in range(first, datetime.fromtimestamp(hi, BEIJING).year + 1):
        at = datetime(year, 1, 1, tzinfo=BEIJING).timestamp()
        if lo <= at <= hi and year % every == 0:
            out.append(at)
    return out


def beijing_ticks(lo: float, hi: float, size_px: float) -> Ticks:
    """pyqtgraph tick levels ``[(spacing, values), ...]``, coarsest first, for the span
    [lo, hi] drawn over ``size_px`` pixels: labelled steps at least LABEL_PX apart, the next
    coarser calendar unit (day, month, year) above them as its own level; a time in both
    levels is kept in the coarser only (one label per place)."""
    span = max(hi - lo, 1.0)
    fits = max(size_px / LABEL_PX, 1.0)
    fine = next((s for s in STEPS_S if span / s <= fits), None)
    levels: Ticks
    if fine is not None and fine < DAY_S:
        levels = [(DAY_S, _regular(lo, hi, DAY_S)), (fine, _regular(lo, hi, fine))]
    elif fine is not None:
        levels = [(30 * DAY_S, _month_starts(lo, hi, 1)), (fine, _regular(lo, hi, fine))]
    else:
        months = next((m for m in MONTH_STEPS if span / (m * 30 * DAY_S) <= fits), None)
        if months is not None:
            levels = [(YEAR_S, _years(lo, hi, 1)), (30 * DAY_S, _month_starts(lo, hi, months))]
        else:
            every = 1
            while span / (every * YEAR_S) > fits:
                every *= 2
            return [(YEAR_S * every, _years(lo, hi, every))]
    (coarse_step, coarse), (fine_step, fines) = levels
    taken = set(coarse)
    return [(coarse_step, coarse), (fine_step, [v for v in fines if v not in taken])]


class BeijingAxis(pg.DateAxisItem):
    """Bottom axis of epoch seconds, ticks and labels in Beijing time, Chinese formats."""

    def __init__(self, orientation: str = "bottom", **kwargs: Any) -> None:
        super().__init__(orientation, utcOffset=BEIJING_UTC_OFFSET, **kwargs)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> Ticks:
        key = (round(minVal), round(maxVal), round(size))
        ticks = _TICK_CACHE.get(key)
        if ticks is None:
            if len(_TICK_CACHE) >= _CACHE_SIZE:
                _TICK_CACHE.clear()
            ticks = _TICK_CACHE[key] = beijing_ticks(minVal, maxVal, size)
        return ticks

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [tick_label(v, spacing) for v in values]
