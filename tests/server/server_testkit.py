"""Helpers of the duty-server tests: databases, real server processes, an HTTP client.

Imported by ``conftest.py`` and the test modules (tests/server is on ``sys.path`` under
pytest's default import mode, and this name is unlikely to collide with another folder's).
Nothing here is mocked: servers are ``python -m server.cli`` processes on loopback, databases
are a SQLite file or a freshly created PostgreSQL database.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import queue
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, make_url, text

from console.domain.ids import new_id

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get(
    "DUTY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)  # any existing database; each test module creates and drops its own next to it
BACKENDS = ("sqlite", "postgresql")
STARTUP_TIMEOUT_S = 30.0

_pg_problem: str | None = None
_pg_checked = False


# ---------------------------------------------------------------------------- databases


def _pg_conninfo(database: str | None = None) -> str:
    url = make_url(PG_URL).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def postgres_problem() -> str | None:
    """None when PostgreSQL is reachable, else why not (checked once per process)."""
    global _pg_checked, _pg_problem
    if not _pg_checked:
        _pg_checked = True
        try:
            import psycopg

            with psycopg.connect(_pg_conninfo(), connect_timeout=3) as conn:
                conn.execute("SELECT 1")
        except Exception as exc:
            _pg_problem = f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}: {exc})"
    return _pg_problem


@dataclass
class Database:
    """One test database; ``url`` is what ``duty-server --database-url`` gets."""

    backend: str
    url: str
    workdir: Path
    pg_name: str | None = None
    _engine: Engine | None = None

    @classmethod
    def create(cls, backend: str, workdir: Path) -> Database:
        workdir.mkdir(parents=True, exist_ok=True)
        if backend == "sqlite":
            return cls(backend, f"sqlite:///{workdir / 'duty-server.db'}", workdir)
        import psycopg

        name = f"duty_test_{secrets.token_hex(6)}"
        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            # template0 never has sessions, so parallel workers can all copy it at once.
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C' LC_CTYPE 'C'"
            )
        url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name)
        return cls(backend, url.render_as_string(hide_password=False), workdir, name)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from server.db import make_engine

            self._engine = make_engine(self.url)
        return self._engine

    def migrate(self) -> None:
        from server.db import migrate

        migrate(self.engine)

    def create_user(self, username: str, role: str, password: str) -> None:
        from server.auth import create_user

        create_user(self.engine, username, role, password)

    def digest(self) -> str:
        from console.domain.digest import database_digest

        with self.engine.connect() as conn:
            return database_digest(conn)[0]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql), params).mappings()]

    def execute(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)

    def synced_row_count(self) -> int:
        from console.domain.schema import SYNCED_TABLES

        return sum(int(self.scalar(f"SELECT count(*) FROM {t}")) for t in sorted(SYNCED_TABLES))

    def keys_after(self, version: int) -> set[tuple[str, str]]:
        """(table, id) of every synced row changed after ``version``."""
        from console.domain.schema import SYNCED_TABLES

        return {
            (table, str(row["id"]))
            for table in sorted(SYNCED_TABLES)
            for row in self.rows(f"SELECT id FROM {table} WHERE version > :v", v=version)
        }

    def drop(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self.pg_name is None:
            return
        import psycopg

        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


# ---------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUTY_SERVER_", "PYTHONPATH"))}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = str(REPO)
    return env


def _pdeathsig() -> Callable[[], None] | None:
    """For the child before exec (Linux): SIGTERM when the test process dies, so a killed or
    timed-out pytest leaves no orphaned server. Resolved here, in the parent: the child only
    makes the call (no imports between fork and exec)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import signal

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    term = int(signal.SIGTERM)
    return lambda: prctl(1, term)  # 1 = PR_SET_PDEATHSIG


_PREEXEC = _pdeathsig()


def run_cli(
    db: Database, *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``duty-server --database-url URL ARGS`` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "--database-url", db.url, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=_child_env(),
        check=False,
    )


@dataclass
class ServerProcess:
    """A real ``duty-server`` serving ``db`` on a free loopback port."""

    db: Database
    log_path: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    _log: Any = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        for attempt in range(3):
            self.port = free_port()
            self._log = self.log_path.open("ab")
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "server.cli",
                    "--database-url",
                    self.db.url,
                    "--data-dir",
                    str(self.db.workdir),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=self._log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env=_child_env(),
                preexec_fn=_PREEXEC,  # children die with this process
            )
            if self._wait_healthy():
                return self
            self.stop()
            if "address already in use" not in self.log_text().lower() or attempt == 2:
                break  # port stolen by a parallel worker between probe and bind: retry
        raise RuntimeError(f"duty-server did not start; log:\n{self.log_text()[-4000:]}")

    def _wait_healthy(self) -> bool:
        assert self.proc is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_text(self) -> str:
        if self._log is not None:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def health(self) -> dict[str, Any]:
        r = requests.get(f"{self.base_url}/health", timeout=5)
        r.raise_for_status()
        return dict(r.json())

    def version(self) -> int:
        return int(self.health()["version"])


def fresh_database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    """A new migrated database holding one account per role (named after the role)."""
    db = database_factory(backend)
    db.migrate()
    for role, password in passwords.items():
        db.create_user(role, role, password)
    return db


def fresh_server(
    database: Database, server_factory: Callable[[Database], ServerProcess]
) -> Iterator[ServerProcess]:
    srv = server_factory(database)
    yield srv
    srv.stop()


# ---------------------------------------------------------------------------- HTTP client


def login(server: ServerProcess, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{server.base_url}/auth/login",
        json={"username": username, "password": password},
        timeout=30,
    )


_hlc_counter = itertools.count(1)


def hlc() -> str:
    return f"{time.time_ns() // 1_000_000:016d}-{next(_hlc_counter) % 100000:05d}-test"


def mutation(mutation_id: int, name: str, args: Any, **extra: Any) -> dict[str, Any]:
    return {
        "mutation_id": mutation_id,
        "name": name,
        "args": args,
        "hlc": hlc(),
        "schema_version": 1,
        **extra,
    }


@dataclass
class Client:
    """One workstation: an account's token plus its own client id and mutation counter."""

    server: ServerProcess
    username: str
    password: str
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    last_id: int = 0
    token: str = ""

    def __post_init__(self) -> None:
        r = login(self.server, self.username, self.password)
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def push_raw(self, body: Any = None, *, data: Any = None, **kw: Any) -> requests.Response:
        if data is not None:
            headers = {**self.headers, "Content-Type": "application/json", **kw.pop("headers", {})}
            return requests.post(
                f"{self.server.base_url}/sync/push", data=data, headers=headers, timeout=60, **kw
            )
        return requests.post(
            f"{self.server.base_url}/sync/push", json=body, headers=self.headers, timeout=60, **kw
        )

    def push(self, mutations: list[dict[str, Any]]) -> requests.Response:
        return self.push_raw({"client_id": self.client_id, "mutations": mutations})

    def next(self, name: str, args: Any) -> dict[str, Any]:
        """A mutation with the next id (and the counter advanced)."""
        self.last_id += 1
        return mutation(self.last_id, name, args)

    def apply(self, *items: tuple[str, Any]) -> list[dict[str, Any]]:
        """Push the next mutations; assert 200; return the results."""
        r = self.push([self.next(name, args) for name, args in items])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["last_mutation_id"] == self.last_id
        return list(body["results"])

    def pull(self, cursor: str | None = None, limit: int | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"client_id": self.client_id}
        if cursor is not None:
            params["cursor"] = cursor
        if limit is not None:
            params["limit"] = limit
        r = requests.get(
            f"{self.server.base_url}/sync/pull", params=params, headers=self.headers, timeout=30
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def pull_all(self, cursor: str | None = None, limit: int | None = None) -> PullRun:
        pages: list[dict[str, Any]] = []
        while True:
            page = self.pull(cursor, limit)
            pages.append(page)
            cursor = page["cursor"]
            if not page["more"]:
                return PullRun(pages)
            assert len(pages) < 10_000, "pull never finished"


@dataclass
class PullRun:
    pages: list[dict[str, Any]]

    @property
    def cursor(self) -> str:
        return str(self.pages[-1]["cursor"])

    def row_keys(self, start: str | None = None) -> list[tuple[str, str]]:
        """(table, id) of the rows each page is FOR: version in (previous cursor, cursor].

        A page may also carry a row newer than its cursor: the parent of one of its rows,
        sent early so the workstation's foreign keys hold (sync_service._add_newer_parents);
        such a row comes again in its own page. Those extras are checked here, not listed.
        """
        previous = int(start.rsplit(":", 1)[1]) if start else 0
        keys: list[tuple[str, str]] = []
        for page in self.pages:
            cursor = int(page["cursor"].rsplit(":", 1)[1])
            for table, rows in page["rows"].items():
                ids = [r["id"] for r in rows]
                assert len(ids) == len(set(ids)), f"a row twice in one page of {table}"
                for r in rows:
                    if previous < r["version"] <= cursor:
                        keys.append((table, r["id"]))
                    else:
                        assert r["version"] > cursor, (table, r, previous, cursor)
            previous = cursor
        return keys


# ---------------------------------------------------------------------------- records

RECEIVED_AT = "2026-07-01T08:30:00+08:00"


def township_args(**kw: Any) -> dict[str, Any]:
    return {"id": new_id(), "name": "测试镇", "kind": "镇", **kw}


def village_args(township_id: str, **kw: Any) -> dict[str, Any]:
    return {"id": new_id(), "township_id": township_id, "name": "测试村", **kw}


def incident_args(**kw: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "received_at": RECEIVED_AT,
        "category": "自然灾害",
        "subtype": "水旱",
        "grade": "一般",
        "title": "测试事件：河道水位上涨",
        **kw,
    }


def timeline_args(incident_id: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "incident_id": incident_id,
        "kind": "备注",
        "body": "测试记录",
        "at": RECEIVED_AT,
        **kw,
    }


# ---------------------------------------------------------------------------- events


class EventStream:
    """Reads ``GET /sync/events`` on a thread; events arrive in ``self.events``.

    Plain http.client, so ``close`` can shut the socket down under the blocked reader at once
    (closing a streamed requests response waits for the next chunk, up to a heartbeat).
    """

    def __init__(self, server: ServerProcess, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        self.conn.request("GET", "/sync/events", headers={"Authorization": f"Bearer {token}"})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("content-type", "")
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.raw_lines: list[str] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        event = ""
        with contextlib.suppress(Exception):
            while line := self.response.readline():
                text = line.decode().rstrip("\r\n")
                self.raw_lines.append(text)
                if text.startswith("event: "):
                    event = text.removeprefix("event: ")
                elif text.startswith("data: "):
                    self.events.put((event, json.loads(text.removeprefix("data: "))))

    def next(self, timeout: float) -> tuple[str, dict[str, Any]]:
        return self.events.get(timeout=timeout)

    def wait_for_version(self, version: int, timeout: float) -> float:
        """Seconds until a poke with at least ``version`` arrived (AssertionError if none)."""
        start = time.monotonic()
        while (left := timeout - (time.monotonic() - start)) > 0:
            try:
                event, data = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event == "poke" and data["version"] >= version:
                return time.monotonic() - start
        raise AssertionError(f"no poke with version >= {version} within {timeout} s")

    def close(self) -> None:
        if self.conn.sock is not None:
            with contextlib.suppress(OSError):
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()
        self._thread.join(5)


@contextlib.contextmanager
def event_stream(server: ServerProcess, token: str) -> Iterator[EventStream]:
    stream = EventStream(server, token)
    try:
        yield stream
    finally:
        stream.close()
