"""Network cuts through a real loopback TCP proxy: in the middle of a large push (request
body or reply), in the middle of a paged pull, and under an open event stream."""

from __future__ import annotations

from pathlib import Path

import pytest
from robust_kit import (
    USERS,
    Ledger,
    TcpProxy,
    busy_workstation,
    check_invariants,
    cursor_not_ahead,
    incident_create,
    integrity_ok,
    sync_in_process,
    timeline_append,
    wait_until,
    ws_cursor,
    ws_query,
)

from console.services.context import Workstation, open_workstation
from console.sync.apply import discard_sample_incidents
from console.sync.client import SyncClient, Unreachable
from console.sync.engine import OFFLINE, ONLINE, SyncEngine
from testkit.server import Database, ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]  # several sync rounds through a proxy


def _engine(ws: Workstation, url: str, user: str) -> SyncEngine:
    client = SyncClient(url)
    client.login(user, USERS[user][1])
    return SyncEngine(ws.store, client, credentials=(user, USERS[user][1]), keep_sample=True)


@pytest.mark.parametrize("way", ["up", "down", "down-fin"])
def test_cut_during_large_push(
    way: str, proxy: TcpProxy, server: ServerProcess, server_db: Database, tmp_path: Path
) -> None:
    """ "up": the link dies with the request body half sent (nothing may commit);
    "down": it dies (reset) while the reply comes back (committed, reply lost: replayed
    once); "down-fin": the same, closed in the middle of the reply headers by a FIN."""
    proxy.graceful = way == "down-fin"
    a, b = tmp_path / "a", tmp_path / "b"
    ws = open_workstation(a, sample_incidents=False)
    try:
        for i in range(200):
            name, args = incident_create(f"大批量-{i}", description=f"第{i}号现场描述。" * 200)
            ws.writer.apply(
                [(name, args), timeline_append(str(args["id"]), f"记录{i}")], user="zhang"
            )
        # What the first sync to a demo server drops first (the sample roster, planned for
        # the month of the load): the outbox the cut must leave as it was is the one after.
        discard_sample_incidents(ws.store)
        before = Ledger.read(a)
        engine = _engine(ws, proxy.url, "zhang")
        # "up": within the first batch (the sample county's 500 upserts are about 185 kB)
        proxy.trip(way[:4].rstrip("-"), 100_000 if way == "up" else 40)
        with pytest.raises(Unreachable):
            engine.sync_once()
        assert proxy.tripped.is_set() and proxy.is_down
        assert engine.status.state == OFFLINE
        server_last = server_db.scalar(
            "SELECT last_mutation_id FROM sync_clients WHERE client_id = :c", c=before.client_id
        )
        if way == "up":
            assert server_last is None  # half a request body commits nothing
        else:
            assert int(server_last) >= 1  # the server committed the first batch
        after = Ledger.read(a)
        assert after.acked == before.acked == 0 and after.outbox == before.outbox
        integrity_ok(a)
        with pytest.raises(Unreachable):
            engine.sync_once()  # still cut: refused, nothing changes
        proxy.restore()
        report = engine.sync_once()
        assert report.pushed == len(before.outbox)
    finally:
        ws.close()
    sync_in_process(b, server.url, "li")
    # Quiet: a pulls what b pushed after it (the sample cameras, a leader's to write, which
    # the server refused from a's officer and took from b's leader).
    sync_in_process(a, server.url, "zhang")
    check_invariants(server_db, [a, b])


def test_cut_during_paged_pull(
    proxy: TcpProxy, server: ServerProcess, server_db: Database, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    sync_in_process(a, server.url, "zhang")
    busy_workstation(b, 150, "B")  # incidents edited after their log rows were written
    sync_in_process(b, server.url, "li")
    ws = open_workstation(a, sample_incidents=False)
    try:
        engine = _engine(ws, proxy.url, "zhang")
        cursor_before = ws_cursor(a)
        proxy.trip("down", 100_000)
        with pytest.raises(Unreachable):
            engine.sync_once(page_limit=20)
        assert proxy.tripped.is_set()
        cursor_mid = ws_cursor(a)
        assert cursor_mid != cursor_before, "cut before any page was applied"
        integrity_ok(a)
        cursor_not_ahead(server_db, a)
        proxy.restore()
        # More pages, another cut, then to the end.
        proxy.trip("down", 40_000)
        with pytest.raises(Unreachable):
            engine.sync_once(page_limit=20)
        assert ws_cursor(a) != cursor_mid
        integrity_ok(a)
        cursor_not_ahead(server_db, a)
        proxy.restore()
        report = engine.sync_once(page_limit=20)
        assert report.pages > 1
    finally:
        ws.close()
    check_invariants(server_db, [a, b])
    assert len(ws_query(a, "SELECT id FROM incidents")) == 150


def test_event_stream_cut_goes_offline_and_reconnects(
    proxy: TcpProxy, server: ServerProcess, server_db: Database, tmp_path: Path
) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a = open_workstation(a_dir, sample_incidents=False)
    b = open_workstation(b_dir, sample_incidents=False)
    states: list[str] = []
    client_a = SyncClient(proxy.url)  # A reaches the server through the proxy
    client_a.login("zhang", USERS["zhang"][1])
    engine_a = SyncEngine(
        a.store,
        client_a,
        on_status=lambda s: states.append(s.state),
        credentials=("zhang", USERS["zhang"][1]),
        keep_sample=True,  # the demo server of these tests (see conftest)
    )
    engine_b = _engine(b, server.url, "li")
    engines = (engine_a, engine_b)
    try:
        for engine in engines:
            engine.start()
        assert wait_until(
            lambda: all(e.status.state == ONLINE and e.status.pending == 0 for e in engines), 60
        ), [e.status for e in engines]
        assert wait_until(lambda: proxy.open_connections() >= 1, 10)  # the event stream

        proxy.cut()  # quiet system: only the event stream notices
        cut_at = len(states)
        assert wait_until(lambda: engine_a.status.state == OFFLINE, 15), (
            f"engine stayed {engine_a.status.state!r} with the link cut"
        )

        name, args = incident_create("B在A断网期间新建")
        b.writer.apply([(name, args)], user="li")
        from_b = str(args["id"])
        name, args = incident_create("A离线时新建")
        a.writer.apply([(name, args), timeline_append(str(args["id"]), "离线记录")], user="zhang")
        assert wait_until(lambda: engine_b.status.pending == 0, 30)
        assert wait_until(lambda: a.queries.sync_counters().pending == 2, 5)
        assert ONLINE not in states[cut_at:], "engine said online while the link was cut"

        proxy.restore()  # no wake() from the test: A must come back by itself

        def a_caught_up() -> bool:
            seen = ws_query(a_dir, "SELECT id FROM incidents WHERE id = ?", (from_b,))
            return engine_a.status.state == ONLINE and engine_a.status.pending == 0 and bool(seen)

        assert wait_until(a_caught_up, 90), engine_a.status
        assert wait_until(lambda: len(ws_query(b_dir, "SELECT id FROM incidents")) == 2, 30)
    finally:
        for engine in engines:
            engine.stop()
        a.close()
        b.close()
    check_invariants(server_db, [a_dir, b_dir])
