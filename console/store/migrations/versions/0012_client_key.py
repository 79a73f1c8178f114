"""The workstation's client key: ``client_state.client_key``.

32 random bytes (64 hex digits) made with the client id. The sync client sends it with
every push and pull (``X-Duty-Client-Key``); the server then serves this workstation's
client id to whichever account is signed in here (a shift handover) and to nobody without
the key. An existing store gets a fresh key now; its server row, registered without one,
adopts it on the first push or pull of the account that registered it (docs/security.md).
Workstation-only: client_state is a local table.

Revision ID: 0012_client_key
Revises: 0011_people
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_client_key"
down_revision: str | None = "0011_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client_state") as batch:
        batch.add_column(
            sa.Column("client_key", sa.String(length=64), nullable=False, server_default="")
        )
    # A key per row from the operating system's generator (never SQLite's randomblob).
    op.get_bind().execute(
        sa.text("UPDATE client_state SET client_key = :key WHERE id = 1"),
        {"key": secrets.token_hex(32)},
    )


def downgrade() -> None:
    with op.batch_alter_table("client_state") as batch:
        batch.drop_column("client_key")
