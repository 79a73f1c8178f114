"""Units, people and their responsibility roles (issue 10); villages gain households and
population, risk points the 六落实 fields and critical rainfall, shelters their facilities,
stations the reservoir levels.

Columns are added in place (no table copy). See
:func:`console.domain.migration_ops.add_people`.

Revision ID: 0011_people
Revises: 0010_report_rules_v2
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_people, drop_people

revision: str = "0011_people"
down_revision: str | None = "0010_report_rules_v2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_people()


def downgrade() -> None:
    drop_people()
