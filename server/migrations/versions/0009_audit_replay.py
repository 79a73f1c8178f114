"""Audit entries of applied mutations record their hlc and global version.

With them the audited mutations can be replayed into an empty database and reproduce the
synced tables (``duty-server verify-audit --replay``). Entries written before keep NULL and
their hash; a server whose log holds applied entries without them cannot be replayed.

Revision ID: 0009_audit_replay
Revises: 0008_token_sessions
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_audit_replay"
down_revision: str | None = "0008_token_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("hlc", sa.Text(), nullable=True))
        batch.add_column(sa.Column("version", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("version")
        batch.drop_column("hlc")
