"""The mutations of 案例一个库 (issue 13): a case is created (a draft, or a bundled public
case), edited, published and deleted.

Registered into :data:`console.domain.mutations.REGISTRY` when that module is imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain.fields import MutationRejected, check_fields
from console.domain.mutations import (
    DELETE_MUTATION,
    MutationContext,
    _check_refs,
    _create_once,
    _differs,
    _live,
    _meta,
    _no_extra_keys,
    _record_id,
    _register,
    _tombstone,
    _update,
)
from console.domain.rows import RowChange
from console.domain.schema import ENTITY_FIELDS

_CASE = ENTITY_FIELDS["cases"]
_MISSING = "案例不存在"
DELETE_MUTATION["cases"] = "case.delete"


@_register("case.create", "新建案例")
def case_create(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    """A new case, a draft unless ``published`` is true (a bundled public case is
    published as it comes)."""
    record_id = _record_id(args)
    published = args.get("published", False)
    if not isinstance(published, bool):
        raise MutationRejected("bad_args", "“发布”必须是是或否")
    fields = {k: v for k, v in args.items() if k not in ("id", "published")}
    values = check_fields(_CASE, fields, creating=True)
    _check_refs(conn, _CASE, values)
    status = catalog.CASE_PUBLISHED if published else catalog.CASE_DRAFT
    extra = {"status": status, "author": ctx.user}
    return _create_once(conn, ctx, "cases", record_id, values, extra)


@_register("case.update", "修改案例")
def case_update(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "fields"})
    fields = args.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise MutationRejected("bad_args", "没有要修改的字段")
    existing = _live(conn, "cases", record_id, _MISSING)
    values = check_fields(_CASE, fields, creating=False)
    _check_refs(conn, _CASE, values)
    if not _differs(existing, values):
        return []
    ctx.touch("cases", record_id, existing)
    _update(conn, "cases", record_id, {**values, **_meta(ctx)})
    return [RowChange("cases", record_id)]


@_register("case.publish", "发布案例")
def case_publish(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id"})
    existing = _live(conn, "cases", record_id, _MISSING)
    if existing["status"] == catalog.CASE_PUBLISHED:
        return []  # a replayed or concurrent publish
    ctx.touch("cases", record_id, existing)
    _update(conn, "cases", record_id, {"status": catalog.CASE_PUBLISHED, **_meta(ctx)})
    return [RowChange("cases", record_id)]


@_register("case.delete", "删除案例")
def case_delete(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    return _tombstone(conn, "cases", args, ctx)
