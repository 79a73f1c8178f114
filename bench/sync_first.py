"""Benchmark: first sync of ~100,000 records into an EMPTY workstation, vs. a raw copy.

1. A scratch PostgreSQL database gets the sample county, the server's default report rules
   and ``--records`` records (incidents, each followed by ``--logs-per-incident`` timeline
   entries), seeded by running ``server.sync_service.push`` in-process in batches of 1000:
   the rows, versions, audit chain and push results are exactly what pushing workstations
   would have created; only HTTP is skipped.
2. A real ``duty-server`` process serves that database on loopback. A fresh workstation data
   folder (``open_store``: empty, no sample) runs ``SyncEngine(store, client).sync_once()``:
   paged pulls over HTTP, each page applied in one SQLite transaction (WAL,
   synchronous=FULL) with its cursor. Timed end to end -> records/s.
3. Raw baseline on the same rows: PostgreSQL ``COPY (SELECT ...) TO STDOUT`` of every synced
   table (psycopg, typed rows) plus ``sqlite3`` ``executemany`` of those rows into a fresh
   file of the same schema with the same pragmas, one transaction.

Goals: records/s >= 10,000 and sync_time / baseline_time <= 3. Exit code 1 if one fails.

    python bench/sync_first.py [--records 100000] [--admin-url postgresql://...] [--profile F]
"""

from __future__ import annotations

import argparse
import cProfile
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from _sync_common import (
    DEFAULT_ADMIN_URL,
    PASSWORD,
    DataGen,
    create_users,
    incident_workload,
    libpq_url,
    machine_line,
    print_table,
    running_server,
    sample_calls,
    sample_places,
    scratch_database,
    seed_in_process,
)
from sqlalchemy import BigInteger, Boolean, Float, Integer, Table

from console.domain.schema import SYNCED_MODELS
from console.store import search
from console.store.database import open_store
from console.store.paths import DATABASE_FILE
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine

USER = "bench"


def _tables() -> list[Table]:
    tables = []
    for model in SYNCED_MODELS:
        table = model.__table__
        assert isinstance(table, Table)
        tables.append(table)
    return tables


def _pg_type(column: Any) -> str:
    kind = column.type
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, BigInteger):
        return "int8"
    if isinstance(kind, Integer):
        return "int4"
    if isinstance(kind, Float):
        return "float8"
    return "text"


def server_counts(db_url: str) -> dict[str, int]:
    with psycopg.connect(libpq_url(db_url)) as conn:
        return {
            t.name: int(conn.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0])  # type: ignore[index]
            for t in _tables()
        }


def store_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            t.name: int(conn.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0])
            for t in _tables()
        }
    finally:
        conn.close()


def baseline(db_url: str, empty_store_file: Path) -> tuple[float, float, int]:
    """(copy seconds, sqlite seconds, rows): COPY out of PostgreSQL, executemany into SQLite."""
    data: list[tuple[Table, list[tuple[Any, ...]]]] = []
    t0 = time.perf_counter()
    with psycopg.connect(libpq_url(db_url)) as conn, conn.cursor() as cur:
        for table in _tables():
            cols = ", ".join(c.name for c in table.columns)
            rows: list[tuple[Any, ...]] = []
            with cur.copy(
                f"COPY (SELECT {cols} FROM {table.name} ORDER BY version) TO STDOUT"
            ) as cp:
                cp.set_types([_pg_type(c) for c in table.columns])
                rows.extend(cp.rows())
            data.append((table, rows))
    copy_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    lite = sqlite3.connect(empty_store_file, isolation_level=None)
    try:
        lite.execute("PRAGMA journal_mode=WAL")
        lite.execute("PRAGMA synchronous=FULL")
        lite.execute("PRAGMA foreign_keys=ON")
        search.register(lite)  # the store's search-index triggers call dc_bigrams()
        lite.execute("BEGIN IMMEDIATE")
        for table, rows in data:
            names = [c.name for c in table.columns]
            marks = ", ".join("?" for _ in names)
            lite.executemany(
                f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", rows
            )
        lite.execute("COMMIT")
    finally:
        lite.close()
    sqlite_s = time.perf_counter() - t1
    return copy_s, sqlite_s, sum(len(rows) for _, rows in data)


def seed(db_url: str, records: int, logs_per_incident: int, seed_value: int) -> None:
    calls = sample_calls()
    took, rejected = seed_in_process(db_url, USER, calls)
    print(f"  sample county: {len(calls)} mutations in {took:.1f} s ({rejected} rejected)")
    gen = DataGen(seed_value, sample_places(calls))
    workload = incident_workload(gen, records, logs_per_incident)
    took, rejected = seed_in_process(db_url, USER, workload)
    print(
        f"  {len(workload)} records in {took:.1f} s ({len(workload) / took:.0f}/s in-process, "
        f"{rejected} rejected)"
    )
    if rejected:
        raise SystemExit("seeding rejected mutations: the benchmark data would be wrong")


@contextmanager
def seeded_database(args: argparse.Namespace) -> Iterator[tuple[str, dict[str, int]]]:
    """The scratch PostgreSQL database of a first-sync bench, seeded once (or reused):
    yields its URL and the server's record count per table."""
    with scratch_database(args.admin_url, args.db_name, keep=args.keep, reuse=args.reuse) as (
        db_url,
        existed,
    ):
        if not existed:
            print(f"seeding {args.db_name} ...")
            create_users(db_url, [USER])
            seed(db_url, args.records, args.logs_per_incident, args.seed)
        else:
            print(f"reusing {args.db_name}")
        yield db_url, server_counts(db_url)


def first_sync(
    server_url: str, data_dir: Path, page_limit: int, profile: Path | None
) -> tuple[float, int, int, Path]:
    """(seconds, rows pulled, pages, store file)."""
    store = open_store(data_dir)  # empty: no sample county
    client = SyncClient(server_url)
    try:
        client.login(USER, PASSWORD)
        engine = SyncEngine(store, client)
        prof = cProfile.Profile() if profile else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        report = engine.sync_once(page_limit=page_limit)
        if prof:
            prof.disable()
        took = time.perf_counter() - t0
        if prof and profile:
            prof.dump_stats(str(profile))
            print(f"  client profile written to {profile}")
        return took, report.pulled_rows, report.pages, store.path
    finally:
        client.close()
        store.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--records", type=int, default=100_000, help="records to seed (default 100000)")
    p.add_argument("--logs-per-incident", type=int, default=4, help="timeline entries each")
    p.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="libpq URL of an admin db")
    p.add_argument("--db-name", default="duty_bench_first", help="scratch database name")
    p.add_argument("--keep", action="store_true", help="keep the seeded database afterwards")
    p.add_argument("--reuse", action="store_true", help="reuse a kept database (skip seeding)")
    p.add_argument("--page-limit", type=int, default=5000, help="rows per pull page")
    p.add_argument("--profile", type=Path, help="write a cProfile of the client's sync here")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--goal-rate", type=float, default=10_000.0)
    p.add_argument("--goal-ratio", type=float, default=3.0)
    args = p.parse_args(argv)

    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="sync-first-") as tmp_name:
        tmp = Path(tmp_name)
        with seeded_database(args) as (db_url, expected):
            total = sum(expected.values())
            print(f"server holds {total} records: {expected}")

            with running_server(db_url, tmp / "server.log") as srv:
                took, _pulled, pages, store_file = first_sync(
                    srv.url, tmp / "ws", args.page_limit, args.profile
                )
            got = store_counts(store_file)
            if got != expected:
                print(f"MISMATCH: workstation holds {got}", file=sys.stderr)

            empty_store = open_store(tmp / "raw")
            empty_store.close()
            copy_s, sqlite_s, raw_rows = baseline(db_url, tmp / "raw" / DATABASE_FILE)

    base = copy_s + sqlite_s
    rate = total / took
    ratio = took / base
    print(machine_line())
    print_table(
        "first sync into an empty workstation (PostgreSQL server, loopback HTTP)",
        [
            ("records", f"{total}", "", None),
            ("pull pages", f"{pages} x {args.page_limit}", "", None),
            ("sync_once", f"{took:.2f} s", "", None),
            ("records/s", f"{rate:,.0f}", f">= {args.goal_rate:,.0f}", rate >= args.goal_rate),
            ("baseline COPY out", f"{copy_s:.2f} s", "", None),
            ("baseline sqlite3 executemany", f"{sqlite_s:.2f} s", "", None),
            ("baseline total", f"{base:.2f} s ({raw_rows} rows)", "", None),
            (
                "sync / baseline",
                f"{ratio:.2f}",
                f"<= {args.goal_ratio:g}",
                ratio <= args.goal_ratio,
            ),
            ("replica matches server", "yes" if got == expected else "NO", "", got == expected),
        ],
    )
    ok = rate >= args.goal_rate and ratio <= args.goal_ratio and got == expected
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
