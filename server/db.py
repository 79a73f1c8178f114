"""Server database: engine per URL (SQLite embedded default or PostgreSQL), migrations."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import Connection

from server.schema import ServerState

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
GENESIS_HASH = "0" * 64


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Every server transaction that writes takes the write lock up front, which is
            # what serialises pushes on SQLite (PostgreSQL uses the server_state row lock).
            mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    # hide_parameters: a database error's log line never shows the values (callers' phones,
    # names); the statement alone says what failed.
    return create_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
    )


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one committed state throughout."""
    conn_opts: dict[str, Any] = {"sqlite_begin": "DEFERRED"}
    if not is_sqlite(engine):
        conn_opts = {"isolation_level": "REPEATABLE READ"}
    with engine.connect().execution_options(**conn_opts) as conn, conn.begin():
        yield conn


def migrate(engine: Engine) -> None:
    """Apply Alembic migrations, then make sure the single server_state row exists."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
    with engine.begin() as conn:
        if conn.execute(select(ServerState.id)).first() is None:
            conn.execute(
                insert(ServerState).values(
                    id=1,
                    epoch=str(uuid.uuid4()),
                    version=0,
                    audit_seq=0,
                    audit_head=GENESIS_HASH,
                )
            )


def default_sqlite_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'duty-server.db'}"
