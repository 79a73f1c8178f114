"""Revocable tokens: ``users.session_version``; the signing secret leaves the database.

Tokens now carry the account's session version, which every change of password, role or
disabled state bumps. The signing key lives outside the database (server.keys), so the old
``server_state.token_secret`` is dropped: a database backup no longer mints tokens, and every
token signed with the old secret is invalid (users sign in again).

Revision ID: 0008_token_sessions
Revises: 0007_report_rules_v2
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_token_sessions"
down_revision: str | None = "0007_report_rules_v2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("server_state") as batch:
        batch.drop_column("token_secret")


def downgrade() -> None:
    # A NEW random secret, never a blank one (an empty HMAC key would be guessable), and
    # never the old one: tokens of the newer version stay invalid.
    fresh = secrets.token_hex(32)
    with op.batch_alter_table("server_state") as batch:
        batch.add_column(
            sa.Column("token_secret", sa.String(length=128), nullable=False, server_default=fresh)
        )
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
