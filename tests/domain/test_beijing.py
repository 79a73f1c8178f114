"""The one Beijing-time rule: a naive datetime or an offset-less text is Beijing wall time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from console.domain import beijing


@pytest.fixture
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_naive_datetime_is_beijing_wall_time_everywhere(utc_machine: None) -> None:
    naive = datetime(2026, 12, 31, 20, 0, 0)
    assert beijing.canonical(naive) == "2026-12-31T20:00:00+08:00"
    assert beijing.display(naive) == "2026-12-31 20:00"
    assert beijing.display_seconds(naive) == "2026-12-31 20:00:00"
    assert beijing.clock_text(naive) == "北京时间 2026-12-31 20:00:00"
    assert beijing.to_beijing(naive).utcoffset() == timedelta(hours=8)


def test_offset_less_text_is_beijing_wall_time() -> None:
    assert beijing.parse("2026-12-31T20:00:00") == datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    assert beijing.display("2026-12-31T20:00:00") == "2026-12-31 20:00"


def test_aware_values_are_converted_not_relabelled() -> None:
    utc = datetime(2026, 12, 31, 20, 0, 0, tzinfo=UTC)
    assert beijing.canonical(utc) == "2027-01-01T04:00:00+08:00"
    assert beijing.display("2026-12-31T20:00:00+00:00") == "2027-01-01 04:00"
    minus5 = datetime(2026, 12, 31, 15, 0, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert beijing.display_seconds(minus5) == "2027-01-01 04:00:00"


def test_canonical_text_sorts_in_time_order_and_round_trips() -> None:
    a = beijing.canonical(datetime(2026, 1, 1, 9, 0, tzinfo=UTC))
    b = beijing.canonical(datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    assert a < b
    assert beijing.canonical(beijing.parse(a)) == a


def test_hlc_stamp_shows_beijing_time() -> None:
    ms = int(datetime(2026, 11, 28, 14, 51, 3, tzinfo=UTC).timestamp() * 1000)
    assert beijing.hlc_text(f"{ms:016d}-00003-node") == "2026-11-28 22:51:03"
    assert beijing.hlc_text("garbage") == ""
    assert beijing.hlc_wall_ms("garbage") is None
