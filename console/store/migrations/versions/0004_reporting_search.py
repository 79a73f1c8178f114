"""Reporting rules, reports sent, teams assigned; bigram full-text index of incidents.

Revision ID: 0004_reporting_search
Revises: 0003_sync_state
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_reporting_search"
down_revision: str | None = "0003_sync_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SYNC_COLUMNS = (
    ("id", sa.String(length=36)),
    ("version", sa.BigInteger()),
    ("updated_at", sa.String(length=64)),
    ("updated_by", sa.String(length=64)),
    ("deleted", sa.Boolean()),
)

# What the officer searches: the call's own words and where it happened.
_INDEXED = (
    "coalesce({r}.title,'') || ' ' || coalesce({r}.description,'') || ' ' || "
    "coalesce({r}.address,'') || ' ' || coalesce({r}.caller_name,'') || ' ' || "
    "coalesce({r}.caller_unit,'') || ' ' || coalesce({r}.subtype,'') || ' ' || "
    "coalesce({r}.caller_phone,'')"
)


def _sync_columns() -> list[sa.Column]:
    return [
        sa.Column(name, type_, nullable=name == "version", primary_key=name == "id")
        for name, type_ in _SYNC_COLUMNS
    ]


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("teams_assigned", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "report_rules",
        *_sync_columns(),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("stage", sa.String(length=4), nullable=False),
        sa.Column("channel", sa.String(length=4), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=200), nullable=False),
    )
    op.create_table(
        "incident_reports",
        *_sync_columns(),
        sa.Column(
            "incident_id", sa.String(length=36), sa.ForeignKey("incidents.id"), nullable=False
        ),
        sa.Column("stage", sa.String(length=4), nullable=False),
        sa.Column("channel", sa.String(length=4), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=40), nullable=False),
    )
    op.create_index("ix_incident_reports_incident_id", "incident_reports", ["incident_id"])
    op.execute("CREATE VIRTUAL TABLE incident_search USING fts5(body, tokenize='unicode61')")
    new, old = _INDEXED.format(r="new"), _INDEXED.format(r="old")
    op.execute(
        "CREATE TRIGGER incident_search_ai AFTER INSERT ON incidents BEGIN "
        f"INSERT INTO incident_search(rowid, body) VALUES (new.rowid, dc_bigrams({new})); END"
    )
    op.execute(
        "CREATE TRIGGER incident_search_ad AFTER DELETE ON incidents BEGIN "
        "DELETE FROM incident_search WHERE rowid = old.rowid; END"
    )
    op.execute(
        f"CREATE TRIGGER incident_search_au AFTER UPDATE ON incidents WHEN ({old}) IS NOT ({new}) "
        "BEGIN "
        f"UPDATE incident_search SET body = dc_bigrams({new}) WHERE rowid = new.rowid; END"
    )
    existing = _INDEXED.format(r="incidents")
    op.execute(
        f"INSERT INTO incident_search(rowid, body) SELECT rowid, dc_bigrams({existing}) "
        "FROM incidents"
    )


def downgrade() -> None:
    for trigger in ("incident_search_ai", "incident_search_ad", "incident_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS incident_search")
    op.drop_index("ix_incident_reports_incident_id", "incident_reports")
    op.drop_table("incident_reports")
    op.drop_table("report_rules")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("teams_assigned")
