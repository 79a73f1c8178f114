"""Issue #9 item 4, the workstation side: the offline verifier is argon2id (an older scrypt one
still works and is upgraded), offline guesses are throttled across restarts, and the role used
offline is what the server last said, also after the sync engine's silent sign-in again.

A revoked token (the account's password or role changed on the server) is handled by the
engine: it signs in again with the password it holds; when that password is no longer right
the status says so (the officer signs in again through 连接服务器…).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call

from console.services.accounts import (
    OFFLINE_FAILURES_KEY,
    OFFLINE_FREE_FAILURES,
    VERIFIERS_KEY,
    Accounts,
    LoginError,
    offline_delay,
)
from console.services.context import open_workstation
from console.store.database import Store
from console.store.records import LocalMeta
from console.sync import apply
from console.sync.client import SyncHttpError
from console.sync.engine import ONLINE, SyncEngine
from console.sync.messages import SIGN_IN_AGAIN
from console.ui.sync_bridge import SyncBridge
from testkit.server import ServerProcess, run_cli


def _meta(store: Store, key: str) -> dict[str, dict[str, object]]:
    with store.engine.connect() as conn:
        raw = conn.execute(select(LocalMeta.value).where(LocalMeta.key == key)).scalar()
    return dict(json.loads(raw or "{}"))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_verifier_is_argon2id_and_an_old_scrypt_one_is_upgraded(
    server: ServerProcess, tmp_path: Path
) -> None:
    ws = open_workstation(tmp_path / "a")
    try:
        accounts = Accounts(ws.store)
        password = PASSWORDS["zhang"][1]
        accounts.login(server.url, "zhang", password)
        key = f"{server.url}|zhang"
        entry = _meta(ws.store, VERIFIERS_KEY)[key]
        assert str(entry["hash"]).startswith("$argon2id$") and "salt" not in entry

        # What an earlier version stored: a fast scrypt digest.
        salt = secrets.token_bytes(16)
        digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
        old = {"role": "officer", "salt": salt.hex(), "hash": digest.hex(), "at": "x"}
        accounts._put({VERIFIERS_KEY: json.dumps({key: old})})

        server.stop()
        with pytest.raises(LoginError, match="用户名或密码错误"):
            accounts.login(server.url, "zhang", "wrong-password")
        assert _meta(ws.store, VERIFIERS_KEY)[key]["hash"] == digest.hex()
        assert accounts.login(server.url, "zhang", password).offline
        upgraded = _meta(ws.store, VERIFIERS_KEY)[key]
        assert str(upgraded["hash"]).startswith("$argon2id$") and "salt" not in upgraded
        assert accounts.login(server.url, "zhang", password).offline  # still signs in
    finally:
        ws.close()


def test_offline_guesses_are_throttled_and_a_restart_does_not_reset_it(
    server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "a"
    ws = open_workstation(folder)
    clock = Clock()
    password = PASSWORDS["zhang"][1]
    try:
        Accounts(ws.store, clock).login(server.url, "zhang", password)
        server.stop()
        accounts = Accounts(ws.store, clock)
        for _ in range(OFFLINE_FREE_FAILURES):
            with pytest.raises(LoginError, match="用户名或密码错误"):
                accounts.login(server.url, "zhang", "wrong-password")
        wait = offline_delay(OFFLINE_FREE_FAILURES)
        assert wait >= 2
        # Locked now: even the right password is not checked until the delay has run out.
        with pytest.raises(LoginError, match="失败次数过多"):
            accounts.login(server.url, "zhang", password)
    finally:
        ws.close()

    ws = open_workstation(folder)  # the app restarted
    try:
        accounts = Accounts(ws.store, clock)
        with pytest.raises(LoginError, match="失败次数过多"):
            accounts.login(server.url, "zhang", password)
        clock.now += wait
        with pytest.raises(LoginError, match="用户名或密码错误"):
            accounts.login(server.url, "zhang", "wrong-password")
        assert accounts.offline_wait(server.url, "zhang") == offline_delay(
            OFFLINE_FREE_FAILURES + 1
        )
        assert offline_delay(OFFLINE_FREE_FAILURES + 1) > wait  # each failure waits longer
        assert offline_delay(1000) == 300.0
        clock.now -= 10**6  # a clock set far back does not lock the officer out for days
        assert accounts.offline_wait(server.url, "zhang") <= 300.0
        clock.now += 10**6 + 1000
        assert accounts.login(server.url, "zhang", password).offline
        assert _meta(ws.store, OFFLINE_FAILURES_KEY) == {}  # success counts from zero again
    finally:
        ws.close()


def test_offline_role_is_what_the_server_last_said(
    server: ServerProcess, tmp_path: Path, qtbot: QtBot
) -> None:
    """The role changes on the server while the officer works: the engine's token is revoked,
    it signs in again, and the offline role follows; a changed password stops the engine with
    a status that asks the officer to sign in again instead of pushing on an old token."""
    assert server.db is not None
    ws = open_workstation(tmp_path / "a")
    bridge = SyncBridge(ws.store)
    try:
        accounts = Accounts(ws.store)
        bridge.accounts = accounts
        password = PASSWORDS["zhang"][1]
        session = accounts.login(server.url, "zhang", password)
        assert accounts.cached_role(server.url, "zhang") == "officer"
        assert run_cli(server.db, "set-role", "zhang", "--role", "leader").returncode == 0

        # Nothing to push: the revoked token is first refused by a pull, which must lead to
        # a sign-in again just as a refused push does.
        bridge.start(session)
        qtbot.waitUntil(
            lambda: accounts.cached_role(server.url, "zhang") == "leader", timeout=20000
        )
        qtbot.waitUntil(lambda: bridge.status.state == ONLINE, timeout=20000)
        bridge.stop()

        server.stop()
        offline = accounts.login(server.url, "zhang", password)
        assert offline.offline and offline.role == "leader"
        server.start()

        new_password = f"new-{secrets.token_urlsafe(9)}"
        cp = run_cli(server.db, "set-password", "zhang", stdin=new_password + "\n")
        assert cp.returncode == 0, cp.stderr
        ws.writer.apply([incident_call("改密后登记")], user="zhang")
        engine = SyncEngine(ws.store, session.client(), credentials=("zhang", password))
        with pytest.raises(SyncHttpError) as refused:
            engine.sync_once()
        assert refused.value.status == 401
        assert engine.status.error == SIGN_IN_AGAIN
        assert apply.pending_count(ws.store) >= 1  # the officer's work stays, to push later
        with pytest.raises(LoginError, match="用户名或密码错误"):
            accounts.login(server.url, "zhang", password)
        assert accounts.login(server.url, "zhang", new_password).role == "leader"
    finally:
        bridge.stop()
        ws.close()
