"""The store's write gate: an officer's save never queues behind bulk sync work.

SQLite has one write lock per file. A writer that finds it taken sleeps in SQLite's busy
handler, in growing steps (1, 2, 5, ... 100 ms), so it can wake long after the lock was
released. Inside one process the gate orders writers instead: a *save* (``urgent``) waits
only for the transaction that holds the gate, and is handed the gate the moment that
transaction commits; *bulk* work (``background``: pull pages, push replies) waits while any
save is waiting, and checks :attr:`WriteGate.waiting` between its short sub-transactions to
step aside early. SQLite's busy timeout stays the safety net against other processes (the
CLI writing while the console runs).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WriteGate:
    """One holder at a time; waiting saves go before waiting background work.

    Re-entrant per thread (a holder that opens a nested write scope passes straight
    through), so a listener or a helper that writes inside a held scope cannot deadlock.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._holder: int | None = None
        self._depth = 0
        # Read without the lock by background work between rows: a stale read costs at
        # most one row's delay, never correctness.
        self.waiting = 0

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """Hold the gate for a save: ahead of any background work that is waiting."""
        with self._enter(urgent=True):
            yield

    @contextmanager
    def background(self) -> Iterator[None]:
        """Hold the gate for bulk work: only when no save holds it or waits for it."""
        with self._enter(urgent=False):
            yield

    @contextmanager
    def _enter(self, *, urgent: bool) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._holder == me:
                self._depth += 1
            else:
                if urgent:
                    self.waiting += 1
                    try:
                        while self._holder is not None:
                            self._cond.wait()
                    finally:
                        self.waiting -= 1
                else:
                    while self._holder is not None or self.waiting:
                        self._cond.wait()
                self._holder, self._depth = me, 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if self._depth == 0:
                    self._holder = None
                    self._cond.notify_all()
