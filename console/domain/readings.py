"""What a station reading is, on both sides: kinds, which station kinds have which, ranges.

The server's ingest (server/readings.py), the phoned-in report (mutation ``reading.report``)
and the workstation's local copy all judge a reading with :func:`reading_problem`, so each
says the same Chinese reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

RAIN, LEVEL = "rain", "level"
KINDS: tuple[str, str] = (RAIN, LEVEL)
KIND_LABELS = {RAIN: "雨量", LEVEL: "水位"}
KIND_CODES = {RAIN: 0, LEVEL: 1}  # the channel's columnar "k"

# Station kind (catalog.STATION_KINDS) -> the reading kinds it reports.
STATION_READINGS: dict[str, frozenset[str]] = {
    "雨量站": frozenset({RAIN}),
    "水位站": frozenset({LEVEL}),
    "水库": frozenset({LEVEL}),
    "水文站": frozenset({RAIN, LEVEL}),
}

RAIN_INTERVALS = (300, 3600)
# Most rain one interval can plausibly hold (world records: ~40 mm in 5 min, ~300 mm in an
# hour); beyond is a sensor fault or a typo, refused rather than stored.
RAIN_MAX_MM = {300: 100.0, 3600: 500.0}
LEVEL_MIN_M, LEVEL_MAX_M = -100.0, 10_000.0  # as the stations' own level fields
EARLIEST_TS = 946_684_800  # 2000-01-01 UTC
MAX_FUTURE_S = 600  # a reading at most 10 minutes ahead of the receiving clock


def default_interval(kind: str) -> int:
    return 300 if kind == RAIN else 0


def is_int(value: object) -> bool:
    return type(value) is int  # not bool (a subclass), not a float holding a whole number


def is_number(value: object) -> bool:
    if type(value) is float:
        return math.isfinite(value)
    return type(value) is int and abs(value) < 2**53


def reading_problem(
    station_kind: str, kind: object, ts: object, value: object, interval_s: object
) -> str | None:
    """The Chinese reason a reading of a station of ``station_kind`` is refused, or None.
    Clock-free (see :func:`future_problem`)."""
    return station_problem(station_kind, kind) or value_problem(kind, ts, value, interval_s)


def station_problem(station_kind: str, kind: object) -> str | None:
    """Whether a station of ``station_kind`` has readings of ``kind``."""
    if kind not in KINDS:
        return "类型应为 rain（雨量）或 level（水位）"
    if kind not in STATION_READINGS.get(station_kind, frozenset()):
        return f"{station_kind}没有{KIND_LABELS[str(kind)]}读数"
    return None


def value_problem(kind: object, ts: object, value: object, interval_s: object) -> str | None:
    """The reading on its own (whatever the station): kind, time, interval and value."""
    if kind not in KINDS:
        return "类型应为 rain（雨量）或 level（水位）"
    if not is_int(ts) or not EARLIEST_TS <= ts < 2**40:  # type: ignore[operator]
        return "时间无效（应为 2000 年以后的 Unix 秒）"
    if not is_int(interval_s):
        return "时段应为整数秒"
    if not is_number(value):
        return "数值应为有限的数字"
    number = float(value)  # type: ignore[arg-type]
    if kind == RAIN:
        if interval_s not in RAIN_INTERVALS:
            return "雨量时段应为 5 分钟（300 秒）或 1 小时（3600 秒）"
        top = RAIN_MAX_MM[int(interval_s)]
        if not 0.0 <= number <= top:
            return f"雨量应在 0 到 {top:g} 毫米之间"
    else:
        if interval_s != 0:
            return "水位读数的时段应为 0"
        if not LEVEL_MIN_M <= number <= LEVEL_MAX_M:
            return f"水位应在 {LEVEL_MIN_M:g} 到 {LEVEL_MAX_M:g} 米之间"
    return None


def future_problem(ts: int, now: float) -> str | None:
    if ts > now + MAX_FUTURE_S:
        return "时间超前当前时间 10 分钟以上"
    return None


# reported_readings.kind (Chinese, catalog.READING_KINDS) -> reading kind.
REPORTED_KINDS = {"雨量": RAIN, "水位": LEVEL}


def as_reading(record: Mapping[str, Any]) -> dict[str, Any]:
    """A reported_readings record as a reading row (station by id) for the readings tables
    (server: ``ingest_rows``; workstation: its local readings)."""
    return {
        "station_id": record["station_id"],
        "kind": REPORTED_KINDS.get(str(record["kind"]), str(record["kind"])),
        "ts": int(datetime.fromisoformat(str(record["observed_at"])).timestamp()),
        "value": record["value"],
        "interval_s": int(record["interval_min"]) * 60,
    }


def reported_problem(station_kind: str, record: Mapping[str, Any]) -> str | None:
    """Why a phoned-in reading of a station of ``station_kind`` cannot be recorded."""
    if record.get("value") is None:
        return "请填写数值"
    row = as_reading(record)
    return reading_problem(station_kind, row["kind"], row["ts"], row["value"], row["interval_s"])
