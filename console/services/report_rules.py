"""The 信息报送 deadline table: defaults loaded once through the write path, then the leader's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, select

from console.domain.default_rules import default_rule_calls, rule_id
from console.domain.roles import SYSTEM_USER
from console.domain.schema import ReportRule
from console.store.changes import Changes
from console.store.writer import Writer


def load_defaults_if_never_set(writer: Writer) -> Changes | None:
    """Load DOMAIN.md's defaults when the table has never held a rule (tombstones count:
    a leader who deleted every rule meant it). Local only: a server seeds its own defaults,
    and a county's edited rules must not be overwritten by a joining workstation's."""
    with writer.store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(ReportRule)).scalar_one():
            return None
    return writer.apply(default_rule_calls(), user=SYSTEM_USER, local_only=True)


def list_rules(writer: Writer) -> list[dict[str, Any]]:
    table = ReportRule.__table__
    assert isinstance(table, Table)
    with writer.store.engine.connect() as conn:
        rows = conn.execute(
            select(table)
            .where(table.c.deleted.is_(False))
            .order_by(table.c.category, table.c.grade, table.c.stage, table.c.channel)
        ).mappings()
        return [dict(r) for r in rows]


def set_rule(
    writer: Writer,
    *,
    category: str,
    grade: str,
    stage: str,
    channel: str,
    minutes: int,
    basis: str,
    user: str,
) -> Changes:
    """Add or change a deadline (server allows duty leaders and admins only)."""
    return writer.apply(
        [
            (
                "report_rule.upsert",
                {
                    "id": rule_id(category, grade, stage, channel),
                    "category": category,
                    "grade": grade,
                    "stage": stage,
                    "channel": channel,
                    "minutes": minutes,
                    "basis": basis,
                },
            )
        ],
        user=user,
    )
