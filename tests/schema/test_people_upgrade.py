"""Upgrading a store from before people and roles (workstation 0010, server 0009).

Reference rows recorded before keep every value; the new fields come as 0 (households,
population), "" (facilities, 预警信号) or null (rainfall tiers, reservoir levels), and the
records stay editable and can be given responsible people through roles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from schema_db import check_upgraded_server, check_upgraded_workstation
from sqlalchemy import text
from sqlalchemy.engine import Connection

from console.domain.ids import new_id
from console.domain.mutations import MutationContext, fetch, run_mutation

TOWN, VILLAGE, SHELTER, POINT, STATION = (new_id() for _ in range(5))


def _meta(version: int | None) -> dict[str, Any]:
    return {"version": version, "updated_at": "h1", "updated_by": "甲", "deleted": False}


def _old_rows(version: int | None) -> list[tuple[str, dict[str, Any]]]:
    """One row of each reference table, with exactly the columns the old revision has."""
    meta = _meta(version)
    return [
        (
            "townships",
            {
                "id": TOWN,
                "name": "大柘镇",
                "kind": "镇",
                "lon": 119.1,
                "lat": 28.5,
                "position_approximate": True,
                "is_sample": False,
                **meta,
            },
        ),
        (
            "villages",
            {
                "id": VILLAGE,
                "township_id": TOWN,
                "name": "大柘村",
                "lon": None,
                "lat": None,
                "is_sample": False,
                **meta,
            },
        ),
        (
            "shelters",
            {
                "id": SHELTER,
                "name": "大柘村文化礼堂",
                "township_id": TOWN,
                "village_id": VILLAGE,
                "kind": "文化礼堂",
                "capacity": 120,
                "manager": "王某某",
                "phone": "13800000001",
                "lon": None,
                "lat": None,
                "is_sample": False,
                **meta,
            },
        ),
        (
            "risk_points",
            {
                "id": POINT,
                "type": "山洪危险区",
                "name": "大柘溪沿线",
                "township_id": TOWN,
                "village_id": VILLAGE,
                "lon": None,
                "lat": None,
                "households": 12,
                "persons": 40,
                "responsible_person": "李某某",
                "responsible_phone": "13800000002",
                "shelter_id": SHELTER,
                "transfer_route": "沿村道至文化礼堂",
                "note": "",
                "is_sample": False,
                **meta,
            },
        ),
        (
            "stations",
            {
                "id": STATION,
                "code": "63201000",
                "name": "大柘",
                "kind": "水位站",
                "township_id": TOWN,
                "lon": None,
                "lat": None,
                "warning_level_m": 210.5,
                "guarantee_level_m": 212.0,
                "is_sample": False,
                **meta,
            },
        ),
    ]


def _check(conn: Connection) -> None:
    # old values kept
    for table, row in _old_rows(None):
        stored = fetch(conn, table, row["id"])
        assert stored is not None
        for key, value in row.items():
            if key != "version":
                assert stored[key] == value, f"{table}.{key}"
    village = fetch(conn, "villages", VILLAGE)
    shelter = fetch(conn, "shelters", SHELTER)
    point = fetch(conn, "risk_points", POINT)
    station = fetch(conn, "stations", STATION)
    assert village is not None and shelter is not None
    assert point is not None and station is not None
    assert (village["households"], village["population"]) == (0, 0)
    assert shelter["facilities"] == ""
    assert point["warning_signal"] == "" and point["evacuate_rain_3h_mm"] is None
    assert station["flood_limit_level_m"] is None and station["check_level_m"] is None

    ctx = MutationContext(user="乙", client_id=new_id(), hlc="0001732781234567-00001-aa", version=9)
    # an old record is edited through one field; the others stay
    run_mutation(conn, "village.upsert", {"id": VILLAGE, "population": 530}, ctx)
    village = fetch(conn, "villages", VILLAGE)
    assert village is not None and (village["name"], village["population"]) == ("大柘村", 530)
    # and gets its responsible person through a role
    unit, person, role = new_id(), new_id(), new_id()
    run_mutation(conn, "unit.upsert", {"id": unit, "name": "大柘村村委会", "kind": "村社区"}, ctx)
    run_mutation(conn, "person.upsert", {"id": person, "name": "赵某某", "unit_id": unit}, ctx)
    run_mutation(
        conn,
        "person_role.upsert",
        {"id": role, "person_id": person, "role": "山洪预警员", "risk_point_id": POINT},
        ctx,
    )
    stored = fetch(conn, "person_roles", role)
    assert stored is not None and stored["risk_point_id"] == POINT


def test_workstation_upgrade_keeps_reference_rows_and_adds_people(tmp_path: Path) -> None:
    check_upgraded_workstation(
        tmp_path / "ws", "0010_report_rules_v2", _old_rows(None), _check_and_count
    )


def _check_and_count(conn: Connection) -> None:
    _check(conn)
    assert conn.execute(text("SELECT count(*) FROM person_roles")).scalar_one() == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_server_upgrade_keeps_reference_rows_and_adds_people(backend: str, tmp_path: Path) -> None:
    check_upgraded_server(backend, tmp_path, "0009_audit_replay", _old_rows(1), _check_and_count)
