"""Benchmark: one officer's save through the write path vs. a raw sqlite3 insert+commit.

Builds (or reuses from the cache) a store holding 100,000 incidents, written through the real
write path ``Writer.apply`` in batches of 1000, on top of the Suichang sample county. Then, on
a fresh copy of that file, it times ``--writes`` single service writes (one ``incident.create``
each: one IMMEDIATE transaction with the incident row, its outbox row and the client counter,
committed with WAL + synchronous=FULL) interleaved with the same number of raw ``sqlite3``
inserts of the same row into the same table of the same file (same pragmas, one commit each).
A third, diagnostic series writes the service's whole transaction by hand (incident + outbox
row + client counter, no validation, no SQLAlchemy) to show how much of the gap is SQLite.

Target: service/raw <= 3 at p50 and at p95. Exit code 1 if a target fails.

    python bench/write_path.py [--writes 10000] [--incidents 100000] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from console.domain.ids import new_id
from console.domain.schema import MODEL_BY_TABLE
from console.services.sample_data import load_sample
from console.store.database import open_store
from console.store.migrate import SCHEMA_HEAD
from console.store.paths import DATABASE_FILE
from console.store.writer import Writer

OFFICER = "值班员张三"
BATCH = 1000
CST = timezone(timedelta(hours=8))
CACHE_FORMAT = 1  # bump when the seeded data changes shape

_KINDS = [
    ("自然灾害", "地质", "一般", "山体滑坡", "强降雨引发山体滑坡，部分道路受阻。"),
    ("自然灾害", "水旱", "较大", "山洪", "溪流水位快速上涨，沿河民房进水，需转移群众。"),
    ("事故灾难", "火灾", "一般", "民房火灾", "一民房起火，消防救援队已出动。"),
    ("事故灾难", "交通运输", "一般", "道路交通事故", "两车相撞，一人受伤，已通知交警和120。"),
    ("自然灾害", "森林火灾", "较大", "森林火情", "山林起火，过火面积约5亩，扑火队伍赶赴现场。"),
]


Place = tuple[str | None, str | None, float, float]


def _places(db: Path) -> list[Place]:
    """(township_id, village_id, lon, lat) of some sample villages: valid references."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT township_id, id, lon, lat FROM villages WHERE lon IS NOT NULL "
            "ORDER BY id LIMIT 40"
        ).fetchall()
    finally:
        conn.close()
    return [(t, v, lon, lat) for t, v, lon, lat in rows] or [(None, None, 119.27, 28.59)]


def incident_args(rng: random.Random, places: list[Place], when: datetime) -> dict[str, Any]:
    """What the officer's 接报 form produces for one new incident."""
    category, subtype, grade, what, story = rng.choice(_KINDS)
    tid, vid, lon, lat = rng.choice(places)
    args: dict[str, Any] = {
        "id": new_id(),
        "received_at": when.astimezone(CST).isoformat(timespec="seconds"),
        "category": category,
        "subtype": subtype,
        "grade": grade,
        "title": f"{what}（{rng.randint(1, 99)}号）",
        "description": story,
        "address": f"某村{rng.randint(1, 200)}号附近",
        "lon": round(lon + rng.uniform(-0.05, 0.05), 6),
        "lat": round(lat + rng.uniform(-0.05, 0.05), 6),
        "caller_name": "李四",
        "caller_unit": "村委会",
        "caller_post": "村支书",
        "caller_phone": f"1380578{rng.randint(0, 9999):04d}",
        "notified": "县消防救援大队、属地乡镇",
        "dead": 0,
        "missing": 0,
        "injured": rng.randint(0, 3),
        "trapped": 0,
        "affected": rng.randint(0, 50),
        "recorder": OFFICER,
    }
    if tid is not None:
        args["township_id"] = tid
    if vid is not None:
        args["village_id"] = vid
    return args


def _count_incidents(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM incidents").fetchone()[0])
    finally:
        conn.close()


def build_store(target_dir: Path, incidents: int, seed: int) -> float:
    """Create a store with the sample county + ``incidents`` incidents; return seconds."""
    t0 = time.perf_counter()
    store = open_store(target_dir)
    try:
        writer = Writer(store)
        load_sample(writer, user="系统")
        places = _places(store.path)
        rng = random.Random(seed)
        start = datetime(2021, 1, 1, tzinfo=UTC)
        step = timedelta(minutes=15)
        done = 0
        while done < incidents:
            n = min(BATCH, incidents - done)
            calls = [
                ("incident.create", incident_args(rng, places, start + step * (done + i)))
                for i in range(n)
            ]
            writer.apply(calls, user=OFFICER)
            done += n
            if done % 20_000 == 0:
                print(f"  ... {done:,} incidents", flush=True)
    finally:
        store.close()
    conn = sqlite3.connect(target_dir / DATABASE_FILE)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return time.perf_counter() - t0


def cached_store(cache_dir: Path, incidents: int) -> Path:
    """The cached store folder for ``incidents``, built on first use."""
    # The schema revision is part of the key: a store from an older schema would be upgraded
    # (and backed up) by every run that opens it.
    folder = cache_dir / f"store-{incidents}-v{CACHE_FORMAT}-{SCHEMA_HEAD}"
    db = folder / DATABASE_FILE
    if db.exists() and (folder / "complete").exists():
        print(f"Using cached store {db} ({db.stat().st_size / 1e6:.0f} MB)")
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    tmp = cache_dir / f"building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    print(f"Building a store with {incidents:,} incidents through Writer.apply (batches of 1000)")
    secs = build_store(tmp, incidents, seed=20260701)
    (tmp / "complete").write_text(f"{incidents}\n")
    tmp.rename(folder)
    print(f"  built in {secs:.1f} s, {db.stat().st_size / 1e6:.0f} MB -> {db}")
    return folder


def copy_store(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(src):
        if name.startswith(DATABASE_FILE):
            shutil.copy2(src / name, dst / name)
    return dst


def _raw_columns(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[1] for r in conn.execute("PRAGMA table_info(incidents)")]
    finally:
        conn.close()


def _column_defaults() -> dict[str, Any]:
    """Each incidents column's scalar default from the model (None where there is none)."""
    table = MODEL_BY_TABLE["incidents"].__table__
    defaults: dict[str, Any] = {}
    for col in table.columns:
        default = col.default
        defaults[col.name] = default.arg if default is not None and default.is_scalar else None
    return defaults


_DEFAULTS = _column_defaults()


def raw_row(args: dict[str, Any], columns: list[str], hlc: str) -> tuple[Any, ...]:
    """The row the service writes for ``args``, column for column."""
    full: dict[str, Any] = {
        **_DEFAULTS,
        **args,
        "deleted": False,
        "version": None,
        "updated_at": hlc,
        "updated_by": OFFICER,
    }
    return tuple(full.get(c) for c in columns)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


NEXT_ID_SQL = "SELECT next_mutation_id FROM client_state WHERE id = 1"
OUTBOX_SQL = (
    "INSERT INTO outbox (mutation_id, client_id, name, args, hlc, schema_version, user) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
ADVANCE_SQL = "UPDATE client_state SET next_mutation_id = ?, last_hlc = ? WHERE id = 1"


def _progress(n: int) -> Iterator[int]:
    for i in range(n):
        if i and i % 2000 == 0:
            print(f"  ... {i:,} / {n:,}", flush=True)
        yield i


def run(args: argparse.Namespace) -> int:
    cache_dir: Path = args.cache_dir
    cache_dir.mkdir(parents=True, exist_ok=True)
    source = cached_store(cache_dir, args.incidents)
    with tempfile.TemporaryDirectory(prefix="bench-write-", dir=args.work_dir) as tmp:
        work = copy_store(source, Path(tmp) / "data")
        db = work / DATABASE_FILE
        base = _count_incidents(db)
        store = open_store(work)
        writer = Writer(store)
        places = _places(db)
        columns = _raw_columns(db)
        placeholders = ", ".join("?" for _ in columns)
        insert_sql = f"INSERT INTO incidents ({', '.join(columns)}) VALUES ({placeholders})"

        # The raw side uses a plain sqlite3 connection set up exactly as the store's engine
        # sets up its own (WAL, synchronous=FULL, foreign keys, SQL functions the triggers
        # call), taken straight from the engine's pool: no SQLAlchemy on the timed path.
        pooled = store.engine.raw_connection()
        raw = pooled.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        assert raw.isolation_level is None
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL

        rng = random.Random(7)
        now = datetime.now(UTC)
        service_ms: list[float] = []
        raw_ms: list[float] = []
        full_ms: list[float] = []
        # Warm-up (not timed): first statement compilation, page cache.
        for _ in range(20):
            writer.apply([("incident.create", incident_args(rng, places, now))], user=OFFICER)
        print(f"Timing {args.writes:,} service writes interleaved with {args.writes:,} raw ones")
        clock = time.perf_counter
        for _i in _progress(args.writes):
            call = incident_args(rng, places, now)
            t0 = clock()
            writer.apply([("incident.create", call)], user=OFFICER)
            service_ms.append((clock() - t0) * 1000)

            twin = incident_args(rng, places, now)
            row = raw_row(twin, columns, store.clock.now())
            t0 = clock()
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(insert_sql, row)
            raw.execute("COMMIT")
            raw_ms.append((clock() - t0) * 1000)

            # Diagnostic only (no target): the service's transaction written by hand, i.e.
            # incident + outbox row + client counter, without validation or SQLAlchemy.
            twin = incident_args(rng, places, now)
            hlc = store.clock.now()
            row = raw_row(twin, columns, hlc)
            body = json.dumps(twin, ensure_ascii=False, separators=(",", ":"))
            t0 = clock()
            raw.execute("BEGIN IMMEDIATE")
            (next_id,) = raw.execute(NEXT_ID_SQL).fetchone()
            raw.execute(insert_sql, row)
            raw.execute(
                OUTBOX_SQL, (next_id, store.client_id, "incident.create", body, hlc, 1, OFFICER)
            )
            raw.execute(ADVANCE_SQL, (next_id + 1, hlc))
            raw.execute("COMMIT")
            full_ms.append((clock() - t0) * 1000)
        pooled.close()
        store.close()
        total = _count_incidents(db)

    expected = base + 20 + 3 * args.writes
    if total != expected:
        print(f"ERROR: expected {expected:,} incidents after the run, found {total:,}")
        return 1

    s50, s95 = percentile(service_ms, 0.5), percentile(service_ms, 0.95)
    r50, r95 = percentile(raw_ms, 0.5), percentile(raw_ms, 0.95)
    ratio50, ratio95 = s50 / r50, s95 / r95
    print()
    print(f"store: {base:,} incidents before the run; {args.writes:,} writes of each kind")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{'write':<34} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    print(
        f"{'service Writer.apply(incident.create)':<34} {s50:8.3f} {s95:8.3f} "
        f"{statistics.fmean(service_ms):8.3f}"
    )
    print(
        f"{'raw sqlite3 INSERT + COMMIT':<34} {r50:8.3f} {r95:8.3f} {statistics.fmean(raw_ms):8.3f}"
    )
    f50, f95 = percentile(full_ms, 0.5), percentile(full_ms, 0.95)
    print(
        f"{'(info) raw, same txn as service':<34} {f50:8.3f} {f95:8.3f} "
        f"{statistics.fmean(full_ms):8.3f}"
    )
    limit = args.max_ratio
    ok50, ok95 = ratio50 <= limit, ratio95 <= limit
    print(f"{'ratio service/raw':<34} {ratio50:8.2f} {ratio95:8.2f}")
    print(
        f"target: ratio <= {limit:g} at p50 {'PASS' if ok50 else 'FAIL'}, "
        f"at p95 {'PASS' if ok95 else 'FAIL'}"
    )
    return 0 if ok50 and ok95 else 1


def default_cache_dir() -> Path:
    return Path(os.environ.get("DUTY_BENCH_CACHE") or Path(tempfile.gettempdir()) / "duty-bench")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="bench/write_path.py",
        description="Service write path vs raw sqlite3 insert+commit on a 100,000-incident store.",
    )
    p.add_argument("--incidents", type=int, default=100_000, help="store size (default 100000)")
    p.add_argument("--writes", type=int, default=10_000, help="timed writes of each kind")
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=default_cache_dir(),
        help="where the seeded store is cached (default $DUTY_BENCH_CACHE or /tmp/duty-bench)",
    )
    p.add_argument(
        "--work-dir", type=Path, default=None, help="folder for the working copy (default: tmp)"
    )
    p.add_argument("--max-ratio", type=float, default=3.0, help="target ratio (default 3)")
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
