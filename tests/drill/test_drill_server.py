"""The drill server (duty-server --drill) on real processes: its own SQLite database in
<data dir>/drill/, and a drill workstation syncing with it leaves the real server's digest
unchanged; a workstation of the other mode is refused by either server (409)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli import main as console
from server.cli import main as server
from server.drill import TO_DRILL, TO_REAL
from testkit.server import ServerProcess


class CliServer(ServerProcess):
    """duty-server started as an operator would: the default SQLite in its data folder."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        super().__init__("", data_dir.parent / f"server{''.join(extra)}.log", data_dir=data_dir)
        self.extra = list(extra)

    def command(self) -> list[str]:
        cmd = super().command()
        at = cmd.index("--database-url")
        del cmd[at : at + 2]
        return [*cmd, *self.extra]


def _server(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert server(list(args)) == 0
    return capsys.readouterr().out.strip()


@pytest.fixture
def servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[Path, ServerProcess, ServerProcess]]:
    folder = tmp_path / "server"
    for mode in ([], ["--drill"]):
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass-1\n"))
        account = ["create-user", "zhang", "--role", "officer"]
        _server(capsys, *account, "--data-dir", str(folder), *mode)
    real = CliServer(folder).start()
    drill_server = CliServer(folder, "--drill").start()
    try:
        yield folder, real, drill_server
    finally:
        drill_server.stop()
        real.stop()


def test_a_drill_workstation_syncs_with_the_drill_server_only(
    servers: tuple[Path, ServerProcess, ServerProcess],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, real, drill_server = servers
    assert (folder / "duty-server.db").is_file()
    assert (folder / "drill" / "duty-server.db").is_file()
    monkeypatch.setenv("DUTY_PASSWORD", "s3cret-pass-1")
    ws = ["--data-dir", str(tmp_path / "ws")]
    call = tmp_path / "call.json"
    call.write_text(json.dumps({"category": "自然灾害", "title": "演练山洪"}), encoding="utf-8")

    # The real workstation pushes its work to the real server.
    assert console(["incident", "new", "--json", str(call), *ws]) == 0
    assert console(["sync", "--once", "--server", real.url, "--user", "zhang", *ws]) == 0
    real_digest = _server(capsys, "digest", "--data-dir", str(folder))
    drill_digest = _server(capsys, "--drill", "digest", "--data-dir", str(folder))

    # A drill session: an incident, synced to the drill server.
    assert console(["incident", "new", "--json", str(call), "--drill", *ws]) == 0
    sync = ["sync", "--once", "--user", "zhang", "--drill", *ws]
    assert console([*sync, "--server", drill_server.url]) == 0
    assert _server(capsys, "digest", "--data-dir", str(folder), "--drill") != drill_digest
    assert _server(capsys, "digest", "--data-dir", str(folder)) == real_digest
    capsys.readouterr()

    # The wrong server either way is refused, and nothing moves.
    assert console([*sync, "--server", real.url]) == 4
    assert TO_DRILL in capsys.readouterr().err
    plain = ["sync", "--once", "--user", "zhang", *ws]
    assert console([*plain, "--server", drill_server.url]) == 4
    assert TO_REAL in capsys.readouterr().err
    assert _server(capsys, "digest", "--data-dir", str(folder)) == real_digest


def test_a_drill_needs_its_own_database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_url = f"sqlite:///{tmp_path / 'real.db'}"
    assert server(["--database-url", real_url, "--drill", "digest"]) == 2
    assert "--drill-database-url" in capsys.readouterr().err
    assert not (tmp_path / "real.db").exists()
    monkeypatch.setenv("DUTY_SERVER_DRILL_DATABASE_URL", f"sqlite:///{tmp_path / 'drill.db'}")
    assert server(["--database-url", real_url, "--drill", "digest"]) == 0
    assert (tmp_path / "drill.db").is_file() and not (tmp_path / "real.db").exists()
