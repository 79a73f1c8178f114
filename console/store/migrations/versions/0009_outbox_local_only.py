"""The outbox knows which mutations stay on the workstation: ``outbox.local_only``.

Set by the write path for every mutation that writes a sample record (``is_sample: true``,
what the sample loader sends) and for the default rules a standalone start loads (the
server seeds its own). Such mutations are never pushed to a county's server: on joining,
the workstation discards them and their rows (console/sync/apply.py). Workstation-only: the
outbox is a local table.

Revision ID: 0009_outbox_local_only
Revises: 0008_sub_hazard
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_outbox_local_only"
down_revision: str | None = "0008_sub_hazard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("local_only", sa.Boolean(), nullable=False, server_default="0"))
    # Outboxes written before this revision: the sample loader's mutations carry the mark
    # in their arguments; the default rules were loaded as the account 系统 (SYSTEM_USER),
    # while every rule an officer or leader edits carries their own account.
    op.execute(
        "UPDATE outbox SET local_only = 1 WHERE json_extract(args, '$.is_sample') = 1"
        " OR (name IN ('report_rule.upsert', 'grading_rule.upsert') AND user = '系统')"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("local_only")
