"""The mutations of 交接班 and the 值班日志 (issue 14).

A handover is created and edited by the outgoing side while pending; signing is done by
another account (the one named ``incoming`` when it is set) and freezes it: every later
update, second signature or discard is refused, on the server as on every workstation.
The officer's own 值班日志 lines are append-only records.

Registered into :data:`console.domain.mutations.REGISTRY` when that module is imported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, RowMapping

from console.domain import handover as ho
from console.domain.fields import Field, MutationRejected, check_fields, check_value
from console.domain.mutations import (
    DELETE_MUTATION,
    MutationContext,
    _create_once,
    _discard_unsigned,
    _edit_fields,
    _live,
    _meta,
    _no_extra_keys,
    _record_id,
    _register,
    _table,
    _tombstone,
    _update,
    fetch,
)
from console.domain.rows import RowChange
from console.domain.schema import ENTITY_FIELDS

_HANDOVER = ENTITY_FIELDS["handovers"]
_LOG = ENTITY_FIELDS["duty_log_entries"]
# What handover.update may change while pending (the shift it covers is fixed).
_EDITABLE = frozenset({"generated_at", "content", "instructions", "notes", "incoming"})
_REMARKS = Field("接班意见", str, max_len=ho.REMARKS_MAX_LEN)
_AT = Field("签收时间", str, required=True, timestamp=True)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _check(values: dict[str, Any]) -> None:
    if "shift_key" in values:
        problem = ho.shift_key_problem(values["shift_key"])
        if problem is not None:
            raise MutationRejected("bad_shift", problem)
    if "content" in values:
        problem = ho.content_problem(values["content"])
        if problem is not None:
            raise MutationRejected("bad_content", problem)
    start, end = values.get("shift_start"), values.get("shift_end")
    if start and end and _moment(start) >= _moment(end):
        raise MutationRejected("bad_shift", "班次结束时间应晚于开始时间")


def _signed_for(conn: Connection, shift_key: str) -> RowMapping | None:
    t = _table("handovers")
    stmt = select(t).where(
        t.c.shift_key == shift_key, t.c.status == ho.SIGNED, t.c.deleted.is_(False)
    )
    return conn.execute(stmt).mappings().first()


@_register("handover.create", "生成交接单")
def handover_create(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    values = check_fields(_HANDOVER, {k: v for k, v in args.items() if k != "id"}, creating=True)
    _check(values)
    if fetch(conn, "handovers", record_id) is None:
        signed = _signed_for(conn, values["shift_key"])
        if signed is not None:
            raise MutationRejected(
                "signed", f"该班次已由 {signed['signed_by']} 签收交接，不能再生成交接单"
            )
    extra = {
        "status": ho.PENDING,
        "author": ctx.user,
        "signed_by": None,
        "signed_at": None,
        "remarks": "",
    }
    return _create_once(conn, ctx, "handovers", record_id, values, extra)


def _pending(conn: Connection, record_id: str) -> RowMapping:
    row = _live(conn, "handovers", record_id, "交接单不存在")
    if row["status"] != ho.PENDING:
        raise MutationRejected("signed", ho.SIGNED_REFUSAL)
    return row


@_register("handover.update", "修改交接单（签收前）")
def handover_update(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """Regenerated content, notes, the leader's instructions or the incoming account."""
    return _edit_fields(
        conn, ctx, "handovers", args, _EDITABLE, lambda rid: _pending(conn, rid), _check
    )


@_register("handover.sign", "接班签收交接单")
def handover_sign(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "at", "remarks"})
    at: str = check_value("at", _AT, args.get("at"))
    remarks: str = check_value("remarks", _REMARKS, args.get("remarks", "")) or ""
    existing = _live(conn, "handovers", record_id, "交接单不存在")
    if existing["status"] == ho.SIGNED:
        if existing["signed_by"] == ctx.user and existing["signed_at"] == at:
            return []  # the same signature replayed
        raise MutationRejected("signed", f"该交接单已由 {existing['signed_by']} 签收，不能再次签收")
    problem = ho.sign_problem(dict(existing), ctx.user)
    if problem is not None:
        raise MutationRejected("forbidden", problem)
    if _moment(at) < _moment(existing["generated_at"]):
        raise MutationRejected("bad_time", "签收时间不能早于交接单生成时间")
    signed = _signed_for(conn, existing["shift_key"])
    if signed is not None:
        raise MutationRejected("signed", f"该班次已由 {signed['signed_by']} 签收另一份交接单")
    ctx.touch("handovers", record_id, existing)
    _update(
        conn,
        "handovers",
        record_id,
        {
            "status": ho.SIGNED,
            "signed_by": ctx.user,
            "signed_at": at,
            "remarks": remarks,
            **_meta(ctx),
        },
    )
    return [RowChange("handovers", record_id)]


@_register("handover.discard", "删除未签收的交接单")
def handover_discard(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _discard_unsigned(conn, "handovers", args, ctx, ho.SIGNED, "已签收的交接单不能删除")


DELETE_MUTATION["handovers"] = "handover.discard"


@_register("duty_log.add", "记录值班日志")
def duty_log_add(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    record_id = _record_id(args)
    values = check_fields(_LOG, {k: v for k, v in args.items() if k != "id"}, creating=True)
    return _create_once(conn, ctx, "duty_log_entries", record_id, values, {"author": ctx.user})


@_register("duty_log.delete", "删除值班日志记录")
def duty_log_delete(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _tombstone(conn, "duty_log_entries", args, ctx)


DELETE_MUTATION["duty_log_entries"] = "duty_log.delete"
