"""Helpers of the workstation sync tests: the accounts, a migrated SQLite server database
holding them, and a self-signed certificate for TLS servers. Server processes come from the
shared harness, :mod:`testkit.server`.

A module with its own name (not conftest) so tests can import it unambiguously."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.domain.ids import new_id
from testkit.server import Database

PASSWORDS = {"zhang": ("officer", "zhang-pass-1"), "li": ("leader", "li-pass-12")}


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
