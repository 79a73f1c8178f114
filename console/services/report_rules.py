"""The 信息报送 rule table: defaults loaded (or upgraded) once through the write path, then
the leader's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, select

from console.domain.default_rules import default_rule_calls, rule_id, upgrade_calls
from console.domain.roles import SYSTEM_USER
from console.domain.schema import ENTITY_FIELDS, ReportRule
from console.store.changes import Changes
from console.store.writer import Writer


def _table() -> Table:
    table = ReportRule.__table__
    assert isinstance(table, Table)
    return table


def load_defaults_if_never_set(writer: Writer) -> Changes | None:
    """Load DOMAIN.md's defaults when the table has never held a rule (tombstones count:
    a leader who deleted every rule meant it), or replace the untouched rows of the first
    default table. Local only: a server seeds and upgrades its own, and a county's edited
    rules must not be overwritten by a joining workstation's; rules that came from a
    server are left to it."""
    with writer.store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(_table())).mappings()]
    if not rows:
        calls = default_rule_calls()
    elif any(r["version"] is not None for r in rows):
        return None
    else:
        calls = upgrade_calls(rows)
    if not calls:
        return None
    return writer.apply(calls, user=SYSTEM_USER, local_only=True)


def list_rules(writer: Writer) -> list[dict[str, Any]]:
    table = _table()
    with writer.store.engine.connect() as conn:
        rows = conn.execute(
            select(table)
            .where(table.c.deleted.is_(False))
            .order_by(table.c.category, table.c.subtype, table.c.grade, table.c.stage)
        ).mappings()
        return [dict(r) for r in rows]


RULE_KEYS: tuple[str, ...] = tuple(ENTITY_FIELDS["report_rules"])


def set_rule(writer: Writer, rule: Mapping[str, Any], *, user: str) -> Changes:
    """Add or change a rule, stated whole (the server allows duty leaders and admins only).
    A rule edited in place keeps its id; a new one gets the id of its key."""
    args = {k: rule[k] for k in RULE_KEYS if k in rule}
    record_id = rule.get("id") or rule_id(
        args["category"],
        args.get("grade", ""),
        args["stage"],
        args["channel"],
        subtype=args.get("subtype", ""),
        sub_hazard=args.get("sub_hazard", ""),
        schedule=args.get("schedule", ""),
    )
    return writer.apply([("report_rule.upsert", {"id": record_id, **args})], user=user)
