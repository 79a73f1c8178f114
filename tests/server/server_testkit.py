"""Helpers of the duty-server tests: an HTTP client of the sync API, records, the event
stream. Databases and server processes come from the shared harness, :mod:`testkit.server`
(re-exported here under the names the test modules use).

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
import queue
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from console.domain.ids import new_id
from testkit.server import (
    BACKENDS,
    PG_URL,
    Database,
    ServerProcess,
    free_port,
    postgres_problem,
    run_cli,
)

__all__ = [
    "BACKENDS",
    "PG_URL",
    "Database",
    "ServerProcess",
    "free_port",
    "postgres_problem",
    "run_cli",
]


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
    # The workstation's client key (X-Duty-Client-Key), as a real workstation sends it;
    # None: a workstation from before keys.
    key: str | None = field(default_factory=lambda: secrets.token_hex(32))

    def __post_init__(self) -> None:
        r = login(self.server, self.username, self.password)
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.key is not None:
            headers["X-Duty-Client-Key"] = self.key
        return headers

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
