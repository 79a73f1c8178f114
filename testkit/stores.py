"""Store fixtures shared by the test folders of the use-case layer (tests/services, tests/io):
a store at the schema head with its writer and queries in the test's folder, and the sample."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.services.queries import Queries
from console.services.sample_data import read_sample, sample_path
from console.store.database import Store, open_store
from console.store.paths import DATABASE_FILE
from console.store.writer import Writer


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new database at the schema head, made once (migrating costs ~0.15 s per store);
    without its client_state row, so each copy opens as a new workstation."""
    folder = tmp_path_factory.mktemp("fresh-store")
    open_store(folder).close()
    conn = sqlite3.connect(folder / DATABASE_FILE)
    with conn:
        conn.execute("DELETE FROM client_state")
    conn.close()
    return folder / DATABASE_FILE


@pytest.fixture
def store(tmp_path: Path, fresh_database: Path) -> Iterator[Store]:
    folder = tmp_path / "store"
    folder.mkdir()
    shutil.copyfile(fresh_database, folder / DATABASE_FILE)
    s = open_store(folder)
    yield s
    s.close()


@pytest.fixture
def writer(store: Store) -> Writer:
    return Writer(store)


@pytest.fixture
def queries(store: Store) -> Queries:
    return Queries(store)


@pytest.fixture(scope="session")
def sample() -> dict[str, Any]:
    path = sample_path()
    if not path.is_file():
        pytest.skip(f"sample data not written yet: {path}")
    return read_sample()
