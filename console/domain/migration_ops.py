"""Schema operations both migration histories (workstation and server) share.

Kept here, in the one package the server and the workstation both import, rather than copied
into each history.
"""

from __future__ import annotations

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
