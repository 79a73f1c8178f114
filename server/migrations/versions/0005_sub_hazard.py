"""Incidents carry their sub-hazard (亚灾种).

Incidents recorded before keep their values and get "" (none), set by the server default
as the column is added, so no row is rewritten by hand.

Revision ID: 0005_sub_hazard
Revises: 0004_grading
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_sub_hazard"
down_revision: str | None = "0004_grading"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "incidents",
        sa.Column("sub_hazard", sa.String(length=12), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("incidents", "sub_hazard")
