"""Teams in action (issue 14): team status, members, equipment, certificates and the
dispatches of teams to incidents. See :func:`console.domain.migration_ops.add_teams_in_action`.

Revision ID: 0025_teams_in_action
Revises: 0024_cameras
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_teams_in_action, drop_teams_in_action

revision: str = "0025_teams_in_action"
down_revision: str | None = "0024_cameras"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_teams_in_action()


def downgrade() -> None:
    drop_teams_in_action()
