"""Monthly range partitions of ``readings`` on PostgreSQL, made ahead and dropped whole.

``readings`` is ``PARTITION BY RANGE (ts)``; each partition holds one calendar month (UTC)
of epoch seconds and is named ``readings_pYYYYMM``. Ingest calls :func:`ensure` with the
timestamps of its batch (inside its transaction, after taking the readings lock, so two
ingests never race to create one): every month the batch touches exists, and so do the
current and the next month (made ahead, so a month's first reading never waits for DDL).
:func:`expire` drops every partition whose whole month is older than the retention; on
SQLite (one plain table) it deletes the rows instead.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.engine import Connection

from server.db import is_sqlite
from server.schema import Reading

# Rows older than this are refused by ingest and removed by expire.
DEFAULT_RETENTION_DAYS = 400
AHEAD_MONTHS = 1  # besides the current month
_NAME = re.compile(r"readings_p(\d{4})(\d{2})")
PARTITION_PREFIX = "readings_p"

# Partitions known to exist, per database (url): skip the catalogue lookup on every ingest.
_known: dict[str, set[str]] = {}


def retention_days() -> int:
    """$DUTY_SERVER_READINGS_RETENTION_DAYS or :data:`DEFAULT_RETENTION_DAYS`."""
    try:
        return max(1, int(os.environ.get("DUTY_SERVER_READINGS_RETENTION_DAYS", "")))
    except ValueError:
        return DEFAULT_RETENTION_DAYS


def oldest_kept(now: float | None = None, days: int | None = None) -> int:
    """Epoch seconds: readings before this are past the retention."""
    return int((now if now is not None else time.time()) - (days or retention_days()) * 86400)


def month_of(ts: int) -> tuple[int, int]:
    at = datetime.fromtimestamp(ts, UTC)
    return at.year, at.month


def bounds(year: int, month: int) -> tuple[int, int]:
    """[start, end) of a month in epoch seconds (UTC)."""
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return int(start.timestamp()), int(end.timestamp())


def name_of(year: int, month: int) -> str:
    return f"{PARTITION_PREFIX}{year:04d}{month:02d}"


def _existing(conn: Connection) -> set[str]:
    rows = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'readings'"
    )
    return {str(r[0]) for r in rows}


def _key(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


def ensure(conn: Connection, timestamps: Iterable[int], now: float | None = None) -> list[str]:
    """Create the partitions these timestamps (and the current and next month) need;
    returns the names created. A no-op on SQLite."""
    if is_sqlite(conn.engine):
        return []
    months = {month_of(ts) for ts in timestamps}
    year, month = month_of(int(now if now is not None else time.time()))
    for _ in range(AHEAD_MONTHS + 1):
        months.add((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    known = _known.setdefault(_key(conn), set())
    wanted = {name_of(y, m): (y, m) for y, m in months}
    if set(wanted) <= known:
        return []
    present = _existing(conn)
    created = []
    for name, (y, m) in sorted(wanted.items()):
        if name not in present:
            start, end = bounds(y, m)
            conn.exec_driver_sql(
                f"CREATE TABLE {name} PARTITION OF readings FOR VALUES FROM ({start}) TO ({end})"
            )
            created.append(name)
    known.clear()
    known.update(present | set(created))
    return created


def partitions(conn: Connection) -> list[str]:
    """Names of the existing partitions, oldest first (PostgreSQL; [] on SQLite)."""
    if is_sqlite(conn.engine):
        return []
    return sorted(_existing(conn))


def expire(conn: Connection, now: float | None = None, days: int | None = None) -> int:
    """Remove readings older than the retention: on PostgreSQL drop each partition whose
    month ended before the cutoff (whole partitions only: instant, no dead rows); on SQLite
    delete the rows. Returns the partitions dropped (PostgreSQL) or rows deleted (SQLite)."""
    cutoff = oldest_kept(now, days)
    if is_sqlite(conn.engine):
        return int(conn.execute(delete(Reading).where(Reading.ts < cutoff)).rowcount or 0)
    dropped = 0
    for name in partitions(conn):
        match = _NAME.fullmatch(name)
        if match is None:
            continue
        _start, end = bounds(int(match[1]), int(match[2]))
        if end <= cutoff:
            conn.exec_driver_sql(f"DROP TABLE {name}")
            dropped += 1
    _known.pop(_key(conn), None)
    return dropped
