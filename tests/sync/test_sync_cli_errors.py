"""``duty-console sync`` failures read as one plain Chinese line each, the same words the
sign-in dialog uses: a closed port, a TLS server whose certificate is not trusted, an empty
or wrong password. Real processes, a real closed port, a real TLS server."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sync_testkit import PASSWORDS, self_signed_certificate, server_database

from console.services.accounts import Accounts, LoginError
from console.services.context import open_workstation
from console.sync import messages
from console.sync.client import SyncClient, Unreachable
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess, child_env, free_port, run_python


def _sync(
    tmp_path: Path, server_url: str, password: str | None
) -> subprocess.CompletedProcess[str]:
    env = child_env()
    env.pop("REQUESTS_CA_BUNDLE", None)
    if password is not None:
        env["DUTY_PASSWORD"] = password
    return run_python(
        "-m",
        "console",
        "sync",
        "--once",
        "--server",
        server_url,
        "--user",
        "zhang",
        "--data-dir",
        str(tmp_path / "ws"),
        stdin="" if password is None else None,
        env=env,
    )


def _one_plain_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    plain = lines[0].replace("REQUESTS_CA_BUNDLE", "").replace("DUTY_PASSWORD", "")
    plain = re.sub(r"https?://[\w.:/-]+", "", plain)
    assert not re.search(r"[A-Za-z]{4,}|Errno|Traceback", plain), done.stderr
    return lines[0]


def test_closed_port_is_one_chinese_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    done = _sync(tmp_path, url, "x")
    assert done.returncode == 3
    line = _one_plain_line(done)
    assert line.startswith(f"无法连接服务器 {url}：") and "连接被拒绝" in line
    ws = open_workstation(tmp_path / "gui")  # the GUI's status line says the same
    try:
        engine = SyncEngine(ws.store, SyncClient(url), credentials=("zhang", "x"))
        with pytest.raises(Unreachable):
            engine.sync_once()
        assert "连接被拒绝" in engine.status.error and "Errno" not in engine.status.error
    finally:
        ws.close()


def test_empty_and_wrong_password(tmp_path: Path, server: ServerProcess) -> None:
    empty = _sync(tmp_path, server.url, None)  # stdin gives an empty first line
    assert empty.returncode == 2
    assert messages.NEED_CREDENTIALS in _one_plain_line(empty)
    assert not (tmp_path / "ws").exists()  # refused before anything was opened
    wrong = _sync(tmp_path, server.url, "not-the-password")
    assert wrong.returncode == 4 and _one_plain_line(wrong) == messages.WRONG_PASSWORD
    right = _sync(tmp_path, server.url, PASSWORDS["zhang"][1])
    assert right.returncode == 0, right.stderr


def test_untrusted_certificate_is_the_sign_in_dialogs_line(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    server = ServerProcess(
        server_database(tmp_path / "server"), certfile=cert, keyfile=key, ca_bundle=cert
    ).start()
    try:
        done = _sync(tmp_path, server.url, PASSWORDS["zhang"][1])
        assert done.returncode == 3
        assert _one_plain_line(done) == messages.UNTRUSTED
        ws = open_workstation(tmp_path / "gui")
        try:
            with pytest.raises(LoginError) as refused:
                Accounts(ws.store).login(server.url, "zhang", PASSWORDS["zhang"][1])
            assert str(refused.value) == messages.UNTRUSTED
        finally:
            ws.close()
    finally:
        server.stop()
