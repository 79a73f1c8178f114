"""视频监控 (issue 15): the synced cameras (:func:`console.domain.migration_ops.add_cameras`)
and the server's own ``camera_streams``: each camera's stream address and credentials,
which never sync (server.camera_streams).

Revision ID: 0023_cameras
Revises: 0022_case_attachments
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from console.domain.migration_ops import add_cameras, drop_cameras

revision: str = "0023_cameras"
down_revision: str | None = "0022_case_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_cameras()
    op.create_table(
        "camera_streams",
        sa.Column("camera_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("password", sa.String(length=200), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("camera_id"),
    )


def downgrade() -> None:
    op.drop_table("camera_streams")
    drop_cameras()
