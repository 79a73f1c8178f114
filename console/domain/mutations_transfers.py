"""The mutations of 管控一张表 (issue 12): an evacuation (转移行动), its circle of villages
(扩面转移 adds to it) and the transfers reported, each report an append-only event.

Registered into :data:`console.domain.mutations.REGISTRY` when that module is imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain.fields import MutationRejected, check_fields
from console.domain.ids import is_uuid
from console.domain.mutations import (
    MutationContext,
    _check_refs,
    _create_once,
    _live,
    _meta,
    _no_extra_keys,
    _record_id,
    _register,
    _table,
    _update,
    fetch,
)
from console.domain.rows import RowChange
from console.domain.schema import ENTITY_FIELDS
from console.domain.transfers import transfer_problem

_EVACUATION = ENTITY_FIELDS["evacuations"]
_AREA = ENTITY_FIELDS["evacuation_areas"]
_EVENT = ENTITY_FIELDS["transfer_events"]


def _fields(specs: dict[str, Any], args: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    fields = {k: v for k, v in args.items() if k != "id"}
    values = check_fields(specs, fields, creating=creating)
    return values


@_register("evacuation.open", "开始转移行动")
def evacuation_open(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    values = _fields(_EVACUATION, args, creating=True)
    _check_refs(conn, _EVACUATION, values)
    extra = {"status": catalog.EVACUATION_OPEN, "ended_at": None, "author": ctx.user}
    return _create_once(conn, ctx, "evacuations", record_id, values, extra)


@_register("evacuation.update", "修改转移行动")
def evacuation_update(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    existing = _live(conn, "evacuations", record_id, "转移行动不存在")
    values = _fields(_EVACUATION, args, creating=False)
    _check_refs(conn, _EVACUATION, values)
    if not any(existing[k] != v for k, v in values.items()):
        return []
    ctx.touch("evacuations", record_id, existing)
    _update(conn, "evacuations", record_id, {**values, **_meta(ctx)})
    return [RowChange("evacuations", record_id)]


def _set_status(
    conn: Connection, args: dict[str, Any], ctx: MutationContext, status: str
) -> list[RowChange]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "at"})
    existing = _live(conn, "evacuations", record_id, "转移行动不存在")
    if existing["status"] == status:
        return []  # a replayed or concurrent close: already so
    at = None
    if status == catalog.EVACUATION_CLOSED:
        at = check_fields(_EVACUATION, {"started_at": args.get("at")}, creating=False)["started_at"]
    ctx.touch("evacuations", record_id, existing)
    _update(conn, "evacuations", record_id, {"status": status, "ended_at": at, **_meta(ctx)})
    return [RowChange("evacuations", record_id)]


@_register("evacuation.close", "结束转移行动")
def evacuation_close(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _set_status(conn, args, ctx, catalog.EVACUATION_CLOSED)


@_register("evacuation.reopen", "重新开始转移行动")
def evacuation_reopen(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _set_status(conn, args, ctx, catalog.EVACUATION_OPEN)


def _in_circle(conn: Connection, values: dict[str, Any]) -> bool:
    """The village is in the circle as a whole, or with the report's risk point."""
    areas = _table("evacuation_areas")
    stmt = select(areas.c.risk_point_id).where(
        areas.c.evacuation_id == values["evacuation_id"],
        areas.c.village_id == values["village_id"],
        areas.c.deleted.is_(False),
    )
    points = set(conn.execute(stmt).scalars())
    return None in points or (values.get("risk_point_id") in points)


def _point_of_village(conn: Connection, values: dict[str, Any]) -> None:
    point_id = values.get("risk_point_id")
    if point_id is None:
        return
    point = fetch(conn, "risk_points", point_id)
    if point is not None and point["village_id"] != values["village_id"]:
        raise MutationRejected("bad_place", "该风险点不属于所选的村")


@_register("evacuation.add_area", "纳入转移范围（扩面转移）")
def evacuation_add_area(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    values = _fields(_AREA, args, creating=True)
    _check_refs(conn, _AREA, values)
    # A closed evacuation still takes areas: one added offline before the close must keep
    # its transfers (the console offers 扩面转移 only while it is open).
    _live(conn, "evacuations", values["evacuation_id"], "转移行动不存在")
    _point_of_village(conn, values)
    if fetch(conn, "evacuation_areas", record_id) is None:
        areas = _table("evacuation_areas")
        point = values.get("risk_point_id")
        same = conn.execute(
            select(func.count()).where(
                areas.c.evacuation_id == values["evacuation_id"],
                areas.c.village_id == values["village_id"],
                areas.c.risk_point_id.is_(None)
                if point is None
                else areas.c.risk_point_id == point,
                areas.c.deleted.is_(False),
            )
        ).scalar_one()
        if same:
            raise MutationRejected("duplicate", "该村（风险点）已在本次转移范围内")
    return _create_once(conn, ctx, "evacuation_areas", record_id, values, {"author": ctx.user})


@_register("evacuation.set_planned", "修改应转人数")
def evacuation_set_planned(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """The centre's plan figure (应转) of one village: last writer wins, as for any scalar."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "planned_households", "planned_persons"})
    existing = _live(conn, "evacuation_areas", record_id, "转移范围中没有这一项")
    values = _fields(_AREA, args, creating=False)
    if not any(existing[k] != v for k, v in values.items()):
        return []
    ctx.touch("evacuation_areas", record_id, existing)
    _update(conn, "evacuation_areas", record_id, {**values, **_meta(ctx)})
    return [RowChange("evacuation_areas", record_id)]


@_register("transfer.record", "登记人员转移")
def transfer_record(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    values = _fields(_EVENT, args, creating=True)
    _check_refs(conn, _EVENT, values)
    _point_of_village(conn, values)
    if values.get("shelter_id") and not values.get("destination"):
        values["destination"] = catalog.TO_SHELTER
    if fetch(conn, "transfer_events", record_id) is not None:
        # A replay: identical is a no-op, different refused, whatever happened since.
        return _create_once(conn, ctx, "transfer_events", record_id, values, {"author": ctx.user})
    found = fetch(conn, "evacuations", values["evacuation_id"])
    evacuation = None if found is None else dict(found)
    original = None
    total = (0, 0)
    correction = values.get("correction_of") or ""
    if correction:
        row = fetch(conn, "transfer_events", correction) if is_uuid(correction) else None
        if row is not None:
            original = dict(row)
            events = _table("transfer_events")
            persons, households = conn.execute(
                select(
                    func.coalesce(func.sum(events.c.persons), 0),
                    func.coalesce(func.sum(events.c.households), 0),
                ).where(
                    (events.c.id == correction) | (events.c.correction_of == correction),
                    events.c.id != record_id,  # a replay is judged as it was the first time
                    events.c.deleted.is_(False),
                )
            ).one()
            total = (int(persons), int(households))
    in_circle = evacuation is not None and _in_circle(conn, values)
    problem = transfer_problem(
        values,
        evacuation=evacuation,
        in_circle=in_circle,
        original=original,
        corrected_total=(total[0], total[1]),
    )
    if problem is not None:
        raise MutationRejected("bad_transfer", problem)
    return _create_once(conn, ctx, "transfer_events", record_id, values, {"author": ctx.user})
