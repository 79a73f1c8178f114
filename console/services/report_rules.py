"""The 信息报送 deadline table: defaults loaded once through the write path, then the leader's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, select

from console.domain.ids import reference_id
from console.domain.reporting import DEFAULT_RULES
from console.domain.schema import ReportRule
from console.store.changes import Changes
from console.store.writer import Writer

SYSTEM_USER = "系统"


def rule_id(category: str, grade: str, stage: str, channel: str) -> str:
    return reference_id("report_rule", category, grade, stage, channel)


def load_defaults_if_never_set(writer: Writer) -> Changes | None:
    """Load DOMAIN.md's defaults when the table has never held a rule (tombstones count:
    a leader who deleted every rule meant it)."""
    with writer.store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(ReportRule)).scalar_one():
            return None
    return writer.apply(default_rule_calls(), user=SYSTEM_USER)


def default_rule_calls() -> list[tuple[str, dict[str, Any]]]:
    """The defaults as mutations; the server seeds itself with exactly these."""
    return [
        (
            "report_rule.upsert",
            {
                "id": rule_id(r.category, r.grade, r.stage, r.channel),
                "category": r.category,
                "grade": r.grade,
                "stage": r.stage,
                "channel": r.channel,
                "minutes": r.minutes,
                "basis": r.basis,
            },
        )
        for r in DEFAULT_RULES
    ]


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
