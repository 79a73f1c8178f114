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
