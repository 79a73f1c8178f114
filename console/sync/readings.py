"""The workstation's side of the readings channel: pull pages into the local ``readings``
table, keep the rolling window, tell the views.

Invariants (the same as the synced data's, see console/sync/apply.py):
- the cursor (``epoch:last_seq`` in ``local_meta``) commits with the last rows of the page it
  covers, never before them; a page applies in sub-transactions of :data:`CHUNK` rows that
  step aside for a waiting save (the store's write gate), and a crash in between re-pulls
  the page (upserts: the same result);
- a different epoch (the server restored, or a new one) wipes the local readings and the
  cursor together, then the window is pulled again from seq 0;
- after a pull, rows older than the window are pruned (per station, along the key).

The channel's pages carry no per-row seq or source: a pulled row keeps the page's
``last_seq`` (an upper bound of its own) and the source ``server``; a row written here
(a phoned-in report, console/services/readings.py) has seq 0 until the server's copy
replaces it. A wider window (the setting raised) applies to readings pulled from then on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from console import faults
from console.domain.readings import KINDS
from console.domain.schema import Station
from console.store.changes import readings_changes
from console.store.database import Store
from console.store.records import LocalMeta, LocalReading
from console.store.writer import write_scope

CURSOR_KEY = "readings.cursor"
DEFAULT_WINDOW_DAYS = 30
PAGE_LIMIT = 50_000
CHUNK = 2_000  # rows per executemany; a waiting save gets the gate between chunks
CACHE_KIB = 65_536  # page cache of the connection applying pages (SQLite's default: 2 MiB)
_KIND_NAMES = KINDS  # the channel's "k": index into this

_UPSERT = (
    "INSERT INTO readings (station_id, kind, ts, value, interval_s, source, simulated, seq) "
    "VALUES (?, ?, ?, ?, ?, 'server', ?, ?) ON CONFLICT (station_id, kind, ts) DO UPDATE SET "
    "value = excluded.value, interval_s = excluded.interval_s, source = excluded.source, "
    "simulated = excluded.simulated, seq = excluded.seq"
)


@dataclass(frozen=True)
class Cursor:
    epoch: str
    seq: int

    def text(self) -> str:
        return f"{self.epoch}:{self.seq}"


def read_cursor(conn: Connection) -> Cursor | None:
    raw = conn.execute(select(LocalMeta.value).where(LocalMeta.key == CURSOR_KEY)).scalar()
    if not raw:
        return None
    epoch, _, seq = str(raw).rpartition(":")
    return Cursor(epoch, int(seq)) if epoch and seq.isdigit() else None


def _save_cursor(conn: Connection, cursor: Cursor) -> None:
    stmt = sqlite_insert(LocalMeta).values(key=CURSOR_KEY, value=cursor.text())
    conn.execute(
        stmt.on_conflict_do_update(index_elements=[LocalMeta.key], set_={"value": cursor.text()})
    )


@dataclass(frozen=True)
class ReadingsReport:
    rows: int
    pages: int
    more: bool  # stopped at max_pages with more to pull
    last_seq: int
    reset: bool  # a new epoch wiped the local readings


Fetch = Callable[[int, int, int], dict[str, Any]]  # (after, since, limit) -> page


def pull(
    store: Store,
    fetch: Fetch,
    window_days: int = DEFAULT_WINDOW_DAYS,
    *,
    max_pages: int | None = None,
    page_limit: int = PAGE_LIMIT,
    now: float | None = None,
) -> ReadingsReport:
    """Pull readings pages until up to date (or ``max_pages``), then prune the window.

    The next page is fetched (on a helper thread) while this one is applied: the server's
    work and the transfer overlap the local writes."""
    since = int((time.time() if now is None else now) - window_days * 86400)
    with store.engine.connect() as conn:
        cursor = read_cursor(conn)
    rows = pages = 0
    reset = False
    more = True
    with ThreadPoolExecutor(1, thread_name_prefix="readings-fetch") as pool:
        ahead: Future[dict[str, Any]] | None = None
        while more and (max_pages is None or pages < max_pages):
            after = cursor.seq if cursor else 0
            page = ahead.result() if ahead is not None else fetch(after, since, page_limit)
            ahead = None
            epoch = str(page["epoch"])
            if cursor is not None and cursor.epoch != epoch:
                cursor = _restart(store, epoch)
                reset = True
                continue
            more = bool(page["more"])
            if more and (max_pages is None or pages + 1 < max_pages):
                ahead = pool.submit(fetch, int(page["last_seq"]), since, page_limit)
            applied = apply_page(store, page)
            cursor = Cursor(epoch, int(page["last_seq"]))
            rows += applied
            pages += 1
            if applied:
                store.announce(readings_changes())
        if ahead is not None:  # an error on the way out: the fetched page is dropped
            ahead.cancel()
    prune(store, since)
    return ReadingsReport(rows, pages, more, cursor.seq if cursor else 0, reset)


def _restart(store: Store, epoch: str) -> Cursor:
    """A new epoch: the local readings and the cursor go together."""
    cursor = Cursor(epoch, 0)
    with write_scope(store, background=True) as conn:
        conn.execute(delete(LocalReading).where(LocalReading.seq > 0))
        _save_cursor(conn, cursor)
    store.announce(readings_changes())
    return cursor


def _tuples(page: dict[str, Any]) -> list[tuple[Any, ...]]:
    stations = page["stations"]
    return [
        (stations[s], _KIND_NAMES[k], t, v, i, m)
        for s, k, t, v, i, m in zip(
            page["s"], page["k"], page["t"], page["v"], page["i"], page["m"], strict=True
        )
    ]


def apply_page(store: Store, page: dict[str, Any]) -> int:
    """Upsert one page's rows; the page's cursor commits with its last chunk."""
    # Station by station (the table's key order): each chunk appends to a few stations'
    # runs instead of touching every station's pages once per timestamp.
    values = sorted(_tuples(page))
    cursor = Cursor(str(page["epoch"]), int(page["last_seq"]))
    # Rows arrive in seq order: a row's seq is not in the page, but the last one's is the
    # page's last_seq at most; a row written locally (seq 0) is replaced by the server's.
    seq = cursor.seq
    gate = store.gate
    done = 0
    while True:
        with write_scope(store, background=True) as conn:
            conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
            while done < len(values):
                chunk = [(*row, seq) for row in values[done : done + CHUNK]]
                conn.exec_driver_sql(_UPSERT, chunk)
                done += len(chunk)
                faults.reached("readings_chunk")
                if gate.waiting and done < len(values):
                    break  # commit what is written (without the cursor); let the save go
            if done >= len(values):
                _save_cursor(conn, cursor)
                return len(values)
        faults.reached("readings_yield")


def prune(store: Store, since: int) -> int:
    """Delete readings older than ``since``, station by station along the key."""
    with store.engine.connect() as conn:
        ids = [str(i) for i in conn.execute(select(Station.id)).scalars()]
    params = [(sid, kind, since) for sid in ids for kind in KINDS]
    if not params:
        return 0
    with write_scope(store, background=True) as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        before = raw.total_changes
        conn.exec_driver_sql(
            "DELETE FROM readings WHERE station_id = ? AND kind = ? AND ts < ?", params
        )
        return int(raw.total_changes - before)
