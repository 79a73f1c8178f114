"""Shift handover (交接班) on a shared duty-room workstation: the next officer signs in on the
same workstation (同步状态 → 切换账号…) and its pushes and pulls go on, the previous
officer's unsent work included. Real stores, a real server process (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call

from console.domain.schema import Incident
from console.services.accounts import Accounts
from console.services.context import Workstation, open_workstation
from console.sync.client import SyncClient, SyncHttpError
from console.sync.engine import ONLINE, SyncEngine
from console.ui.sync_bridge import SyncBridge
from testkit.server import Database, ServerProcess

ACCOUNTS = {**PASSWORDS, "wang": ("officer", "wang-pass-1")}


@pytest.fixture
def county(tmp_path: Path) -> Iterator[tuple[ServerProcess, Database]]:
    db = Database.create("sqlite", tmp_path / "server")
    db.migrate()
    db.create_users(ACCOUNTS)
    srv = ServerProcess(db).start()
    yield srv, db
    srv.stop()
    db.dispose()


def _sync(ws: Workstation, server: ServerProcess, user: str) -> None:
    """One round as ``user`` signed in on ``ws`` (what 切换账号… then 立即同步 does)."""
    client = SyncClient(server.url)
    client.login(user, ACCOUNTS[user][1])
    try:
        SyncEngine(ws.store, client).sync_once()
    finally:
        client.close()


def _titles(ws: Workstation) -> set[str]:
    with ws.store.engine.connect() as conn:
        return set(
            conn.execute(
                select(Incident.title).where(
                    Incident.deleted.is_(False), Incident.is_sample.is_(False)
                )
            ).scalars()
        )


def _server_titles(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(select(Incident.title)).scalars())


def test_next_officer_on_the_same_workstation_pushes_and_pulls(
    county: tuple[ServerProcess, Database], tmp_path: Path
) -> None:
    server, db = county
    station = tmp_path / "duty-room"
    ws = open_workstation(station)
    try:
        ws.writer.apply([incident_call("甲班已同步")], user="zhang")
        _sync(ws, server, "zhang")
        # Written at the end of the shift, not yet sent when the officer hands over.
        ws.writer.apply([incident_call("甲班未发送")], user="zhang")
    finally:
        ws.close()
    other = open_workstation(tmp_path / "leader-office")
    try:
        other.writer.apply([incident_call("领导台")], user="li")
        _sync(other, server, "li")
    finally:
        other.close()

    ws = open_workstation(station)  # the next shift starts the console on the same data
    try:
        ws.writer.apply([incident_call("乙班接报")], user="wang")
        _sync(ws, server, "wang")
        assert ws.queries.sync_counters().pending == 0
        assert _titles(ws) == {"甲班已同步", "甲班未发送", "乙班接报", "领导台"}
        # ...and back: the previous officer's next shift on it works as well.
        ws.writer.apply([incident_call("甲班次日")], user="zhang")
        _sync(ws, server, "zhang")
        assert ws.queries.sync_counters().pending == 0
    finally:
        ws.close()
    assert _server_titles(db) == {"甲班已同步", "甲班未发送", "乙班接报", "领导台", "甲班次日"}
    # Attributed to the account that pushed it (docs/security.md): the handover's push.
    pushed_by = db.scalar(
        "SELECT username FROM audit_log WHERE name = 'incident.create' AND args LIKE :t",
        t="%甲班未发送%",
    )
    assert pushed_by == "wang"


def test_a_copy_of_the_client_id_without_the_key_is_refused(
    county: tuple[ServerProcess, Database], tmp_path: Path
) -> None:
    """A stolen client id (not the workstation's file): push and pull are 403."""
    server, _db = county
    ws = open_workstation(tmp_path / "duty-room")
    try:
        ws.writer.apply([incident_call("值班")], user="zhang")
        _sync(ws, server, "zhang")
        client_id, key = ws.store.client_id, ws.store.client_key
    finally:
        ws.close()
    assert len(key) == 64
    thief = open_workstation(tmp_path / "thief")
    try:
        thief.store.client_id = client_id  # the id alone, with another key
        assert thief.store.client_key != key
        client = SyncClient(server.url)
        client.login("wang", ACCOUNTS["wang"][1])
        with pytest.raises(SyncHttpError) as push:
            client.push(client_id, [], None, thief.store.client_key)
        with pytest.raises(SyncHttpError) as pull:
            client.pull(client_id, None, client_key=thief.store.client_key)
        with pytest.raises(SyncHttpError) as keyless:
            client.pull(client_id, None)
        for refused in (push, pull, keyless):
            assert refused.value.status == 403
            assert refused.value.payload["code"] == "foreign_client"
        client.close()
    finally:
        thief.close()


def test_upgraded_workstation_and_server_keep_working(
    county: tuple[ServerProcess, Database], tmp_path: Path
) -> None:
    """A workstation that registered before keys (no key sent, so the server row has none)
    is upgraded: its first round adopts the key, after which a handover works."""
    server, db = county
    station = tmp_path / "duty-room"
    ws = open_workstation(station)
    try:
        key = ws.store.client_key
        ws.store.client_key = ""  # what a workstation from before keys sends: nothing
        ws.writer.apply([incident_call("升级前")], user="zhang")
        _sync(ws, server, "zhang")
        stored = "SELECT key_hash FROM sync_clients WHERE client_id = :c"
        assert db.scalar(stored, c=ws.store.client_id) is None
        ws.writer.apply([incident_call("交接前未发送")], user="zhang")
    finally:
        ws.close()
    ws = open_workstation(station)  # the upgraded console
    try:
        assert ws.store.client_key == key
        _sync(ws, server, "zhang")  # adopts the key
        assert db.scalar(stored, c=ws.store.client_id) is not None
        ws.writer.apply([incident_call("升级后乙班")], user="wang")
        _sync(ws, server, "wang")
        assert ws.queries.sync_counters().pending == 0
    finally:
        ws.close()
    assert _server_titles(db) == {"升级前", "交接前未发送", "升级后乙班"}


def test_switching_account_in_the_console_keeps_the_workstation_syncing(
    qtbot: QtBot, county: tuple[ServerProcess, Database], tmp_path: Path
) -> None:
    """切换账号… (sync_page._connect after its dialog): the bridge restarts its engine with
    the next officer's session on the same store; the live sync goes on pushing."""
    server, db = county
    ws = open_workstation(tmp_path / "duty-room")
    bridge = SyncBridge(ws.store)
    accounts = Accounts(ws.store)
    bridge.accounts = accounts
    try:
        bridge.start(accounts.login(server.url, "zhang", ACCOUNTS["zhang"][1]))
        ws.writer.apply([incident_call("甲班")], user="zhang")
        qtbot.waitUntil(lambda: _synced(ws, bridge), timeout=30000)
        bridge.start(accounts.login(server.url, "wang", ACCOUNTS["wang"][1]))
        ws.writer.apply([incident_call("乙班")], user="wang")
        qtbot.waitUntil(lambda: _synced(ws, bridge), timeout=30000)
        assert bridge.status.error == ""
    finally:
        bridge.stop()
        ws.close()
    assert _server_titles(db) == {"甲班", "乙班"}


def _synced(ws: Workstation, bridge: SyncBridge) -> bool:
    status = bridge.status
    return status.state == ONLINE and not status.error and ws.queries.sync_counters().pending == 0
