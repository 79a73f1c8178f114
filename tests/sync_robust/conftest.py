"""Fixtures of the sync robustness tests: every test runs against BOTH server backends.

- ``backend`` (function, parametrized): "sqlite" or "postgresql"; PostgreSQL is skipped with
  the reason when it is not reachable (``DUTY_TEST_PG_URL`` points elsewhere).
- ``server_db``: a fresh database for this test (a SQLite file, or a newly created
  ``duty_robust_<random>`` PostgreSQL database dropped afterwards) with the USERS accounts.
- ``server``: a real ``duty-server`` process on a free loopback port, on ``server_db``.
- ``proxy``: a loopback TCP proxy in front of ``server`` that tests can cut and restore.

xdist-safe: each test has its own folders, ports and database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from robust_kit import BACKENDS, ServerDb, ServerProc, TcpProxy, postgres_problem


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and (problem := postgres_problem()):
        pytest.skip(problem)
    return str(request.param)


@pytest.fixture
def server_db(backend: str, tmp_path: Path) -> Iterator[ServerDb]:
    db = ServerDb.create(backend, tmp_path / "server")
    yield db
    db.drop()


@pytest.fixture
def server(server_db: ServerDb) -> Iterator[ServerProc]:
    srv = ServerProc(server_db).start()
    yield srv
    srv.stop()


@pytest.fixture
def proxy(server: ServerProc) -> Iterator[TcpProxy]:
    p = TcpProxy(server.port)
    yield p
    p.close()
