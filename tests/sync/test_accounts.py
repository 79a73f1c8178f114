"""Workstation sign-in: online, then offline against the cached verifier during an outage."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call

from console.services.accounts import Accounts, LoginError
from console.services.context import open_workstation
from console.store.records import LocalMeta
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess


def test_online_then_offline_login(server: ServerProcess, tmp_path: Path) -> None:
    ws = open_workstation(tmp_path / "a")
    ws.writer.apply([incident_call("登录前登记")], user="zhang")  # work of its own to push
    accounts = Accounts(ws.store)
    try:
        password = PASSWORDS["zhang"][1]
        with pytest.raises(LoginError, match="无法离线登录"):
            Accounts(ws.store).login("http://127.0.0.1:9", "zhang", password)
        with pytest.raises(LoginError, match="用户名或密码错误"):
            accounts.login(server.url, "zhang", "wrong-password")
        online = accounts.login(server.url, "zhang", password)
        assert not online.offline and online.role == "officer" and online.token
        assert accounts.last_login() == (server.url, "zhang")
        with ws.store.engine.connect() as conn:
            stored = " ".join(conn.execute(select(LocalMeta.value)).scalars())
        assert password not in stored and online.token not in stored

        server.stop()
        offline = accounts.login(server.url, "zhang", password)
        assert offline.offline and offline.role == "officer" and offline.token is None
        with pytest.raises(LoginError, match="用户名或密码错误"):
            accounts.login(server.url, "zhang", "wrong-password")
        with pytest.raises(LoginError, match="无法离线登录"):
            accounts.login(server.url, "li", PASSWORDS["li"][1])

        # Signed in offline: once the server is back the engine signs in by itself.
        server.start()
        engine = SyncEngine(ws.store, offline.client(), credentials=("zhang", password))
        report = engine.sync_once()
        assert report.pushed > 0 and engine.status.pending == 0
    finally:
        ws.close()
