"""Benchmark: five minutes of new readings of every station, from ingest to the views.

A real ``duty-server`` (``--backend``, PostgreSQL by default) with ``--stations`` stations and
a day of their readings; a workstation that has pulled them runs the sync engine in the
background (event stream + rounds), with a ``ReadingsService`` on its store. Each round,
the next 5-minute reading of every station is POSTed to /readings by the ingest account;
the clock runs until ``ReadingsService.latest`` shows that timestamp for every station (the
poke, the pull, the local write and the query). ``--rounds`` rounds.

Goal: every round <= 5 s. Exit 1 if one is slower.

    python bench/readings_live.py [--stations 1000] [--rounds 5] [--backend postgresql]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import requests
from _readings_common import (
    DEFAULT_ADMIN_URL,
    PASSWORD,
    STEP_S,
    machine_line,
    make_stations,
    now_step,
    print_table,
    rows_at,
    scratch,
    seed,
    window,
)

from console.services.readings import ReadingsService
from console.store.database import open_store
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import running_server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--backend", default="postgresql")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    args = ap.parse_args()
    print(machine_line())
    rng = random.Random(5)
    # The rounds' timestamps are the next 5-minute steps; the seeded day ends before them
    # (and the newest is at most 10 minutes ahead of now: ingest refuses beyond).
    first_new = now_step() - (args.rounds - 1) * STEP_S
    with scratch(args.backend, args.admin_url) as db:
        codes = make_stations(db, args.stations)
        seed(db, codes, window(first_new - STEP_S, 1.0), rng)
        db.create_user("zhang", "officer", PASSWORD)
        db.create_user("feed", "ingest", PASSWORD)
        db.dispose()
        with running_server(db) as server, tempfile.TemporaryDirectory() as folder:
            store = open_store(Path(folder) / "ws")
            client = SyncClient(server.url)
            client.login("zhang", PASSWORD)
            engine = SyncEngine(store, client)
            engine.sync_once()  # the window first (not timed here: readings_first_pull)
            service = ReadingsService(store)
            engine.start()
            feed = requests.Session()
            token = feed.post(
                f"{server.url}/auth/login",
                json={"username": "feed", "password": PASSWORD},
                timeout=30,
            ).json()["token"]
            time.sleep(2.0)  # the event stream is up
            latencies = []
            try:
                for n in range(args.rounds):
                    ts = first_new + n * STEP_S
                    rows = rows_at(codes, ts, rng)
                    t0 = time.perf_counter()
                    r = feed.post(
                        f"{server.url}/readings",
                        json={"rows": rows},
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=60,
                    )
                    r.raise_for_status()
                    while True:
                        newest = {**service.latest("rain"), **service.latest("level")}
                        if len(newest) == len(codes) and all(t == ts for t, _ in newest.values()):
                            break
                        if time.perf_counter() - t0 > 30:
                            raise SystemExit(f"round {n}: not visible after 30 s")
                        time.sleep(0.05)
                    latencies.append(time.perf_counter() - t0)
            finally:
                engine.stop()
                client.close()
                store.close()
    worst = max(latencies)
    print_table(
        f"{args.stations} stations: 5 minutes of readings, ingest -> ReadingsService",
        [
            ("rounds", str(args.rounds), "", None),
            ("median latency (s)", f"{sorted(latencies)[len(latencies) // 2]:.2f}", "", None),
            ("worst latency (s)", f"{worst:.2f}", "<= 5", worst <= 5.0),
        ],
    )
    return 0 if worst <= 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
