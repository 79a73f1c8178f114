"""The mutations of 应急一指南 (issue 13): the guide's items (reference data, the leader's),
a response started from an incident or an assessment sheet, its checklist events
(append-only) and its level changes, each change also on the incident's timeline.

Registered into :data:`console.domain.mutations.REGISTRY` when that module is imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from console.domain import catalog, guides
from console.domain.fields import MutationRejected, check_fields
from console.domain.ids import reference_id
from console.domain.mutations import (
    MutationContext,
    _append_log,
    _check_refs,
    _create_once,
    _insert_log,
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

_RESPONSE = ENTITY_FIELDS["responses"]
_EVENT = ENTITY_FIELDS["response_events"]

_reference_mutations("guide_items", "guide_item", "指南事项")


def _event_id(args: dict[str, Any]) -> str:
    return _record_id({"id": args.get("event_id")})


def _timeline(
    conn: Connection,
    ctx: MutationContext,
    args: dict[str, Any],
    response: dict[str, Any] | RowMapping,
    body: str,
) -> list[RowChange]:
    """The row on the incident's timeline (a response from a sheet has none)."""
    incident_id = response["incident_id"]
    if incident_id is None:
        return []
    return _append_log(conn, ctx, args, str(incident_id), catalog.RESPONSE_LOG, body)


@_register("response.activate", "启动应急响应")
def response_activate(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    fields = {k: v for k, v in args.items() if k not in ("id", "timeline_id")}
    values = check_fields(_RESPONSE, fields, creating=True)
    _check_refs(conn, _RESPONSE, values)
    if not values.get("incident_id") and not values.get("assessment_id"):
        raise MutationRejected("bad_args", "应急响应须从事件或研判单启动")
    extra = {"status": catalog.RESPONSE_ACTIVE, "ended_at": None, "author": ctx.user}
    if fetch(conn, "responses", record_id) is not None:
        return _create_once(conn, ctx, "responses", record_id, values, extra)  # a replay
    changes = _create_once(conn, ctx, "responses", record_id, values, extra)
    body = guides.activation_text(values["hazard"], values["level"], values.get("reason", ""))
    at_args = {**args, "at": values["activated_at"]}
    return changes + _timeline(conn, ctx, at_args, values, body)


def _live_response(conn: Connection, record_id: object) -> RowMapping:
    return _live(conn, "responses", record_id, "应急响应不存在")


def _new_event(
    conn: Connection, ctx: MutationContext, event_id: str, values: dict[str, Any]
) -> list[RowChange]:
    return _create_once(conn, ctx, "response_events", event_id, values, {"author": ctx.user})


def item_timeline_id(event_id: str) -> str:
    """The id of the incident timeline row an item's event writes: derived from the event's,
    so every replica writes the same row."""
    return reference_id("response_item_timeline", event_id)


ITEM_VERBS = {catalog.TICKED: "已完成", catalog.UNTICKED: "取消完成", catalog.ITEM_NOTE: "备注"}


@_register("response.record", "勾选或备注响应事项")
def response_record(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """An item ticked, unticked or noted: one append-only event (an identical replay is a
    no-op), and a row on the incident's timeline (id derived from the event's). A response
    already ended still takes them: a tick made offline before the end must count."""
    record_id = _record_id(args)
    values = check_fields(_EVENT, {k: v for k, v in args.items() if k != "id"}, creating=True)
    _check_refs(conn, _EVENT, values)
    if values["kind"] not in catalog.ITEM_EVENT_KINDS:
        raise MutationRejected("bad_choice", "升级、降级和终止须由带班领导操作")
    if values.get("from_level") or values.get("to_level"):
        raise MutationRejected("bad_args", "勾选或备注不改变响应等级")
    item_id = values.get("guide_item_id")
    if item_id is None:
        raise MutationRejected("bad_args", "请指明指南事项")
    response = _live_response(conn, values["response_id"])
    item = fetch(conn, "guide_items", item_id)
    assert item is not None  # _check_refs: a live item
    if item["hazard"] != response["hazard"]:
        raise MutationRejected("bad_item", "该事项不属于本次响应的灾种")
    if values["kind"] == catalog.ITEM_NOTE and not values.get("note", "").strip():
        raise MutationRejected("bad_args", "备注不能为空")
    if fetch(conn, "response_events", record_id) is not None:
        return _new_event(conn, ctx, record_id, values)  # a replay: no-op or refused
    changes = _new_event(conn, ctx, record_id, values)
    incident_id = response["incident_id"]
    if incident_id is None:
        return changes
    body = f"应急响应事项{ITEM_VERBS[values['kind']]}：{item['action']}"
    if values.get("note", "").strip():
        body += f"（{values['note'].strip()}）"
    entry = item_timeline_id(record_id)
    log = _insert_log(conn, ctx, entry, str(incident_id), catalog.RESPONSE_LOG, body, values["at"])
    return changes + log


@_register("response.change_level", "升级或降级应急响应")
def response_change_level(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """``id`` the response, ``event_id`` the event, ``level`` the new level, ``reason``,
    ``at``, ``timeline_id``. The level judged against is the stored one: of two leaders
    raising the same response offline, the second is refused (already at that level)."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "event_id", "level", "reason", "at", "timeline_id"})
    event_id = _event_id(args)
    response = _live_response(conn, record_id)
    at = check_fields(_EVENT, {"at": args.get("at")}, creating=False)["at"]
    existing = fetch(conn, "response_events", event_id)
    if existing is not None:  # a replay: identical is a no-op
        reason = args.get("reason")
        values = {"response_id": record_id, "to_level": args.get("level"), "at": at}
        values["note"] = reason.strip() if isinstance(reason, str) else reason
        if existing["kind"] in (catalog.RAISED, catalog.LOWERED) and not any(
            existing[k] != v for k, v in values.items()
        ):
            return []
        raise MutationRejected("duplicate_id", "该编号的记录已存在，内容不同")
    if response["status"] != catalog.RESPONSE_ACTIVE:
        raise MutationRejected("bad_state", "应急响应已终止")
    current = str(response["level"])
    to, reason = args.get("level"), args.get("reason")
    problem = guides.level_change_problem(current, to, reason)
    if problem is not None:
        raise MutationRejected("bad_level", problem)
    assert isinstance(to, str) and isinstance(reason, str)
    event = {
        "response_id": record_id,
        "guide_item_id": None,
        "kind": guides.change_kind(current, to),
        "at": at,
        "note": reason.strip(),
        "from_level": current,
        "to_level": to,
    }
    ctx.touch("responses", record_id, response)
    _update(conn, "responses", record_id, {"level": to, **_meta(ctx)})
    body = guides.level_change_text(str(response["hazard"]), current, to, reason)
    return [
        RowChange("responses", record_id),
        *_new_event(conn, ctx, event_id, event),
        *_timeline(conn, ctx, args, response, body),
    ]


@_register("response.end", "终止应急响应")
def response_end(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "event_id", "reason", "at", "timeline_id"})
    event_id = _event_id(args)
    response = _live_response(conn, record_id)
    reason = args.get("reason") or ""
    if not isinstance(reason, str) or len(reason) > 500:
        raise MutationRejected("bad_args", "理由应为不超过 500 字的文本")
    at = check_fields(_EVENT, {"at": args.get("at")}, creating=False)["at"]
    if fetch(conn, "response_events", event_id) is not None or (
        response["status"] == catalog.RESPONSE_ENDED
    ):
        return []  # a replayed or concurrent end: already so
    event = {
        "response_id": record_id,
        "guide_item_id": None,
        "kind": catalog.ENDED,
        "at": at,
        "note": reason.strip(),
        "from_level": response["level"],
        "to_level": "",
    }
    ctx.touch("responses", record_id, response)
    _update(
        conn,
        "responses",
        record_id,
        {"status": catalog.RESPONSE_ENDED, "ended_at": at, **_meta(ctx)},
    )
    level = guides.LEVEL_NAMES[str(response["level"])]
    body = f"终止{response['hazard']}{level}应急响应" + (
        f"；理由：{reason.strip()}" if reason.strip() else ""
    )
    return [
        RowChange("responses", record_id),
        *_new_event(conn, ctx, event_id, event),
        *_timeline(conn, ctx, args, response, body),
    ]
