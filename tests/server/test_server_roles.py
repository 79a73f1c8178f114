"""Role x mutation matrix: every push applies or is refused exactly as roles.allowed says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from server_testkit import (
    Client,
    Database,
    ServerProcess,
    incident_args,
    mutation,
    timeline_args,
    township_args,
    village_args,
)

from console.domain.grading import grading_rule_args
from console.domain.ids import new_id
from console.domain.mutations import REGISTRY
from console.domain.roles import PERMISSIONS, ROLE_LABELS, allowed

_ENTITY_TABLE = {
    "township": "townships",
    "village": "villages",
    "shelter": "shelters",
    "risk_point": "risk_points",
    "team": "teams",
    "station": "stations",
    "incident": "incidents",
    "timeline": "incident_timeline",
    "grading_rule": "grading_rules",
    "rain_signal_rule": "rain_signal_rules",
    "response_trigger": "response_triggers",
    "rain_forecast": "rain_forecasts",
    "warning": "warnings",
}


def _new_record(entity: str, base: dict[str, str]) -> dict[str, Any]:
    """Valid arguments creating one new record of ``entity``."""
    if entity == "township":
        return township_args()
    if entity == "village":
        return village_args(base["township"])
    if entity == "shelter":
        return {"id": new_id(), "name": "测试安置点", "capacity": 120}
    if entity == "risk_point":
        return {"id": new_id(), "type": "水库", "name": "测试水库", "persons": 30}
    if entity == "team":
        return {"id": new_id(), "name": "测试抢险队", "kind": "抢险"}
    if entity == "station":
        return {"id": new_id(), "code": "T001", "name": "测试站", "kind": "雨量站"}
    if entity == "incident":
        return incident_args()
    if entity == "grading_rule":  # the table that decides grades: leaders and admins only
        row = grading_rule_args("自然灾害", "地质", "死亡", (30, 10, 3, 1), "县定")
        return {**row, "id": new_id()}
    if entity == "rain_signal_rule":  # decides warnings: leaders and admins only
        return {"id": new_id(), "level": "红", "hours": 3, "mm": 100.0}
    if entity == "response_trigger":  # decides response levels: leaders and admins only
        return {"id": new_id(), "level": "IV", "metric": "单站3小时雨量", "low": 50.0}
    if entity == "rain_forecast":
        return {
            "id": new_id(),
            "township_id": base["township"],
            "issued_at": "2026-09-28T08:00:00+08:00",
            "valid_from": "2026-09-28T08:00:00+08:00",
            "horizon_h": 3,
            "mm": 40.0,
        }
    if entity == "warning":
        return {
            "id": new_id(),
            "kind": "暴雨",
            "level": "橙",
            "issued_at": "2026-09-28T08:00:00+08:00",
            "township_id": base["township"],
        }
    return timeline_args(base["incident"])


_CREATE = {f"{e}.upsert" for e in _ENTITY_TABLE} | {"incident.create", "timeline.append"}


def _known(name: str) -> bool:
    """This matrix can build valid arguments for ``name`` (and check the row it changes)."""
    entity, _, action = name.partition(".")
    return entity in _ENTITY_TABLE and (name in _CREATE or action in ("delete", "update"))


def test_every_mutation_has_explicit_permissions() -> None:
    """Unlisted mutations are refused to everybody (fail closed): a registered mutation must
    name its roles, and nothing grants the read-only role a write."""
    assert set(REGISTRY) <= set(PERMISSIONS)
    assert set(ROLE_LABELS) == {"admin", "leader", "officer", "readonly", "ingest"}
    assert not any(allowed("readonly", name) for name in REGISTRY)
    assert not any(allowed("ingest", name) for name in REGISTRY)
    assert not allowed("admin", "no.such_mutation")
    assert sum(_known(n) for n in REGISTRY) >= 16


@pytest.fixture(scope="module")
def base(admin: Client) -> dict[str, str]:
    town, inc = township_args(), incident_args()
    admin.apply(("township.upsert", town), ("incident.create", inc))
    return {"township": town["id"], "incident": inc["id"]}


@pytest.fixture(scope="module")
def workstations(client_for: Callable[[str], Client]) -> dict[str, Client]:
    # The ingest account cannot push at all (403 before any mutation; see test_ingest_*).
    return {role: client_for(role) for role in ROLE_LABELS if role != "ingest"}


def _arrange(name: str, admin: Client, base: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    """(table, record id, push args) for ``name``; targets of delete/update made by admin."""
    if not _known(name):
        # A mutation this matrix has no builder for: arguments it must refuse on their merits,
        # so any rejection but "forbidden" shows the role check let it through.
        return "", "", {"id": new_id(), "no_such_field": 1}
    entity, action = name.split(".")
    table = _ENTITY_TABLE[entity]
    if name in _CREATE:
        args = _new_record(entity, base)
        return table, args["id"], args
    target = _new_record(entity, base)
    create = "incident.create" if entity == "incident" else f"{entity}.upsert"
    assert admin.apply((create, target))[0]["status"] == "applied"
    if action == "update":
        return table, target["id"], {"id": target["id"], "fields": {"title": "已更新的标题"}}
    return table, target["id"], {"id": target["id"]}


@pytest.mark.parametrize("name", sorted(REGISTRY))
@pytest.mark.parametrize("role", sorted(set(ROLE_LABELS) - {"ingest"}))
def test_role_mutation_matrix(
    role: str,
    name: str,
    database: Database,
    server: ServerProcess,
    admin: Client,
    base: dict[str, str],
    workstations: dict[str, Client],
) -> None:
    table, record_id, args = _arrange(name, admin, base)

    def current() -> list[dict[str, Any]]:
        if not table:
            return []
        return database.rows(f"SELECT * FROM {table} WHERE id = :id", id=record_id)

    before = current()
    version, digest = server.version(), database.digest()
    client = workstations[role]

    if role == "readonly":
        r = client.push([mutation(client.last_id + 1, name, args)])
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "readonly"
        assert (server.version(), database.digest()) == (version, digest)
        return

    [result] = client.apply((name, args))
    after = current()
    if not table:  # no builder: only the role gate is checked
        if allowed(role, name):
            assert result["code"] != "forbidden", result
        else:
            assert (result["status"], result["code"]) == ("rejected", "forbidden"), result
            assert (server.version(), database.digest()) == (version, digest)
        return
    if allowed(role, name):
        assert result["status"] == "applied", result
        assert result["version"] == version + 1 == server.version()
        [row] = after
        assert row["version"] == version + 1
        assert row["updated_by"] == role
        if name.endswith(".delete"):
            assert row["deleted"]
        elif name.endswith(".update"):
            assert row["title"] == "已更新的标题"
    else:
        assert result["status"] == "rejected", result
        assert result["code"] == "forbidden"
        assert ROLE_LABELS[role] in result["message"]
        assert result["version"] is None
        assert (server.version(), database.digest()) == (version, digest)
        assert after == before


def test_readonly_push_of_nothing_is_also_403(workstations: dict[str, Client]) -> None:
    assert workstations["readonly"].push([]).status_code == 403
