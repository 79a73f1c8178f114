"""Deadline rules as written: subtype, sub-hazard, schedule, source and an on/off switch on
each rule; incidents record when they were closed and whether they are sample data.

Columns are added in place (no table copy: the search index is keyed on incident rowids).
See :func:`console.domain.migration_ops.add_report_rules_v2`.

Revision ID: 0010_report_rules_v2
Revises: 0009_outbox_local_only
"""

from collections.abc import Sequence

from console.domain.migration_ops import add_report_rules_v2, drop_report_rules_v2

revision: str = "0010_report_rules_v2"
down_revision: str | None = "0009_outbox_local_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_report_rules_v2()


def downgrade() -> None:
    drop_report_rules_v2()
