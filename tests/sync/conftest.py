"""Fixtures of the workstation sync tests (helpers live in sync_testkit and testkit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_testkit import server_database

from testkit.server import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real duty-server on SQLite with the PASSWORDS accounts, on a free loopback port."""
    srv = ServerProcess(server_database(tmp_path / "server")).start()
    yield srv
    srv.stop()
