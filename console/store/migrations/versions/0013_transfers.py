"""管控一张表 (issue 12): 一户一策 households, evacuations (转移行动), their circle of
villages and the transfer events. See :func:`console.domain.migration_ops.add_transfers`.

Revision ID: 0013_transfers
Revises: 0012_client_key
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_transfers, drop_transfers

revision: str = "0013_transfers"
down_revision: str | None = "0012_client_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_transfers()


def downgrade() -> None:
    drop_transfers()
