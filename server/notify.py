""" "Go pull" pokes for the event stream, across server processes.

On PostgreSQL a push NOTIFYs inside its transaction (delivered at commit) and every process
LISTENs on one channel; on SQLite (single machine) each process polls the one-row
server_state, which is cheap. Pokes are hints: clients always follow one with a pull.

Every stream belongs to an account session (server.auth). A watcher thread reads the current
session of every account twice a second while streams are open, whichever process changed
it (``duty-server set-password`` and friends run as their own process), and ends each stream
whose session is gone: the stream gets :data:`REVOKED_STREAM` and closes.

Stations' readings have their own sequence (``readings_state.seq``, server/readings.py) and
their own poke: an ingest NOTIFYs on :data:`READINGS_CHANNEL` (SQLite: the poll reads the
seq too), and the streams send a ``readings`` event with the new ``last_seq``. A queue item
is only a wake-up: the stream compares :attr:`Notifier.version` and
:attr:`Notifier.readings_seq` with what it sent last.
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
from server.schema import ReadingsState, ServerState

log = logging.getLogger(__name__)
CHANNEL = "duty_sync"
READINGS_CHANNEL = "duty_readings"
REVOKED_STREAM = -1  # queued instead of a version: the stream's session was revoked
SESSION_CHECK_S = 0.5


def notify_in_transaction(conn: Connection, version: int) -> None:
    if not is_sqlite(conn.engine):
        conn.exec_driver_sql(f"SELECT pg_notify('{CHANNEL}', '{int(version)}')")


def notify_readings(conn: Connection, seq: int) -> None:
    if not is_sqlite(conn.engine):
        conn.exec_driver_sql(f"SELECT pg_notify('{READINGS_CHANNEL}', '{int(seq)}')")


class Notifier:
    """Fans the latest version out to every open event stream of this process."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._loop: asyncio.AbstractEventLoop | None = None
        # queue -> (username, session) of the token that opened the stream
        self._queues: dict[asyncio.Queue[int], tuple[str, int]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.version = 0
        self.readings_seq = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        with self._engine.connect() as conn:
            self.version = int(conn.execute(select(ServerState.version)).scalar() or 0)
            self.readings_seq = int(conn.execute(select(ReadingsState.seq)).scalar() or 0)
        target = self._poll if is_sqlite(self._engine) else self._listen
        self._thread = threading.Thread(target=target, name="sync-notifier", daemon=True)
        self._thread.start()
        threading.Thread(target=self._watch_sessions, name="session-watch", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def subscribe(self, username: str = "", session: int = 0) -> asyncio.Queue[int]:
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        self._queues[queue] = (username, session)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[int]) -> None:
        self._queues.pop(queue, None)

    def end_revoked(self, sessions: dict[str, int]) -> None:
        """Thread-safe: end every stream whose account is not in ``sessions`` (username ->
        current session of the enabled accounts) with the session it was opened under."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._end_revoked, sessions)

    def _end_revoked(self, sessions: dict[str, int]) -> None:
        for queue, (username, session) in list(self._queues.items()):
            if sessions.get(username) != session:
                self._put_newest(queue, REVOKED_STREAM)
                self._queues.pop(queue, None)  # no pokes after the end

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
            self._put_newest(queue, version)

    def poke_readings(self, seq: int) -> None:
        """Thread-safe: record a new readings seq and wake every stream."""
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._fan_out_readings, seq)

    def _fan_out_readings(self, seq: int) -> None:
        if seq <= self.readings_seq:
            return
        self.readings_seq = seq
        for queue in list(self._queues):
            self._put_newest(queue, seq)

    @staticmethod
    def _put_newest(queue: asyncio.Queue[int], value: int) -> None:
        if queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                queue.get_nowait()  # only the newest poke matters
        queue.put_nowait(value)

    def _watch_sessions(self) -> None:
        from server.auth import sessions

        while not self._stop.wait(SESSION_CHECK_S):
            if not self._queues:
                continue  # no stream open: nothing to end, no query
            try:
                self.end_revoked(sessions(self._engine))
            except Exception:  # keep watching through a transient lock or I/O error
                log.exception("session check failed")

    def _poll(self) -> None:
        while not self._stop.wait(0.2):
            try:
                with self._engine.connect().execution_options(sqlite_begin="DEFERRED") as c:
                    version = int(c.execute(select(ServerState.version)).scalar() or 0)
                    seq = int(c.execute(select(ReadingsState.seq)).scalar() or 0)
                self.poke(version)
                self.poke_readings(seq)
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
                    conn.execute(f"LISTEN {READINGS_CHANNEL}")
                    self._refresh(conn)  # whatever committed while we were not listening
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            if note.channel == READINGS_CHANNEL:
                                self.poke_readings(int(note.payload))
                            else:
                                self.poke(int(note.payload))
            except Exception:
                log.exception("LISTEN connection lost; retrying")
                self._stop.wait(1.0)

    def _refresh(self, conn: Any) -> None:
        row = conn.execute("SELECT version FROM server_state WHERE id = 1").fetchone()
        if row:
            self.poke(int(row[0]))
        row = conn.execute("SELECT seq FROM readings_state WHERE id = 1").fetchone()
        if row:
            self.poke_readings(int(row[0]))
