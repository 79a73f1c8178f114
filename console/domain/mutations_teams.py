"""The mutations of teams in action (issue 14): a team's members, equipment and people's
certificates (reference data), its status, and dispatches of teams to incidents.

A dispatch writes three things in one mutation, so every replica applies them together: the
dispatch row, a 队伍调度 row on the incident's timeline and the team's status (出动). The
return does the same with the return time and 待命 or 休整, unless the team is still out on
another incident (then it stays 出动).

Registered into :data:`console.domain.mutations.REGISTRY` when that module is imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from console.domain import beijing, catalog
from console.domain.fields import MutationRejected, check_fields, check_value
from console.domain.mutations import (
    DELETE_MUTATION,
    MutationContext,
    _append_log,
    _check_refs,
    _create_once,
    _live,
    _meta,
    _no_extra_keys,
    _record_id,
    _reference_mutations,
    _register,
    _table,
    _update,
    fetch,
)
from console.domain.rows import RowChange
from console.domain.schema import ENTITY_FIELDS, MODEL_BY_TABLE

_DISPATCH = ENTITY_FIELDS["incident_dispatches"]
_STATUS = MODEL_BY_TABLE["teams"].__table__.c.status.info["field"]

_reference_mutations("team_members", "team_member", "队伍成员")
_reference_mutations("person_certificates", "certificate", "证书")
_reference_mutations("team_equipment", "team_equipment", "队伍装备")
assert DELETE_MUTATION["team_equipment"] == "team_equipment.delete"


def _time(args: dict[str, Any], key: str = "at") -> str:
    value = check_fields(_DISPATCH, {"dispatched_at": args.get(key)}, creating=False)
    return str(value["dispatched_at"])


def _set_team(
    conn: Connection, ctx: MutationContext, team: Any, status: str, at: str
) -> list[RowChange]:
    if team["status"] == status:
        return []  # already so: its time stays the time it became so
    ctx.touch("teams", team["id"], team)
    _update(conn, "teams", team["id"], {"status": status, "status_at": at, **_meta(ctx)})
    return [RowChange("teams", team["id"])]


def _open_dispatches(conn: Connection, team_id: str, but: str) -> int:
    t = _table("incident_dispatches")
    stmt = select(func.count()).where(
        t.c.team_id == team_id,
        t.c.returned_at.is_(None),
        t.c.deleted.is_(False),
        t.c.id != but,
    )
    return int(conn.execute(stmt).scalar_one())


@_register("team.set_status", "变更队伍状态")
def team_set_status(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """A status set by hand (休整 over, 不可用...); last writer wins, as for any scalar."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "status", "at"})
    status = check_value("status", _STATUS, args.get("status"))
    team = _live(conn, "teams", record_id, "队伍不存在")
    return _set_team(conn, ctx, team, str(status), _time(args))


@_register("dispatch.create", "调派队伍")
def dispatch_create(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """Send a team to an incident: the dispatch, its timeline row and the team 出动. A team
    already out elsewhere may still be sent (the officer saw its status); the same team
    twice to the same incident while the first has not returned is refused."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "incident_id", "team_id", "dispatched_at", "note", "timeline_id"})
    keys: tuple[str, ...] = ("incident_id", "team_id", "dispatched_at", "note")
    fields: dict[str, Any] = {k: args[k] for k in keys if k in args}
    values = check_fields(_DISPATCH, fields, creating=True)
    _check_refs(conn, _DISPATCH, values)
    if fetch(conn, "incident_dispatches", record_id) is not None:
        # A replay: identical is a no-op, different refused (its timeline row exists too).
        return _create_once(
            conn, ctx, "incident_dispatches", record_id, values, {"author": ctx.user}
        )
    t = _table("incident_dispatches")
    open_here = conn.execute(
        select(func.count()).where(
            t.c.team_id == values["team_id"],
            t.c.incident_id == values["incident_id"],
            t.c.returned_at.is_(None),
            t.c.deleted.is_(False),
        )
    ).scalar_one()
    team = _live(conn, "teams", values["team_id"], "队伍不存在")
    if open_here:
        raise MutationRejected("duplicate", f"“{team['name']}”已调派到该事件，尚未返回")
    changes = _create_once(
        conn,
        ctx,
        "incident_dispatches",
        record_id,
        values,
        {"author": ctx.user, "returned_at": None, "returned_by": None},
    )
    note = f"（{values['note']}）" if values.get("note") else ""
    body = f"调派“{team['name']}”出动{note}"
    log_args = {"timeline_id": args.get("timeline_id"), "at": values["dispatched_at"]}
    changes += _append_log(conn, ctx, log_args, values["incident_id"], catalog.DISPATCH_LOG, body)
    changes += _set_team(conn, ctx, team, catalog.TEAM_OUT, values["dispatched_at"])
    return changes


@_register("dispatch.return", "队伍返回")
def dispatch_return(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """The team is back: the return time on the dispatch, a timeline row, and the team
    待命 or 休整 (``status``) unless it is still out on another incident. Returning twice
    (two workstations, or a replay) keeps the first return."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "at", "status", "timeline_id"})
    status = args.get("status", catalog.TEAM_STANDBY)
    if status not in catalog.TEAM_RETURN_STATUSES:
        raise MutationRejected("bad_choice", "返回后的状态只能是“待命”或“休整”")
    at = _time(args)
    dispatch = _live(conn, "incident_dispatches", record_id, "调派记录不存在")
    if dispatch["returned_at"] is not None:
        return []
    if beijing.parse(at) < beijing.parse(dispatch["dispatched_at"]):
        raise MutationRejected("bad_value", "返回时间不能早于出动时间")
    ctx.touch("incident_dispatches", record_id, dispatch)
    _update(
        conn,
        "incident_dispatches",
        record_id,
        {"returned_at": at, "returned_by": ctx.user, **_meta(ctx)},
    )
    changes = [RowChange("incident_dispatches", record_id)]
    team = fetch(conn, "teams", dispatch["team_id"])
    name = team["name"] if team is not None else "队伍"
    changes += _append_log(
        conn,
        ctx,
        {"timeline_id": args.get("timeline_id"), "at": at},
        dispatch["incident_id"],
        catalog.DISPATCH_LOG,
        f"“{name}”返回，转为{status}",
    )
    still_out = team is None or _open_dispatches(conn, team["id"], record_id) > 0
    if team is not None and not team["deleted"] and not still_out:
        changes += _set_team(conn, ctx, team, str(status), at)
    return changes
