"""One app-level signal for every committed write and every sync pull, coalesced.

The store calls its listeners on the writer's thread, which may be a worker. The bus
re-emits on the GUI thread through a queued connection, so a page's slot always runs on the
GUI thread, after the write has returned.

A first sync pulls in pages of hundreds of rows, and a burst of saves commits many times a
second: a full refresh of every page for each would keep the GUI busy. The bus therefore
throttles (qutebrowser's ``misc/throttle.py``): the first change after a quiet spell goes out
at once (after the changes already queued with it: a loop of writes on the GUI thread is one
announcement), and opens a :data:`COALESCE_MS` window; every change within the window is
merged into one :class:`~console.store.changes.Changes` (all their rows), announced when the
window ends, which opens the next. A lone change (the officer's save, a report phoned in on
another workstation) reaches the pages without waiting; a burst is at most one announcement
per window. Pages see every row id that changed, at most :data:`COALESCE_MS` late.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from console.store.changes import Changes

if TYPE_CHECKING:
    from console.store.database import Store

COALESCE_MS = 80  # within the 100 ms the officer does not notice


def merge(batch: list[Changes]) -> Changes:
    """One Changes holding every row and mutation id of the batch, in order."""
    if len(batch) == 1:
        return batch[0]
    sources = {c.source for c in batch}
    return Changes(
        rows=tuple(row for c in batch for row in c.rows),
        mutation_ids=tuple(m for c in batch for m in c.mutation_ids),
        source=sources.pop() if len(sources) == 1 else "mixed",
        also_tables=frozenset().union(*(c.also_tables for c in batch)),
    )


class ChangeBus(QObject):
    """Pages connect to :attr:`changed` and check ``changes.touches(...)`` themselves."""

    changed = Signal(object)
    _posted = Signal(object)
    _lead = Signal()  # queued: the first change's announcement, after those queued with it

    def __init__(self, parent: QObject | None = None, *, coalesce_ms: int = COALESCE_MS) -> None:
        super().__init__(parent)
        # Queued even when posted from the GUI thread: views refresh after the write returns.
        self._posted.connect(self._collect, Qt.ConnectionType.QueuedConnection)
        self._closed = False
        self._batch: list[Changes] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self._window_end)
        self._lead.connect(self._flush_lead, Qt.ConnectionType.QueuedConnection)
        self._lead_posted = False

    def attach(self, store: Store) -> None:
        """Subscribe to the store's committed writes."""
        store.subscribe(self.post)

    def post(self, changes: Changes) -> None:
        """Thread-safe: called by the store after every commit."""
        if not self._closed:
            self._posted.emit(changes)

    def close(self) -> None:
        """Stop relaying (the store may outlive the window in tests)."""
        self._closed = True
        self._timer.stop()
        self._batch = []

    @Slot(object)
    def _collect(self, changes: Changes) -> None:
        if self._closed:
            return
        self._batch.append(changes)
        if self._timer.isActive() or self._lead_posted:
            return  # within the window (never restarted: a long burst still refreshes)
        self._lead_posted = True
        self._lead.emit()

    @Slot()
    def _flush_lead(self) -> None:
        self._lead_posted = False
        self._timer.start()
        self._flush()

    @Slot()
    def _window_end(self) -> None:
        if self._batch and not self._closed:
            self._timer.start()  # the next window: a burst still goes out once per window
            self._flush()

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        if batch and not self._closed:
            self.changed.emit(merge(batch))
