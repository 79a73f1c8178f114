"""案例一个库 (issue 13): past events as cases. See
:func:`console.domain.migration_ops.add_cases`.

Revision ID: 0017_cases
Revises: 0016_orders
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_cases, drop_cases

revision: str = "0017_cases"
down_revision: str | None = "0016_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_cases()


def downgrade() -> None:
    drop_cases()
