"""Rain configuration, forecasts and warnings through a real server process: created on one
workstation, they reach another, are edited there and come back (digests equal on both and
on the server); an officer may not change the signal table, a leader may."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sync_testkit import engine_as, store_digest, table_rows

from console.domain.ids import new_id
from console.domain.schema import (
    IssuedWarning,
    RainForecast,
    RainSignalRule,
    RainThreshold,
    ResponseTrigger,
    RiskPoint,
    Village,
)
from console.services.context import open_workstation
from testkit.server import ServerProcess

TOWN, VILLAGE, POINT, STATION = (new_id() for _ in range(4))
TIER, FORECAST, WARNING, RULE, TRIGGER = (new_id() for _ in range(5))
T0 = "2016-09-28T08:00:00+08:00"
MODELS = (Village, RiskPoint, RainThreshold, RainForecast, IssuedWarning, ResponseTrigger)


def _county() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("township.upsert", {"id": TOWN, "name": "北界镇", "kind": "镇"}),
        ("station.upsert", {"id": STATION, "code": "S001", "name": "苏村", "kind": "雨量站"}),
        (
            "village.upsert",
            {"id": VILLAGE, "township_id": TOWN, "name": "苏村", "station_id": STATION},
        ),
        (
            "risk_point.upsert",
            {"id": POINT, "type": "山洪危险区", "name": "苏村溪", "station_id": STATION},
        ),
        (
            "rain_threshold.upsert",
            {
                "id": TIER,
                "township_id": TOWN,
                "village_id": VILLAGE,
                "level": "黄",
                "rain_3h_mm": 75.0,
            },
        ),
        (
            "rain_forecast.upsert",
            {
                "id": FORECAST,
                "township_id": TOWN,
                "issued_at": T0,
                "valid_from": T0,
                "horizon_h": 3,
                "mm": 40.0,
            },
        ),
        (
            "warning.upsert",
            {"id": WARNING, "kind": "山洪", "level": "黄", "issued_at": T0, "township_id": TOWN},
        ),
        (
            "response_trigger.upsert",
            {"id": TRIGGER, "level": "IV", "metric": "单站3小时雨量", "low": 50.0},
        ),
    ]


def test_rain_records_round_trip_between_workstations(
    server: ServerProcess, tmp_path: Path
) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    b = open_workstation(tmp_path / "b", autoload=False)
    try:
        a.writer.apply(_county(), user="li")
        assert engine_as(a, server, "li").sync_once().issues == 0
        engine_as(b, server).sync_once()
        for model in MODELS:
            assert table_rows(b, model) == table_rows(a, model), model.__tablename__
        assert table_rows(b, Village)[VILLAGE]["station_id"] == STATION

        b.writer.apply(
            [
                ("rain_forecast.upsert", {"id": FORECAST, "mm": 55.0}),
                ("warning.upsert", {"id": WARNING, "until": "2016-09-28T18:00:00+08:00"}),
                ("rain_threshold.upsert", {"id": TIER, "rain_24h_mm": 135.0}),
            ],
            user="zhang",
        )
        assert engine_as(b, server).sync_once().issues == 0
        engine_as(a, server, "li").sync_once()
        assert table_rows(a, RainForecast)[FORECAST]["mm"] == 55.0
        assert table_rows(a, IssuedWarning)[WARNING]["until"] == "2016-09-28T18:00:00+08:00"
        assert table_rows(a, RainThreshold)[TIER]["rain_24h_mm"] == 135.0
        for model in MODELS:
            assert table_rows(a, model) == table_rows(b, model), model.__tablename__
        assert store_digest(a) == store_digest(b) == server.cli("digest").stdout.strip()
    finally:
        a.close()
        b.close()


def test_an_officer_may_not_change_the_signal_table(server: ServerProcess, tmp_path: Path) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    try:
        rule = {"id": RULE, "level": "红", "hours": 3, "mm": 90.0}
        a.writer.apply([("rain_signal_rule.upsert", rule)], user="zhang")
        result = engine_as(a, server).sync_once()
        assert result.issues == 1  # refused by the server: the officer's row goes back
        assert table_rows(a, RainSignalRule) == {}
        a.writer.apply([("rain_signal_rule.upsert", rule)], user="li")
        assert engine_as(a, server, "li").sync_once().issues == 0
        assert table_rows(a, RainSignalRule)[RULE]["mm"] == 90.0
    finally:
        a.close()
