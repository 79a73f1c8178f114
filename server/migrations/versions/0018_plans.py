"""预案 library (issue 13): the county's plans. See
:func:`console.domain.migration_ops.add_plans`.

Revision ID: 0018_plans
Revises: 0017_cases
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_plans, drop_plans

revision: str = "0018_plans"
down_revision: str | None = "0017_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_plans()


def downgrade() -> None:
    drop_plans()
