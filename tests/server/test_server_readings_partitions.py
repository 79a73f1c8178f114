"""Readings storage: monthly partitions on PostgreSQL made as rows arrive and ahead of time,
expiry by whole partitions (SQLite: by rows), and the seq lock held across a transaction."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from server_testkit import Database
from sqlalchemy import Engine

from console.domain.ids import new_id
from server import readings, readings_partitions, sync_service
from server.auth import Principal


def _ts(year: int, month: int, day: int = 15) -> int:
    return int(datetime(year, month, day, 12, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def engine(backend: str, database_factory: Callable[[str], Database]) -> Engine:
    db = database_factory(backend)
    db.migrate()
    push = [
        sync_service.PushedMutation(
            1,
            "station.upsert",
            {"id": new_id(), "code": "P1", "name": "分区站", "kind": "水文站"},
            "0000000000001000-00001-test",
            1,
        )
    ]
    sync_service.push(db.engine, Principal("admin", "admin"), str(uuid.uuid4()), push)
    return db.engine


def test_partitions_are_made_for_the_batch_and_ahead(backend: str, engine: Engine) -> None:
    now = _ts(2026, 11, 30)
    rows = [
        readings.reading("P1", "level", _ts(2026, 3), 10.0),
        readings.reading("P1", "level", _ts(2026, 7), 11.0),
    ]
    with engine.begin() as conn:
        result = readings.ingest_rows(conn, rows, "import", now=now)
    assert result.accepted == 2
    with engine.connect() as conn:
        names = readings_partitions.partitions(conn)
    if backend == "sqlite":
        assert names == []
        return
    # The months of the rows, the current month and the next one; nothing in between.
    assert names == [
        "readings_p202603",
        "readings_p202607",
        "readings_p202611",
        "readings_p202612",
    ]
    with engine.connect() as conn:
        held = conn.exec_driver_sql("SELECT count(*) FROM readings_p202607").scalar()
        parent = conn.exec_driver_sql(
            "SELECT relkind FROM pg_class WHERE relname = 'readings'"
        ).scalar()
    assert (held, parent) == (1, "p")  # a partitioned table, each row in its month


def test_expiry_drops_whole_old_months(backend: str, engine: Engine) -> None:
    now = _ts(2026, 11, 30)
    rows = [readings.reading("P1", "rain", _ts(2026, m, 1) + 300, 1.0) for m in (1, 2, 4)]
    with engine.begin() as conn:
        assert readings.ingest_rows(conn, rows, "import", now=now).accepted == 3
    # Keep 260 days: the cutoff falls in mid-March 2026.
    with engine.begin() as conn:
        removed = readings_partitions.expire(conn, now=now, days=260)
    with engine.connect() as conn:
        left = sorted(
            int(r[0]) for r in conn.exec_driver_sql("SELECT ts FROM readings WHERE kind = 'rain'")
        )
        names = readings_partitions.partitions(conn)
    if backend == "sqlite":
        assert removed == 2  # rows of January and February
    else:
        assert removed == 2  # the January and February partitions, whole
        assert "readings_p202601" not in names and "readings_p202602" not in names
        assert "readings_p202603" in names  # partly inside the retention: kept
    assert left == [_ts(2026, 4, 1) + 300]
    # A reading older than the retention is refused, not stored in a dropped month.
    old = [readings.reading("P1", "rain", _ts(2025, 6), 1.0)]  # 533 days: past the default
    with engine.begin() as conn:
        result = readings.ingest_rows(conn, old, "import", now=now)
    assert [r.reason for r in result.refused] == ["时间早于读数保留期限"]


def test_the_readings_lock_serialises_seqs(engine: Engine) -> None:
    """A second ingest waits for the first one's commit, so seqs commit in order."""
    now = _ts(2026, 11, 30)
    entered = threading.Event()
    release = threading.Event()
    seqs: dict[str, int] = {}

    def first() -> None:
        with engine.begin() as conn:
            r = readings.ingest_rows(
                conn, [readings.reading("P1", "level", now - 600, 1.0)], "ingest", now=now
            )
            entered.set()
            release.wait(10)
            seqs["first"] = r.last_seq

    def second() -> None:
        entered.wait(10)
        with engine.begin() as conn:
            r = readings.ingest_rows(
                conn, [readings.reading("P1", "level", now - 300, 1.0)], "ingest", now=now
            )
            seqs["second"] = r.last_seq

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    entered.wait(10)
    time.sleep(0.3)
    assert "second" not in seqs  # blocked behind the first transaction
    release.set()
    a.join(30)
    b.join(30)
    assert seqs["second"] == seqs["first"] + 1
