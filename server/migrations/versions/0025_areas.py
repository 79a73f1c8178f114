"""Areas: a township's and a village's boundary and a risk point's extent (GeoJSON text).
See :func:`console.domain.migration_ops.add_areas`.

Revision ID: 0025_areas
Revises: 0024_teams_in_action
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_areas, drop_areas

revision: str = "0025_areas"
down_revision: str | None = "0024_teams_in_action"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_areas()


def downgrade() -> None:
    drop_areas()
