"""Fixtures of the duty-server tests: every test module runs against BOTH backends.

- ``backend`` (module, parametrized): "sqlite" (a file in a temp folder) or "postgresql" (a
  freshly created ``duty_test_<random>`` database, dropped afterwards; skipped with the reason
  when PostgreSQL is not reachable; ``DUTY_TEST_PG_URL`` points elsewhere).
- ``server_factory`` (session): starts real ``duty-server`` processes on free loopback ports,
  waits for /health, and stops whatever is still running at the end of the session.
- ``database`` / ``server`` (session, per backend): one migrated database with one account
  per role, and one server on it, shared by the tests of the modules that do not disturb each
  other (tests keep out of each other's way with their own client ids and records). A module
  that tampers with the database, restarts or changes the epoch overrides both with its own
  module-scoped pair (see ``fresh_database`` / ``fresh_server``). xdist-safe: nothing is
  shared between worker processes; each worker starts its own servers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from server_testkit import (
    BACKENDS,
    Client,
    Database,
    ServerProcess,
    fresh_database,
    fresh_server,
    postgres_problem,
)

ROLES = ("admin", "leader", "officer", "readonly", "ingest")


@pytest.fixture(scope="session")
def passwords() -> dict[str, str]:
    """Account name (= role name) -> a random password, unique per session."""
    return {role: f"pw-{role}-{secrets.token_urlsafe(12)}" for role in ROLES}


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and (problem := postgres_problem()):
        pytest.skip(problem)
    return str(request.param)


@pytest.fixture(scope="session")
def database_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], Database]]:
    created: list[Database] = []

    def make(backend: str) -> Database:
        db = Database.create(backend, tmp_path_factory.mktemp(f"db-{backend}"))
        created.append(db)
        return db

    yield make
    for db in created:
        db.drop()


@pytest.fixture(scope="session")
def server_factory() -> Iterator[Callable[[Database], ServerProcess]]:
    """Start a real duty-server on ``db`` and wait until /health answers."""
    started: list[ServerProcess] = []

    def start(db: Database) -> ServerProcess:
        log = Path(db.workdir) / f"server-{len(started)}-{secrets.token_hex(3)}.log"
        # Every module's tests register new workstations for the same role accounts on this
        # session's server: more than one account's real limit (50) over the whole suite.
        # The limit itself is tested on a server of its own (test_server_api_limits.py).
        server = ServerProcess(db, log, env={"DUTY_SERVER_MAX_CLIENTS_PER_USER": "100000"}).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    return fresh_database(backend, database_factory, passwords)


@pytest.fixture(scope="session")
def server(
    database: Database, server_factory: Callable[[Database], ServerProcess]
) -> Iterator[ServerProcess]:
    yield from fresh_server(database, server_factory)


@pytest.fixture(scope="module")
def client_for(server: ServerProcess, passwords: dict[str, str]) -> Callable[[str], Client]:
    """A new workstation (fresh client id) logged in as the account named after ``role``."""

    def make(role: str) -> Client:
        return Client(server, role, passwords[role])

    return make


@pytest.fixture(scope="module")
def admin(client_for: Callable[[str], Client]) -> Client:
    """A module-wide admin workstation for setting up records."""
    return client_for("admin")
