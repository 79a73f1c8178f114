"""Sync bookkeeping: server copies of locally changed rows; rejections and conflicts.

Revision ID: 0003_sync_state
Revises: 0002_stations
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_sync_state"
down_revision: str | None = "0002_stations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_shadow",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("row", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("table_name", "record_id"),
    )
    op.create_table(
        "sync_issues",
        sa.Column("mutation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("resolved", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("mutation_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_issues")
    op.drop_table("sync_shadow")
