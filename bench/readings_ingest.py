"""Benchmark: readings ingest rate, on SQLite and on PostgreSQL.

For each backend: a scratch server database with ``--stations`` stations; ``--hours`` hours
of readings of every station (1,000 stations: 12,000 rows an hour) go through
``server.readings.ingest_rows`` in-process in batches of ``--batch`` rows, one transaction
each (validation, station lookup, existing-row lookup, seq lock, insert, NOTIFY). Then the
same through HTTP: ``POST /readings`` to a real ``duty-server`` on loopback. Then the same
batches again (every row unchanged: the idempotent replay an external system's retry makes).

Goal: >= 20,000 rows/s on PostgreSQL (in-process and over HTTP). Exit 1 if it fails.

    python bench/readings_ingest.py [--stations 1000] [--hours 24] [--batch 10000]
        [--backends sqlite,postgresql] [--admin-url postgresql://...]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any

import requests
from _readings_common import (
    DEFAULT_ADMIN_URL,
    PASSWORD,
    machine_line,
    make_stations,
    now_step,
    print_table,
    rows_at,
    scratch,
    window,
)

from server.readings import ingest_rows
from testkit.server import Database, running_server


def _batches(codes: list[str], stamps: list[int], size: int) -> list[list[dict[str, Any]]]:
    rng = random.Random(7)
    rows = [row for ts in stamps for row in rows_at(codes, ts, rng)]
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def in_process(db: Database, batches: list[list[dict[str, Any]]]) -> tuple[float, int]:
    t0 = time.perf_counter()
    stored = 0
    for batch in batches:
        with db.engine.begin() as conn:
            result = ingest_rows(conn, batch, "ingest")
        assert not result.refused, result.refused[:3]
        stored += result.accepted + result.unchanged
    return time.perf_counter() - t0, stored


def over_http(db: Database, batches: list[list[dict[str, Any]]]) -> tuple[float, int]:
    db.create_user("feed", "ingest", PASSWORD)
    db.dispose()
    with running_server(db) as server, requests.Session() as http:
        r = http.post(
            f"{server.url}/auth/login", json={"username": "feed", "password": PASSWORD}, timeout=30
        )
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        t0 = time.perf_counter()
        stored = 0
        for batch in batches:
            r = http.post(
                f"{server.url}/readings", json={"rows": batch}, headers=headers, timeout=300
            )
            r.raise_for_status()
            body = r.json()
            assert not body["refused"], body["refused"][:3]
            stored += body["accepted"] + body["unchanged"]
        return time.perf_counter() - t0, stored


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    args = ap.parse_args()
    print(machine_line())
    ok = True
    end = now_step()
    for backend in args.backends.split(","):
        with scratch(backend, args.admin_url) as db:
            codes = make_stations(db, args.stations)
            # The first half of the window in-process, the second half over HTTP (fresh rows).
            stamps = window(end, args.hours / 24)
            half = len(stamps) // 2
            first = _batches(codes, stamps[:half], args.batch)
            second = _batches(codes, stamps[half:], args.batch)
            secs, rows = in_process(db, first)
            again, _ = in_process(db, first)  # every row unchanged
            http_secs, http_rows = over_http(db, second)
        rate, http_rate = rows / secs, http_rows / http_secs
        goal = backend == "postgresql"
        ok &= not goal or (rate >= 20_000 and http_rate >= 20_000)
        print_table(
            f"readings ingest, {backend}: {args.stations} stations, batches of {args.batch}",
            [
                ("rows (in-process)", f"{rows:,}", "", None),
                (
                    "rows/s in-process",
                    f"{rate:,.0f}",
                    ">= 20,000 (PostgreSQL)" if goal else "",
                    rate >= 20_000 if goal else None,
                ),
                ("rows/s replayed (unchanged)", f"{rows / again:,.0f}", "", None),
                ("rows (HTTP)", f"{http_rows:,}", "", None),
                (
                    "rows/s POST /readings",
                    f"{http_rate:,.0f}",
                    ">= 20,000 (PostgreSQL)" if goal else "",
                    http_rate >= 20_000 if goal else None,
                ),
            ],
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
