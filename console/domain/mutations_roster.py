"""The mutations of the duty roster (排班, issue #14): the county's shift pattern, holidays,
the roster's slots (all the duty leader's) and swap requests (any officer asks, a leader
approves or refuses; an approval trades the two slots' people in the same transaction).

Rule violations (double booking, rest, coverage) are not refused here: they are advice the
calendar shows (:mod:`console.domain.roster`). What is refused is what can never be right:
a malformed shift key, a third officer slot, a swap across roles, a swap of a roster that
changed since it was asked for.

Registered into :data:`console.domain.mutations.REGISTRY` when that module is imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from console.domain import roster
from console.domain.fields import MutationRejected, check_fields
from console.domain.mutations import (
    MutationContext,
    _check_refs,
    _create_once,
    _live,
    _meta,
    _no_extra_keys,
    _record_id,
    _reference_mutations,
    _register,
    _update,
    fetch,
)
from console.domain.rows import RowChange
from console.domain.schema import ENTITY_FIELDS

_SWAP = ENTITY_FIELDS["roster_swaps"]

_reference_mutations("roster_settings", "roster_setting", "排班设置", roster.settings_problem)
_reference_mutations("holidays", "holiday", "节假日", roster.holiday_problem)
_reference_mutations("roster_entries", "roster_entry", "排班", roster.entry_problem)


def _live_entry(conn: Connection, entry_id: object) -> RowMapping:
    return _live(conn, "roster_entries", entry_id, "该班次的排班已被删除")


@_register("roster_swap.request", "申请换班")
def swap_request(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    """``entry_a_id`` (the requester's slot), ``entry_b_id``, ``reason``, ``requested_at``;
    the two people are taken from the entries as they stand (a stale request is refused
    when decided)."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "entry_a_id", "entry_b_id", "reason", "requested_at"})
    values = check_fields(_SWAP, {k: v for k, v in args.items() if k != "id"}, creating=True)
    a = _live_entry(conn, values["entry_a_id"])
    b = _live_entry(conn, values["entry_b_id"])
    if not values["reason"].strip():
        raise MutationRejected("missing_field", "请填写换班理由")
    _check_refs(conn, _SWAP, values)
    existing = fetch(conn, "roster_swaps", record_id)
    if existing is None:
        problem = roster.swap_problem(dict(a), dict(b))
        if problem is not None:
            raise MutationRejected("bad_swap", problem)
    elif existing["entry_a_id"] == values["entry_a_id"] and (
        existing["entry_b_id"] == values["entry_b_id"]
        and existing["reason"] == values["reason"]
        and existing["requested_at"] == values["requested_at"]
    ):
        return []  # a replay (the people may have been swapped since, by its approval)
    extra = {
        "person_a_id": a["person_id"],
        "person_b_id": b["person_id"],
        "status": roster.SWAP_PENDING,
        "decided_by": "",
        "decided_at": None,
        "decision_note": "",
        "author": ctx.user,
    }
    return _create_once(conn, ctx, "roster_swaps", record_id, values, extra)


def _decision(args: dict[str, Any]) -> tuple[str, str, str]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "at", "note"})
    at = check_fields(_SWAP, {"requested_at": args.get("at")}, creating=False)["requested_at"]
    note = args.get("note") or ""
    if not isinstance(note, str) or len(note) > 200:
        raise MutationRejected("bad_args", "审批意见应为不超过 200 字的文本")
    return record_id, at, note.strip()


def _pending(conn: Connection, record_id: str, target: str) -> RowMapping | None:
    """The request if still 待批; None when it already is ``target`` (a replay)."""
    swap = _live(conn, "roster_swaps", record_id, "换班申请不存在")
    if swap["status"] == target:
        return None
    if swap["status"] != roster.SWAP_PENDING:
        raise MutationRejected("bad_state", f"该换班申请已{swap['status'][-2:]}，不能再审批")
    return swap


def _decide(
    conn: Connection, ctx: MutationContext, swap: RowMapping, status: str, at: str, note: str
) -> RowChange:
    record_id = str(swap["id"])
    ctx.touch("roster_swaps", record_id, swap)
    values = {"status": status, "decided_by": ctx.user, "decided_at": at, "decision_note": note}
    _update(conn, "roster_swaps", record_id, {**values, **_meta(ctx)})
    return RowChange("roster_swaps", record_id)


@_register("roster_swap.approve", "批准换班")
def swap_approve(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    """Trade the two slots' people and mark the request approved, all in this transaction.
    Refused if either slot no longer holds the person it held when asked (the roster
    changed: the request must be made again)."""
    record_id, at, note = _decision(args)
    swap = _pending(conn, record_id, roster.SWAP_APPROVED)
    if swap is None:
        return []
    a = _live_entry(conn, swap["entry_a_id"])
    b = _live_entry(conn, swap["entry_b_id"])
    if a["person_id"] != swap["person_a_id"] or b["person_id"] != swap["person_b_id"]:
        raise MutationRejected("stale", "申请后排班已变更，请重新申请换班")
    changes = []
    for entry, person in ((a, swap["person_b_id"]), (b, swap["person_a_id"])):
        entry_id = str(entry["id"])
        ctx.touch("roster_entries", entry_id, entry)
        _update(conn, "roster_entries", entry_id, {"person_id": person, **_meta(ctx)})
        changes.append(RowChange("roster_entries", entry_id))
    return [*changes, _decide(conn, ctx, swap, roster.SWAP_APPROVED, at, note)]


@_register("roster_swap.refuse", "拒绝换班")
def swap_refuse(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    record_id, at, note = _decision(args)
    swap = _pending(conn, record_id, roster.SWAP_REFUSED)
    if swap is None:
        return []
    return [_decide(conn, ctx, swap, roster.SWAP_REFUSED, at, note)]
