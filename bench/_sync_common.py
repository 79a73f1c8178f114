"""Shared plumbing of the sync benchmarks (sync_first, sync_push, sync_live).

- a throw-away PostgreSQL database (created, migrated, dropped afterwards) and a real
  ``duty-server`` process on loopback against it, both from the shared harness
  :mod:`testkit.server` (re-exported here), with accounts made through the CLI as an
  administrator would;
- generators of realistic mutation arguments (incidents, timeline entries) on the sample
  county, and an in-process seeder that runs ``server.sync_service.push`` in big batches, so
  the rows are exactly what the protocol creates (version, audit chain, push results).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

# The shared harness lives at the checkout's root (testkit/, not installed): this module,
# which every sync benchmark imports first, is the one place that puts the checkout on the
# path. Inserted first, so the benchmarks also run this checkout's console and server.
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from write_path import Place, incident_args  # noqa: E402

from console.domain.ids import new_id  # noqa: E402
from console.domain.mutations import SCHEMA_VERSION  # noqa: E402
from console.domain.sample import build_calls  # noqa: E402
from console.services.sample_data import read_sample  # noqa: E402
from testkit.server import (  # noqa: E402  (the benchmarks import these from here)
    ServerProcess as ServerProcess,
)
from testkit.server import (  # noqa: E402
    create_pg_database,
    drop_pg_database,
    pg_database_exists,
    run_cli,
    sqlalchemy_url,
)
from testkit.server import free_port as free_port  # noqa: E402
from testkit.server import libpq_url as libpq_url  # noqa: E402
from testkit.server import running_server as running_server  # noqa: E402

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-pass-1"
CST = timezone(timedelta(hours=8))
Call = tuple[str, dict[str, Any]]

_LOG = [
    ("来电", "村委会来电补充：现场已拉设警戒线，无人员被困。"),
    ("处置", "乡镇应急办已安排人员赶赴现场核实，预计30分钟到达。"),
    ("领导批示", "请属地乡镇做好群众转移安置，随时报告最新情况。"),
    ("处置", "消防救援队到达现场，开始处置，道路实行临时交通管制。"),
]


# -- PostgreSQL and the server process: the shared harness (testkit.server) ----------------
@contextlib.contextmanager
def scratch_database(
    admin_url: str, name: str, keep: bool = False, reuse: bool = False
) -> Iterator[tuple[str, bool]]:
    """Create database ``name`` (dropping a leftover unless ``reuse``), yield (its
    SQLAlchemy URL, whether it already existed), drop it afterwards unless ``keep``."""
    exists = pg_database_exists(admin_url, name)
    if exists and not reuse:
        drop_pg_database(admin_url, name)
        exists = False
    url = (
        sqlalchemy_url(admin_url, name)
        if exists
        else create_pg_database(admin_url, name, c_locale=False)
    )
    try:
        yield url, exists
    finally:
        if not keep:
            drop_pg_database(admin_url, name)


def server_cli(database_url: str, *args: str, stdin: str | None = None) -> str:
    done = run_cli(database_url, *args, stdin=stdin)
    if done.returncode != 0:
        raise RuntimeError(f"duty-server {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def create_users(database_url: str, names: Sequence[str], role: str = "officer") -> None:
    """Accounts through the CLI (which also migrates an empty database)."""
    for name in names:
        server_cli(database_url, "create-user", name, "--role", role, stdin=PASSWORD + "\n")


# -- data ------------------------------------------------------------------------------------
def sample_calls() -> list[Call]:
    """The labelled Suichang sample county as the workstation loads it (reference upserts)."""
    return build_calls(read_sample())


def sample_places(calls: Sequence[Call]) -> list[tuple[str, str, float, float]]:
    """(township_id, village_id, lon, lat) of sample villages with a position."""
    places = [
        (a["township_id"], a["id"], float(a["lon"]), float(a["lat"]))
        for name, a in calls
        if name == "village.upsert" and a.get("lon") is not None and a.get("lat") is not None
    ]
    return places[:40]


class DataGen:
    """Realistic 接报 forms and timeline entries, reproducible from a seed."""

    def __init__(self, seed: int, places: Sequence[tuple[str, str, float, float]]) -> None:
        self.rng = random.Random(seed)
        self.places = list(places)
        self.start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
        self.counter = itertools.count()

    def when(self) -> str:
        minutes = next(self.counter)
        return (
            (self.start + timedelta(minutes=minutes)).astimezone(CST).isoformat(timespec="seconds")
        )

    def incident(self) -> dict[str, Any]:
        """The same 接报 form bench/write_path.py writes (one generator for all benches)."""
        when = self.start + timedelta(minutes=next(self.counter))
        places: list[Place] = list(self.places) or [(None, None, 119.27, 28.59)]
        return incident_args(self.rng, places, when)

    def timeline(self, incident_id: str) -> dict[str, Any]:
        kind, body = self.rng.choice(_LOG)
        return {
            "id": new_id(),
            "incident_id": incident_id,
            "kind": kind,
            "body": body,
            "at": self.when(),
        }

    def update(self, incident_id: str, tag: str) -> dict[str, Any]:
        return {
            "id": incident_id,
            "fields": {"address": f"{tag} 某村{self.rng.randint(1, 200)}号"},
        }


def incident_workload(gen: DataGen, records: int, logs_per_incident: int) -> list[Call]:
    """``records`` mutations: incidents each followed by ``logs_per_incident`` entries."""
    calls: list[Call] = []
    while len(calls) < records:
        inc = gen.incident()
        calls.append(("incident.create", inc))
        for _ in range(logs_per_incident):
            if len(calls) >= records:
                break
            calls.append(("timeline.append", gen.timeline(inc["id"])))
    return calls


def as_push_items(calls: Sequence[Call], first_id: int, hlc_prefix: str) -> list[dict[str, Any]]:
    """Outbox-shaped push items (what ``apply.pending_batch`` sends)."""
    base = int(time.time() * 1000)
    return [
        {
            "mutation_id": first_id + i,
            "name": name,
            "args": args,
            "hlc": f"{base + i:016d}-00000-{hlc_prefix}",
            "schema_version": SCHEMA_VERSION,
        }
        for i, (name, args) in enumerate(calls)
    ]


def seed_in_process(
    database_url: str, username: str, calls: Sequence[Call], batch: int = 1000
) -> tuple[float, int]:
    """Run ``sync_service.push`` directly (no HTTP) in batches from one pseudo-workstation;
    returns (seconds, rejected). The rows are what a pushing workstation would create."""
    from sqlalchemy import update

    from server import sync_service
    from server.auth import Principal
    from server.db import make_engine
    from server.schema import ServerState

    engine = make_engine(database_url)
    # The seed is the sample county, which only a demo server accepts (load-sample's flag).
    with engine.begin() as conn:
        conn.execute(update(ServerState).where(ServerState.id == 1).values(demo=True))
    who = Principal(username, "officer")
    client_id = str(uuid.uuid4())
    items = as_push_items(calls, 1, client_id[:8])
    rejected = 0
    t0 = time.perf_counter()
    try:
        for start in range(0, len(items), batch):
            mutations = [sync_service.PushedMutation(**m) for m in items[start : start + batch]]
            _last, results = sync_service.push(engine, who, client_id, mutations)
            bad = [r for r in results if r.status != "applied"]
            if bad and not rejected:
                print(f"  seeding: first rejection {bad[0]}", file=sys.stderr)
            rejected += len(bad)
    finally:
        engine.dispose()
    return time.perf_counter() - t0, rejected


# -- reporting -------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else math.nan


def print_table(title: str, rows: Sequence[tuple[str, str, str, bool | None]]) -> None:
    """rows: (metric, value, goal, passed or None for informational)."""
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"\n{title}")
    print(f"{'metric'.ljust(width)}  {'value'.rjust(vwidth)}  goal")
    for metric, value, goal, ok in rows:
        mark = "" if ok is None else ("  PASS" if ok else "  FAIL")
        print(f"{metric.ljust(width)}  {value.rjust(vwidth)}  {goal}{mark}")


def machine_line() -> str:
    """CPUs and load: the loopback numbers depend on what else the machine is running."""
    one, five, _ = os.getloadavg()
    return (
        f"machine: {os.cpu_count()} CPUs, load average {one:.1f} (1 min) {five:.1f} (5 min), "
        f"python {sys.version.split()[0]}"
    )
