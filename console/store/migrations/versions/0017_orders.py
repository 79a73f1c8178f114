"""指挥一平台 (issue 12): orders (指令), their recipients and the recipients' events
(已叫应 / 已反馈 / 完成 / 升级). See :func:`console.domain.migration_ops.add_orders`.

Revision ID: 0017_orders
Revises: 0016_rain_thresholds
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_orders, drop_orders

revision: str = "0017_orders"
down_revision: str | None = "0016_rain_thresholds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_orders()


def downgrade() -> None:
    drop_orders()
