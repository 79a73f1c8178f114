"""Fixtures of the workstation sync tests (helpers live in sync_testkit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_testkit import PASSWORDS, ServerProc, _free_port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProc]:
    port = _free_port()
    srv = ServerProc(f"http://127.0.0.1:{port}", tmp_path / "server", port)
    srv.data_dir.mkdir()
    for name, (role, password) in PASSWORDS.items():
        done = srv.cli("create-user", name, "--role", role, stdin=password + "\n")
        assert done.returncode == 0, done.stderr
    srv.start()
    yield srv
    srv.stop()
