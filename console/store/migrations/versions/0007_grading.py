"""The grading table (定级标准) and the incident numbers it reads.

``grading_rules`` holds, per category and optionally subtype, the lower bound of each grade
for one metric; incidents gain 重伤, 转移人数, 直接经济损失 and 过火面积 (0 on old incidents).

Revision ID: 0007_grading
Revises: 0006_account_columns
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_grading, drop_grading

revision: str = "0007_grading"
down_revision: str | None = "0006_account_columns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_grading()


def downgrade() -> None:
    drop_grading()
