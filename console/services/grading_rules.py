"""The grading table (定级标准): defaults loaded once through the write path, then the leader's;
and the read the intake form and the detail use to suggest a grade."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, select

from console.domain.grading import default_grading_calls
from console.domain.roles import SYSTEM_USER
from console.domain.schema import GradingRule
from console.store.changes import Changes
from console.store.database import Store
from console.store.writer import Writer


def load_grading_if_never_set(writer: Writer) -> Changes | None:
    """Load the legal defaults when the table has never held a row (tombstones count: a
    leader who deleted every row meant it)."""
    with writer.store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(GradingRule)).scalar_one():
            return None
    return writer.apply(default_grading_calls(), user=SYSTEM_USER)


def list_grading_rules(store: Store) -> list[dict[str, Any]]:
    """Every live row, by class and metric (called on a worker thread, never the GUI's)."""
    table = GradingRule.__table__
    assert isinstance(table, Table)
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(table)
            .where(table.c.deleted.is_(False))
            .order_by(table.c.category, table.c.subtype, table.c.metric)
        ).mappings()
        return [dict(r) for r in rows]
