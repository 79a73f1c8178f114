"""Rain configuration, forecasts and warnings (issue #11): every mutation applies on a real
SQLite file, an identical replay is a no-op, and each rule refuses in Chinese before
anything is written; villages and risk points take a station."""

from __future__ import annotations

from typing import Any

import pytest

from console.domain.ids import new_id
from console.domain.mutations import MutationRejected, fetch
from console.domain.references import referrers, refuse_if_referenced

Ids = dict[str, str]
T0 = "2016-09-28T08:00:00+08:00"


@pytest.fixture
def places(run: Any) -> Ids:
    ids = {k: new_id() for k in ("town", "other_town", "village", "station", "point")}
    run("township.upsert", {"id": ids["town"], "name": "北界镇", "kind": "镇"})
    run("township.upsert", {"id": ids["other_town"], "name": "金竹镇", "kind": "镇"})
    run("station.upsert", {"id": ids["station"], "code": "S001", "name": "苏村", "kind": "雨量站"})
    run(
        "village.upsert",
        {
            "id": ids["village"],
            "township_id": ids["town"],
            "name": "苏村",
            "station_id": ids["station"],
        },
    )
    run(
        "risk_point.upsert",
        {
            "id": ids["point"],
            "type": "地质灾害隐患点",
            "name": "苏村后山",
            "village_id": ids["village"],
            "township_id": ids["town"],
            "station_id": ids["station"],
        },
    )
    return ids


def refused(run: Any, name: str, args: dict[str, Any]) -> str:
    with pytest.raises(MutationRejected) as info:
        run(name, args)
    return info.value.message


def test_villages_and_risk_points_keep_their_station(conn: Any, run: Any, places: Ids) -> None:
    village, point = (
        fetch(conn, "villages", places["village"]),
        fetch(conn, "risk_points", places["point"]),
    )
    assert village is not None and village["station_id"] == places["station"]
    assert point is not None and point["station_id"] == places["station"]
    message = refused(run, "village.upsert", {"id": places["village"], "station_id": new_id()})
    assert message == "“关联站点”指向的记录不存在"
    # The forms refuse to delete a station that villages and risk points point at.
    assert referrers(conn, "stations", places["station"]) == {"villages": 1, "risk_points": 1}
    with pytest.raises(MutationRejected) as info:
        refuse_if_referenced(conn, "stations", places["station"], "苏村")
    assert info.value.message == (
        "“苏村”仍被 1 个村（社区）、1 个风险点引用，不能删除。请先修改或删除这些记录。"
    )


def test_rain_threshold_applies_replays_and_needs_a_window(
    conn: Any, run: Any, places: Ids
) -> None:
    args = {
        "id": new_id(),
        "township_id": places["town"],
        "village_id": places["village"],
        "level": "红",
        "rain_1h_mm": 80.0,
        "rain_24h_mm": 200.0,
    }
    assert len(run("rain_threshold.upsert", args)) == 1
    assert run("rain_threshold.upsert", args) == []  # identical replay: no change
    row = fetch(conn, "rain_thresholds", args["id"])
    assert row is not None and row["rain_3h_mm"] is None and row["level"] == "红"
    empty = {**args, "id": new_id(), "rain_1h_mm": None, "rain_24h_mm": None}
    assert refused(run, "rain_threshold.upsert", empty) == "至少填写一个时段的临界雨量"
    wrong_town = {**args, "id": new_id(), "township_id": places["other_town"]}
    assert "不属于" in refused(run, "rain_threshold.upsert", wrong_town)
    assert "预警等级" in refused(run, "rain_threshold.upsert", {**args, "level": "紫"})


def test_signal_rule_window_and_mm(run: Any) -> None:
    good = {"id": new_id(), "level": "红", "hours": 3, "mm": 100.0}
    assert len(run("rain_signal_rule.upsert", good)) == 1
    assert run("rain_signal_rule.upsert", good) == []
    assert refused(run, "rain_signal_rule.upsert", {**good, "hours": 2}) == (
        "时段应为 1、3、6、12、24 小时之一"
    )
    assert refused(run, "rain_signal_rule.upsert", {"id": new_id(), "level": "红", "hours": 3}) == (
        "请填写雨量（毫米）"
    )


def test_response_trigger_bounds(run: Any) -> None:
    good = {"id": new_id(), "level": "IV", "metric": "单站3小时雨量", "low": 50.0, "high": 100.0}
    assert len(run("response_trigger.upsert", good)) == 1
    assert refused(run, "response_trigger.upsert", {**good, "high": 50.0}) == (
        "上限（50）应大于下限（50）"
    )
    assert refused(run, "response_trigger.upsert", {**good, "id": new_id(), "low": None}) == (
        "请填写下限"
    )
    assert "启动指标" in refused(run, "response_trigger.upsert", {**good, "metric": "降雪"})


def test_forecast_horizon_and_mm(conn: Any, run: Any, places: Ids) -> None:
    good = {
        "id": new_id(),
        "township_id": places["town"],
        "issued_at": T0,
        "valid_from": T0,
        "horizon_h": 6,
        "mm": 45.0,
        "source": "县气象台",
    }
    assert len(run("rain_forecast.upsert", good)) == 1
    assert run("rain_forecast.upsert", good) == []
    assert refused(run, "rain_forecast.upsert", {**good, "horizon_h": 5}) == (
        "预报时效应为 1、3、6、12、24 小时之一"
    )
    assert refused(run, "rain_forecast.upsert", {**good, "mm": None}) == "请填写预报雨量（毫米）"
    assert "时区" in refused(run, "rain_forecast.upsert", {**good, "issued_at": "2016-09-28T08:00"})


def test_warning_area_and_period(conn: Any, run: Any, places: Ids) -> None:
    good = {
        "id": new_id(),
        "kind": "暴雨",
        "level": "橙",
        "issued_at": T0,
        "township_id": places["town"],
        "issuer": "遂昌县气象台",
    }
    assert len(run("warning.upsert", good)) == 1
    row = fetch(conn, "warnings", good["id"])
    assert row is not None and row["until"] is None and row["area"] == ""
    # An empty 解除时间 (a form's empty box) is no time, not a bad one.
    assert run("warning.upsert", {**good, "until": ""}) == []
    lifted = {**good, "until": "2016-09-28T20:00:00+08:00"}
    assert len(run("warning.upsert", lifted)) == 1
    assert refused(run, "warning.upsert", {**good, "until": "2016-09-28T07:00:00+08:00"}) == (
        "解除时间（2016-09-28T07:00:00+08:00）早于发布时间（2016-09-28T08:00:00+08:00）"
    )
    nowhere = {**good, "id": new_id(), "township_id": None}
    assert refused(run, "warning.upsert", nowhere) == "请填写预警乡镇或预警区域"
    assert len(run("warning.upsert", {**nowhere, "area": "全县"})) == 1
    assert "预警种类" in refused(run, "warning.upsert", {**good, "kind": "寒潮"})
