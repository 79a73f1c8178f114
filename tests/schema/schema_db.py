"""Databases of the schema tests: a server database migrated to head on SQLite or on a
throwaway PostgreSQL database (created next to ``DUTY_TEST_PG_URL``, default the local
``test`` database, and dropped afterwards; skipped with the reason when unreachable); rows
as an older revision stores them.

Imported by ``conftest.py`` and the test modules (tests/schema is on ``sys.path`` under
pytest's default import mode).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, column, make_url, table

OLD_CLIENT = "c0ffee00-0000-4000-8000-000000000000"
PG_URL = os.environ.get("DUTY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _admin_conninfo() -> str:
    return make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(_admin_conninfo(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}: {exc})"
    return None


def _postgres_database() -> Iterator[str]:
    problem = _postgres_problem()
    if problem:
        pytest.skip(problem)
    import psycopg

    name = f"duty_schema_{secrets.token_hex(6)}"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        yield (
            make_url(PG_URL)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server_database(backend: str, folder: Path, *, revision: str | None = None) -> Iterator[Engine]:
    """A server database on ``backend``, migrated to head (or only to ``revision``); a
    PostgreSQL one is dropped afterwards."""
    from server.db import MIGRATIONS_DIR, make_engine, migrate

    if backend == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{folder / 'duty-server.db'}"])
    else:
        urls = _postgres_database()
    url = next(urls)
    engine = make_engine(url)
    try:
        if revision is None:
            migrate(engine)
        else:
            upgrade_to(engine, MIGRATIONS_DIR, revision)
        yield engine
    finally:
        engine.dispose()
        next(urls, None)  # drops the PostgreSQL database


def upgrade_to(engine: Engine, script_location: Path, revision: str) -> None:
    """Run a migration history up to ``revision`` on ``engine``."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    with engine.connect() as conn:
        # A migration may rewrite synced rows (0010 dates closures), as migrate.py allows it.
        conn.info["write_scope"] = True
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


def old_incident(incident_id: str, title: str) -> dict[str, Any]:
    """An incident row with exactly the columns revision 0006 (workstation) / 0003 (server)
    has: what an upgrade finds in an existing store."""
    return {
        "id": incident_id,
        "received_at": "2026-11-28T14:05:00+08:00",
        "category": "自然灾害",
        "subtype": "",
        "grade": None,
        "status": "接报",
        "title": title,
        **dict.fromkeys(("description", "address", "notified", "teams_assigned"), ""),
        **dict.fromkeys(("caller_name", "caller_unit", "caller_post", "caller_phone"), ""),
        **dict.fromkeys(("dead", "missing", "injured", "trapped", "affected"), 0),
        **dict.fromkeys(("township_id", "village_id", "lon", "lat"), None),
        "recorder": "甲",
        "version": None,
        "updated_at": "h1",
        "updated_by": "甲",
        "deleted": False,
    }


def old_workstation(folder: Path, revision: str, incidents: dict[int, dict[str, Any]]) -> Path:
    """A workstation store as ``revision`` left it, holding ``incidents`` at the given rowids
    (indexed for search by that revision's triggers); returns the database file."""
    import sqlite3

    from console.store import migrate, search
    from console.store.database import make_engine
    from console.store.paths import DATABASE_FILE

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DATABASE_FILE
    engine = make_engine(path)
    upgrade_to(engine, migrate.MIGRATIONS_DIR, revision)
    engine.dispose()
    raw = sqlite3.connect(path)
    search.register(raw)
    with raw:
        # The columns of 0003 (a later revision appends its own, with defaults).
        names = [r[1] for r in raw.execute("PRAGMA table_info(client_state)")][:5]
        raw.execute(
            f"INSERT INTO client_state ({', '.join(names)}) "
            "VALUES (1, ?, 1, 0, '0001732781234567-00000-c0ffee00')",
            (OLD_CLIENT,),
        )
        for rowid, row in incidents.items():
            names = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            raw.execute(f"INSERT INTO incidents (rowid, {names}) VALUES ({rowid}, {marks})", row)
    raw.close()
    return path


def insert_old_rows(conn: Connection, name: str, rows: list[dict[str, Any]]) -> None:
    """INSERT only the columns given. The current model's insert would also name every
    column added since (a default it fills), which the old revision does not have."""
    conn.execute(table(name, *(column(k) for k in rows[0])).insert(), rows)


def insert_raw(path: Path, rows: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """INSERT (table, row) pairs into an old workstation's file with plain sqlite3, only
    the columns given (as :func:`insert_old_rows` does on a server)."""
    import sqlite3

    raw = sqlite3.connect(path)
    with raw:
        for name, row in rows:
            names = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            raw.execute(f"INSERT INTO {name} ({names}) VALUES ({marks})", row)
    raw.close()


def check_in_write_scope(engine: Engine, check: Callable[[Connection], None]) -> None:
    """Run ``check`` in one transaction that may write synced tables (the workstation's
    guard lets it, as the write path's own transactions)."""
    with engine.connect() as conn:
        conn.info["write_scope"] = True
        with conn.begin():
            check(conn)


def check_upgraded_workstation(
    folder: Path,
    revision: str,
    rows: Iterable[tuple[str, dict[str, Any]]],
    check: Callable[[Connection], None],
) -> None:
    """A workstation store at ``revision`` holding ``rows``, opened (so upgraded to the
    head), then ``check`` run in a write scope on it."""
    from console.store.database import open_store

    insert_raw(old_workstation(folder, revision, {}), rows)
    store = open_store(folder)
    try:
        check_in_write_scope(store.engine, check)
    finally:
        store.close()


def check_upgraded_server(
    backend: str,
    folder: Path,
    revision: str,
    rows: Iterable[tuple[str, dict[str, Any]]],
    check: Callable[[Connection], None],
) -> None:
    """The same on a server database at ``revision`` on ``backend``, migrated to head."""
    from server.db import migrate

    with server_database(backend, folder, revision=revision) as engine:
        with engine.begin() as conn:
            for name, row in rows:
                insert_old_rows(conn, name, [row])
        migrate(engine)
        check_in_write_scope(engine, check)
