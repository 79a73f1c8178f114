"""Benchmark: a workstation's first pull of the readings window.

1. A scratch PostgreSQL database with ``--stations`` stations and ``--days`` days of their
   5-minute readings (1,000 stations x 7 days = 2,016,000 rows), seeded through
   ``server.readings.ingest_rows`` (so the rate of a large ingest is printed too).
2. A real ``duty-server`` on loopback; a fresh workstation store pulls the channel with the
   sync engine's code (``console.sync.readings.pull``: pages of 50,000 rows, columnar JSON,
   gzip unless ``--no-gzip``, upserted in chunks with the cursor in the last chunk's
   transaction), then prunes the window. Timed end to end; the time spent waiting for pages
   (server query, JSON, transfer, decoding) is shown apart from applying them.

Goal: <= 60 s for 1,000 stations x 7 days. Exit 1 if it fails.

    python bench/readings_first_pull.py [--stations 1000] [--days 7] [--no-gzip]
        [--backend postgresql] [--admin-url postgresql://...]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _readings_common import (
    DEFAULT_ADMIN_URL,
    PASSWORD,
    machine_line,
    make_stations,
    now_step,
    print_table,
    scratch,
    seed,
    window,
)

from console.store.database import open_store
from console.sync import readings as channel
from console.sync.client import SyncClient
from testkit.server import running_server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--backend", default="postgresql")
    ap.add_argument("--no-gzip", action="store_true")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    args = ap.parse_args()
    print(machine_line())
    rng = random.Random(11)
    with scratch(args.backend, args.admin_url) as db:
        codes = make_stations(db, args.stations)
        stamps = window(now_step(), args.days)
        t0 = time.perf_counter()
        seeded = seed(db, codes, stamps, rng)
        seed_s = time.perf_counter() - t0
        print(f"seeded {seeded:,} rows in {seed_s:.1f} s ({seeded / seed_s:,.0f} rows/s)")
        db.create_user("zhang", "officer", PASSWORD)
        db.dispose()
        with running_server(db) as server, tempfile.TemporaryDirectory() as folder:
            store = open_store(Path(folder) / "ws")
            client = SyncClient(server.url)
            client.login("zhang", PASSWORD)
            if args.no_gzip:
                client._http.headers["Accept-Encoding"] = "identity"
            waited = [0.0]

            def fetch(after: int, since: int, limit: int) -> dict[str, Any]:
                t = time.perf_counter()
                try:
                    return client.readings_pull(after, since, limit)
                finally:
                    waited[0] += time.perf_counter() - t

            t0 = time.perf_counter()
            report = channel.pull(store, fetch, window_days=int(args.days) + 1)
            total = time.perf_counter() - t0
            size = store.path.stat().st_size
            client.close()
            store.close()
    ok = total <= 60.0
    print_table(
        f"first pull of {args.stations} stations x {args.days:g} days "
        f"({'identity' if args.no_gzip else 'gzip'})",
        [
            ("rows pulled", f"{report.rows:,}", f"= {seeded:,}", report.rows == seeded),
            ("pages", f"{report.pages}", "", None),
            ("wall time (s)", f"{total:.1f}", "<= 60", ok),
            ("  waiting for pages (s)", f"{waited[0]:.1f}", "", None),
            ("  applying, pruning (s)", f"{total - waited[0]:.1f}", "", None),
            ("rows/s", f"{report.rows / total:,.0f}", "", None),
            ("workstation file (MB)", f"{size / 1e6:.0f}", "", None),
        ],
    )
    return 0 if ok and report.rows == seeded else 1


if __name__ == "__main__":
    sys.exit(main())
