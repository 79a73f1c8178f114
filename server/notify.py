""" "Go pull" pokes for the event stream, across server processes.

On PostgreSQL a push NOTIFYs inside its transaction (delivered at commit) and every process
LISTENs on one channel; on SQLite (single machine) each process polls the one-row
server_state, which is cheap. Pokes are hints: clients always follow one with a pull.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from server.db import is_sqlite
from server.schema import ServerState

log = logging.getLogger(__name__)
CHANNEL = "duty_sync"


def notify_in_transaction(conn: Connection, version: int) -> None:
    if not is_sqlite(conn.engine):
        conn.exec_driver_sql(f"SELECT pg_notify('{CHANNEL}', '{int(version)}')")


class Notifier:
    """Fans the latest version out to every open event stream of this process."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: set[asyncio.Queue[int]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.version = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        with self._engine.connect() as conn:
            self.version = int(conn.execute(select(ServerState.version)).scalar() or 0)
        target = self._poll if is_sqlite(self._engine) else self._listen
        self._thread = threading.Thread(target=target, name="sync-notifier", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def subscribe(self) -> asyncio.Queue[int]:
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[int]) -> None:
        self._queues.discard(queue)

    def poke(self, version: int) -> None:
        """Thread-safe: record a new version and wake every stream."""
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._fan_out, version)

    def _fan_out(self, version: int) -> None:
        if version <= self.version:
            return
        self.version = version
        for queue in list(self._queues):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()  # only the newest poke matters
            queue.put_nowait(version)

    def _poll(self) -> None:
        while not self._stop.wait(0.2):
            try:
                with self._engine.connect().execution_options(sqlite_begin="DEFERRED") as c:
                    version = int(c.execute(select(ServerState.version)).scalar() or 0)
                self.poke(version)
            except Exception:  # keep polling through a transient lock or I/O error
                log.exception("notifier poll failed")

    def _listen(self) -> None:
        import psycopg

        url = self._engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._refresh(conn)  # whatever committed while we were not listening
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self.poke(int(note.payload))
            except Exception:
                log.exception("LISTEN connection lost; retrying")
                self._stop.wait(1.0)

    def _refresh(self, conn: Any) -> None:
        row = conn.execute("SELECT version FROM server_state WHERE id = 1").fetchone()
        if row:
            self.poke(int(row[0]))
