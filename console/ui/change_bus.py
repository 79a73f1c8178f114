"""One app-level signal for every committed write (and, later, every sync pull).

The store calls its listeners on the writer's thread, which may be a worker. The bus
re-emits each :class:`~console.store.changes.Changes` on the GUI thread through a queued
connection, so a page's slot always runs on the GUI thread, after the write has returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

if TYPE_CHECKING:
    from console.store.changes import Changes
    from console.store.database import Store


class ChangeBus(QObject):
    """Pages connect to :attr:`changed` and check ``changes.touches(...)`` themselves."""

    changed = Signal(object)
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Queued even when posted from the GUI thread: views refresh after the write returns.
        self._posted.connect(self._relay, Qt.ConnectionType.QueuedConnection)
        self._closed = False

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

    @Slot(object)
    def _relay(self, changes: Changes) -> None:
        if not self._closed:
            self.changed.emit(changes)
