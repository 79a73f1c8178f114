"""The readings channel end to end: a real server, real workstation stores.

Ingest (POST /readings) -> the workstation's pull -> ReadingsService arrays; corrections,
the rolling window, a new epoch, a save during a long first pull, the live poke."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from sqlalchemy import func, select
from sync_testkit import PASSWORDS, incident_call, server_database

from console import faults
from console.domain.beijing import BEIJING
from console.domain.digest import database_digest
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.schema import ReportedReading
from console.services.context import Workstation, open_workstation
from console.services.readings import ReadingsService
from console.services.readings_report import PhonedReadings
from console.store.records import LocalReading
from console.sync import readings as channel
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess

NOW = int(time.time()) // 300 * 300
FEED = ("feed", "feed-password-1")
WAIT_S = 20.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    db = server_database(tmp_path / "server")
    db.create_user(FEED[0], "ingest", FEED[1])
    db.dispose()
    srv = ServerProcess(db).start()
    yield srv
    srv.stop()


def _token(server: ServerProcess, user: str, password: str) -> str:
    r = requests.post(
        f"{server.url}/auth/login", json={"username": user, "password": password}, timeout=30
    )
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def ingest(server: ServerProcess, rows: list[dict[str, Any]]) -> dict[str, Any]:
    r = requests.post(
        f"{server.url}/readings",
        json={"rows": rows},
        headers={"Authorization": f"Bearer {_token(server, *FEED)}"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def _engine(ws: Workstation, server: ServerProcess, **kw: Any) -> SyncEngine:
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    return SyncEngine(ws.store, client, **kw)


def _stations(ws: Workstation, server: ServerProcess, n: int = 3) -> dict[str, str]:
    """code -> id of ``n`` hydrological stations (rain and level), synced to the server."""
    made = {f"S{i:03d}": new_id() for i in range(n)}
    calls = [
        ("station.upsert", {"id": sid, "code": code, "name": f"测站{code}", "kind": "水文站"})
        for code, sid in made.items()
    ]
    ws.writer.apply(calls, user="zhang")
    _engine(ws, server).sync_once()
    return made


def _local(ws: Workstation) -> list[tuple[str, str, int, float]]:
    with ws.store.engine.connect() as conn:
        rows = conn.execute(
            select(LocalReading.station_id, LocalReading.kind, LocalReading.ts, LocalReading.value)
        ).all()
    return sorted((str(a), str(b), int(c), float(d)) for a, b, c, d in rows)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    workstation = open_workstation(tmp_path / "ws", autoload=False)
    yield workstation
    workstation.close()


def test_ingested_readings_reach_the_workstation_as_arrays(
    server: ServerProcess, ws: Workstation
) -> None:
    stations = _stations(ws, server)
    sid = stations["S001"]
    service = ReadingsService(ws.store)
    rows = [
        {"station": "S001", "kind": "rain", "ts": NOW - i * 300, "value": i / 10} for i in range(6)
    ]
    rows.append({"station": "S002", "kind": "level", "ts": NOW - 300, "value": 101.5})
    assert ingest(server, rows)["accepted"] == 7
    stamp = service.stamp()
    _engine(ws, server).sync_once()
    assert service.stamp() > stamp
    times, values = service.series(sid, "rain", NOW - 1500, NOW)
    assert times.dtype == np.int64 and values.dtype == np.float64
    assert times.tolist() == [NOW - i * 300 for i in range(5, -1, -1)]
    assert values.tolist() == [i / 10 for i in range(5, -1, -1)]
    assert service.latest("level") == {stations["S002"]: (NOW - 300, 101.5)}
    assert service.latest("rain")[sid] == (NOW, 0.0)
    assert not service.simulated(sid, NOW - 3600, NOW)

    # A correction and a simulated row arrive as updates of the same keys.
    fixed = ingest(server, [{**rows[0], "value": 9.5}, {**rows[1], "simulated": True}])
    assert fixed["updated"] == 2
    stamp = service.stamp()
    _engine(ws, server).sync_once()
    assert service.stamp() > stamp
    assert service.series(sid, "rain", NOW, NOW)[1].tolist() == [9.5]
    assert service.simulated(sid, NOW - 300, NOW - 300)
    assert len(_local(ws)) == 7  # corrected in place, never duplicated


def test_the_window_skips_and_prunes_old_readings(server: ServerProcess, ws: Workstation) -> None:
    _stations(ws, server)
    old = [{"station": "S000", "kind": "level", "ts": NOW - 40 * 86400, "value": 1.0}]
    mid = [{"station": "S000", "kind": "level", "ts": NOW - 10 * 86400, "value": 2.0}]
    new = [{"station": "S000", "kind": "level", "ts": NOW - 300, "value": 3.0}]
    ingest(server, old + mid + new)
    _engine(ws, server).sync_once()
    assert [r[3] for r in _local(ws)] == [2.0, 3.0]  # 40 days old: outside 30 days
    _engine(ws, server, readings_window_days=5).sync_once()
    assert [r[3] for r in _local(ws)] == [3.0]  # pruned to the narrower window


def test_a_new_epoch_reloads_the_readings(server: ServerProcess, ws: Workstation) -> None:
    stations = _stations(ws, server)
    ingest(server, [{"station": "S000", "kind": "rain", "ts": NOW - 600, "value": 1.0}])
    _engine(ws, server).sync_once()
    with ws.store.engine.connect() as conn:
        before = channel.read_cursor(conn)
    assert before is not None and before.seq >= 1
    # A stray local row the server never had (left by a crash, say) goes with the old epoch.
    with ws.store.engine.begin() as conn:
        conn.execute(
            LocalReading.__table__.insert().values(
                station_id=stations["S001"],
                kind="rain",
                ts=NOW - 900,
                value=7.0,
                interval_s=300,
                source="server",
                simulated=False,
                seq=before.seq + 100,
            )
        )
    server.stop()
    assert server.cli("new-epoch").returncode == 0
    server.start()
    _engine(ws, server).sync_once()
    with ws.store.engine.connect() as conn:
        after = channel.read_cursor(conn)
    assert after is not None and after.epoch != before.epoch
    assert _local(ws) == [(stations["S000"], "rain", NOW - 600, 1.0)]


def test_a_save_goes_in_between_the_chunks_of_a_large_readings_page(
    server: ServerProcess, ws: Workstation
) -> None:
    stations = _stations(ws, server, 10)
    rows = [
        {"station": code, "kind": "rain", "ts": NOW - i * 300, "value": 0.5}
        for code in stations
        for i in range(2000)
    ]
    for start in range(0, len(rows), 10_000):
        ingest(server, rows[start : start + 10_000])
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    page = client.readings_pull(0, 0, 100_000)
    client.close()
    assert len(page["t"]) == 20_000 and not page["more"]

    saved = threading.Event()
    seen: dict[str, Any] = {}

    def officer_saves() -> None:
        ws.writer.apply([incident_call("读数同步期间的接报")], user="zhang")
        with ws.store.engine.connect() as conn:
            seen["rows_when_saved"] = conn.execute(
                select(func.count()).select_from(LocalReading)
            ).scalar_one()
        saved.set()

    saver = threading.Thread(target=officer_saves)

    def hook(point: str) -> None:
        seen.setdefault("points", []).append(point)
        if point == "readings_chunk" and not saver.is_alive() and not saved.is_set():
            saver.start()
            deadline = time.monotonic() + WAIT_S
            while ws.store.gate.waiting == 0:
                assert time.monotonic() < deadline, "the save never reached the gate"
                time.sleep(0.001)
        elif point == "readings_yield":
            assert saved.wait(WAIT_S), "the save did not finish while the pull stepped aside"

    with faults.armed("readings_chunk", hook), faults.armed("readings_yield", hook):
        assert channel.apply_page(ws.store, page) == 20_000
    saver.join(WAIT_S)
    assert saved.is_set()
    assert "readings_yield" in seen["points"]
    assert 0 < seen["rows_when_saved"] < 20_000  # saved in the middle of the page
    assert len(_local(ws)) == 20_000
    with ws.store.engine.connect() as conn:
        cursor = channel.read_cursor(conn)
    assert cursor is not None and cursor.seq == page["last_seq"]


def test_a_readings_poke_brings_new_readings_within_seconds(
    server: ServerProcess, ws: Workstation
) -> None:
    _stations(ws, server)
    service = ReadingsService(ws.store)
    engine = _engine(ws, server)
    engine.start()
    try:
        time.sleep(1.0)  # the first round and the event stream
        start = time.monotonic()
        ingest(server, [{"station": "S002", "kind": "rain", "ts": NOW, "value": 4.5}])
        while not service.latest("rain"):
            assert time.monotonic() - start < 5.0, "not visible within 5 s"
            time.sleep(0.05)
    finally:
        engine.stop()


def test_a_phoned_reading_reaches_every_workstation(
    server: ServerProcess, ws: Workstation, tmp_path: Path
) -> None:
    """Workstation A records a reading phoned in (offline first: visible at once), syncs;
    the server puts it on the channel; workstation B gets it as a reading."""
    stations = _stations(ws, server)
    sid = stations["S001"]
    at = datetime.fromtimestamp(NOW - 600, BEIJING).isoformat()
    record = PhonedReadings(ws.writer).report(
        station_id=sid,
        kind="水位",
        observed_at=at,
        value=12.75,
        interval_min=0,
        user="zhang",
        reporter="王信息员",
        reporter_phone="13800000000",
    )
    service = ReadingsService(ws.store)
    assert service.latest("level") == {sid: (NOW - 600, 12.75)}  # before any sync
    with pytest.raises(MutationRejected, match="雨量时段应为"):
        PhonedReadings(ws.writer).report(
            station_id=sid, kind="雨量", observed_at=at, value=3.0, interval_min=7, user="zhang"
        )
    _engine(ws, server).sync_once()
    with ws.store.engine.connect() as conn:
        source, seq = conn.execute(
            select(LocalReading.source, LocalReading.seq).where(LocalReading.station_id == sid)
        ).one()
    # The server's copy came back on the channel and replaced the local one.
    assert (source, seq > 0) == ("server", True)

    other = open_workstation(tmp_path / "other", autoload=False)
    try:
        _engine(other, server).sync_once()
        assert ReadingsService(other.store).latest("level") == {sid: (NOW - 600, 12.75)}
        with other.store.engine.connect() as conn:
            row = conn.execute(
                select(ReportedReading.reporter, ReportedReading.author).where(
                    ReportedReading.id == record
                )
            ).one()
        assert tuple(row) == ("王信息员", "zhang")
        # The record itself converged like any synced entity (digest of every synced table).
        _engine(ws, server).sync_once()
        digests = set()
        for replica in (ws, other):
            with replica.store.engine.connect() as conn:
                digests.add(database_digest(conn)[0])
        digests.add(server.cli("digest").stdout.strip())
        assert len(digests) == 1
    finally:
        other.close()
