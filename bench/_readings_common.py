"""Shared plumbing of the readings benchmarks (readings_ingest, readings_first_pull,
readings_live): a scratch server database (SQLite file or a fresh PostgreSQL database),
``--stations`` stations pushed as the protocol creates them, and readings rows of a window.

Stations are hydrological stations (水文站, rain and level) with codes ``B0000``...; the
rows alternate by station: even stations report rain every 5 minutes, odd ones levels, so
1,000 stations make 1,000 rows per 5 minutes (288,000 a day).
"""

from __future__ import annotations

import contextlib
import math
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from _sync_common import DEFAULT_ADMIN_URL, machine_line, print_table  # noqa: E402

from console.domain.ids import new_id  # noqa: E402
from testkit.server import Database  # noqa: E402

__all__ = ["DEFAULT_ADMIN_URL", "machine_line", "print_table"]
STEP_S = 300
PASSWORD = "bench-pass-1"


@contextlib.contextmanager
def scratch(backend: str, admin_url: str = DEFAULT_ADMIN_URL) -> Iterator[Database]:
    """A migrated, empty server database, dropped (or deleted) afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-readings-") as folder:
        db = Database.create(backend, Path(folder), prefix="bench_readings", admin_url=admin_url)
        try:
            db.migrate()
            yield db
        finally:
            db.drop()


def code(i: int) -> str:
    return f"B{i:04d}"


def make_stations(db: Database, count: int) -> list[str]:
    """Push ``count`` station.upsert as an admin workstation would; returns the codes."""
    from server import sync_service
    from server.auth import Principal

    client_id = str(uuid.uuid4())
    codes = [code(i) for i in range(count)]
    items = [
        sync_service.PushedMutation(
            n + 1,
            "station.upsert",
            {"id": new_id(), "code": c, "name": f"测站{c}", "kind": "水文站"},
            f"{1_700_000_000_000 + n:016d}-00000-bench",
            1,
        )
        for n, c in enumerate(codes)
    ]
    for start in range(0, len(items), 1000):
        sync_service.push(
            db.engine, Principal("bench", "admin"), client_id, items[start : start + 1000]
        )
    return codes


def rows_at(codes: list[str], ts: int, rng: random.Random) -> list[dict[str, Any]]:
    """One 5-minute round: a row per station (even: rain, odd: level)."""
    rows = []
    for i, c in enumerate(codes):
        if i % 2 == 0:
            value = round(max(0.0, rng.gauss(0.3, 1.0)), 1)
            rows.append({"station": c, "kind": "rain", "ts": ts, "value": value})
        else:
            level = 100 + i % 50 + 0.5 * math.sin(ts / 86400)
            rows.append({"station": c, "kind": "level", "ts": ts, "value": round(level, 2)})
    return rows


def window(end: int, days: float) -> list[int]:
    """The 5-minute timestamps of ``days`` days ending at ``end`` (oldest first)."""
    count = int(days * 86400 / STEP_S)
    return [end - (count - 1 - i) * STEP_S for i in range(count)]


def now_step() -> int:
    return int(time.time()) // STEP_S * STEP_S


def seed(db: Database, codes: list[str], stamps: list[int], rng: random.Random) -> int:
    """Readings of every station at every stamp through ``ingest_rows``, about 10,000 rows a
    transaction; returns the rows stored."""
    from server.readings import ingest_rows

    stored = 0
    per_batch = max(1, 10_000 // len(codes))
    for i in range(0, len(stamps), per_batch):
        rows = [r for ts in stamps[i : i + per_batch] for r in rows_at(codes, ts, rng)]
        with db.engine.begin() as conn:
            stored += ingest_rows(conn, rows, "import").accepted
    return stored
