"""Login, token checks, slowed-down failed logins, and no secrets in the server log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, login, run_cli

from server import auth
from server.keys import KEY_FILE_NAME


def _secret(db: Database) -> bytes:
    """The server's signing key: the key file in its data folder (never in the database)."""
    return (db.workdir / KEY_FILE_NAME).read_text().strip().encode()


def _session(db: Database, username: str) -> int:
    return int(db.scalar("SELECT session_version FROM users WHERE username = :u", u=username))


def _failed_logins(db: Database, username: str, expected: int) -> int:
    """The stored count of failures in a row: written just after the answer went out (so
    its cost does not reveal which names exist), hence waited for briefly."""
    deadline = time.monotonic() + 5
    while True:
        count = int(db.scalar("SELECT failed_logins FROM users WHERE username=:u", u=username))
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.02)


def _pull_status(server: ServerProcess, token: str, scheme: str = "Bearer") -> requests.Response:
    return requests.get(
        f"{server.base_url}/sync/pull",
        params={"client_id": "0190a8a0-0000-7000-8000-000000000001"},
        headers={"Authorization": f"{scheme} {token}"},
        timeout=10,
    )


def _sign(secret: bytes, body: bytes) -> str:
    payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{payload}.{hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()}"


def test_login_right_password_gives_working_token(
    server: ServerProcess, passwords: dict[str, str]
) -> None:
    for role in ("admin", "leader", "officer", "readonly"):
        r = login(server, role, passwords[role])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["username"] == role
        assert body["role"] == role
        assert body["expires_in"] == auth.TOKEN_TTL_S
        assert _pull_status(server, body["token"]).status_code == 200


def test_wrong_password_and_unknown_user_are_401(
    server: ServerProcess, passwords: dict[str, str]
) -> None:
    r = login(server, "officer", passwords["officer"] + "x")
    assert r.status_code == 401
    assert "token" not in r.json()
    assert login(server, "nobody-here", "whatever-password").status_code == 401
    # the failure above does not lock the account out of a right password
    assert login(server, "officer", passwords["officer"]).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"username": "officer"},
        {"username": "", "password": "x"},
        {"username": "officer", "password": 12345678},
        {"username": "a" * 65, "password": "x"},
        {"username": "officer", "password": "p" * 257},
        {"username": "nul\u0000user", "password": "whatever-password"},
        {"username": "officer", "password": "lone-\ud800-surrogate"},
        {"username": "lone-\udfff", "password": "whatever-password"},
    ],
    ids=[
        "no-password",
        "empty-name",
        "int-password",
        "long-name",
        "long-pw",
        "nul",
        "sur-pw",
        "sur-name",
    ],
)
def test_malformed_login_is_a_clear_4xx(server: ServerProcess, body: dict[str, Any]) -> None:
    r = requests.post(f"{server.base_url}/auth/login", json=body, timeout=30)
    assert r.status_code in (401, 422), (r.status_code, r.text)
    assert server.health()["status"] == "ok"


def test_failed_logins_are_measurably_slowed_and_reset_by_success(
    database: Database, server: ServerProcess
) -> None:
    # Created through the real CLI, password on stdin (not a tty).
    password = f"slow-{secrets.token_urlsafe(9)}"
    cp = run_cli(database, "create-user", "slowpoke", "--role", "officer", stdin=password + "\n")
    assert cp.returncode == 0, cp.stderr
    assert "slowpoke" in cp.stdout
    assert password not in cp.stdout + cp.stderr

    durations = []
    for _ in range(5):
        start = time.monotonic()
        assert login(server, "slowpoke", "wrong-password!").status_code == 401
        durations.append(time.monotonic() - start)
    # failure_delay: 0 s for the 1st and 2nd failure, then 0.25, 0.5, 1.0 s.
    assert auth.failure_delay(5) == 1.0
    assert durations[4] >= auth.failure_delay(5)
    assert sum(durations) >= sum(auth.failure_delay(n) for n in range(1, 6)), durations
    assert _failed_logins(database, "slowpoke", 5) == 5

    start = time.monotonic()
    assert login(server, "slowpoke", password).status_code == 200
    assert time.monotonic() - start >= auth.failure_delay(5)  # even success waits first
    assert _failed_logins(database, "slowpoke", 0) == 0
    start = time.monotonic()
    assert login(server, "slowpoke", "wrong-password!").status_code == 401
    assert time.monotonic() - start < durations[4]  # counter was reset: no delay again
    assert _failed_logins(database, "slowpoke", 1) == 1


def test_parallel_guesses_are_refused_unchecked_while_locked(
    database: Database, server: ServerProcess
) -> None:
    password = f"lock-{secrets.token_urlsafe(9)}"
    assert (
        run_cli(
            database, "create-user", "locky", "--role", "officer", stdin=password + "\n"
        ).returncode
        == 0
    )
    for _ in range(4):  # the 4th failure locks sign-in for failure_delay(5) = 1 s
        assert login(server, "locky", "wrong-password!").status_code == 401
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: login(server, "locky", "wrong-password!"), range(6)))
    codes = [a.status_code for a in answers]
    assert codes.count(429) >= 5, codes  # not six password checks
    assert all("秒后再试" in a.json()["detail"] for a in answers if a.status_code == 429)
    assert database.scalar("SELECT failed_logins FROM users WHERE username='locky'") <= 5


def test_short_password_refused_by_cli(database: Database) -> None:
    cp = run_cli(database, "create-user", "shorty", "--role", "officer", stdin="short\n")
    assert cp.returncode == 2
    assert "8" in cp.stderr
    assert database.scalar("SELECT count(*) FROM users WHERE username='shorty'") == 0


def test_expired_forged_and_garbage_tokens_are_401(
    database: Database, server: ServerProcess, passwords: dict[str, str]
) -> None:
    secret = _secret(database)
    admin = auth.Principal("admin", "admin", _session(database, "admin"))
    good = auth.issue_token(secret, admin)
    assert _pull_status(server, good).status_code == 200

    expired = auth.issue_token(secret, admin, now=time.time() - auth.TOKEN_TTL_S - 60)
    r = _pull_status(server, expired)
    assert r.status_code == 401
    assert "过期" in r.json()["detail"]

    officer_token = login(server, "officer", passwords["officer"]).json()["token"]
    payload, sig = officer_token.rsplit(".", 1)
    body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert body.startswith("officer|")
    elevated = base64.urlsafe_b64encode(body.replace("officer|", "admin|", 1).encode()).decode()
    forged = [
        f"{elevated.rstrip('=')}.{sig}",  # account changed, old signature
        auth.issue_token(secrets.token_bytes(32), admin),  # signed with another secret
        good[:-1] + ("0" if good[-1] != "0" else "1"),  # signature altered
        "",
        "no-dot-at-all",
        "a.b.c",
        secrets.token_hex(40),
        # correctly signed but not a valid token body: must be 401, never 500
        _sign(secret, b"just-garbage"),
        _sign(secret, b"\xff\xfe\xfa|admin|9999999999"),
        _sign(secret, b"admin|admin|not-a-number"),
        _sign(secret, b"admin|admin|1|extra"),
        _sign(secret, b"admin|1|not-a-number"),
        _sign(secret, b"admin|not-a-number|9999999999"),
    ]
    for token in forged:
        r = _pull_status(server, token)
        assert r.status_code == 401, (token, r.status_code, r.text)
    assert _pull_status(server, good, scheme="Basic").status_code == 401
    r = requests.get(
        f"{server.base_url}/sync/pull",
        params={"client_id": "0190a8a0-0000-7000-8000-000000000001"},
        timeout=10,
    )
    assert r.status_code == 401
    r = requests.get(f"{server.base_url}/sync/events", timeout=10)
    assert r.status_code == 401
    r = requests.post(f"{server.base_url}/sync/push", json={}, timeout=10)
    assert r.status_code in (401, 422)


def test_no_secret_in_server_log(
    database: Database,
    server: ServerProcess,
    passwords: dict[str, str],
    client_for: Callable[[str], Client],
) -> None:
    from server_testkit import township_args

    wrong = f"wrong-{secrets.token_urlsafe(9)}"
    assert login(server, "admin", wrong).status_code == 401
    assert login(server, "nobody", wrong).status_code == 401
    client = client_for("officer")
    client.apply(("township.upsert", township_args()))
    client.pull()
    assert _pull_status(server, client.token + "tampered").status_code == 401
    r = requests.post(
        f"{server.base_url}/auth/login",
        json={"username": "admin", "password": wrong + "x" * 300},  # 422 echoes to the client
        timeout=10,
    )
    assert r.status_code == 422

    log = server.log_text()
    assert "POST /auth/login" in log  # the log is really captured
    secret_hex = _secret(database).decode()
    token_sig = client.token.rsplit(".", 1)[1]
    for secret in [*passwords.values(), wrong, client.token, token_sig, secret_hex]:
        assert secret not in log
