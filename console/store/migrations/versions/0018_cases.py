"""案例一个库 (issue 13): past events as cases, and their bigram full-text index
(``case_search``, keyed on ``cases.rowid``, kept by triggers as ``incident_search`` is; see
:mod:`console.store.search`). See :func:`console.domain.migration_ops.add_cases`.

Revision ID: 0018_cases
Revises: 0017_orders
"""

from collections.abc import Sequence

from alembic import op

from console.domain.migration_ops import add_cases, drop_cases

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


def _indexed(row: str) -> str:
    return " || ' ' || ".join(f"coalesce({row}.{f},'')" for f in _FIELDS)


def upgrade() -> None:
    add_cases()
    op.execute("CREATE VIRTUAL TABLE case_search USING fts5(body, tokenize='unicode61')")
    new, old = _indexed("new"), _indexed("old")
    op.execute(
        "CREATE TRIGGER case_search_ai AFTER INSERT ON cases BEGIN "
        f"INSERT INTO case_search(rowid, body) VALUES (new.rowid, dc_bigrams({new})); END"
    )
    op.execute(
        "CREATE TRIGGER case_search_ad AFTER DELETE ON cases BEGIN "
        "DELETE FROM case_search WHERE rowid = old.rowid; END"
    )
    op.execute(
        f"CREATE TRIGGER case_search_au AFTER UPDATE ON cases WHEN ({old}) IS NOT ({new}) "
        "BEGIN "
        f"UPDATE case_search SET body = dc_bigrams({new}) WHERE rowid = new.rowid; END"
    )


def downgrade() -> None:
    for trigger in ("case_search_ai", "case_search_ad", "case_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS case_search")
    drop_cases()
