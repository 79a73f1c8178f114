"""Helpers of the workstation sync tests: the accounts, and a migrated SQLite server database
holding them. Server processes come from the shared harness, :mod:`testkit.server`.

A module with its own name (not conftest) so tests can import it unambiguously."""

from __future__ import annotations

from pathlib import Path

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
