"""Account names in records as long as accounts may be (64); the schema as the models say.

``incidents.recorder``, ``incident_timeline.author`` and ``incident_reports.author`` hold the
signed-in account, which may be 64 characters long. After this revision the history matches
the models exactly (tests/store/test_schema_compare.py).

Revision ID: 0006_account_columns
Revises: 0005_list_indexes
"""

from collections.abc import Sequence

from console.domain.migration_ops import widen_varchar

revision: str = "0006_account_columns"
down_revision: str | None = "0005_list_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("incidents", "recorder"),
    ("incident_timeline", "author"),
    ("incident_reports", "author"),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        widen_varchar(table, column, 40, 64, nullable=False)


def downgrade() -> None:
    for table, column in COLUMNS:
        widen_varchar(table, column, 64, 40, nullable=False)
