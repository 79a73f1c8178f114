"""Issue #9 item 1: tokens are revoked, and a copy of the database cannot mint them.

Attacks reproduced against a real duty-server over HTTP, on both backends: an old token
still pushing after a password change, a role change or disabling the account (through the
real ``duty-server`` admin commands, a separate process); an open event stream outliving the
revocation; a correctly signed token for an account that does not exist; a token minted from
what a database backup holds. Plus the signing key file (0600, refused when group-readable,
or from an environment variable) and argon2id hashes with the scrypt upgrade on sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from server_testkit import (
    Client,
    Database,
    ServerProcess,
    event_stream,
    fresh_database,
    fresh_server,
    login,
    run_cli,
    township_args,
)

from console.domain.passwords import ARGON2_MEMORY_KIB, ARGON2_TIME_COST
from server.keys import ENV_SECRET, KEY_FILE_NAME
from testkit.server import child_env, run_python

PULL_CLIENT = "0190a8a0-0000-7000-8000-0000000000aa"


@pytest.fixture(scope="module")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    """This module's own database: it changes passwords, roles and account states."""
    return fresh_database(backend, database_factory, passwords)


@pytest.fixture(scope="module")
def server(
    database: Database, server_factory: Callable[[Database], ServerProcess]
) -> Iterator[ServerProcess]:
    yield from fresh_server(database, server_factory)


def _account(database: Database, role: str) -> tuple[str, str]:
    """A new account of ``role`` (through the real CLI); returns (name, password)."""
    name = f"{role}-{secrets.token_hex(4)}"
    password = f"pw-{secrets.token_urlsafe(12)}"
    cp = run_cli(database, "create-user", name, "--role", role, stdin=password + "\n")
    assert cp.returncode == 0, cp.stderr
    return name, password


def _pull(server: ServerProcess, token: str) -> requests.Response:
    return requests.get(
        f"{server.base_url}/sync/pull",
        params={"client_id": PULL_CLIENT, "limit": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def _push_status(client: Client) -> int:
    return client.push([client.next("township.upsert", township_args())]).status_code


def _sign(secret: bytes, body: bytes) -> str:
    payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{payload}.{hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()}"


def _key(database: Database) -> bytes:
    return (database.workdir / KEY_FILE_NAME).read_text().strip().encode()


def _wait_closed(stream: object, timeout: float) -> float:
    """Seconds until the server closed the event stream (AssertionError if it did not)."""
    start = time.monotonic()
    thread = stream._thread  # type: ignore[attr-defined]
    thread.join(timeout)
    assert not thread.is_alive(), f"event stream still open after {timeout} s"
    return time.monotonic() - start


# ------------------------------------------------------------------------------ revocation


def test_password_change_revokes_tokens_and_open_streams_at_once(
    database: Database, server: ServerProcess
) -> None:
    name, password = _account(database, "officer")
    client = Client(server, name, password)
    other = Client(server, name, password)  # a second workstation of the same account
    assert _push_status(client) == 200
    with event_stream(server, client.token) as stream:
        assert stream.status == 200
        assert stream.next(timeout=5)[0] == "poke"

        new_password = f"new-{secrets.token_urlsafe(12)}"
        cp = run_cli(database, "set-password", name, stdin=new_password + "\n")
        assert cp.returncode == 0, cp.stderr
        assert new_password not in cp.stdout + cp.stderr

        # The very next request of either old token is refused ...
        r = client.push([client.next("township.upsert", township_args())])
        assert r.status_code == 401, r.text
        assert "重新登录" in r.json()["detail"]
        assert _pull(server, other.token).status_code == 401
        # ... and the open stream ends with a "revoked" event, well before a heartbeat.
        assert _wait_closed(stream, timeout=5) < 3
        events = [stream.events.get_nowait()[0] for _ in range(stream.events.qsize())]
        assert events[-1] == "revoked", events
    assert login(server, name, password).status_code == 401
    fresh = Client(server, name, new_password)
    assert _push_status(fresh) == 200


def test_role_change_revokes_and_the_role_comes_from_the_database(
    database: Database, server: ServerProcess
) -> None:
    name, password = _account(database, "leader")
    leader = Client(server, name, password)
    township = township_args()
    assert leader.apply(("township.upsert", township))[0]["status"] == "applied"

    cp = run_cli(database, "set-role", name, "--role", "readonly")
    assert cp.returncode == 0, cp.stderr
    assert _push_status(leader) == 401  # the old token claimed nothing the server trusts now
    demoted = Client(server, name, password)
    r = login(server, name, password)
    assert r.json()["role"] == "readonly"
    status = demoted.push([demoted.next("township.upsert", township_args())])
    assert status.status_code == 403, status.text  # read-only accounts push nothing

    # create-user on an existing account (a reset) revokes too
    cp = run_cli(database, "create-user", name, "--role", "leader", stdin=password + "\n")
    assert cp.returncode == 0, cp.stderr
    assert _pull(server, demoted.token).status_code == 401


def test_disabling_revokes_and_enabling_does_not_revive_old_tokens(
    database: Database, server: ServerProcess
) -> None:
    name, password = _account(database, "officer")
    client = Client(server, name, password)
    with event_stream(server, client.token) as stream:
        stream.next(timeout=5)
        assert run_cli(database, "disable-user", name).returncode == 0
        assert _wait_closed(stream, timeout=5) < 3
    assert _push_status(client) == 401
    assert login(server, name, password).status_code == 401

    assert run_cli(database, "enable-user", name).returncode == 0
    assert _pull(server, client.token).status_code == 401  # revoked for good
    assert _push_status(Client(server, name, password)) == 200


def test_sign_out_everywhere_and_unknown_accounts(
    database: Database, server: ServerProcess
) -> None:
    name, password = _account(database, "officer")
    client = Client(server, name, password)
    cp = run_cli(database, "sign-out", name)
    assert cp.returncode == 0, cp.stderr
    assert _pull(server, client.token).status_code == 401
    assert _pull(server, Client(server, name, password).token).status_code == 200

    for command in ("set-password", "set-role", "disable-user", "sign-out"):
        extra = ["--role", "officer"] if command == "set-role" else []
        cp = run_cli(database, command, "no-such-account", *extra, stdin="long-enough-pw\n")
        assert cp.returncode == 2, (command, cp.stdout, cp.stderr)
        assert "no account" in cp.stderr
    cp = run_cli(database, "set-password", name, stdin="short\n")
    assert cp.returncode == 2
    assert _pull(server, Client(server, name, password).token).status_code == 200


def test_well_signed_token_of_a_missing_account_is_refused(
    database: Database, server: ServerProcess
) -> None:
    key = _key(database)
    expiry = int(time.time()) + 3600
    assert _pull(server, _sign(key, f"admin|1|{expiry}".encode())).status_code == 200
    for body in (f"ghost|1|{expiry}", f"admin|99|{expiry}", f"admin|0|{expiry}"):
        r = _pull(server, _sign(key, body.encode()))
        assert r.status_code == 401, (body, r.text)

    # an account deleted from the database: its tokens die with it
    name, password = _account(database, "officer")
    client = Client(server, name, password)
    database.execute("DELETE FROM users WHERE username = :u", u=name)
    assert _push_status(client) == 401


def test_account_name_with_the_token_separator_works(
    database: Database, server: ServerProcess
) -> None:
    password = f"pw-{secrets.token_urlsafe(12)}"
    name = f"a|{secrets.token_hex(3)}|1"  # looks like a token body's fields
    cp = run_cli(database, "create-user", name, "--role", "officer", stdin=password + "\n")
    assert cp.returncode == 0, cp.stderr
    assert _push_status(Client(server, name, password)) == 200


# ------------------------------------------------------------------------------ signing key


def test_key_file_is_private_and_outside_the_database(
    backend: str, database: Database, server: ServerProcess
) -> None:
    path = database.workdir / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text().strip()
    assert len(key) == 64
    columns = {c.lower() for c in _columns(database, "server_state")}
    assert "token_secret" not in columns
    if backend == "sqlite":
        raw = Path(database.url.removeprefix("sqlite:///")).read_bytes()
        assert key.encode() not in raw


def _columns(database: Database, table: str) -> list[str]:
    from sqlalchemy import inspect

    return [c["name"] for c in inspect(database.engine).get_columns(table)]


def test_database_copy_alone_cannot_mint_or_accept_tokens(
    backend: str,
    database: Database,
    server: ServerProcess,
    passwords: dict[str, str],
    tmp_path: Path,
) -> None:
    """A server started on the same database with another data folder (what a stolen backup
    gives) has its own key: tokens of the real server mean nothing to it and vice versa."""
    token = login(server, "admin", passwords["admin"]).json()["token"]
    thief = ServerProcess(database.url, data_dir=tmp_path / "thief").start()
    try:
        assert _pull(thief, token).status_code == 401
        minted = login(thief, "admin", passwords["admin"]).json()["token"]
        assert _pull(thief, minted).status_code == 200
        assert _pull(server, minted).status_code == 401
    finally:
        thief.stop()
    assert _pull(server, token).status_code == 200


def test_group_readable_key_file_is_refused(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / KEY_FILE_NAME).write_text(secrets.token_hex(32))
    os.chmod(folder / KEY_FILE_NAME, 0o640)
    cp = run_python(
        "-m",
        "server.cli",
        "--database-url",
        database.url,
        "--data-dir",
        str(folder),
        "--port",
        "1",
        timeout=60,
    )
    assert cp.returncode == 2, cp.stdout + cp.stderr
    assert "chmod 600" in cp.stderr


def test_secret_from_the_environment_is_shared_and_no_key_file_is_written(
    database: Database, passwords: dict[str, str], tmp_path: Path
) -> None:
    env = {ENV_SECRET: secrets.token_urlsafe(40)}
    a = ServerProcess(database.url, data_dir=tmp_path / "a", env=env).start()
    b = ServerProcess(database.url, data_dir=tmp_path / "b", env=env).start()
    try:
        token = login(a, "officer", passwords["officer"]).json()["token"]
        assert _pull(b, token).status_code == 200
    finally:
        a.stop()
        b.stop()
    assert not (tmp_path / "a" / KEY_FILE_NAME).exists()
    short = run_python(
        "-m",
        "server.cli",
        "--database-url",
        database.url,
        "--data-dir",
        str(tmp_path / "c"),
        env=child_env(**{ENV_SECRET: "too-short"}),
        timeout=60,
    )
    assert short.returncode == 2
    assert ENV_SECRET in short.stderr


# ------------------------------------------------------------------------------ passwords


def _legacy_scrypt(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def _hash_of(database: Database, name: str) -> str:
    return str(database.scalar("SELECT password_hash FROM users WHERE username = :u", u=name))


def test_new_hashes_are_argon2id_with_owasp_parameters(database: Database) -> None:
    name, _ = _account(database, "officer")
    stored = _hash_of(database, name)
    assert stored.startswith("$argon2id$v=19$")
    assert f"m={ARGON2_MEMORY_KIB},t={ARGON2_TIME_COST},p=1" in stored
    assert ARGON2_MEMORY_KIB >= 19 * 1024 and ARGON2_TIME_COST >= 2


def test_scrypt_hash_still_signs_in_and_is_upgraded_to_argon2id(
    database: Database, server: ServerProcess
) -> None:
    name, _ = _account(database, "officer")
    password = f"old-{secrets.token_urlsafe(10)}"
    legacy = _legacy_scrypt(password)
    database.execute("UPDATE users SET password_hash = :h WHERE username = :u", h=legacy, u=name)

    assert login(server, name, password + "x").status_code == 401
    assert _hash_of(database, name) == legacy  # a wrong guess changes nothing
    r = login(server, name, password)
    assert r.status_code == 200, r.text
    # written with the outcome, after the answer has gone out (server/login_guard.py)
    deadline = time.monotonic() + 10
    while not _hash_of(database, name).startswith("$argon2id$") and time.monotonic() < deadline:
        time.sleep(0.05)
    upgraded = _hash_of(database, name)
    assert upgraded.startswith("$argon2id$")
    assert _pull(server, r.json()["token"]).status_code == 200  # same session: token valid
    assert login(server, name, password).status_code == 200
    assert _hash_of(database, name) == upgraded  # upgraded once, not on every sign-in
