"""Benchmark: an edit on workstation A shows up in workstation B's store, live.

A scratch PostgreSQL database gets the sample county, a real ``duty-server`` process serves
it on loopback, and two workstations (own data folders, own accounts) each run
``SyncEngine.start()`` in the background exactly as the console does: sync on start, on
local writes, and on every "go pull" poke of ``GET /sync/events``. A creates an incident
and both wait until B holds it. Then A makes ``--edits`` edits (``incident.update`` of the
address through ``Writer.apply``, one at a time); each is timed from the start of A's
write until B's SQLite store holds the new value, observed through B's store-change
subscription (called right after B's pull transaction commits) and confirmed by reading
B's database. The next edit waits until the previous one arrived, plus ``--gap-ms``.

Goal: p95 <= 1 s. Exit code 1 if it fails (or an edit never arrives).

    python bench/sync_live.py [--edits 200] [--gap-ms 20]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _sync_common import (
    DEFAULT_ADMIN_URL,
    PASSWORD,
    DataGen,
    create_users,
    machine_line,
    mean,
    percentile,
    print_table,
    running_server,
    sample_calls,
    sample_places,
    scratch_database,
    seed_in_process,
)

from console.store.database import Store, open_store
from console.store.writer import Writer
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine


class Watch:
    """Wakes the benchmark whenever B's store announces a committed change."""

    def __init__(self, store: Store) -> None:
        self.event = threading.Event()
        store.subscribe(self._seen)

    def _seen(self, _changes: Any) -> None:
        self.event.set()


def _address(db: sqlite3.Connection, incident_id: str) -> str | None:
    row = db.execute("SELECT address FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    return None if row is None else str(row[0])


def _wait_for(
    db: sqlite3.Connection, watch: Watch, incident_id: str, want: str, timeout_s: float
) -> bool:
    deadline = time.perf_counter() + timeout_s
    while True:
        if _address(db, incident_id) == want:
            return True
        left = deadline - time.perf_counter()
        if left <= 0:
            return False
        watch.event.wait(min(left, 0.05))  # also re-check now and then, in case of a miss
        watch.event.clear()


def _engine(store: Store, url: str, user: str) -> tuple[SyncEngine, SyncClient]:
    client = SyncClient(url)
    client.login(user, PASSWORD)
    return SyncEngine(store, client, credentials=(user, PASSWORD)), client


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--edits", type=int, default=200, help="timed edits on workstation A")
    p.add_argument("--gap-ms", type=float, default=20.0, help="pause between edits")
    p.add_argument("--timeout", type=float, default=10.0, help="give up on an edit after (s)")
    p.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="libpq URL of an admin db")
    p.add_argument("--db-name", default="duty_bench_live", help="scratch database name")
    p.add_argument("--goal", type=float, default=1.0, help="p95 seconds to stay under")
    args = p.parse_args(argv)

    print(machine_line())
    latencies: list[float] = []
    missed = 0
    with (
        tempfile.TemporaryDirectory(prefix="sync-live-") as tmp_name,
        scratch_database(args.admin_url, args.db_name) as (db_url, _existed),
    ):
        tmp = Path(tmp_name)
        create_users(db_url, ["ws_a", "ws_b"])
        calls = sample_calls()
        seed_in_process(db_url, "ws_a", calls)
        gen = DataGen(3, sample_places(calls))
        with running_server(db_url, tmp / "server.log") as srv:
            store_a, store_b = open_store(tmp / "a"), open_store(tmp / "b")
            engine_a, client_a = _engine(store_a, srv.url, "ws_a")
            engine_b, client_b = _engine(store_b, srv.url, "ws_b")
            watch = Watch(store_b)
            reader = sqlite3.connect(store_b.path)
            try:
                engine_a.sync_once()  # both replicas start from the server's state
                engine_b.sync_once()
                engine_a.start()
                engine_b.start()
                writer = Writer(store_a)
                incident = gen.incident()
                writer.apply([("incident.create", incident)], user="ws_a")
                if not _wait_for(reader, watch, incident["id"], incident["address"], 30.0):
                    raise SystemExit("the first incident never reached workstation B")
                time.sleep(0.5)
                for i in range(args.edits):
                    edit = gen.update(incident["id"], f"第{i}次修改")
                    want = edit["fields"]["address"]
                    watch.event.clear()
                    t0 = time.perf_counter()
                    writer.apply([("incident.update", edit)], user="ws_a")
                    if _wait_for(reader, watch, incident["id"], want, args.timeout):
                        latencies.append(time.perf_counter() - t0)
                    else:
                        missed += 1
                    time.sleep(args.gap_ms / 1000)
            finally:
                reader.close()
                engine_a.stop()
                engine_b.stop()
                client_a.close()
                client_b.close()
                store_a.close()
                store_b.close()

    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    ok = missed == 0 and bool(latencies) and p95 <= args.goal
    print(machine_line())
    print_table(
        "edit on A visible in B's store (SyncEngine.start on both, PostgreSQL server)",
        [
            ("edits arrived", f"{len(latencies)} / {args.edits}", f"= {args.edits}", missed == 0),
            ("mean", f"{mean(latencies) * 1000:.0f} ms", "", None),
            ("p50", f"{p50 * 1000:.0f} ms", "", None),
            ("p95", f"{p95 * 1000:.0f} ms", f"<= {args.goal * 1000:.0f} ms", p95 <= args.goal),
            ("max", f"{max(latencies, default=float('nan')) * 1000:.0f} ms", "", None),
        ],
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
