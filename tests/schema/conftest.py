"""Fixtures of the schema tests: migrated databases of each replica, on each backend.

- ``workstation_engine``: a workstation store in a temp folder, migrated to head by
  ``open_store`` (the real history, FTS5 search index included).
- ``server_engine`` (parametrized "sqlite" / "postgresql"): a server database migrated to head
  by ``server.db.migrate`` (see ``schema_db.server_database``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from schema_db import server_database
from sqlalchemy import Engine

from console.store.database import open_store


@pytest.fixture
def workstation_engine(tmp_path: Path) -> Iterator[Engine]:
    store = open_store(tmp_path / "ws")
    yield store.engine
    store.close()


@pytest.fixture(params=("sqlite", "postgresql"))
def server_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with server_database(request.param, tmp_path) as engine:
        yield engine
