"""The sync engine seen from the GUI: its status as a Qt signal on the GUI thread.

The engine runs on its own threads and calls back from there; this bridge re-emits each
status through a queued connection, so the status bar and pages only ever run on the GUI
thread. Pulled changes already reach pages through the store and the ChangeBus.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot

from console.services.accounts import Accounts, Session
from console.services.sync_issues import SyncIssues
from console.store.database import Store
from console.sync import apply
from console.sync.client import Login
from console.sync.engine import SyncEngine, SyncStatus
from console.sync.readings import DEFAULT_WINDOW_DAYS


class SyncBridge(QObject):
    status_changed = Signal(object)  # SyncStatus
    _posted = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._engine: SyncEngine | None = None
        self._session: Session | None = None
        # The services the sync pages use; set by the app (None in tests that need none).
        self.accounts: Accounts | None = None
        self.issues: SyncIssues | None = None
        # 站点读数保留天数 (console/settings.py READINGS_WINDOW_DAYS), set by the app.
        self.readings_window_days = DEFAULT_WINDOW_DAYS
        self._posted.connect(self._relay, Qt.ConnectionType.QueuedConnection)

    @property
    def session(self) -> Session | None:
        return self._session

    @property
    def configured(self) -> bool:
        return self._engine is not None

    @property
    def status(self) -> SyncStatus:
        return self._engine.status if self._engine is not None else SyncStatus()

    def local_only_pending(self) -> int:
        """Mutations waiting that stay on this workstation (the sample county, standalone
        defaults): when there are some, joining a server asks whether to discard them."""
        return apply.pending_sample(self._store)

    def start(self, session: Session, *, keep_sample: bool = False) -> None:
        """Begin background sync for a signed-in session (online or offline sign-in); the
        sample county is discarded before the first push unless ``keep_sample``."""
        self.stop()
        self._session = session
        self._engine = SyncEngine(
            self._store,
            session.client(),
            on_status=self._posted.emit,
            credentials=(session.username, session.password),
            keep_sample=keep_sample,
            on_login=lambda login: self._signed_in_again(session.server_url, login),
            readings_window_days=self.readings_window_days,
        )
        self._engine.start()

    def _signed_in_again(self, server_url: str, login: Login) -> None:
        """(Sync thread) the engine signed in again: the offline role is what the server
        said now."""
        if self.accounts is not None:
            self.accounts.server_said(server_url, login.username, login.role)

    def sync_now(self) -> None:
        if self._engine is not None:
            self._engine.wake()

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.stop(timeout=2.0)
            self._engine = None

    @Slot(object)
    def _relay(self, status: SyncStatus) -> None:
        self.status_changed.emit(status)
