"""The sync engine: push, pull, listen for pokes, reconnect with backoff; never on the GUI
thread. ``sync_once`` is also what ``duty-console sync --once`` runs.

Reconnecting (console/sync/backoff.py): while no server answers, a round is retried about
every 2 s for ten minutes after the server (or the engine's start) was last seen, so a
restarted server has its workstations back within a few seconds; a server that answers with
errors is retried with exponential backoff up to 60 s. When a round succeeds while the event
stream is down, the stream reconnects at once rather than after its own backoff.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from console import faults
from console.store.blobs import BlobCache
from console.store.database import Store
from console.sync import apply, files, readings
from console.sync.backoff import Backoff, no_answer
from console.sync.client import Login, SyncClient, SyncHttpError, Unreachable
from console.sync.messages import SIGN_IN_AGAIN, refused_text, unreachable_text

log = logging.getLogger(__name__)

OFFLINE, ONLINE, SYNCING = "offline", "online", "syncing"
# Readings pages per background round (50,000 rows each): a first pull of the window goes
# in steps, with the officers' pushes between them.
READINGS_PAGES_PER_ROUND = 4


@dataclass(frozen=True)
class SyncStatus:
    state: str = OFFLINE
    last_contact: float | None = None  # time.time() of the last answer from the server
    pending: int = 0
    issues: int = 0  # rejections and conflicts recorded since start
    error: str = ""
    progress: tuple[int, int] | None = None  # (version reached, server version) while pulling
    # The server's word on a new epoch (restored from a backup...): shown on 同步状态 for the
    # rest of the session, as it explains why the data was reloaded.
    notice: str = ""


@dataclass(frozen=True)
class SyncReport:
    pushed: int
    issues: int  # new rejections and conflicts
    pulled_rows: int
    pages: int
    discarded: int = 0  # sample-county mutations dropped before pushing (never sent)


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: SyncClient,
        on_status: Callable[[SyncStatus], None] | None = None,
        credentials: tuple[str, str] | None = None,
        keep_sample: bool = False,
        on_login: Callable[[Login], None] | None = None,
        readings_window_days: int = readings.DEFAULT_WINDOW_DAYS,
    ) -> None:
        self._store = store
        # Stations' readings kept here (设置: 站点读数保留天数); pulled after each round.
        self.readings_window_days = readings_window_days
        self._readings_seq = 0  # the newest readings seq pulled (a poke beyond it wakes us)
        # The sample county (样例数据) is discarded before the first push unless the officer
        # chose to keep it (for a demo server, which alone accepts it).
        self._keep_sample = keep_sample
        self._client = client
        # (username, password) to sign in again: after an offline start (no token yet) or
        # when the token expired during a long shift.
        self._credentials = credentials
        # Told each silent sign-in's answer (the role the server gives now), e.g. to keep the
        # offline role what the server last said.
        self._on_login = on_login or (lambda _login: None)
        self._on_status = on_status or (lambda _s: None)
        self._status = SyncStatus()
        self._lock = threading.Lock()  # one sync_once at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server_version = 0
        self.backoff = Backoff()
        # time.monotonic() of the last answer from the server, or of start(): "recently seen".
        self._seen_at: float | None = None
        self._stream_up = False
        self._reconnect = threading.Event()  # the event stream should try again now

    @property
    def status(self) -> SyncStatus:
        return self._status

    def _set(self, **changes: object) -> None:
        if "last_contact" in changes:
            self._seen_at = time.monotonic()
        self._status = replace(self._status, **changes)  # type: ignore[arg-type]
        self._on_status(self._status)

    def _since_seen(self) -> float | None:
        return None if self._seen_at is None else time.monotonic() - self._seen_at

    # -- one round ---------------------------------------------------------------------
    def sync_once(
        self, batch: int = 500, page_limit: int = 5000, readings_pages: int | None = None
    ) -> SyncReport:
        """Push everything pending, pull until up to date, then pull readings (at most
        ``readings_pages`` pages: the background loop takes a first pull of the window in
        steps, so pushes are not held up behind it). Raises Unreachable."""
        with self._lock:
            self._set(state=SYNCING)
            try:
                if self._client.token is None:
                    self._relogin()
                if self._keep_sample:
                    apply.discard_sample_incidents(self._store)
                    discarded = 0
                else:
                    discarded = apply.discard_sample(self._store)
                pushed = rejected = 0
                try:
                    pushed, rejected = self._push_all(batch)
                    rows, pages = self._pull_all(page_limit)
                except SyncHttpError as exc:
                    # 401: the token expired or was revoked (password, role or account state
                    # changed on the server), refused by the push or, with nothing to push, by
                    # the pull: sign in again once. A wrong password now ends the round.
                    if exc.status != 401 or self._credentials is None:
                        raise
                    self._relogin()
                    more_pushed, more_rejected = self._push_all(batch)
                    pushed, rejected = pushed + more_pushed, rejected + more_rejected
                    rows, pages = self._pull_all(page_limit)
                # Work a restored server refused for a record it had lost: once the record
                # is back (pulled), submit it again instead of dropping it.
                apply.retry_returned(self._store)
                if pages and apply.pending_batch(self._store, 1, include_sample=self._keep_sample):
                    # A reset pull (server restored) made acknowledged work pending again,
                    # or someone wrote meanwhile: push it now rather than next round.
                    more_pushed, more_rejected = self._push_all(batch)
                    more_rows, more_pages = self._pull_all(page_limit)
                    pushed, rejected = pushed + more_pushed, rejected + more_rejected
                    rows, pages = rows + more_rows, pages + more_pages
                self._pull_readings(readings_pages)
                self._upload_files()
            except Unreachable as exc:
                log.info("server unreachable: %s", exc)
                self._set(state=OFFLINE, error=unreachable_text(exc), progress=None)
                raise
            except SyncHttpError as exc:
                # With credentials, a 401 here means signing in again failed: the officer
                # must sign in (the password changed or the account was disabled).
                signed_out = exc.status == 401 and self._credentials is not None
                error = SIGN_IN_AGAIN if signed_out else refused_text(exc)
                self._set(state=OFFLINE, error=error, progress=None)
                raise
            except Exception:
                self._set(state=OFFLINE, error="同步出错，详见日志", progress=None)
                raise
            pending = apply.pending_count(self._store)
            self._set(
                state=ONLINE,
                last_contact=time.time(),
                error="",
                progress=None,
                pending=pending,
                issues=self._status.issues + rejected,
            )
            return SyncReport(pushed, rejected, rows, pages, discarded)

    def _relogin(self) -> None:
        if self._credentials is None:
            raise SyncHttpError(401, {"detail": "未登录"})
        self._on_login(self._client.login(*self._credentials))

    def _push_all(self, batch: int) -> tuple[int, int]:
        """Push what was recorded when the round began. Saves made meanwhile wait for the
        next round: an officer saving every few milliseconds must not keep one round
        pushing forever (its pull, and the 同步 status, would never come)."""
        pushed = rejected = 0
        upto = apply.last_recorded(self._store)
        while True:
            items = apply.pending_batch(self._store, batch, include_sample=self._keep_sample)
            items = [i for i in items if i["mutation_id"] <= upto]
            if not items:
                return pushed, rejected
            with self._store.engine.connect() as conn:
                cursor = apply.read_cursor(conn)
            try:
                reply = self._client.push(
                    self._store.client_id, items, cursor, self._store.client_key
                )
            except SyncHttpError as exc:
                if exc.status == 409 and "last_mutation_id" in exc.payload:
                    # The server is behind us (restored from backup): re-push from its point.
                    server_last = int(exc.payload["last_mutation_id"])
                    log.warning("server at mutation %s, re-pushing from there", server_last)
                    self._notice(exc.payload.get("notice"))
                    apply.record_push_reply(self._store, server_last, [])
                    continue
                raise
            self._set(last_contact=time.time())
            faults.reached("after_push_reply")
            rejected += apply.record_push_reply(
                self._store, int(reply["last_mutation_id"]), reply["results"]
            )
            pushed += len(items)

    def _pull_all(self, page_limit: int) -> tuple[int, int]:
        rows = pages = 0
        with self._store.engine.connect() as conn:
            cursor = apply.read_cursor(conn)
        while True:
            with self._store.engine.connect() as conn:
                acked = apply.read_acked(conn)  # a reset page lowers it
            page = self._client.pull(
                self._store.client_id, cursor, page_limit, acked, self._store.client_key
            )
            self._notice(page.get("notice"))
            result = apply.apply_pull(self._store, page)
            rows += result.rows
            pages += 1
            cursor = result.cursor
            self._server_version = int(page["server_version"])
            reached = int(cursor.rsplit(":", 1)[1])
            self._set(last_contact=time.time(), progress=(reached, self._server_version))
            if not result.more:
                return rows, pages

    def _upload_files(self) -> None:
        """After the records: the files the server lacks (console/sync/files.py). A server
        that refuses them (an older one without /files: 404) does not fail the round."""
        cache = BlobCache(self._store.path.parent)
        try:
            report = files.upload_missing(self._store, self._client, cache, self._keep_sample)
        except SyncHttpError as exc:
            log.info("files not checked: %s", exc)
            return
        if report.uploaded or report.failed:
            log.info("files: %s", report)

    def _pull_readings(self, max_pages: int | None) -> None:
        try:
            report = readings.pull(
                self._store,
                self._client.readings_pull,
                self.readings_window_days,
                max_pages=max_pages,
            )
        except SyncHttpError as exc:
            if exc.status != 404:
                raise
            log.info("server has no readings channel (older duty-server)")
            return
        self._readings_seq = report.last_seq
        if report.more:
            self._wake.set()  # the rest of the window next round, after any push

    def _notice(self, text: object) -> None:
        if isinstance(text, str) and text and text.isprintable():
            log.warning("server notice: %s", text)
            self._set(notice=text[:300])

    # -- background --------------------------------------------------------------------
    def start(self) -> None:
        """Run in the background: sync on start, on local writes, on pokes; back off."""
        self._seen_at = time.monotonic()
        self._store.subscribe(
            # "external": another process (the command line) wrote mutations to push.
            lambda changes: self._wake.set() if changes.source in ("local", "external") else None
        )
        for target, name in ((self._loop, "sync-loop"), (self._listen, "sync-events")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """Sync as soon as possible (the officer pressed 立即同步)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._reconnect.set()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.sync_once(readings_pages=READINGS_PAGES_PER_ROUND)
                failures = 0
                if not self._stream_up:
                    self._reconnect.set()
                self._wake.wait(30.0)  # a poke or a local write wakes us sooner
            except (Unreachable, SyncHttpError) as exc:
                failures += 1
                delay = self.backoff.delay(failures, self._since_seen(), no_answer(exc))
                log.info("sync failed (%s); retry in %.1f s", exc, delay)
                # A poke (the event stream is back) or a local write ends the wait early.
                self._wake.clear()
                self._wake.wait(delay)
            except Exception:
                failures += 1
                log.exception("sync round crashed; retry later")
                self._stop.wait(self.backoff.delay(failures, None, False))

    def _news(self, event: dict[str, object]) -> bool:
        """A poke of data newer than we hold: synced changes or stations' readings."""
        name = event.get("event")
        if name == "poke":
            return int(str(event.get("version", 0))) > self._server_version
        if name == "readings":
            return int(str(event.get("last_seq", 0))) > self._readings_seq
        return False

    def _listen(self) -> None:
        failures = 0
        while not self._stop.is_set():
            unanswered = True
            self._reconnect.clear()
            try:
                for event in self._client.events():
                    self._stream_up = True
                    failures = 0
                    if self._stop.is_set():
                        return
                    if self._news(event):
                        self._wake.set()
            except (Unreachable, SyncHttpError) as exc:
                unanswered = no_answer(exc)
                log.info("event stream lost (%s)", exc)
            self._stream_up = False
            # A lost stream is often a lost link: sync now, so the status says offline if
            # the server is gone, instead of "online" until the next 30 s round.
            self._wake.set()
            failures += 1
            # A successful round (the server is back) ends the wait early.
            self._reconnect.wait(
                min(self.backoff.delay(failures, self._since_seen(), unanswered), 30.0)
            )
