"""The mutations of 指挥一平台 (issue 12): orders, their recipients and what each recipient
did (已叫应 / 已反馈 / 完成 / 升级), each an append-only event so two workstations recording
the same call add a fact instead of overwriting one.

Registered into :data:`console.domain.mutations.REGISTRY` when that module is imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, RowMapping

from console.domain import catalog
from console.domain.fields import MutationRejected, check_fields
from console.domain.ids import is_uuid, reference_id
from console.domain.mutations import (
    MutationContext,
    _check_refs,
    _create_once,
    _insert_log,
    _live,
    _meta,
    _no_extra_keys,
    _record_id,
    _register,
    _table,
    _update,
    fetch,
)
from console.domain.orders import event_problem, order_problem, recipient_state
from console.domain.rows import RowChange
from console.domain.schema import ENTITY_FIELDS

_ORDER = ENTITY_FIELDS["orders"]
_RECIPIENT = ENTITY_FIELDS["order_recipients"]
_EVENT = ENTITY_FIELDS["order_events"]
# Recipients one order.issue may carry: a county-wide 叫应 is about 2,000 people.
MAX_RECIPIENTS = 5000


def timeline_id(order_id: str) -> str:
    """The id of the incident timeline row an order writes: derived from the order's, so
    every replica writes the same row and a replay finds it."""
    return reference_id("order_timeline", order_id)


def _values(specs: dict[str, Any], args: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    fields = {k: v for k, v in args.items() if k not in skip}
    return check_fields(specs, fields, creating=True)


def _add_recipient(
    conn: Connection, ctx: MutationContext, order: RowMapping, args: Any
) -> list[RowChange]:
    if not isinstance(args, dict):
        raise MutationRejected("bad_args", "接收人应为 JSON 对象")
    record_id = _record_id(args)
    values = _values(_RECIPIENT, {**args, "order_id": order["id"]}, {"id"})
    _check_refs(conn, _RECIPIENT, values)
    source = values.get("escalated_from") or ""
    if source:
        found = fetch(conn, "order_recipients", source) if is_uuid(source) else None
        if found is None or found["order_id"] != order["id"]:
            raise MutationRejected("bad_ref", "“升级自”不是本指令的接收人")
    return _create_once(conn, ctx, "order_recipients", record_id, values, {"author": ctx.user})


@_register("order.issue", "下达指令")
def order_issue(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    """The order with its recipients (optional: more come with order.add_recipient); an
    order linked to an incident writes a 指令 row on its timeline."""
    record_id = _record_id(args)
    recipients = args.get("recipients", [])
    if not isinstance(recipients, list) or len(recipients) > MAX_RECIPIENTS:
        raise MutationRejected("bad_args", f"接收人应为列表，最多 {MAX_RECIPIENTS} 人")
    values = _values(_ORDER, args, {"id", "recipients"})
    problem = order_problem(values)
    if problem is not None:
        raise MutationRejected("bad_order", problem)
    _check_refs(conn, _ORDER, values)
    extra = {"status": catalog.ORDER_OPEN, "closed_at": None, "author": ctx.user}
    changes = _create_once(conn, ctx, "orders", record_id, values, extra)
    order = fetch(conn, "orders", record_id)
    assert order is not None
    for recipient in recipients:
        changes += _add_recipient(conn, ctx, order, recipient)
    incident = values.get("incident_id")
    entry_id = timeline_id(record_id)
    if incident and fetch(conn, "incident_timeline", entry_id) is None:
        who = f"，接收人 {len(recipients)} 人" if recipients else ""
        body = f"下达{values['kind']}：{values['title']}{who}"
        if values.get("action"):
            body += f"。要求：{values['action']}"
        changes += _insert_log(conn, ctx, entry_id, incident, "指令", body, values["issued_at"])
    return changes


def _open_order(conn: Connection, order_id: Any) -> RowMapping:
    order = _live(conn, "orders", order_id, "指令不存在")
    if order["status"] == catalog.ORDER_CANCELLED:
        raise MutationRejected("bad_state", "该指令已撤销，不能再登记")
    return order


@_register("order.add_recipient", "增加指令接收人")
def order_add_recipient(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    _record_id(args)  # the recipient's own id first, as every mutation checks
    order = _open_order(conn, args.get("order_id"))
    return _add_recipient(conn, ctx, order, {k: v for k, v in args.items() if k != "order_id"})


def _events(conn: Connection, recipient_id: str, but: str) -> list[dict[str, Any]]:
    t = _table("order_events")
    stmt = select(t).where(t.c.recipient_id == recipient_id, t.c.deleted.is_(False), t.c.id != but)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _event_values(conn: Connection, args: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    values = _values(_EVENT, args, skip)
    _check_refs(conn, _EVENT, values)
    recipient = fetch(conn, "order_recipients", values["recipient_id"])
    assert recipient is not None  # _check_refs
    if recipient["order_id"] != values["order_id"]:
        raise MutationRejected("bad_ref", "该接收人不属于这条指令")
    return values


@_register("order.record", "登记叫应或反馈")
def order_record(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    """已叫应 (channel, who answered), 已反馈 (a number or text, as the order asks) or 完成."""
    record_id = _record_id(args)
    values = _event_values(conn, args, {"id"})
    if values["kind"] == catalog.ESCALATED:
        raise MutationRejected("bad_kind", "升级请使用“升级”操作")
    if values.get("to_recipient_id"):
        raise MutationRejected("bad_args", "只有升级记录填写“升级至”")
    if fetch(conn, "order_events", record_id) is None:
        order = _live(conn, "orders", values["order_id"], "指令不存在")
        problem = event_problem(
            values["kind"],
            dict(order),
            value=values.get("value"),
            note=values.get("note") or "",
            channel=values.get("channel") or "",
        )
        if problem is not None:
            raise MutationRejected("bad_event", problem)
    return _create_once(conn, ctx, "order_events", record_id, values, {"author": ctx.user})


@_register("order.escalate", "叫应升级")
def order_escalate(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    """A silent recipient escalated: an 升级 event on them and the next person up the chain
    (``to``) added as a recipient, in one step. Escalating someone already escalated (from
    another workstation) is refused, so one silence calls one more person."""
    record_id = _record_id(args)
    target = args.get("to")
    if not isinstance(target, dict) or not is_uuid(target.get("id")):
        raise MutationRejected("bad_args", "缺少升级对象")
    values = _event_values(
        conn, {**args, "kind": catalog.ESCALATED, "to_recipient_id": target["id"]}, {"id", "to"}
    )
    if fetch(conn, "order_events", record_id) is None:
        _open_order(conn, values["order_id"])
        state = recipient_state(_events(conn, values["recipient_id"], record_id))
        if state.escalated_to:
            raise MutationRejected("duplicate", "该接收人已升级")
    order = _live(conn, "orders", values["order_id"], "指令不存在")
    changes = _add_recipient(conn, ctx, order, {**target, "escalated_from": values["recipient_id"]})
    return changes + _create_once(
        conn, ctx, "order_events", record_id, values, {"author": ctx.user}
    )


def _set_status(
    conn: Connection, args: dict[str, Any], ctx: MutationContext, status: str
) -> list[RowChange]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "at"})
    existing = _live(conn, "orders", record_id, "指令不存在")
    if existing["status"] == status:
        return []
    if existing["status"] == catalog.ORDER_CANCELLED:
        raise MutationRejected("bad_state", "该指令已撤销")
    at = check_fields(_ORDER, {"issued_at": args.get("at")}, creating=False)["issued_at"]
    ctx.touch("orders", record_id, existing)
    _update(conn, "orders", record_id, {"status": status, "closed_at": at, **_meta(ctx)})
    return [RowChange("orders", record_id)]


@_register("order.close", "指令办结")
def order_close(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    return _set_status(conn, args, ctx, catalog.ORDER_DONE)


@_register("order.cancel", "撤销指令")
def order_cancel(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    return _set_status(conn, args, ctx, catalog.ORDER_CANCELLED)
