"""Fixtures for the shared mutation code: a real SQLite file holding the synced tables.

The mutations run on a plain SQLAlchemy connection, as they will on the server, without the
workstation's store (no outbox, no statement guard).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection

from console.domain.hlc import HybridLogicalClock
from console.domain.mutations import MutationContext, RowChange, run_mutation
from console.domain.schema import SyncedBase

Run = Callable[..., list[RowChange]]


@pytest.fixture(scope="session")
def synced_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database holding the synced tables, created once and copied per test."""
    path = tmp_path_factory.mktemp("domain") / "synced.db"
    engine = create_engine(f"sqlite:///{path}")
    SyncedBase.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture
def conn(tmp_path: Path, synced_tables: Path) -> Iterator[Connection]:
    path = tmp_path / "domain.db"
    shutil.copyfile(synced_tables, path)
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _fk(dbapi_conn: Any, _record: object) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture
def run(conn: Connection) -> Run:
    """Run one mutation as ``user`` with a fresh HLC stamp; commits on success."""
    clock = HybridLogicalClock("testnode")

    def _run(name: str, args: object, *, user: str = "张三") -> list[RowChange]:
        ctx = MutationContext(user=user, client_id="client-1", hlc=clock.now())
        try:
            changes = run_mutation(conn, name, args, ctx)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return changes

    return _run
