"""Shift windows: every moment in exactly one shift, at each boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from console.domain.beijing import BEIJING
from console.domain.shifts import (
    DEFAULT_PATTERN,
    ShiftPattern,
    ShiftPatternError,
    next_shift,
    parse_key,
    shift_at,
    shifts_in_month,
)


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def test_a_moment_before_the_handover_belongs_to_yesterdays_shift() -> None:
    shift = shift_at(bj("2026-11-30 08:29:59"))
    assert shift.day == date(2026, 11, 29)
    assert shift.start == bj("2026-11-29 08:30") and shift.end == bj("2026-11-30 08:30")
    assert shift_at(bj("2026-11-30 08:30")).day == date(2026, 11, 30)


def test_utc_moments_are_cut_in_beijing_time() -> None:
    # 00:29 UTC is 08:29 in Beijing: still the previous day's shift.
    assert shift_at(datetime(2026, 11, 30, 0, 29, tzinfo=UTC)).day == date(2026, 11, 29)
    assert shift_at(datetime(2026, 11, 30, 0, 30, tzinfo=UTC)).start == bj("2026-11-30 08:30")


def test_twelve_hour_shifts_have_two_per_day() -> None:
    pattern = ShiftPattern(time(8, 0), 12)
    day_shift = shift_at(bj("2026-11-30 19:59"), pattern)
    night = shift_at(bj("2026-11-30 20:00"), pattern)
    assert (day_shift.key, night.key) == ("2026-11-30#0", "2026-11-30#1")
    assert shift_at(bj("2026-12-01 07:59"), pattern).key == "2026-11-30#1"
    assert next_shift(night, pattern).key == "2026-12-01#0"


def test_keys_round_trip_and_bad_keys_are_refused() -> None:
    shift = shift_at(bj("2026-11-30 12:00"))
    assert parse_key(shift.key) == shift
    with pytest.raises(ShiftPatternError):
        parse_key("2026-11-30#1")  # a 24-hour pattern has one shift a day
    with pytest.raises(ShiftPatternError):
        parse_key("yesterday")


def test_patterns_that_do_not_cut_the_day_are_refused() -> None:
    with pytest.raises(ShiftPatternError, match="班次时长"):
        ShiftPattern(time(8, 30), 10)
    with pytest.raises(ShiftPatternError, match="时:分"):
        ShiftPattern.parse("8点半")
    assert ShiftPattern.parse(" 09:00 ", 12) == ShiftPattern(time(9, 0), 12)


def test_a_month_of_shifts_is_contiguous() -> None:
    shifts = shifts_in_month(2026, 2, DEFAULT_PATTERN)
    assert len(shifts) == 28
    assert all(a.end == b.start for a, b in pairwise(shifts))
    assert shifts[-1].end - shifts[0].start == timedelta(days=28)
