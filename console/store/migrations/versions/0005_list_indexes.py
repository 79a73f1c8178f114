"""Covering indexes for the incident list (filter + sort of 100,000 incidents).

Revision ID: 0005_list_indexes
Revises: 0004_reporting_search
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_list_indexes"
down_revision: str | None = "0004_reporting_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, columns): the list always filters on deleted and usually sorts by time.
INDEXES = (
    ("ix_incidents_live_received", ["deleted", "received_at"]),
    ("ix_incidents_live_status_received", ["deleted", "status", "received_at"]),
    ("ix_incidents_live_category_received", ["deleted", "category", "received_at"]),
)


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "incidents", columns)
    op.execute("ANALYZE incidents")


def downgrade() -> None:
    for name, _columns in INDEXES:
        op.drop_index(name, "incidents")
