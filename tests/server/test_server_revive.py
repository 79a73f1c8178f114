"""Bringing a deleted record back needs the right to delete it (issue 9, item 6).

An upsert of a deleted reference record clears its tombstone: an officer (who may edit but
not delete) could so undo a leader's delete. Real accounts of both roles, real server, both
backends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from server_testkit import Client, Database, township_args, village_args

from console.domain.grading import grading_rule_args
from console.domain.ids import new_id
from console.domain.mutations import DELETE_MUTATION
from console.domain.roles import allowed


def _deleted(database: Database, table: str, record_id: str) -> bool:
    return bool(database.scalar(f"SELECT deleted FROM {table} WHERE id = :i", i=record_id))


@pytest.mark.parametrize("identical", [True, False], ids=["identical", "changed"])
def test_officer_cannot_undo_a_leaders_delete(
    client_for: Callable[[str], Client], database: Database, identical: bool
) -> None:
    officer, leader = client_for("officer"), client_for("leader")
    town = township_args()
    assert officer.apply(("township.upsert", town))[0]["status"] == "applied"
    assert leader.apply(("township.delete", {"id": town["id"]}))[0]["status"] == "applied"

    again = town if identical else {**town, "name": "恢复镇"}
    result = officer.apply(("township.upsert", again))[0]
    assert result["status"] == "rejected" and result["code"] == "forbidden", result
    assert "删除权限" in result["message"]
    assert _deleted(database, "townships", town["id"])
    # kept as a rejection: the queue goes on, and the leader may bring it back
    assert officer.apply(("township.upsert", township_args()))[0]["status"] == "applied"
    assert leader.apply(("township.upsert", again))[0]["status"] == "applied"
    assert not _deleted(database, "townships", town["id"])
    # a live record the officer may edit as before
    edited = officer.apply(("township.upsert", {**again, "name": "再改镇"}))[0]
    assert edited["status"] == "applied"


def test_every_revivable_table_follows_its_delete_right(
    client_for: Callable[[str], Client], database: Database, admin: Client
) -> None:
    town = township_args()
    assert admin.apply(("township.upsert", town))[0]["status"] == "applied"
    records: dict[str, tuple[str, dict[str, Any]]] = {
        "villages": ("village.upsert", village_args(town["id"])),
        "teams": ("team.upsert", {"id": new_id(), "name": "测试抢险队", "kind": "抢险"}),
        "stations": (
            "station.upsert",
            {"id": new_id(), "code": "R01", "name": "测试站", "kind": "雨量站"},
        ),
        "grading_rules": (
            "grading_rule.upsert",
            dict(grading_rule_args("自然灾害", "地质", "死亡", (30, 10, 3, 1), "县定")),
        ),
    }
    for role in ("officer", "leader"):
        ws = client_for(role)
        for table, (name, args) in records.items():
            args = {**args, "id": new_id()}
            assert admin.apply((name, args))[0]["status"] == "applied"
            assert admin.apply((DELETE_MUTATION[table], {"id": args["id"]}))[0]["status"] == (
                "applied"
            )
            result = ws.apply((name, args))[0]
            may = allowed(role, DELETE_MUTATION[table])
            assert result["status"] == ("applied" if may else "rejected"), (role, table, result)
            assert _deleted(database, table, args["id"]) is not may
