"""研判一张单 (assessment sheets, signed versions and their revisions) and threshold alerts
with who acknowledged them (issue 11). See
:func:`console.domain.migration_ops.add_assessments`.

Revision ID: 0014_assessments
Revises: 0013_transfers
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_assessments, drop_assessments

revision: str = "0014_assessments"
down_revision: str | None = "0013_transfers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_assessments()


def downgrade() -> None:
    drop_assessments()
