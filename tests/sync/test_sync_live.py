"""Background engines: an edit on one workstation reaches another through the event stream."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select
from sync_testkit import PASSWORDS

from console.domain.ids import new_id
from console.domain.schema import Incident
from console.services.context import open_workstation
from console.sync.client import SyncClient
from console.sync.engine import OFFLINE, ONLINE, SyncEngine, SyncStatus
from testkit.server import ServerProcess


def _wait(predicate: object, timeout: float = 10.0) -> bool:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_live_edit_and_offline_then_reconnect(server: ServerProcess, tmp_path: Path) -> None:
    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    engines: list[SyncEngine] = []
    statuses: list[SyncStatus] = []
    try:
        for ws in (a, b):
            client = SyncClient(server.url)
            client.login("zhang", PASSWORDS["zhang"][1])
            engine = SyncEngine(ws.store, client, on_status=statuses.append if ws is a else None)
            engines.append(engine)
            engine.start()
        assert _wait(
            lambda: all(e.status.state == ONLINE and e.status.pending == 0 for e in engines), 30
        )
        incident_id = new_id()
        a.writer.apply(
            [
                (
                    "incident.create",
                    {
                        "id": incident_id,
                        "received_at": "2026-11-28T10:00:00+08:00",
                        "category": "事故灾难",
                        "subtype": "火灾",
                        "title": "实时同步测试",
                    },
                )
            ],
            user="zhang",
        )

        def seen_on_b() -> bool:
            with b.store.engine.connect() as conn:
                return (
                    conn.execute(select(Incident.id).where(Incident.id == incident_id)).first()
                    is not None
                )

        assert _wait(seen_on_b, 5.0), "edit on A did not reach B through the event stream"

        server.stop()  # network gone: A keeps working and says so
        a.writer.apply(
            [("incident.update", {"id": incident_id, "fields": {"title": "离线期间修改"}})],
            user="zhang",
        )
        assert _wait(lambda: engines[0].status.state == OFFLINE, 15)
        assert a.queries.sync_counters().pending == 1
        server.start()
        assert _wait(
            lambda: engines[0].status.pending == 0 and engines[0].status.state == ONLINE, 90
        )

        def renamed_on_b() -> bool:
            with b.store.engine.connect() as conn:
                return (
                    conn.execute(select(Incident.title).where(Incident.id == incident_id)).scalar()
                    == "离线期间修改"
                )

        assert _wait(renamed_on_b, 90)
        assert any(s.state == OFFLINE for s in statuses)
    finally:
        for engine in engines:
            engine.stop()
        a.close()
        b.close()
