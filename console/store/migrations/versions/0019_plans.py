"""预案 library (issue 13): the county's plans, and their bigram full-text index
(``plan_search``, keyed on ``plans.rowid``, kept by triggers as ``case_search`` is), which
covers the text extracted from each plan's document. See
:func:`console.domain.migration_ops.add_plans`.

Revision ID: 0019_plans
Revises: 0018_cases
"""

from collections.abc import Sequence

from alembic import op

from console.domain.migration_ops import add_plans, drop_plans

revision: str = "0019_plans"
down_revision: str | None = "0018_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIELDS = ("title", "kind", "owner", "category", "subtype", "summary", "body_text")


def _indexed(row: str) -> str:
    return " || ' ' || ".join(f"coalesce({row}.{f},'')" for f in _FIELDS)


def upgrade() -> None:
    add_plans()
    op.execute("CREATE VIRTUAL TABLE plan_search USING fts5(body, tokenize='unicode61')")
    new, old = _indexed("new"), _indexed("old")
    op.execute(
        "CREATE TRIGGER plan_search_ai AFTER INSERT ON plans BEGIN "
        f"INSERT INTO plan_search(rowid, body) VALUES (new.rowid, dc_bigrams({new})); END"
    )
    op.execute(
        "CREATE TRIGGER plan_search_ad AFTER DELETE ON plans BEGIN "
        "DELETE FROM plan_search WHERE rowid = old.rowid; END"
    )
    op.execute(
        f"CREATE TRIGGER plan_search_au AFTER UPDATE ON plans WHEN ({old}) IS NOT ({new}) "
        "BEGIN "
        f"UPDATE plan_search SET body = dc_bigrams({new}) WHERE rowid = new.rowid; END"
    )


def downgrade() -> None:
    for trigger in ("plan_search_ai", "plan_search_ad", "plan_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS plan_search")
    drop_plans()
