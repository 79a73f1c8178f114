"""Incidents carry their sub-hazard (亚灾种); the search index covers it.

The column is added in place (no copy of the table, so rowids and the search index keyed on
them stay); incidents recorded before keep their values and get "" (none). The search
triggers are recreated with the sub-hazard in the indexed text. Existing rows need no
re-indexing: their sub-hazard is "", which adds nothing to the indexed bigrams.

Revision ID: 0008_sub_hazard
Revises: 0007_grading
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_sub_hazard"
down_revision: str | None = "0007_grading"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIELDS_BEFORE = ("title", "description", "address", "caller_name", "caller_unit", "subtype")
_FIELDS = (*_FIELDS_BEFORE, "sub_hazard", "caller_phone")
_OLD_FIELDS = (*_FIELDS_BEFORE, "caller_phone")  # as 0004_reporting_search indexes them
_TRIGGERS = ("incident_search_ai", "incident_search_au")


def _indexed(fields: tuple[str, ...], row: str) -> str:
    return " || ' ' || ".join(f"coalesce({row}.{f},'')" for f in fields)


def _create_triggers(fields: tuple[str, ...]) -> None:
    new, old = _indexed(fields, "new"), _indexed(fields, "old")
    op.execute(
        "CREATE TRIGGER incident_search_ai AFTER INSERT ON incidents BEGIN "
        f"INSERT INTO incident_search(rowid, body) VALUES (new.rowid, dc_bigrams({new})); END"
    )
    op.execute(
        f"CREATE TRIGGER incident_search_au AFTER UPDATE ON incidents WHEN ({old}) IS NOT ({new}) "
        "BEGIN "
        f"UPDATE incident_search SET body = dc_bigrams({new}) WHERE rowid = new.rowid; END"
    )


def _drop_triggers() -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def upgrade() -> None:
    op.add_column(
        "incidents",
        sa.Column("sub_hazard", sa.String(length=12), nullable=False, server_default=""),
    )
    _drop_triggers()
    _create_triggers(_FIELDS)


def downgrade() -> None:
    _drop_triggers()
    _create_triggers(_OLD_FIELDS)
    op.drop_column("incidents", "sub_hazard")
