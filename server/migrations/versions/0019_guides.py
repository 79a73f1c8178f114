"""应急一指南 (issue 13): the guide's items, the responses started and their checklist
events. See :func:`console.domain.migration_ops.add_guides`.

Revision ID: 0019_guides
Revises: 0018_plans
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_guides, drop_guides

revision: str = "0019_guides"
down_revision: str | None = "0018_plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_guides()


def downgrade() -> None:
    drop_guides()
