"""Each migration history produces exactly the schema its models declare.

Alembic's autogenerate comparison runs on a database migrated to head by the real history:
any table, column, type, nullability, index or foreign key that differs fails the test, with
Alembic's own description of the difference. Adding an entity without its migration (or a
migration that does not match the model) fails here.

The workstation history runs on SQLite only: its search index is an FTS5 virtual table with
triggers calling a Python function, which exist on SQLite alone (migration 0004). The synced
tables it shares with the server are compared on PostgreSQL through the server history.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, Engine, MetaData, String

from console.domain.schema import SYNCED_MODELS
from console.store.records import workstation_metadata
from server.readings_partitions import PARTITION_PREFIX
from server.schema import server_metadata

# FTS5 tables; SQLite adds incident_search_data etc.
SEARCH_INDEXES = ("incident_search", "case_search", "plan_search")


def _not_search_index(name: str | None, type_: str, _parent: Any) -> bool:
    """Neither the search index's tables nor the readings' monthly partitions (made by
    ingest on PostgreSQL, server/readings_partitions.py): the models declare neither."""
    if type_ != "table" or name is None:
        return True
    if name.startswith(PARTITION_PREFIX):
        return False
    return not any(name == idx or name.startswith(idx + "_") for idx in SEARCH_INDEXES)


def _context(conn: Connection) -> MigrationContext:
    opts = {"compare_type": True, "include_name": _not_search_index}
    return MigrationContext.configure(conn, opts=opts)


def differences(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as conn:
        return list(compare_metadata(_context(conn), metadata))


def missing_operations(engine: Engine, metadata: MetaData) -> str:
    """The Alembic operations a new migration needs, as Python to start it from."""
    with engine.connect() as conn:
        script = produce_migrations(_context(conn), metadata)
    return render_python_code(script.upgrade_ops)


def test_workstation_history_matches_models(workstation_engine: Engine) -> None:
    metadata = workstation_metadata()
    assert differences(workstation_engine, metadata) == [], (
        "add a migration to console/store/migrations/versions with:\n"
        + missing_operations(workstation_engine, metadata)
    )


def test_server_history_matches_models(server_engine: Engine) -> None:
    metadata = server_metadata()
    assert differences(server_engine, metadata) == [], (
        "add a migration to server/migrations/versions with:\n"
        + missing_operations(server_engine, metadata)
    )


def test_a_model_change_without_migration_is_reported(server_engine: Engine) -> None:
    """The comparison is not vacuous: a column the history lacks, a changed length and a
    changed nullability are each reported."""
    metadata = server_metadata()
    incidents = metadata.tables["incidents"]
    incidents.append_column(Column("weather", String(20), nullable=False))
    incidents.c.title.type = String(121)
    incidents.c.grade.nullable = False
    found = differences(server_engine, metadata)
    kinds = {d[0] if isinstance(d, tuple) else d[0][0] for d in found}
    assert "add_column" in kinds
    assert "modify_type" in kinds
    assert "modify_nullable" in kinds
    rendered = missing_operations(server_engine, metadata)
    assert "weather" in rendered and "length=121" in rendered


def test_synced_models_list_parents_before_children() -> None:
    """Pull pages, the digest and the wipe on reset walk SYNCED_MODELS in this order."""
    seen: set[str] = set()
    for model in SYNCED_MODELS:
        table = model.__table__
        for fk in getattr(table, "foreign_keys", ()):
            assert fk.column.table.name in seen, f"{table.name} before {fk.column.table.name}"
        seen.add(model.__tablename__)
