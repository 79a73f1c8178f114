"""Accounts: scrypt password hashes, signed expiring tokens, slowed-down failed logins.

Tokens are ``base64(username|role|expiry).hmac`` signed with a secret kept in the database,
so any server process on the same database accepts them (the server stays stateless).
Passwords and tokens are never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from console.domain.fields import ACCOUNT_MAX_LEN
from console.domain.roles import ROLE_LABELS
from server.schema import ServerState, User

TOKEN_TTL_S = 12 * 3600  # one duty shift plus handover
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MAX_DELAY_S = 8.0


@dataclass(frozen=True)
class Principal:
    username: str
    role: str


class AuthError(Exception):
    pass


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(candidate.hex(), digest)


def token_secret(engine: Engine) -> bytes:
    """The signing secret all server processes on this database share."""
    with engine.connect() as conn:
        return bytes.fromhex(conn.execute(select(ServerState.token_secret)).scalar_one())


def issue_token(secret: bytes, principal: Principal, now: float | None = None) -> str:
    expiry = int((now or time.time()) + TOKEN_TTL_S)
    body = f"{principal.username}|{principal.role}|{expiry}".encode()
    payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
    sig = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{sig}"


def check_token(secret: bytes, token: str, now: float | None = None) -> Principal:
    try:
        payload, sig = token.rsplit(".", 1)
    except ValueError:
        raise AuthError("令牌格式无效") from None
    expected = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sig):
        raise AuthError("令牌无效")
    body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    username, role, expiry = body.split("|")
    if int(expiry) < (now or time.time()):
        raise AuthError("登录已过期，请重新登录")
    return Principal(username, role)


def failure_delay(failed_logins: int) -> float:
    """Seconds to wait before answering after ``failed_logins`` consecutive failures."""
    if failed_logins <= 2:
        return 0.0
    return float(min(MAX_DELAY_S, 0.25 * 2 ** (failed_logins - 3)))


def create_user(engine: Engine, username: str, role: str, password: str) -> None:
    if role not in ROLE_LABELS:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLE_LABELS)}")
    if not username.strip() or len(username) > ACCOUNT_MAX_LEN:
        raise ValueError(f"username must be 1-{ACCOUNT_MAX_LEN} characters")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    from sqlalchemy import insert

    with engine.begin() as conn:
        existing = conn.execute(select(User.username).where(User.username == username)).first()
        values = {"role": role, "password_hash": hash_password(password), "failed_logins": 0}
        if existing:
            conn.execute(update(User).where(User.username == username).values(**values))
        else:
            conn.execute(
                insert(User).values(username=username, disabled=False, locked_until_ms=0, **values)
            )


class Throttled(Exception):
    """Too many failed sign-ins: refused without checking the password."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"retry after {retry_after_s:.1f} s")
        self.retry_after_s = retry_after_s


def authenticate(engine: Engine, username: str, password: str) -> tuple[Principal | None, float]:
    """Check a login. Returns (principal or None, seconds the caller must wait first).

    Raises Throttled while an earlier failure's delay has not run out, so N parallel
    guesses are not N password checks.
    """
    now_ms = int(time.time() * 1000)
    with engine.begin() as conn:
        stmt = select(User).where(User.username == username)
        if engine.dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE already serialises
            stmt = stmt.with_for_update()  # one check at a time per account
        user = conn.execute(stmt).mappings().first()
        if user is None:
            # Same work as a real check, so timing does not reveal which names exist.
            verify_password(password, hash_password("x" * 12))
            return None, failure_delay(3)
        if user["locked_until_ms"] > now_ms:
            raise Throttled((user["locked_until_ms"] - now_ms) / 1000)
        delay = failure_delay(user["failed_logins"])
        if not user["disabled"] and verify_password(password, user["password_hash"]):
            if user["failed_logins"]:
                conn.execute(update(User).where(User.username == username).values(failed_logins=0))
            return Principal(user["username"], user["role"]), delay
        next_delay = failure_delay(user["failed_logins"] + 1)
        conn.execute(
            update(User)
            .where(User.username == username)
            .values(
                failed_logins=User.failed_logins + 1,
                locked_until_ms=now_ms + int(next_delay * 1000),
            )
        )
        return None, next_delay
