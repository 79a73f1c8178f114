"""视频监控 (issue 15): the cameras. See :func:`console.domain.migration_ops.add_cameras`.

Revision ID: 0024_cameras
Revises: 0023_case_attachments
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_cameras, drop_cameras

revision: str = "0024_cameras"
down_revision: str | None = "0023_case_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_cameras()


def downgrade() -> None:
    drop_cameras()
