"""排班 (issue #14): the shift pattern, holidays, roster slots and swap requests. See
:func:`console.domain.migration_ops.add_roster`.

Revision ID: 0022_roster
Revises: 0021_handovers
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_roster, drop_roster

revision: str = "0022_roster"
down_revision: str | None = "0021_handovers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_roster()


def downgrade() -> None:
    drop_roster()
