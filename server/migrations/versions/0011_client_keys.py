"""Workstation keys: ``sync_clients.key_hash``.

A workstation sends its random client key with every push and pull; the server keeps its
SHA-256 and from then on serves that client id to ANY account that presents the key (a
duty room's shared workstation survives a shift handover) and to no account without it.
Rows registered before this revision have none: the first push or pull by the registering
account that presents a key adopts it (trust on first use, see docs/security.md).

Revision ID: 0011_client_keys
Revises: 0010_people
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_client_keys"
down_revision: str | None = "0010_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_clients") as batch:
        batch.add_column(sa.Column("key_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_clients") as batch:
        batch.drop_column("key_hash")
