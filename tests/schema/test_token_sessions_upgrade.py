"""Upgrading a server to revocable tokens: the secret that sat in the database is gone.

A database of the revision before (0007) holds ``server_state.token_secret`` (what a backup
leaks) and a scrypt password hash. After the upgrade the column is dropped, tokens signed
with that secret (in the old and the new format) are refused by a real server, and the
account signs in with its old password, which is then stored as argon2id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from pathlib import Path

import pytest
import requests
from schema_db import insert_old_rows, server_database
from sqlalchemy import inspect, text

from testkit.server import ServerProcess


def _sign(secret: bytes, body: str) -> str:
    payload = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
    return f"{payload}.{hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_drops_the_database_secret_and_old_tokens_die(backend: str, tmp_path: Path) -> None:
    from server.db import migrate as migrate_server

    old_secret = secrets.token_hex(32)
    password = f"pw-{secrets.token_urlsafe(10)}"
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    with server_database(backend, tmp_path, revision="0007_report_rules_v2") as engine:
        with engine.begin() as conn:
            insert_old_rows(
                conn,
                "server_state",
                [
                    {
                        "id": 1,
                        "epoch": "e0000000-0000-4000-8000-000000000000",
                        "version": 0,
                        "audit_seq": 0,
                        "audit_head": "0" * 64,
                        "token_secret": old_secret,
                        "demo": False,
                    }
                ],
            )
            insert_old_rows(
                conn,
                "users",
                [
                    {
                        "username": "admin",
                        "role": "admin",
                        "password_hash": f"scrypt$16384$8$1${salt.hex()}${digest.hex()}",
                        "failed_logins": 0,
                        "locked_until_ms": 0,
                        "disabled": False,
                    }
                ],
            )
        migrate_server(engine)
        assert "token_secret" not in {
            c["name"] for c in inspect(engine).get_columns("server_state")
        }
        with engine.connect() as conn:
            assert conn.execute(text("SELECT session_version FROM users")).scalar() == 1

        server = ServerProcess(
            engine.url.render_as_string(hide_password=False), data_dir=tmp_path / "data"
        ).start()
        try:
            expiry = int(time.time()) + 3600
            pull = f"{server.url}/sync/pull"
            params = {"client_id": "0190a8a0-0000-7000-8000-0000000000bb"}
            for token in (
                _sign(bytes.fromhex(old_secret), f"admin|admin|{expiry}"),  # as 0007 signed
                _sign(bytes.fromhex(old_secret), f"admin|1|{expiry}"),
                _sign(old_secret.encode(), f"admin|1|{expiry}"),
            ):
                r = requests.get(
                    pull, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30
                )
                assert r.status_code == 401, r.text
            r = requests.post(
                f"{server.url}/auth/login",
                json={"username": "admin", "password": password},
                timeout=30,
            )
            assert r.status_code == 200, r.text
            token = r.json()["token"]
            r = requests.get(
                pull, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            assert r.status_code == 200, r.text
        finally:
            server.stop()
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT password_hash FROM users")).scalar()
        assert str(stored).startswith("$argon2id$")
