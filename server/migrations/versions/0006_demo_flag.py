"""A demo/training server: ``duty-server load-sample`` sets ``server_state.demo``.

Only a demo server accepts sample-marked mutations (``is_sample: true``); a real county
server refuses them, whichever account sends them, so a workstation that started with the
sample county can never pour the fake county into the real one.

Revision ID: 0006_demo_flag
Revises: 0005_sub_hazard
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_demo_flag"
down_revision: str | None = "0005_sub_hazard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("server_state") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("server_state") as batch:
        batch.drop_column("demo")
