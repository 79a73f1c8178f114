"""案例一个库 (issue 13): past events as cases, and their bigram full-text index
(``case_search``, keyed on ``cases.rowid``, kept by triggers as ``incident_search`` is; see
:mod:`console.store.search`). See :func:`console.domain.migration_ops.add_cases`.

Revision ID: 0018_cases
Revises: 0017_orders
"""

from collections.abc import Sequence

from console.domain.migration_ops import (
    add_cases,
    add_search_index,
    drop_cases,
    drop_search_index,
)

revision: str = "0018_cases"
down_revision: str | None = "0017_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the search box finds a case by: its name, place, hazard and every narrative field.
_FIELDS = (
    "title",
    "hazard",
    "place",
    "rain_pattern",
    "rain_summary",
    "course",
    "response",
    "losses",
    "what_worked",
    "lessons",
    "source",
)


def upgrade() -> None:
    add_cases()
    add_search_index("case_search", "cases", _FIELDS)


def downgrade() -> None:
    drop_search_index("case_search")
    drop_cases()
