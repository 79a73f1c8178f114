"""Stations' readings on the workstation: the ``readings`` table; and phoned-in readings,
``reported_readings``, a synced table (issue #11).

Filled from the server's readings channel (console/sync/readings.py), not from the outbox;
its cursor is ``local_meta['readings.cursor']``. WITHOUT ROWID, keyed (station_id, kind,
ts). Workstation-only.

Revision ID: 0015_readings
Revises: 0014_assessments
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from console.domain.migration_ops import (
    add_reported_readings,
    drop_reported_readings,
    readings_columns,
)

revision: str = "0015_readings"
down_revision: str | None = "0014_assessments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "readings",
        *readings_columns(),
        sa.PrimaryKeyConstraint("station_id", "kind", "ts"),
        sqlite_with_rowid=False,
    )
    add_reported_readings()


def downgrade() -> None:
    drop_reported_readings()
    op.drop_table("readings")
