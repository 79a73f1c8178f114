"""Account names in records as long as accounts may be (64); no unused time index.

``incidents.recorder``, ``incident_timeline.author`` and ``incident_reports.author`` hold the
signed-in account, which may be 64 characters long: on PostgreSQL a longer name than the
column made every push of that account fail. ``ix_incidents_received_at`` served no server
query (only workstations list incidents by time, with their own indexes).

Revision ID: 0003_account_columns
Revises: 0002_reporting
"""

from collections.abc import Sequence

from alembic import op

from console.domain.migration_ops import widen_varchar

revision: str = "0003_account_columns"
down_revision: str | None = "0002_reporting"
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
    op.drop_index("ix_incidents_received_at", table_name="incidents")


def downgrade() -> None:
    op.create_index("ix_incidents_received_at", "incidents", ["received_at"])
    for table, column in COLUMNS:
        widen_varchar(table, column, 64, 40, nullable=False)
