"""Noticing writes that another process made to this workstation's database file.

``duty-console incident new`` (a hotline integration, a script) writes through the same write
path into the same ``duty.db`` while the console may be open on it. SQLite tells a connection
that someone else committed through ``PRAGMA data_version`` (it changes when any *other*
connection committed); reading it is a few microseconds and touches no table. A watcher
thread polls it every :data:`POLL_S` on a read-only connection of its own; when it changed
and the client counter (``client_state.next_mutation_id``) is ahead of every mutation this
process announced, those mutations were written elsewhere: the store announces a
:class:`~console.store.changes.Changes` with source ``"external"``, naming the new mutation
ids and every synced table (their rows are not known here), so pages refresh once, the
status bar's 待同步 counts them and the sync engine pushes them.

Commits of this process also change ``data_version`` for the watcher's connection; they are
told apart by the counter, so they cost one single-row read and nothing else. A pull made by
another process (``duty-console sync --once``) writes no mutation and is not announced.
Qt-free like the rest of the store: the GUI starts it and hears it through the change bus.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading

from console.domain.schema import SYNCED_TABLES
from console.store.changes import Changes
from console.store.database import Store

log = logging.getLogger(__name__)

POLL_S = 0.5  # a change written elsewhere shows within about this (plus the bus's 80 ms)


class ExternalWrites:
    def __init__(self, store: Store, poll_s: float = POLL_S) -> None:
        self._store = store
        self._poll_s = poll_s
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._next_id = 0  # the counter as this process last knew it
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        store.subscribe(self._announced)

    def _announced(self, changes: Changes) -> None:
        if changes.mutation_ids:
            with self._lock:
                self._next_id = max(self._next_id, max(changes.mutation_ids) + 1)

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            uri = f"{self._store.path.absolute().as_uri()}?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._conn.execute("PRAGMA busy_timeout=2000")
        return self._conn

    def check(self) -> Changes | None:
        """One poll: announce and return the external change, if there was one."""
        conn = self._connect()
        version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        if version == self._version:
            return None
        first, self._version = self._version is None, version
        row = conn.execute("SELECT next_mutation_id FROM client_state WHERE id = 1").fetchone()
        counter = int(row[0]) if row is not None else 1
        with self._lock:
            known, self._next_id = self._next_id, max(self._next_id, counter)
        if first or counter <= known:
            return None  # the baseline, or this process's own commits
        changes = Changes(
            rows=(),
            mutation_ids=tuple(range(known, counter)),
            source="external",
            also_tables=frozenset(SYNCED_TABLES),
        )
        log.info("mutations %s-%s written by another process", known, counter - 1)
        self._store.announce(changes)
        return changes

    def start(self) -> None:
        """Poll on a thread of its own (the first poll takes the baseline there, never on
        the caller's thread: the GUI's)."""
        self._thread = threading.Thread(target=self._run, name="external-writes", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self.check()
            except sqlite3.Error as exc:  # busy or a file being replaced: try again later
                log.warning("checking for external writes failed: %s", exc)
            if self._stop.wait(self._poll_s):
                return

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
