"""The grading table (定级标准): defaults loaded once through the write path, then the
leader's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from console.domain.grading import BOUND_COLUMNS, default_grading_calls, grading_rule_args
from console.domain.roles import SYSTEM_USER
from console.domain.rows import MutationCall
from console.domain.schema import GradingRule
from console.store.changes import Changes
from console.store.writer import Writer


def load_grading_if_never_set(writer: Writer) -> Changes | None:
    """Load the legal defaults when the table has never held a row (tombstones count: a
    leader who deleted every row meant it)."""
    with writer.store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(GradingRule)).scalar_one():
            return None
    return writer.apply(default_grading_calls(), user=SYSTEM_USER, local_only=True)


def list_grading_rules(writer: Writer) -> list[dict[str, Any]]:
    """The live rows of the grading table."""
    t = GradingRule.__table__
    with writer.store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t).where(t.c.deleted.is_(False))).mappings()]


def set_grading_rule(writer: Writer, row: Mapping[str, Any], *, user: str) -> Changes:
    """Add or change a row, stated whole (bounds left out or None: no bound). A row's id is
    that of its class and metric (one row per class and metric): adding a row that exists
    replaces it, and a row edited into another class or metric moves to that id (the old
    one is deleted in the same transaction), so a later new row can never overwrite it.
    The mutation checks the rest (a graded category, its subtype, bounds growing with the
    grade)."""
    args = grading_rule_args(
        row["category"],
        row.get("subtype") or "",
        row["metric"],
        tuple(row.get(column) for column in BOUND_COLUMNS.values()),
        row.get("basis") or "",
    )
    calls: list[MutationCall] = [("grading_rule.upsert", args)]
    old = row.get("id")
    if old and old != args["id"]:
        calls.append(("grading_rule.delete", {"id": old}))
    return writer.apply(calls, user=user)


def delete_grading_rule(writer: Writer, rule_id: str, *, user: str) -> Changes:
    return writer.apply([("grading_rule.delete", {"id": rule_id})], user=user)
