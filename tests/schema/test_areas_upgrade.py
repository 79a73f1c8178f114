"""Upgrading a store from before areas (workstation 0025, server 0024): townships, villages
and risk points keep every value and get "" (no area); they can then be given one, and an
edit of another field leaves it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from schema_db import check_upgraded_server, check_upgraded_workstation
from sqlalchemy.engine import Connection

from console.domain.ids import new_id
from console.domain.mutations import MutationContext, fetch, run_mutation

TOWN, VILLAGE, POINT = (new_id() for _ in range(3))
SQUARE = [[119.0, 28.0], [119.02, 28.0], [119.02, 28.02], [119.0, 28.02], [119.0, 28.0]]


def _old_rows(version: int | None) -> list[tuple[str, dict[str, Any]]]:
    """A row of each table the upgrade touches, with the columns it had (a few; the others
    of before 0025/0024 take their defaults)."""
    meta = {"version": version, "updated_at": "h1", "updated_by": "甲", "deleted": False}
    place = {"lon": 119.01, "lat": 28.01, "is_sample": False}
    return [
        (
            "townships",
            {"id": TOWN, "name": "北界镇", "kind": "镇", "position_approximate": True}
            | place
            | meta,
        ),
        ("villages", {"id": VILLAGE, "township_id": TOWN, "name": "苏村", **place, **meta}),
        (
            "risk_points",
            {
                "id": POINT,
                "type": "山洪危险区",
                "name": "苏村溪",
                "township_id": TOWN,
                "village_id": VILLAGE,
                "households": 19,
                "persons": 52,
                **dict.fromkeys(
                    ("responsible_person", "responsible_phone", "transfer_route", "note"), ""
                ),
                **place,
                **meta,
            },
        ),
    ]


def _check(conn: Connection) -> None:
    for table, row in _old_rows(None):
        stored = fetch(conn, table, row["id"])
        assert stored is not None
        assert {k: stored[k] for k in row if k != "version"} == {
            k: v for k, v in row.items() if k != "version"
        }, table
        assert stored["area"] == ""
    ctx = MutationContext(user="乙", client_id=new_id(), hlc="0001732781234567-00001-aa", version=9)
    area = json.dumps({"type": "Polygon", "coordinates": [SQUARE]})
    run_mutation(conn, "risk_point.upsert", {"id": POINT, "area": area}, ctx)
    run_mutation(conn, "risk_point.upsert", {"id": POINT, "persons": 60}, ctx)
    point = fetch(conn, "risk_points", POINT)
    assert point is not None and point["persons"] == 60
    assert json.loads(point["area"])["coordinates"] == [SQUARE]


def test_workstation_upgrade_keeps_places_and_adds_empty_areas(tmp_path: Path) -> None:
    check_upgraded_workstation(tmp_path / "ws", "0025_teams_in_action", _old_rows(None), _check)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_server_upgrade_keeps_places_and_adds_empty_areas(backend: str, tmp_path: Path) -> None:
    check_upgraded_server(backend, tmp_path, "0024_teams_in_action", _old_rows(1), _check)
