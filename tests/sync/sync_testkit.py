"""Helpers of the workstation sync tests: the accounts, a migrated SQLite server database
holding them, and a self-signed certificate for TLS servers. Server processes come from the
shared harness, :mod:`testkit.server`.

A module with its own name (not conftest) so tests can import it unambiguously."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

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
