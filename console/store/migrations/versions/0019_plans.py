"""预案 library (issue 13): the county's plans, and their bigram full-text index
(``plan_search``, keyed on ``plans.rowid``, kept by triggers as ``case_search`` is), which
covers the text extracted from each plan's document. See
:func:`console.domain.migration_ops.add_plans`.

Revision ID: 0019_plans
Revises: 0018_cases
"""

from collections.abc import Sequence

from console.domain.migration_ops import (
    add_plans,
    add_search_index,
    drop_plans,
    drop_search_index,
)

revision: str = "0019_plans"
down_revision: str | None = "0018_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIELDS = ("title", "kind", "owner", "category", "subtype", "summary", "body_text")


def upgrade() -> None:
    add_plans()
    add_search_index("plan_search", "plans", _FIELDS)


def downgrade() -> None:
    drop_search_index("plan_search")
    drop_plans()
