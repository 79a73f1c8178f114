"""Fixtures of the sync robustness tests: every test runs against BOTH server backends.

- ``backend`` (function, parametrized): "sqlite" or "postgresql"; PostgreSQL is skipped with
  the reason when it is not reachable (``DUTY_TEST_PG_URL`` points elsewhere; in strict
  mode a skip fails the run, see tests/conftest.py).
- ``server_db``: a fresh database for this test (a SQLite file, or a newly created
  ``duty_robust_<random>`` PostgreSQL database dropped afterwards) with the USERS accounts.
- ``server``: a real ``duty-server`` process on a free loopback port, on ``server_db``.
- ``proxy``: a loopback TCP proxy in front of ``server`` that tests can cut and restore.

Databases and servers come from :mod:`testkit.server`. xdist-safe: each test has its own
folders, ports and database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from robust_kit import USERS, TcpProxy
from sqlalchemy import update

from server.schema import ServerState
from testkit.server import BACKENDS, Database, ServerProcess, postgres_problem


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and (problem := postgres_problem()):
        pytest.skip(problem)
    return str(request.param)


@pytest.fixture
def server_db(backend: str, tmp_path: Path) -> Iterator[Database]:
    db = Database.create(backend, tmp_path / "server", prefix="duty_robust")
    try:
        db.migrate()
        db.create_users(USERS)
        # A demo server: the workstations' sample county is their bulk of pending work, and
        # only a demo server accepts it (they sync with --keep-sample / keep_sample=True).
        with db.engine.begin() as conn:
            conn.execute(update(ServerState).values(demo=True))
        yield db
    finally:
        db.drop()


@pytest.fixture
def server(server_db: Database) -> Iterator[ServerProcess]:
    srv = ServerProcess(server_db).start()
    yield srv
    srv.stop()


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[TcpProxy]:
    p = TcpProxy(server.port)
    yield p
    p.close()
