"""The grading table (定级标准): defaults loaded once through the write path, then the
leader's."""

from __future__ import annotations

from sqlalchemy import func, select

from console.domain.grading import default_grading_calls
from console.domain.roles import SYSTEM_USER
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
