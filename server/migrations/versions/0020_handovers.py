"""交接班 and the 值班日志 (issue 14): the handovers and the officer's hand-written log
lines. See :func:`console.domain.migration_ops.add_handovers`.

Revision ID: 0020_handovers
Revises: 0019_guides
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_handovers, drop_handovers

revision: str = "0020_handovers"
down_revision: str | None = "0019_guides"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_handovers()


def downgrade() -> None:
    drop_handovers()
