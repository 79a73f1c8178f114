"""Helpers of the sync robustness tests: real ``duty-console sync --once`` subprocesses, a
loopback TCP proxy that can cut the network, and the invariant checks of ARCHITECTURE.md.
Server databases and ``duty-server`` processes come from the shared harness,
:mod:`testkit.server`.

Nothing is mocked: workstations are SQLite files in their own folders, the server is a
``python -m server.cli`` process, the network is a real TCP hop through :class:`TcpProxy`.
(Module name kept unique so it cannot collide with tests/sync/conftest.py or
tests/server/server_testkit.py under pytest's default import mode.)
"""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from console import faults
from console.domain.ids import new_id
from testkit.server import REPO, Database, child_env

USERS: dict[str, tuple[str, str]] = {
    "zhang": ("officer", "zhang-robust-1"),
    "wang": ("officer", "wang-robust-22"),
    "li": ("leader", "li-robust-333"),
    "zhao": ("leader", "zhao-robust-4444"),
}  # name -> (role, password). Officers may not delete incidents; leaders may.


# ------------------------------------------------------------------------------ processes


def console_sync(
    data_dir: Path, url: str, user: str, *, kill_at: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``duty-console sync --once`` as a real process (password from DUTY_PASSWORD)."""
    extra = {"DUTY_PASSWORD": USERS[user][1]}
    if kill_at:
        extra[faults.KILL_ENV] = kill_at
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "sync",
            "--once",
            "--server",
            url,
            "--user",
            user,
            "--data-dir",
            str(data_dir),
            "--keep-sample",  # against the robustness tests' demo server (see conftest)
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=child_env(**extra),
        check=False,
    )


def console_digest(data_dir: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "console", "digest", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=child_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# ------------------------------------------------------------------------------ the network


class TcpProxy:
    """A loopback TCP forwarder between workstations and the server that can cut the link.

    ``cut()`` resets every open connection and refuses (resets) new ones until ``restore()``.
    ``trip(direction, nbytes)`` cuts automatically once ``nbytes`` more bytes went
    ``"up"`` (client to server) or ``"down"`` (server to client): a cut in the middle of a
    request body or of a reply, at a reproducible point.
    """

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._down = False
        self._trip: dict[str, int] = {}
        self.tripped = threading.Event()
        self.cuts = 0
        self.graceful = False
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="proxy-accept", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_down(self) -> bool:
        return self._down

    def _reset(self, sock: socket.socket) -> None:
        """Abort the connection: RST, or FIN when ``self.graceful`` (a middlebox closing).
        shutdown() first: a bare close() does not wake a pump thread blocked in recv() on
        the same socket, and the link would stay up. SHUT_RD sends nothing by itself."""
        if not self.graceful:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR if self.graceful else socket.SHUT_RD)
        with contextlib.suppress(OSError):
            sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                down = self._down
            if down:
                self._reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                self._reset(client)
                continue
            with self._lock:
                if self._down:
                    self._reset(client)
                    self._reset(upstream)
                    continue
                self._open.update((client, upstream))
            for src, dst, way in ((client, upstream, "up"), (upstream, client, "down")):
                threading.Thread(
                    target=self._pump, args=(src, dst, way), name=f"proxy-{way}", daemon=True
                ).start()

    def _pump(self, src: socket.socket, dst: socket.socket, way: str) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)
                    return
                with self._lock:
                    if self._down:
                        return
                    budget = self._trip.get(way)
                    if budget is not None and len(data) >= budget:
                        data = data[:budget]
                        trip_now = True
                    else:
                        trip_now = False
                        if budget is not None:
                            self._trip[way] = budget - len(data)
                if data:
                    dst.sendall(data)
                if trip_now:
                    self.tripped.set()
                    self.cut()
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._open.discard(src)
            self._reset(src)

    def open_connections(self) -> int:
        with self._lock:
            return len(self._open) // 2

    def trip(self, way: str, nbytes: int) -> None:
        assert way in ("up", "down")
        with self._lock:
            self._trip[way] = nbytes
        self.tripped.clear()

    def cut(self) -> None:
        with self._lock:
            self._down = True
            self._trip.clear()
            victims, self._open = list(self._open), set()
            self.cuts += 1
        for sock in victims:
            self._reset(sock)

    def restore(self) -> None:
        with self._lock:
            self._down = False
            self._trip.clear()

    def close(self) -> None:
        self._closed = True
        self.cut()
        with contextlib.suppress(OSError):
            self._listener.close()


# ------------------------------------------------------------------------------ mutations


def incident_create(title: str, *, description: str = "") -> tuple[str, dict[str, Any]]:
    args: dict[str, Any] = {
        "id": new_id(),
        "received_at": "2026-11-28T10:00:00+08:00",
        "category": "自然灾害",
        "subtype": "地质",
        "title": title,
    }
    if description:
        args["description"] = description
    return "incident.create", args


def timeline_append(incident_id: str, body: str) -> tuple[str, dict[str, Any]]:
    return (
        "timeline.append",
        {
            "id": new_id(),
            "incident_id": incident_id,
            "kind": "处置",
            "body": body,
            "at": "2026-11-28T10:05:00+08:00",
        },
    )


def sync_in_process(data_dir: Path, url: str, user: str) -> None:
    from console.services.context import open_workstation
    from console.sync.client import SyncClient
    from console.sync.engine import SyncEngine

    ws = open_workstation(data_dir, sample_incidents=False)
    client = SyncClient(url)
    try:
        client.login(user, USERS[user][1])
        SyncEngine(ws.store, client, keep_sample=True).sync_once()
    finally:
        client.close()
        ws.close()


def busy_workstation(data_dir: Path, incidents: int, tag: str) -> list[str]:
    """Sample county plus ``incidents`` incidents with two log rows each, then an edit of
    every third incident (so its version is newer than its log rows')."""
    from console.services.context import open_workstation

    ws = open_workstation(data_dir, sample_incidents=False)
    ids: list[str] = []
    try:
        for i in range(incidents):
            name, args = incident_create(f"{tag}-事件{i}", description="现场情况" * 40)
            ids.append(str(args["id"]))
            ws.writer.apply(
                [
                    (name, args),
                    timeline_append(ids[-1], f"{tag} 第一条记录 {i}"),
                    timeline_append(ids[-1], f"{tag} 第二条记录 {i}"),
                ],
                user="li",
            )
        for i, incident_id in enumerate(ids[::3]):
            update = {
                "id": incident_id,
                "fields": {"title": f"{tag}-事件{i * 3}（已核实）"},
                "before": {"title": f"{tag}-事件{i * 3}"},
            }
            ws.writer.apply([("incident.update", update)], user="li")
    finally:
        ws.close()
    return ids


# ------------------------------------------------------------------------------ invariants


def db_file(data_dir: Path) -> Path:
    from console.store.paths import DATABASE_FILE

    return data_dir / DATABASE_FILE


def ws_query(data_dir: Path, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db_file(data_dir), timeout=10)
    try:
        return list(conn.execute(sql, tuple(params)))
    finally:
        conn.close()


def ws_cursor(data_dir: Path) -> str | None:
    rows = ws_query(data_dir, "SELECT value FROM local_meta WHERE key = 'sync.cursor'")
    return str(rows[0][0]) if rows else None


def ws_digest(data_dir: Path) -> str:
    from console.domain.digest import database_digest
    from console.store.database import make_engine

    engine = make_engine(db_file(data_dir))
    try:
        with engine.connect() as conn:
            return database_digest(conn)[0]
    finally:
        engine.dispose()


def _differing(db: Database, data_dir: Path) -> list[str]:
    """The synced tables whose digests differ between the server and a workstation."""
    from console.domain.digest import database_digest
    from console.store.database import make_engine

    engine = make_engine(db_file(data_dir))
    try:
        with engine.connect() as conn:
            local = database_digest(conn)[1]
    finally:
        engine.dispose()
    with db.engine.connect() as conn:
        server = database_digest(conn)[1]
    return sorted(t for t in server if server[t] != local.get(t))


def integrity_ok(data_dir: Path) -> None:
    conn = sqlite3.connect(db_file(data_dir), timeout=10)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        assert result == ["ok"], f"{data_dir}: integrity_check {result}"
        dangling = list(conn.execute("PRAGMA foreign_key_check"))
        assert not dangling, f"{data_dir}: dangling references {dangling[:5]}"
    finally:
        conn.close()


def timeline_order(rows: Iterable[Any]) -> dict[str, list[str]]:
    """incident id -> its timeline entry ids in causal (server commit) order."""
    out: dict[str, list[str]] = {}
    for incident_id, entry_id in rows:
        out.setdefault(str(incident_id), []).append(str(entry_id))
    return out


_TIMELINE_SQL = (
    "SELECT incident_id, id FROM incident_timeline ORDER BY incident_id, version, updated_at, id"
)


@dataclass
class Ledger:
    """What a workstation committed and what it was told, read from its SQLite file."""

    client_id: str
    next_mutation_id: int
    acked: int
    outbox: dict[int, tuple[str, dict[str, Any], str]] = field(default_factory=dict)
    rejected: set[int] = field(default_factory=set)

    @classmethod
    def read(cls, data_dir: Path) -> Ledger:
        (client_id, next_id, acked), *_ = ws_query(
            data_dir,
            "SELECT client_id, next_mutation_id, last_acked_mutation_id FROM client_state",
        )
        ledger = cls(str(client_id), int(next_id), int(acked))
        for mid, name, args, hlc in ws_query(
            data_dir, "SELECT mutation_id, name, args, hlc FROM outbox"
        ):
            ledger.outbox[int(mid)] = (str(name), json.loads(args), str(hlc))
        ledger.rejected = {
            int(r[0])
            for r in ws_query(data_dir, "SELECT mutation_id FROM sync_issues WHERE kind='rejected'")
        }
        return ledger


def check_invariants(
    db: Database, dirs: list[Path], *, digest_of: Callable[[Path], str] = ws_digest
) -> dict[str, int]:
    """Every invariant of ARCHITECTURE.md for a quiet system; returns some counts."""
    ledgers = {d: Ledger.read(d) for d in dirs}
    server_digest = db.digest()
    applied_total = rejected_total = 0
    for d, ledger in ledgers.items():
        integrity_ok(d)
        # The outbox is gap-free and complete, and nothing is left pending.
        assert sorted(ledger.outbox) == list(range(1, ledger.next_mutation_id)), d
        assert ledger.acked == ledger.next_mutation_id - 1, (d, ledger.acked)
        results = {
            int(r["mutation_id"]): r
            for r in db.rows(
                "SELECT mutation_id, status, code FROM push_results WHERE client_id = :c",
                c=ledger.client_id,
            )
        }
        # No lost write: every committed outbox row reached the server...
        assert sorted(results) == sorted(ledger.outbox), (d, "outbox vs push_results")
        # ...and is applied there, or rejected AND shown to the officer (sync_issues).
        server_rejected = {m for m, r in results.items() if r["status"] == "rejected"}
        assert server_rejected == ledger.rejected, (d, server_rejected ^ ledger.rejected)
        applied = sum(1 for r in results.values() if r["status"] == "applied")
        assert applied == len(ledger.outbox) - len(ledger.rejected)
        applied_total += applied
        rejected_total += len(ledger.rejected)
        # Exactly once: the audit log holds each (client, mutation_id) once.
        dup = db.rows(
            "SELECT mutation_id, count(*) AS n FROM audit_log WHERE client_id = :c "
            "GROUP BY mutation_id HAVING count(*) <> 1",
            c=ledger.client_id,
        )
        assert not dup, (d, dup[:5])
        audited = int(
            db.scalar("SELECT count(*) FROM audit_log WHERE client_id = :c", c=ledger.client_id)
        )
        assert audited == len(ledger.outbox), d
        last = db.scalar(
            "SELECT last_mutation_id FROM sync_clients WHERE client_id = :c", c=ledger.client_id
        )
        assert int(last or 0) == ledger.next_mutation_id - 1, d
    # No duplicate records: every applied create/append is exactly one server row, nothing more.
    created = {
        name: {
            args["id"]
            for ledger in ledgers.values()
            for mid, (n, args, _h) in ledger.outbox.items()
            if n == name and mid not in ledger.rejected
        }
        for name in ("incident.create", "timeline.append")
    }
    incidents = {r["id"] for r in db.rows("SELECT id FROM incidents")}
    timeline = {r["id"] for r in db.rows("SELECT id FROM incident_timeline")}
    assert created["incident.create"] <= incidents
    assert created["timeline.append"] <= timeline
    assert int(db.scalar("SELECT count(*) FROM incidents")) == len(incidents)
    titles = db.rows(
        "SELECT title, count(*) AS n FROM incidents GROUP BY title HAVING count(*) > 1"
    )
    assert not titles, f"duplicate incidents {titles[:5]}"
    # Convergence: every replica equals the server.
    for d in dirs:
        assert digest_of(d) == server_digest, f"{d} differs from the server: {_differing(db, d)}"
    # Causal order of each incident's log: the same on every replica.
    with db.engine.connect() as conn:
        server_order = timeline_order(conn.execute(text(_TIMELINE_SQL)))
    for d in dirs:
        assert timeline_order(ws_query(d, _TIMELINE_SQL)) == server_order, d
    for ledger in ledgers.values():
        _own_appends_in_order(ledger, server_order)
    return {"applied": applied_total, "rejected": rejected_total}


def _own_appends_in_order(ledger: Ledger, order: dict[str, list[str]]) -> None:
    """One workstation's appends to an incident appear in the order it made them."""
    mine: dict[str, list[str]] = {}
    for mid in sorted(ledger.outbox):
        name, args, _hlc = ledger.outbox[mid]
        if name == "timeline.append" and mid not in ledger.rejected:
            mine.setdefault(args["incident_id"], []).append(args["id"])
    for incident_id, ids in mine.items():
        seen = [e for e in order.get(incident_id, []) if e in set(ids)]
        assert seen == ids, f"timeline of {incident_id} out of causal order"


def cursor_not_ahead(db: Database, data_dir: Path) -> None:
    """Every server row at or below the workstation's cursor is on the workstation, at least
    as new: the cursor never covers data the replica does not hold."""
    from console.domain.schema import SYNCED_TABLES

    cursor = ws_cursor(data_dir)
    if cursor is None:
        return
    seq = int(cursor.rsplit(":", 1)[1])
    for table in sorted(SYNCED_TABLES):
        server = {
            r["id"]: r["version"]
            for r in db.rows(f"SELECT id, version FROM {table} WHERE version <= :s", s=seq)
        }
        local = dict(ws_query(data_dir, f"SELECT id, version FROM {table}"))
        # A row pending local work changed has no version; the server's copy is shadowed.
        for record_id, row in ws_query(
            data_dir, "SELECT record_id, row FROM sync_shadow WHERE table_name = ?", (table,)
        ):
            local[record_id] = json.loads(row)["version"] if row else None
        missing = [i for i, v in server.items() if local.get(i) is None or local[i] < v]
        assert not missing, f"{table}: cursor {seq} ahead of data, missing {missing[:3]}"


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
