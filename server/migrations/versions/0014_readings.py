"""Stations' readings: ``readings`` and ``readings_state``; phoned-in readings:
``reported_readings``, a synced table (issue #11).

``readings`` is append-mostly machine data with its own channel (``readings_state.seq``),
not synced records. On PostgreSQL it is range-partitioned on ``ts`` (epoch seconds); the
monthly partitions are created by ingest as rows arrive and ahead of time
(server/readings_partitions.py), and expiry drops whole partitions. On SQLite it is a plain
table.

Revision ID: 0014_readings
Revises: 0013_assessments
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from console.domain.migration_ops import (
    add_reported_readings,
    drop_reported_readings,
    readings_columns,
)

revision: str = "0014_readings"
down_revision: str | None = "0013_assessments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "readings_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO readings_state (id, seq) VALUES (1, 0)")
    op.create_table(
        "readings",
        *readings_columns(),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "kind", "ts"),
        postgresql_partition_by="RANGE (ts)",
    )
    op.create_index("ix_readings_seq", "readings", ["seq"])
    add_reported_readings()


def downgrade() -> None:
    drop_reported_readings()
    op.drop_index("ix_readings_seq", table_name="readings")
    op.drop_table("readings")
    op.drop_table("readings_state")
