"""指挥一平台 (issue 12): orders (指令), their recipients and the recipients' events
(已叫应 / 已反馈 / 完成 / 升级), and the server's acknowledgement links. See
:func:`console.domain.migration_ops.add_orders`.

Revision ID: 0016_orders
Revises: 0015_rain_thresholds
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from console.domain.migration_ops import add_orders, drop_orders

revision: str = "0016_orders"
down_revision: str | None = "0015_rain_thresholds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_orders()
    # Server only: the acknowledgement links sent by SMS (server.ack_links).
    op.create_table(
        "ack_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=False),
        sa.Column("acked_at", sa.String(length=40), nullable=True),
        sa.Column("fed_back_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_ack_links_recipient_id", "ack_links", ["recipient_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ack_links_recipient_id", table_name="ack_links")
    op.drop_table("ack_links")
    drop_orders()
