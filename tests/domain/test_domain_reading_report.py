"""``reading.report``: a phoned-in station reading, judged as the channel judges readings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.mutations import fetch
from console.domain.readings import as_reading

Run = Callable[..., list[Any]]
AT = "2026-09-28T14:05:00+08:00"


@pytest.fixture
def stations(run: Run) -> dict[str, str]:
    ids = {}
    for kind in ("雨量站", "水位站", "水文站", "水库"):
        ids[kind] = new_id()
        run("station.upsert", {"id": ids[kind], "code": kind, "name": kind, "kind": kind})
    return ids


def _args(station_id: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "station_id": station_id,
        "kind": "雨量",
        "observed_at": AT,
        "value": 12.5,
        "interval_min": 60,
        "reporter": "王信息员",
        **kw,
    }


def test_a_report_is_recorded_once(run: Run, conn: Connection, stations: dict[str, str]) -> None:
    args = _args(stations["水文站"])
    assert run("reading.report", args)
    assert run("reading.report", args) == []  # an identical replay changes nothing
    row = fetch(conn, "reported_readings", args["id"])
    assert row is not None and row["author"] == "张三"
    assert as_reading(row) == {
        "station_id": stations["水文站"],
        "kind": "rain",
        "ts": 1790575500,  # 2026-09-28 06:05 UTC
        "value": 12.5,
        "interval_s": 3600,
    }
    with pytest.raises(MutationRejected, match="已存在"):
        run("reading.report", {**args, "value": 13.0})


@pytest.mark.parametrize(
    ("station", "changes", "reason"),
    [
        ("雨量站", {"kind": "水位", "interval_min": 0}, "雨量站没有水位读数"),
        ("水库", {}, "水库没有雨量读数"),
        ("水位站", {"kind": "水位", "interval_min": 5}, "水位读数的时段应为 0"),
        ("雨量站", {"interval_min": 15}, "雨量时段应为"),
        ("雨量站", {"interval_min": 5, "value": 150.0}, "雨量应在 0 到 100 毫米之间"),
        ("雨量站", {"value": None}, "请填写数值"),
        ("雨量站", {"kind": "雪"}, "读数类型"),
        ("雨量站", {"observed_at": "2026-09-28 14:05"}, "观测时间"),
    ],
)
def test_bad_reports_are_refused_in_chinese(
    run: Run, stations: dict[str, str], station: str, changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(MutationRejected, match=reason):
        run("reading.report", _args(stations[station], **changes))


def test_a_report_of_a_deleted_station_is_refused(run: Run, stations: dict[str, str]) -> None:
    run("station.delete", {"id": stations["雨量站"]})
    with pytest.raises(MutationRejected):
        run("reading.report", _args(stations["雨量站"]))
