"""The roster's mutations: slots, the shift pattern, holidays; a swap asked for, approved
(both slots change in one transaction) or refused; stale and cross-role swaps refused; the
permissions (an officer asks, only a leader approves)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from console.domain import roster
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.mutations import fetch
from console.domain.roles import ADMIN, LEADER, OFFICER, READONLY, allowed

Run = Callable[..., Any]
AT = "2026-11-30T09:00:00+08:00"


def _person(run: Run, name: str) -> str:
    pid = new_id()
    run("person.upsert", {"id": pid, "name": name})
    return pid


def _slot(run: Run, key: str, role: str, slot: int, person: str) -> str:
    rid = roster.entry_id(key, role, slot)
    args = {"id": rid, "shift_key": key, "role": role, "slot": slot, "person_id": person}
    run("roster_entry.upsert", args)
    return rid


@pytest.fixture
def two_days(run: Run) -> dict[str, str]:
    """Officers 傅 (11-30) and 魏 (12-01), leaders 钱 and 赵."""
    ids = {n: _person(run, n) for n in ("傅某某", "魏某某", "钱某某", "赵某某")}
    ids["a"] = _slot(run, "2026-11-30#0", roster.OFFICER, 0, ids["傅某某"])
    ids["b"] = _slot(run, "2026-12-01#0", roster.OFFICER, 0, ids["魏某某"])
    ids["la"] = _slot(run, "2026-11-30#0", roster.LEADER, 0, ids["钱某某"])
    return ids


def _request(run: Run, a: str, b: str, **override: Any) -> dict[str, Any]:
    args = {"id": new_id(), "entry_a_id": a, "entry_b_id": b, "reason": "家中有事"}
    args = {**args, "requested_at": AT, **override}
    run("roster_swap.request", args, user="傅某某")
    return args


def test_a_slot_is_planned_replanned_and_cleared(run: Run, conn: Connection) -> None:
    fu, wei = _person(run, "傅某某"), _person(run, "魏某某")
    rid = _slot(run, "2026-11-30#0", roster.OFFICER, 1, fu)
    assert run("roster_entry.upsert", {"id": rid, "person_id": fu}) == []  # identical
    run("roster_entry.upsert", {"id": rid, "person_id": wei})
    row = fetch(conn, "roster_entries", rid)
    assert row is not None and row["person_id"] == wei and row["slot"] == 1
    run("roster_entry.delete", {"id": rid})
    row = fetch(conn, "roster_entries", rid)
    assert row is not None and row["deleted"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"shift_key": "2026-11-30#0", "role": roster.LEADER, "slot": 1}, "每班带班领导最多 1 人"),
        ({"shift_key": "2026-11-30", "role": roster.OFFICER, "slot": 0}, "班次编号应为"),
        ({"shift_key": "2026-11-30#0", "role": "组长", "slot": 0}, "值班角色"),
        ({"shift_key": "2026-11-30#0", "role": roster.OFFICER, "slot": 2}, "序号"),
    ],
)
def test_a_bad_slot_is_refused_in_chinese(
    run: Run, conn: Connection, args: dict[str, Any], message: str
) -> None:
    person = _person(run, "傅某某")
    rid = new_id()
    with pytest.raises(MutationRejected) as refused:
        run("roster_entry.upsert", {"id": rid, "person_id": person, **args})
    assert message in refused.value.message
    assert fetch(conn, "roster_entries", rid) is None


def test_a_slot_must_name_a_live_person(run: Run) -> None:
    with pytest.raises(MutationRejected) as refused:
        _slot(run, "2026-11-30#0", roster.OFFICER, 0, new_id())
    assert refused.value.code == "missing_ref"


def test_the_shift_pattern_and_a_holiday(run: Run, conn: Connection) -> None:
    args = {"id": roster.SETTINGS_ID, "shift_start": "08:00", "shift_hours": 12}
    run("roster_setting.upsert", {**args, "min_rest_hours": 12})
    row = fetch(conn, "roster_settings", roster.SETTINGS_ID)
    assert row is not None and (row["shift_start"], row["shift_hours"]) == ("08:00", 12)
    with pytest.raises(MutationRejected) as refused:
        run("roster_setting.upsert", {**args, "shift_hours": 10})
    assert "6、8、12 或 24" in refused.value.message
    with pytest.raises(MutationRejected):
        run("roster_setting.upsert", {**args, "min_rest_hours": 73})
    hid = new_id()
    run("holiday.upsert", {"id": hid, "day": "2026-10-01", "name": "国庆节", "legal": True})
    with pytest.raises(MutationRejected) as refused:
        run("holiday.upsert", {"id": new_id(), "name": "无日期"})
    assert refused.value.message == "节假日须有日期"


def test_an_approved_swap_trades_the_two_people(
    run: Run, conn: Connection, two_days: dict[str, str]
) -> None:
    swap = _request(run, two_days["a"], two_days["b"])
    row = fetch(conn, "roster_swaps", swap["id"])
    assert row is not None
    assert (row["status"], row["author"]) == (roster.SWAP_PENDING, "傅某某")
    assert (row["person_a_id"], row["person_b_id"]) == (two_days["傅某某"], two_days["魏某某"])
    assert run("roster_swap.request", swap, user="傅某某") == []  # a replay

    decision = {"id": swap["id"], "at": "2026-11-30T10:00:00+08:00", "note": "同意"}
    changes = run("roster_swap.approve", decision, user="钱某某")
    assert {c.table for c in changes} == {"roster_entries", "roster_swaps"} and len(changes) == 3
    a, b = (
        fetch(conn, "roster_entries", two_days["a"]),
        fetch(conn, "roster_entries", two_days["b"]),
    )
    assert a is not None and b is not None
    assert (a["person_id"], b["person_id"]) == (two_days["魏某某"], two_days["傅某某"])
    row = fetch(conn, "roster_swaps", swap["id"])
    assert row is not None
    assert (row["status"], row["decided_by"], row["decision_note"]) == ("已批准", "钱某某", "同意")
    assert run("roster_swap.approve", decision, user="钱某某") == []  # a replay: no second trade
    a = fetch(conn, "roster_entries", two_days["a"])
    assert a is not None and a["person_id"] == two_days["魏某某"]
    with pytest.raises(MutationRejected) as refused:
        run("roster_swap.refuse", decision, user="钱某某")
    assert refused.value.message == "该换班申请已批准，不能再审批"


def test_a_refused_swap_changes_no_slot(
    run: Run, conn: Connection, two_days: dict[str, str]
) -> None:
    swap = _request(run, two_days["a"], two_days["b"])
    run("roster_swap.refuse", {"id": swap["id"], "at": AT}, user="钱某某")
    a = fetch(conn, "roster_entries", two_days["a"])
    assert a is not None and a["person_id"] == two_days["傅某某"]
    row = fetch(conn, "roster_swaps", swap["id"])
    assert row is not None and row["status"] == roster.SWAP_REFUSED
    with pytest.raises(MutationRejected):
        run("roster_swap.approve", {"id": swap["id"], "at": AT}, user="钱某某")


def test_a_swap_of_a_roster_changed_since_is_refused_whole(
    run: Run, conn: Connection, two_days: dict[str, str]
) -> None:
    swap = _request(run, two_days["a"], two_days["b"])
    zhao = two_days["赵某某"]
    run("roster_entry.upsert", {"id": two_days["b"], "person_id": zhao})
    with pytest.raises(MutationRejected) as refused:
        run("roster_swap.approve", {"id": swap["id"], "at": AT}, user="钱某某")
    assert refused.value.message == "申请后排班已变更，请重新申请换班"
    a, b = (
        fetch(conn, "roster_entries", two_days["a"]),
        fetch(conn, "roster_entries", two_days["b"]),
    )
    assert a is not None and b is not None
    assert (a["person_id"], b["person_id"]) == (two_days["傅某某"], zhao)
    row = fetch(conn, "roster_swaps", swap["id"])
    assert row is not None and row["status"] == roster.SWAP_PENDING


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (("a", "la"), "只能与同一角色互换"),
        (("a", "a"), "请选择两个不同的班次"),
    ],
)
def test_a_swap_that_cannot_be_is_refused_when_asked(
    run: Run, conn: Connection, two_days: dict[str, str], pick: tuple[str, str], message: str
) -> None:
    sid = new_id()
    with pytest.raises(MutationRejected) as refused:
        _request(run, two_days[pick[0]], two_days[pick[1]], id=sid)
    assert message in refused.value.message
    assert fetch(conn, "roster_swaps", sid) is None


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"reason": "  "}, "missing_field"),
        ({"reason": "长" * 201}, "too_long"),
        ({"requested_at": "昨天"}, "bad_time"),
        ({"person_a_id": new_id()}, "unknown_field"),
        ({"entry_b_id": new_id()}, "missing_ref"),
        ({"entry_b_id": 7}, "bad_ref"),
    ],
)
def test_hostile_swap_requests_are_refused(
    run: Run, two_days: dict[str, str], override: dict[str, Any], code: str
) -> None:
    with pytest.raises(MutationRejected) as refused:
        _request(run, two_days["a"], two_days["b"], **override)
    assert refused.value.code in (code, "not_found", "bad_type", "bad_id")
    assert refused.value.message


def test_the_permissions_an_officer_asks_a_leader_decides() -> None:
    assert allowed(OFFICER, "roster_swap.request")
    assert not allowed(READONLY, "roster_swap.request")
    for name in ("roster_swap.approve", "roster_swap.refuse", "roster_entry.upsert"):
        assert not allowed(OFFICER, name)
        assert allowed(LEADER, name) and allowed(ADMIN, name)
    for name in ("roster_setting.upsert", "holiday.upsert", "roster_entry.delete"):
        assert not allowed(OFFICER, name) and allowed(LEADER, name)
