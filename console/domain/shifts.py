"""Duty shifts (值班班次): the window of time one shift covers. Pure Python (no Qt, no I/O).

A county runs one shift pattern: shifts start at the same wall-clock time (08:30 in most
duty rooms) and last a whole number of hours that divides a day (24, 12 or 8). The roster,
the handover (交接班) and the duty log (值班日志) all cut time with :func:`shift_at`, so a
moment belongs to exactly one shift everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from console.domain.beijing import to_beijing


class ShiftPatternError(ValueError):
    """A pattern that would not cut the day into whole shifts; the message is Chinese."""


@dataclass(frozen=True)
class ShiftPattern:
    start: time = time(8, 30)  # wall-clock start of the day's first shift, Beijing time
    hours: int = 24  # length of each shift

    def __post_init__(self) -> None:
        if self.hours not in (6, 8, 12, 24):
            raise ShiftPatternError("班次时长只能是 6、8、12 或 24 小时")
        if self.start.second or self.start.microsecond:
            raise ShiftPatternError("交班时间精确到分钟")

    @classmethod
    def parse(cls, start: str, hours: int = 24) -> ShiftPattern:
        """``"08:30"`` and 24 as typed in a setting; a bad value says why in Chinese."""
        try:
            hh, mm = (int(part) for part in start.strip().split(":"))
            moment = time(hh, mm)
        except ValueError as exc:
            raise ShiftPatternError(f"交班时间应为 时:分，如 08:30（收到 {start!r}）") from exc
        return cls(moment, hours)

    @property
    def per_day(self) -> int:
        return 24 // self.hours


DEFAULT_PATTERN = ShiftPattern()


@dataclass(frozen=True)
class Shift:
    """One shift: ``day`` is the duty day it belongs to (the date its first shift starts),
    ``index`` its place in that day (0 for a 24-hour pattern)."""

    day: date
    index: int
    start: datetime  # aware, Beijing time
    end: datetime  # exclusive

    def contains(self, moment: datetime) -> bool:
        return self.start <= to_beijing(moment) < self.end

    @property
    def key(self) -> str:
        """Stable text key, e.g. ``2026-11-30#0``: what a roster or a handover refers to."""
        return f"{self.day.isoformat()}#{self.index}"


def _day_start(day: date, pattern: ShiftPattern) -> datetime:
    return to_beijing(datetime.combine(day, pattern.start))


def shift_of(day: date, index: int, pattern: ShiftPattern = DEFAULT_PATTERN) -> Shift:
    if not 0 <= index < pattern.per_day:
        raise ShiftPatternError(f"该班制每天只有 {pattern.per_day} 个班次")
    start = _day_start(day, pattern) + timedelta(hours=pattern.hours * index)
    return Shift(day, index, start, start + timedelta(hours=pattern.hours))


def shift_at(moment: datetime, pattern: ShiftPattern = DEFAULT_PATTERN) -> Shift:
    """The shift a moment falls in: 2026-11-30 07:00 with 08:30 shifts is 11-29's shift."""
    local = to_beijing(moment)
    day = local.date()
    if local < _day_start(day, pattern):
        day -= timedelta(days=1)
    index = int((local - _day_start(day, pattern)) // timedelta(hours=pattern.hours))
    return shift_of(day, index, pattern)


def next_shift(shift: Shift, pattern: ShiftPattern = DEFAULT_PATTERN) -> Shift:
    return shift_at(shift.end, pattern)


def parse_key(key: str, pattern: ShiftPattern = DEFAULT_PATTERN) -> Shift:
    """The shift named by :attr:`Shift.key`; a malformed key says so in Chinese."""
    try:
        day_text, index_text = key.split("#")
        return shift_of(date.fromisoformat(day_text), int(index_text), pattern)
    except ValueError as exc:
        raise ShiftPatternError(f"班次编号无效：{key!r}") from exc


def shifts_in_month(year: int, month: int, pattern: ShiftPattern = DEFAULT_PATTERN) -> list[Shift]:
    """Every shift whose duty day is in the month, in order."""
    day = date(year, month, 1)
    out: list[Shift] = []
    while day.month == month:
        out.extend(shift_of(day, i, pattern) for i in range(pattern.per_day))
        day += timedelta(days=1)
    return out
