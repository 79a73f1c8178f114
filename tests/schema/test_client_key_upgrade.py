"""Upgrading to workstation client keys (workstation 0012, server 0011).

An existing store gets a fresh random key and keeps its client id and counters; a server's
registered clients keep their registrant and have no key hash, and a real upgraded server
lets that registrant go on (adopting the key it then presents) while other accounts stay
refused until it has.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from pathlib import Path

import pytest
import requests
from schema_db import OLD_CLIENT, insert_old_rows, old_workstation, server_database
from sqlalchemy import text

from console.store.database import open_store
from testkit.server import ServerProcess


def test_old_store_gets_a_fresh_key_and_keeps_its_identity(tmp_path: Path) -> None:
    keys = []
    for name in ("a", "b"):
        old_workstation(tmp_path / name, "0011_people", {})
        store = open_store(tmp_path / name)
        try:
            assert store.client_id == OLD_CLIENT
            keys.append(store.client_key)
        finally:
            store.close()
        raw = sqlite3.connect(tmp_path / name / store.path.name)
        try:
            row = raw.execute("SELECT client_key, next_mutation_id FROM client_state").fetchone()
        finally:
            raw.close()
        assert row == (keys[-1], 1)
    assert all(len(k) == 64 and int(k, 16) >= 0 for k in keys)
    assert keys[0] != keys[1]  # random, not derived from the (shared) client id
    again = open_store(tmp_path / "a")  # made once: the next start keeps it
    try:
        assert again.client_key == keys[0]
    finally:
        again.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgraded_server_keeps_registered_clients(backend: str, tmp_path: Path) -> None:
    from server.auth import create_user
    from server.db import migrate as migrate_server

    client_id = "0190a8a0-0000-7000-8000-0000000000cc"
    passwords = {name: f"pw-{secrets.token_urlsafe(10)}" for name in ("zhang", "wang")}
    with server_database(backend, tmp_path, revision="0010_people") as engine:
        with engine.begin() as conn:
            insert_old_rows(
                conn,
                "sync_clients",
                [
                    {
                        "client_id": client_id,
                        "username": "zhang",
                        "last_mutation_id": 7,
                        "last_seen": "2026-11-28T10:00:00.000+00:00",
                    }
                ],
            )
        migrate_server(engine)
        for name, password in passwords.items():
            create_user(engine, name, "officer", password)
        with engine.connect() as conn:
            row = conn.execute(text("SELECT username, key_hash FROM sync_clients")).one()
        assert tuple(row) == ("zhang", None)

        server = ServerProcess(
            engine.url.render_as_string(hide_password=False), data_dir=tmp_path / "data"
        ).start()
        try:
            key = secrets.token_hex(32)

            def pull(name: str) -> requests.Response:
                r = requests.post(
                    f"{server.url}/auth/login",
                    json={"username": name, "password": passwords[name]},
                    timeout=30,
                )
                token = r.json()["token"]
                return requests.get(
                    f"{server.url}/sync/pull",
                    params={"client_id": client_id},
                    headers={"Authorization": f"Bearer {token}", "X-Duty-Client-Key": key},
                    timeout=30,
                )

            assert pull("wang").status_code == 403  # not before its registrant adopted a key
            r = pull("zhang")
            assert r.status_code == 200, r.text
            assert r.json()["last_mutation_id"] == 7
            r = pull("wang")  # the next shift on the upgraded workstation
            assert r.status_code == 200, r.text
            assert r.json()["last_mutation_id"] == 7
        finally:
            server.stop()
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT key_hash FROM sync_clients WHERE client_id = :c"), {"c": client_id}
            ).scalar()
        assert stored == hashlib.sha256(key.encode()).hexdigest()
