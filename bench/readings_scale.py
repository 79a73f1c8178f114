"""Benchmark: how far one PostgreSQL server goes with readings (a province's stations).

1. A scratch PostgreSQL database with ``--stations`` stations (10,000: a province's automatic
   stations) and ``--days`` days of their 5-minute readings, bulk-filled in SQL
   (``generate_series``; seqs in time order, as ingest would have given them), plus one day
   of readings ``--old-months`` months ago (an expired month to drop), then ANALYZE.
2. At that size: ``--rounds`` rounds of 5 minutes of every station through
   ``ingest_rows`` (rows/s and seconds per round); the live page a workstation pulls after
   each round (``pull_json`` of the new seqs); a first-pull page of 50,000 rows from the
   start of a 7-day window; ``expire`` dropping the old month; the table's size on disk.

Prints the figures (docs/readings.md quotes them); exit 1 if a round of ingest takes more
than 60 s (the 5-minute cycle would fall behind).

    python bench/readings_scale.py [--stations 10000] [--days 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from _readings_common import (
    DEFAULT_ADMIN_URL,
    STEP_S,
    machine_line,
    make_stations,
    now_step,
    print_table,
    rows_at,
    scratch,
)

from server import readings_partitions as parts
from server.readings import ingest_rows
from server.readings_channel import pull_json

_FILL = """
INSERT INTO readings (station_id, kind, ts, value, interval_s, source, simulated, seq,
                      received_at)
SELECT s.id, CASE WHEN mod(s.n, 2) = 0 THEN 'rain' ELSE 'level' END, t.ts,
       CASE WHEN mod(s.n, 2) = 0 THEN 0.2 ELSE 100 + mod(s.n, 50) END,
       CASE WHEN mod(s.n, 2) = 0 THEN 300 ELSE 0 END, 'import', false,
       %(base)s + t.k * %(count)s + s.n, t.ts
FROM (SELECT id, (row_number() OVER (ORDER BY code)) - 1 AS n FROM stations) s,
     (SELECT ts, row_number() OVER (ORDER BY ts) - 1 AS k
        FROM generate_series(%(start)s::bigint, %(end)s::bigint, 300) AS ts) t
"""


def fill(conn: object, start: int, end: int, base: int, count: int) -> int:
    """Rows for every station every 5 minutes in [start, end]; returns the last seq."""
    conn.exec_driver_sql(_FILL, {"start": start, "end": end, "base": base, "count": count})  # type: ignore[attr-defined]
    steps = (end - start) // STEP_S + 1
    return base + steps * count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stations", type=int, default=10_000)
    ap.add_argument("--days", type=float, default=3.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--old-months", type=int, default=14)
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    args = ap.parse_args()
    print(machine_line())
    rng = random.Random(3)
    now = now_step()
    first_new = now - (args.rounds - 1) * STEP_S
    with scratch("postgresql", args.admin_url) as db:
        t0 = time.perf_counter()
        codes = make_stations(db, args.stations)
        print(f"{len(codes):,} stations pushed in {time.perf_counter() - t0:.1f} s")
        old = now - args.old_months * 31 * 86400
        start = first_new - STEP_S - int(args.days * 86400)
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            parts.ensure(conn, [old, start, now])
            seq = fill(conn, old - 86400, old, 0, len(codes))
            seq = fill(conn, start, first_new - STEP_S, seq, len(codes))
            conn.exec_driver_sql(f"UPDATE readings_state SET seq = {seq}")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE readings")
        filled = seq
        fill_s = time.perf_counter() - t0
        print(f"filled {filled:,} rows in {fill_s:.0f} s")
        round_s = []
        live_s = []
        for n in range(args.rounds):
            rows = rows_at(codes, first_new + n * STEP_S, rng)
            t0 = time.perf_counter()
            with db.engine.begin() as conn:
                result = ingest_rows(conn, rows, "ingest")
            round_s.append(time.perf_counter() - t0)
            assert result.accepted == len(rows), result.refused[:3]
            t0 = time.perf_counter()
            body = pull_json(db.engine, result.last_seq - len(rows), now - 30 * 86400, 50_000)
            live_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        page = pull_json(db.engine, 0, now - 7 * 86400, 50_000)
        first_page_s = time.perf_counter() - t0
        with db.engine.connect() as conn:
            size = conn.exec_driver_sql(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'readings'"
            ).scalar()
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            dropped = parts.expire(conn, days=400)
        expire_s = time.perf_counter() - t0
    worst = max(round_s)
    per_row = sum(round_s) / (args.rounds * len(codes))
    print_table(
        f"{len(codes):,} stations, {filled:,} rows held (PostgreSQL)",
        [
            ("5-min round of all stations (s)", f"{worst:.2f}", "<= 60 (worst)", worst <= 60),
            ("ingest rows/s at this size", f"{1 / per_row:,.0f}", "", None),
            ("live page after a round (s)", f"{max(live_s):.2f}", "", None),
            ("live page size (KB)", f"{len(body) / 1e3:.0f}", "", None),
            ("first-pull page, 50,000 rows (s)", f"{first_page_s:.2f}", "", None),
            ("first-pull page size (MB)", f"{len(page) / 1e6:.1f}", "", None),
            ("readings on disk (MB)", f"{int(size or 0) / 1e6:,.0f}", "", None),
            ("bytes per reading on disk", f"{int(size or 0) / filled:.0f}", "", None),
            (f"expire: partitions dropped ({dropped})", f"{expire_s:.2f} s", "", None),
        ],
    )
    return 0 if worst <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
