"""排班 through a real duty-server (both backends): only a leader plans the roster, sets
the shift pattern and decides swaps; an officer asks for a swap; an approval trades the two
slots in one transaction; hostile requests are refused in Chinese and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from server_testkit import Client, Database, ServerProcess

from console.domain import roster
from console.domain.ids import new_id

AT = "2026-11-30T09:00:00+08:00"


@pytest.fixture(scope="module")
def leader(client_for: Callable[[str], Client]) -> Client:
    return client_for("leader")


@pytest.fixture(scope="module")
def officer(client_for: Callable[[str], Client]) -> Client:
    return client_for("officer")


def _person(client: Client, name: str) -> str:
    pid = new_id()
    [result] = client.apply(("person.upsert", {"id": pid, "name": name}))
    assert result["status"] == "applied", result
    return pid


def _slot(key: str, person: str, slot: int = 0, role: str = roster.OFFICER) -> dict[str, Any]:
    rid = roster.entry_id(key, role, slot)
    return {"id": rid, "shift_key": key, "role": role, "slot": slot, "person_id": person}


def _ok(results: list[dict[str, Any]]) -> None:
    assert [r["status"] for r in results] == ["applied"] * len(results), results


def test_an_officer_asks_only_a_leader_approves_and_the_slots_trade(
    database: Database, server: ServerProcess, leader: Client, officer: Client
) -> None:
    fu, wei = _person(officer, "傅某某"), _person(officer, "魏某某")
    a, b = _slot("2027-01-04#0", fu), _slot("2027-01-06#0", wei)
    version, digest = server.version(), database.digest()
    [denied] = officer.apply(("roster_entry.upsert", a))
    assert (denied["status"], denied["code"]) == ("rejected", "forbidden")
    assert (server.version(), database.digest()) == (version, digest)
    _ok(leader.apply(("roster_entry.upsert", a), ("roster_entry.upsert", b)))

    swap = {
        "id": new_id(),
        "entry_a_id": a["id"],
        "entry_b_id": b["id"],
        "reason": "家中有事，已与魏某某协商",
        "requested_at": AT,
    }
    _ok(officer.apply(("roster_swap.request", swap)))
    decision = {"id": swap["id"], "at": "2026-11-30T10:00:00+08:00", "note": "同意"}
    version, digest = server.version(), database.digest()
    for name in ("roster_swap.approve", "roster_swap.refuse"):
        [refused] = officer.apply((name, decision))
        assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
        assert "值班员" in refused["message"]
    assert (server.version(), database.digest()) == (version, digest)

    _ok(leader.apply(("roster_swap.approve", decision)))
    rows = database.rows(
        "SELECT id, person_id FROM roster_entries WHERE id IN (:a, :b)", a=a["id"], b=b["id"]
    )
    assert {r["id"]: r["person_id"] for r in rows} == {a["id"]: wei, b["id"]: fu}
    [status] = database.rows(
        "SELECT status, decided_by FROM roster_swaps WHERE id = :s", s=swap["id"]
    )
    assert (status["status"], status["decided_by"]) == ("已批准", "leader")
    # The officer's workstation sees both slots changed.
    pulled = officer.pull_all()
    keys = pulled.row_keys()
    assert ("roster_entries", a["id"]) in keys and ("roster_swaps", swap["id"]) in keys


def test_only_a_leader_sets_the_shift_pattern_and_a_bad_one_is_refused(
    database: Database, server: ServerProcess, leader: Client, officer: Client
) -> None:
    args = {"id": roster.SETTINGS_ID, "shift_start": "08:30", "shift_hours": 24}
    [denied] = officer.apply(("roster_setting.upsert", {**args, "min_rest_hours": 24}))
    assert denied["code"] == "forbidden"
    [bad] = leader.apply(("roster_setting.upsert", {**args, "shift_hours": 10}))
    assert (bad["status"], bad["code"]) == ("rejected", "bad_combination")
    assert "6、8、12 或 24" in bad["message"]
    _ok(leader.apply(("roster_setting.upsert", {**args, "min_rest_hours": 12})))
    [row] = database.rows(
        "SELECT min_rest_hours FROM roster_settings WHERE id = :i", i=roster.SETTINGS_ID
    )
    assert row["min_rest_hours"] == 12


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"reason": ["列表"]}, "bad_type"),
        ({"reason": "长" * 201}, "too_long"),
        ({"entry_b_id": "../../etc/passwd"}, "bad_ref"),
        ({"status": "已批准"}, "unknown_field"),
        ({"person_b_id": new_id()}, "unknown_field"),
    ],
)
def test_hostile_swap_requests_change_nothing(
    database: Database,
    server: ServerProcess,
    leader: Client,
    officer: Client,
    override: dict[str, Any],
    code: str,
) -> None:
    fu, wei = _person(leader, "傅某某"), _person(leader, "魏某某")
    a, b = _slot("2027-02-01#0", fu), _slot("2027-02-03#0", wei)
    _ok(leader.apply(("roster_entry.upsert", a), ("roster_entry.upsert", b)))
    swap = {"id": new_id(), "entry_a_id": a["id"], "entry_b_id": b["id"], "reason": "有事"}
    swap = {**swap, "requested_at": AT, **override}
    version, digest = server.version(), database.digest()
    [refused] = officer.apply(("roster_swap.request", swap))
    assert refused["status"] == "rejected" and refused["message"]
    assert refused["code"] in (code, "missing_ref", "bad_id")
    assert (server.version(), database.digest()) == (version, digest)


def test_a_swap_request_without_a_token_is_refused(server: ServerProcess) -> None:
    import requests

    body = {"client_id": new_id(), "mutations": []}
    response = requests.post(f"{server.base_url}/sync/push", json=body, timeout=10)
    assert response.status_code == 401
