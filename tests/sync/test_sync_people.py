"""People and their roles through a real server process: a person with roles created on one
workstation reaches another, is edited there and comes back (digests equal on both and on
the server); an officer may not delete a person (the server refuses and the workstation gets
the person back), a leader may; the server runs the role/object rule on a push."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sync_testkit import PASSWORDS, engine_as, pushed, store_digest, table_rows

from console.domain.ids import new_id
from console.domain.mutations import SCHEMA_VERSION
from console.domain.schema import Person, PersonRole
from console.services.context import open_workstation
from console.store.records import SyncIssue
from console.sync.client import SyncClient
from testkit.server import ServerProcess

TOWN, VILLAGE, POINT, UNIT, PERSON = (new_id() for _ in range(5))
VILLAGE_ROLE, POINT_ROLE, NEW_ROLE = (new_id() for _ in range(3))


def _county() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("township.upsert", {"id": TOWN, "name": "北界镇", "kind": "镇"}),
        ("village.upsert", {"id": VILLAGE, "township_id": TOWN, "name": "苏村"}),
        (
            "risk_point.upsert",
            {"id": POINT, "type": "山洪危险区", "name": "苏村溪", "village_id": VILLAGE},
        ),
        (
            "unit.upsert",
            {"id": UNIT, "name": "北界镇苏村", "kind": "村社区", "village_id": VILLAGE},
        ),
        (
            "person.upsert",
            {
                "id": PERSON,
                "name": "张某某",
                "unit_id": UNIT,
                "post": "村监测员",
                "mobile": "13800000001",
            },
        ),
        (
            "person_role.upsert",
            {"id": VILLAGE_ROLE, "person_id": PERSON, "role": "村监测预警", "village_id": VILLAGE},
        ),
        (
            "person_role.upsert",
            {
                "id": POINT_ROLE,
                "person_id": PERSON,
                "role": "山洪预警员",
                "risk_point_id": POINT,
                "valid_from": "2026-04-15",
            },
        ),
    ]


def test_a_person_with_roles_round_trips_between_workstations(
    server: ServerProcess, tmp_path: Path
) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    b = open_workstation(tmp_path / "b", autoload=False)
    try:
        a.writer.apply(_county(), user="zhang")
        assert engine_as(a, server).sync_once().issues == 0
        engine_as(b, server).sync_once()
        assert table_rows(b, Person) == table_rows(a, Person)
        assert table_rows(b, PersonRole) == table_rows(a, PersonRole)
        assert set(table_rows(b, PersonRole)) == {VILLAGE_ROLE, POINT_ROLE}

        b.writer.apply(
            [
                ("person.upsert", {"id": PERSON, "mobile": "13800000002", "zzd_id": "zzd-1"}),
                ("person_role.upsert", {"id": POINT_ROLE, "valid_to": "2026-10-15"}),
                (
                    "person_role.upsert",
                    {
                        "id": NEW_ROLE,
                        "person_id": PERSON,
                        "role": "村级灾害信息员",
                        "village_id": VILLAGE,
                    },
                ),
            ],
            user="zhang",
        )
        assert engine_as(b, server).sync_once().issues == 0
        engine_as(a, server).sync_once()

        person = table_rows(a, Person)[PERSON]
        assert (person["mobile"], person["zzd_id"], person["name"]) == (
            "13800000002",
            "zzd-1",
            "张某某",
        )
        roles = table_rows(a, PersonRole)
        assert (roles[POINT_ROLE]["valid_from"], roles[POINT_ROLE]["valid_to"]) == (
            "2026-04-15",
            "2026-10-15",
        )
        assert roles[NEW_ROLE]["role"] == "村级灾害信息员"
        assert table_rows(a, PersonRole) == table_rows(b, PersonRole)
        assert store_digest(a) == store_digest(b) == server.cli("digest").stdout.strip()
        assert a.queries.sync_counters().pending == b.queries.sync_counters().pending == 0
    finally:
        a.close()
        b.close()


def test_an_officer_may_not_delete_a_person_a_leader_may(
    server: ServerProcess, tmp_path: Path
) -> None:
    ws = open_workstation(tmp_path / "a", autoload=False)
    try:
        ws.writer.apply(_county(), user="zhang")
        engine_as(ws, server).sync_once()
        ws.writer.apply([("person.delete", {"id": PERSON})], user="zhang")  # 值班员
        assert table_rows(ws, Person)[PERSON]["deleted"]
        report = engine_as(ws, server).sync_once()
        assert report.issues == 1
        assert not table_rows(ws, Person)[PERSON]["deleted"]  # the server's copy is back
        with ws.store.engine.connect() as conn:
            rejection = conn.execute(select(SyncIssue)).mappings().one()
        assert rejection["name"] == "person.delete" and rejection["kind"] == "rejected"
        assert "值班员" in rejection["message"]
        assert json.loads(rejection["args"]) == {"id": PERSON}

        leader = SyncClient(server.url)
        leader.login("li", PASSWORDS["li"][1])
        pushed = [
            {
                "mutation_id": 1,
                "name": "person.delete",
                "args": {"id": PERSON},
                "hlc": "0001795877847773-00001-t",
                "schema_version": SCHEMA_VERSION,
            },
        ]
        assert leader.push(new_id(), pushed)["results"][0]["status"] == "applied"
        engine_as(ws, server).sync_once()
        assert table_rows(ws, Person)[PERSON]["deleted"]
    finally:
        ws.close()


def test_the_server_refuses_a_role_on_the_wrong_object(server: ServerProcess) -> None:
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    calls = [
        *_county()[:5],
        (
            "person_role.upsert",
            {
                "id": new_id(),
                "person_id": PERSON,
                "role": "避灾场所管理员",
                "risk_point_id": POINT,
            },
        ),
    ]
    results = client.push(new_id(), pushed(calls))["results"]
    assert [r["status"] for r in results] == ["applied"] * 5 + ["rejected"]
    assert results[-1]["message"] == "“避灾场所管理员”应且只应填写所属避灾场所"
    assert client.pull(new_id(), None)["rows"].get("person_roles", []) == []
