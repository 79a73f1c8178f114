"""Helpers of the workstation sync tests: the accounts, a migrated SQLite server database
holding them, and a self-signed certificate for TLS servers. Server processes come from the
shared harness, :mod:`testkit.server`.

A module with its own name (not conftest) so tests can import it unambiguously."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.domain.mutations import SCHEMA_VERSION
from console.services.context import Workstation
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import Database, ServerProcess

# wang: a second officer, the incoming one of a handover (交接班 needs two officers).
PASSWORDS = {
    "zhang": ("officer", "zhang-pass-1"),
    "li": ("leader", "li-pass-12"),
    "wang": ("officer", "wang-pass-12"),
}


def server_database(folder: Path) -> Database:
    """The server's data folder ``folder`` with its SQLite database, migrated, holding the
    PASSWORDS accounts (the file the server's default ``--data-dir`` layout uses)."""
    db = Database.create("sqlite", folder)
    db.migrate()
    db.create_users(PASSWORDS)
    db.dispose()
    return db


def incident_call(title: str) -> tuple[str, dict[str, object]]:
    """An ``incident.create`` call with a fresh id and the given title."""
    return (
        "incident.create",
        {
            "id": new_id(),
            "received_at": "2026-11-28T10:00:00+08:00",
            "category": "自然灾害",
            "subtype": "地质",
            "title": title,
        },
    )


def run_console(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """``duty-console ARGS`` as a real process (offscreen), the password in its environment."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if password is not None:
        env["DUTY_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def sync_once_cli(
    server_url: str, data_dir: Path, *extra: str, user: str = "zhang"
) -> subprocess.CompletedProcess[str]:
    """``duty-console sync --once`` of ``data_dir`` against ``server_url`` as ``user``."""
    return run_console(
        "sync",
        "--once",
        "--server",
        server_url,
        "--user",
        user,
        "--data-dir",
        str(data_dir),
        *extra,
        password=PASSWORDS[user][1],
    )


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, made with openssl; skips the test without it."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"openssl cannot make a test certificate: {made.stderr[:200]}")
    return cert, key


def pushed(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Mutation calls as a raw push body's ``mutations`` (numbered from 1, the current
    schema version), for pushing straight at the server with :meth:`SyncClient.push`."""
    return [
        {
            "mutation_id": i,
            "name": name,
            "args": args,
            "hlc": f"0001795877847773-{i:05d}-t",
            "schema_version": SCHEMA_VERSION,
        }
        for i, (name, args) in enumerate(calls, 1)
    ]


def engine_as(ws: Workstation, server: ServerProcess, user: str = "zhang") -> SyncEngine:
    """The workstation's sync engine, signed in as one of the PASSWORDS accounts."""
    client = SyncClient(server.url)
    client.login(user, PASSWORDS[user][1])
    return SyncEngine(ws.store, client)


def sync_as(ws: Workstation, server: ServerProcess, user: str) -> None:
    """One in-process sync round of ``ws`` signed in as one of the PASSWORDS accounts."""
    client = SyncClient(server.url)
    try:
        client.login(user, PASSWORDS[user][1])
        SyncEngine(ws.store, client).sync_once()
    finally:
        client.close()


def table_rows(ws: Workstation, model: Any) -> dict[str, dict[str, Any]]:
    """A synced table's rows by id, without ``updated_at`` (replicas may differ in the HLC
    only; the content may not)."""
    t = model.__table__
    with ws.store.engine.connect() as conn:
        rows = conn.execute(select(t)).mappings().all()
    return {r["id"]: {k: v for k, v in r.items() if k != "updated_at"} for r in rows}


def store_digest(ws: Workstation) -> str:
    with ws.store.engine.connect() as conn:
        return str(database_digest(conn)[0])


def county_workbook(tmp_path: Path) -> Path:
    """The county's own data as a workbook: the sample county's records exported, so an
    import brings them in as the county's (not sample) records, as its own workbook would."""
    from console.services.context import open_workstation
    from console.services.io import workbook

    source = open_workstation(tmp_path / "county-source", sample_incidents=False)
    try:
        book = tmp_path / "county.xlsx"
        workbook.export_book(source.store, book)
        return book
    finally:
        source.close()
