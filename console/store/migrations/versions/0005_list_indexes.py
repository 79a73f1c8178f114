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

# (name, columns): the list always filters on deleted and usually sorts by time. The first
# one covers status too, so "not closed" lists scan it in order without touching rows; the
# grade ones serve the by-grade order as one time-ordered scan per grade.
INDEXES = (
    ("ix_incidents_live_received", ["deleted", "received_at", "status"]),
    ("ix_incidents_live_category_received", ["deleted", "category", "received_at"]),
    ("ix_incidents_live_grade_received", ["deleted", "grade", "received_at"]),
    ("ix_incidents_live_category_grade_received", ["deleted", "category", "grade", "received_at"]),
)
# Superseded by the covering index above; left in place the planner prefers it for time
# order and then reads every row to check deleted/status.
OLD_INDEX = ("ix_incidents_received_at", ["received_at"])


def upgrade() -> None:
    op.drop_index(OLD_INDEX[0], "incidents")
    for name, columns in INDEXES:
        op.create_index(name, "incidents", columns)
    op.execute("ANALYZE incidents")


def downgrade() -> None:
    for name, _columns in INDEXES:
        op.drop_index(name, "incidents")
    op.create_index(OLD_INDEX[0], "incidents", OLD_INDEX[1])
