"""Case attachments (issue 13): files attached to cases, kept on the server by SHA-256.
See :func:`console.domain.migration_ops.add_case_attachments`.

Revision ID: 0023_case_attachments
Revises: 0022_roster
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_case_attachments, drop_case_attachments

revision: str = "0023_case_attachments"
down_revision: str | None = "0022_roster"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_case_attachments()


def downgrade() -> None:
    drop_case_attachments()
