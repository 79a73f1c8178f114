"""Accounts: argon2id password hashes, signed revocable tokens, slowed-down failed logins.

Tokens are ``base64(username|session|expiry).hmac`` signed with a key kept OUTSIDE the
database (server.keys), so a copy of the database cannot mint them. Every request checks the
token against the account row (:func:`resolve`): the role comes from the database, and a
token whose ``session`` is not the account's current ``users.session_version`` is refused.
Changing a password, role or disabled state bumps ``users.session_version``, which revokes
every earlier token at once (open event streams included, see server.notify).
Passwords and tokens are never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from console.domain.fields import ACCOUNT_MAX_LEN

# Re-exported: the login guard and the CLI hash and check through this module.
from console.domain.passwords import hash_password, needs_rehash, verify_password

__all__ = ["hash_password", "needs_rehash", "verify_password"]
from console.domain.roles import ROLE_LABELS
from server.schema import User

__all__ = ["hash_password", "verify_password"]  # re-exported: the server's one place for them

TOKEN_TTL_S = 12 * 3600  # one duty shift plus handover
MAX_DELAY_S = 8.0
REVOKED = "登录已失效（密码、角色或账号状态已变更），请重新登录"


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    session: int = 0  # users.session_version when the token was issued


@dataclass(frozen=True)
class Claims:
    """What a correctly signed, unexpired token says; not yet checked against the account."""

    username: str
    session: int
    expiry: int


class AuthError(Exception):
    pass


def issue_token(secret: bytes, principal: Principal, now: float | None = None) -> str:
    expiry = int((now or time.time()) + TOKEN_TTL_S)
    body = f"{principal.username}|{principal.session}|{expiry}".encode()
    payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
    sig = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{sig}"


def check_token(secret: bytes, token: str, now: float | None = None) -> Claims:
    """The claims of a token signed with ``secret`` and not expired; AuthError otherwise.

    Only the signature and expiry: :func:`resolve` must then check the account.
    """
    try:
        payload, sig = token.rsplit(".", 1)
    except ValueError:
        raise AuthError("令牌格式无效") from None
    expected = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sig):
        raise AuthError("令牌无效")
    try:
        body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        username, session, expiry = body.rsplit("|", 2)  # a name may itself hold "|"
        claims = Claims(username, int(session), int(expiry))
    except (ValueError, UnicodeDecodeError):
        raise AuthError("令牌无效") from None
    if claims.expiry < (now or time.time()):
        raise AuthError("登录已过期，请重新登录")
    return claims


def resolve(engine: Engine, claims: Claims) -> Principal:
    """The account behind ``claims`` as the database says NOW; AuthError when it no longer
    exists, is disabled, or has started a new session since the token was issued."""
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        row = conn.execute(
            select(User.role, User.disabled, User.session_version).where(
                User.username == claims.username
            )
        ).first()
    if row is None or row.disabled or int(row.session_version) != claims.session:
        raise AuthError(REVOKED)
    return Principal(claims.username, str(row.role), int(row.session_version))


def sessions(engine: Engine) -> dict[str, int]:
    """username -> current session of every enabled account (a disabled one has none)."""
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        rows = conn.execute(
            select(User.username, User.session_version).where(User.disabled.is_(False))
        )
        return {str(name): int(session) for name, session in rows}


def failure_delay(failed_logins: int) -> float:
    """Seconds to wait before answering after ``failed_logins`` consecutive failures."""
    if failed_logins <= 2:
        return 0.0
    return float(min(MAX_DELAY_S, 0.25 * 2 ** (failed_logins - 3)))


def _check_role(role: str) -> None:
    if role not in ROLE_LABELS:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLE_LABELS)}")


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")


def create_user(engine: Engine, username: str, role: str, password: str) -> None:
    """Create an account, or reset an existing one's role and password; a reset revokes the
    account's earlier tokens (a disabled account stays disabled)."""
    _check_role(role)
    if not username.strip() or len(username) > ACCOUNT_MAX_LEN:
        raise ValueError(f"username must be 1-{ACCOUNT_MAX_LEN} characters")
    _check_password(password)
    from sqlalchemy import insert

    password_hash = hash_password(password)  # before the transaction: it takes ~25 ms
    with engine.begin() as conn:
        existing = conn.execute(select(User.username).where(User.username == username)).first()
        values = {"role": role, "password_hash": password_hash, "failed_logins": 0}
        if existing:
            conn.execute(
                update(User)
                .where(User.username == username)
                .values(session_version=User.session_version + 1, **values)
            )
        else:
            conn.execute(
                insert(User).values(
                    username=username,
                    disabled=False,
                    locked_until_ms=0,
                    session_version=1,
                    **values,
                )
            )


def change_account(
    engine: Engine,
    username: str,
    *,
    password: str | None = None,
    role: str | None = None,
    disabled: bool | None = None,
) -> None:
    """Change an account's password, role and/or disabled state; ALWAYS starts a new session,
    so every token issued before is refused from the next request on (also with nothing to
    change: "sign this account out everywhere"). LookupError for an unknown account."""
    values: dict[str, object] = {"session_version": User.session_version + 1}
    if role is not None:
        _check_role(role)
        values["role"] = role
    if password is not None:
        _check_password(password)
        values["password_hash"] = hash_password(password)
        values["failed_logins"] = 0
        values["locked_until_ms"] = 0
    if disabled is not None:
        values["disabled"] = disabled
    with engine.begin() as conn:
        changed = conn.execute(update(User).where(User.username == username).values(**values))
        if changed.rowcount != 1:
            raise LookupError(f"no account named {username!r}")
