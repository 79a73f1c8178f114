"""Upgrading a store from before the threshold engine's tables (workstation 0012, server
0011): villages and risk points keep every value and get no station (null: the nearest
stands for them); they can then be given a station, critical rainfall and forecasts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from schema_db import check_upgraded_server, check_upgraded_workstation
from sqlalchemy.engine import Connection

from console.domain.ids import new_id
from console.domain.mutations import MutationContext, fetch, run_mutation

TOWN, VILLAGE, POINT, STATION = (new_id() for _ in range(4))


def _old_rows(version: int | None) -> list[tuple[str, dict[str, Any]]]:
    """One row of each table the upgrade touches or refers to, with old columns only (the
    columns 0011 added have their defaults)."""
    meta = {"version": version, "updated_at": "h1", "updated_by": "甲", "deleted": False}
    place = {"lon": None, "lat": None, "is_sample": False}
    return [
        (
            "townships",
            {
                "id": TOWN,
                "name": "北界镇",
                "kind": "镇",
                "position_approximate": True,
                **place,
                **meta,
            },
        ),
        (
            "stations",
            {"id": STATION, "code": "S001", "name": "苏村", "kind": "雨量站", **place, **meta},
        ),
        ("villages", {"id": VILLAGE, "township_id": TOWN, "name": "苏村", **place, **meta}),
        (
            "risk_points",
            {
                "id": POINT,
                "type": "地质灾害隐患点",
                "name": "苏村后山",
                "township_id": TOWN,
                "village_id": VILLAGE,
                "households": 19,
                "persons": 52,
                "responsible_person": "",
                "responsible_phone": "",
                "transfer_route": "",
                "note": "",
                **place,
                **meta,
            },
        ),
    ]


def _check(conn: Connection) -> None:
    for table, row in _old_rows(None):
        stored = fetch(conn, table, row["id"])
        assert stored is not None
        for key, value in row.items():
            if key != "version":
                assert stored[key] == value, f"{table}.{key}"
    village, point = fetch(conn, "villages", VILLAGE), fetch(conn, "risk_points", POINT)
    assert village is not None and village["station_id"] is None
    assert point is not None and point["station_id"] is None

    ctx = MutationContext(user="乙", client_id=new_id(), hlc="0001732781234567-00001-aa", version=9)
    run_mutation(conn, "village.upsert", {"id": VILLAGE, "station_id": STATION}, ctx)
    village = fetch(conn, "villages", VILLAGE)
    assert village is not None and (village["name"], village["station_id"]) == ("苏村", STATION)
    tier, forecast = new_id(), new_id()
    run_mutation(
        conn,
        "rain_threshold.upsert",
        {
            "id": tier,
            "township_id": TOWN,
            "village_id": VILLAGE,
            "level": "蓝",
            "rain_24h_mm": 100.0,
        },
        ctx,
    )
    run_mutation(
        conn,
        "rain_forecast.upsert",
        {
            "id": forecast,
            "township_id": TOWN,
            "issued_at": "2016-09-28T08:00:00+08:00",
            "valid_from": "2016-09-28T08:00:00+08:00",
            "horizon_h": 24,
            "mm": 60.0,
        },
        ctx,
    )
    assert fetch(conn, "rain_thresholds", tier) is not None
    assert fetch(conn, "rain_forecasts", forecast) is not None


def test_workstation_upgrade_keeps_places_and_adds_rain_tables(tmp_path: Path) -> None:
    check_upgraded_workstation(tmp_path / "ws", "0012_client_key", _old_rows(None), _check)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_server_upgrade_keeps_places_and_adds_rain_tables(backend: str, tmp_path: Path) -> None:
    check_upgraded_server(backend, tmp_path, "0011_client_keys", _old_rows(1), _check)
