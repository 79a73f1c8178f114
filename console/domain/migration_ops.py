"""Schema operations both migration histories (workstation and server) share.

Kept here, in the one package the server and the workstation both import, rather than copied
into each history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import String


def widen_varchar(table: str, column: str, old: int, new: int, *, nullable: bool) -> None:
    """``VARCHAR(old)`` -> ``VARCHAR(new)`` in place, on PostgreSQL and on SQLite.

    SQLite stores text of any length whatever the declaration, so only the declared type in
    the table's CREATE statement changes; that edit is the one SQLite documents for changes
    that leave the stored content as it is (lang_altertable.html, "otheralter"), and unlike
    Alembic's copy-and-rename batch it keeps rowids (the search index is keyed on them),
    triggers and the rows that reference the table.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column(
            table,
            column,
            type_=String(new),
            existing_type=String(old),
            existing_nullable=nullable,
        )
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    before, after = f"{column} VARCHAR({old})", f"{column} VARCHAR({new})"
    if sql.count(before) != 1:
        raise RuntimeError(f"{table}.{column}: expected one {before!r} in {sql!r}")
    schema_version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (sql.replace(before, after), table),
        )
        # Tells every connection (this one included) to reread the schema.
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(schema_version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")


_GRADING_INCIDENT_COLUMNS = (
    ("seriously_injured", sa.Integer()),
    ("evacuated", sa.Integer()),
    ("economic_loss", sa.Float()),
    ("area_burned", sa.Float()),
)


def add_grading() -> None:
    """The grading table and the incident numbers it reads (workstation 0007, server 0004):
    the same operations on both sides. Old incidents get 0 in the new numbers."""
    for name, type_ in _GRADING_INCIDENT_COLUMNS:
        op.add_column(
            "incidents", sa.Column(name, type_, nullable=False, server_default=sa.text("0"))
        )
    op.create_table(
        "grading_rules",
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("subtype", sa.String(length=20), nullable=False),
        sa.Column("metric", sa.String(length=8), nullable=False),
        sa.Column("min_especially_major", sa.Float(), nullable=True),
        sa.Column("min_major", sa.Float(), nullable=True),
        sa.Column("min_large", sa.Float(), nullable=True),
        sa.Column("min_general", sa.Float(), nullable=True),
        sa.Column("basis", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def drop_grading() -> None:
    op.drop_table("grading_rules")
    # Plain DROP COLUMN (SQLite >= 3.35), not a copy-and-rename batch: that would renumber
    # the rowids the workstation's search index is keyed on.
    for name, _type in reversed(_GRADING_INCIDENT_COLUMNS):
        op.drop_column("incidents", name)


_REPORT_RULE_COLUMNS = (
    ("subtype", sa.String(length=20), sa.text("''")),
    ("sub_hazard", sa.String(length=12), sa.text("''")),
    ("schedule", sa.String(length=8), sa.text("'接报后'")),
    ("daily_at", sa.Integer(), sa.text("540")),
    ("window_days", sa.Integer(), sa.text("0")),
    ("enabled", sa.Boolean(), sa.true()),
    ("source", sa.String(length=8), sa.text("'本县规定'")),
)


def add_report_rules_v2() -> None:
    """Deadline rules as written (workstation 0010, server 0007): rules match subtype and
    sub-hazard too and carry a schedule and their source; incidents record when they were
    closed (终报/核报 run from it) and whether they are sample data.

    Rules of the first table keep their meaning (any subtype, after receipt, the county's);
    closed incidents get the time of their last status change, which closed them."""
    for name, type_, default in _REPORT_RULE_COLUMNS:
        op.add_column(
            "report_rules", sa.Column(name, type_, nullable=False, server_default=default)
        )
    op.add_column("incidents", sa.Column("closed_at", sa.String(length=32), nullable=True))
    op.add_column(
        "incidents",
        sa.Column("is_sample", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE incidents SET closed_at = (SELECT max(t.at) FROM incident_timeline t "
        "WHERE t.incident_id = incidents.id AND t.kind = '状态变更') WHERE status = '已结案'"
    )


def drop_report_rules_v2() -> None:
    op.drop_column("incidents", "is_sample")
    op.drop_column("incidents", "closed_at")
    for name, _type, _default in reversed(_REPORT_RULE_COLUMNS):
        op.drop_column("report_rules", name)
