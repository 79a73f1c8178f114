"""Signing in on a workstation: online against the server, offline against a local verifier.

After every successful online login the workstation keeps a salted scrypt verifier of the
password (never the password or the token) per account, so during a network outage the same
officer can still open the console. The password itself stays in memory only, for the sync
engine to sign in again when the server comes back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from console.domain.roles import ROLE_LABELS
from console.store.database import Store
from console.store.records import LocalMeta
from console.sync.client import SyncClient, SyncHttpError, Unreachable, Untrusted
from console.sync.messages import UNTRUSTED, WRONG_PASSWORD, credentials_problem

VERIFIERS_KEY = "login.verifiers"
LAST_LOGIN_KEY = "login.last"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class LoginError(Exception):
    """Sign-in refused; ``str(exc)`` is the Chinese message for the dialog."""


@dataclass(frozen=True)
class Session:
    server_url: str
    username: str
    role: str
    offline: bool
    password: str  # kept in memory for re-login; never written anywhere
    token: str | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def client(self) -> SyncClient:
        return SyncClient(self.server_url, self.token)


def _digest(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT).hex()


class Accounts:
    def __init__(self, store: Store) -> None:
        self._engine = store.engine
        self._gate = store.gate

    def _get(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(select(LocalMeta.value).where(LocalMeta.key == key)).scalar()

    def _put(self, values: dict[str, str]) -> None:
        with (
            self._gate.urgent(),  # sign-in must not wait for a pull page
            self._engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
            conn.begin(),
        ):
            for key, value in values.items():
                stmt = sqlite_insert(LocalMeta).values(key=key, value=value)
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=[LocalMeta.key], set_={"value": value}
                    )
                )

    def last_login(self) -> tuple[str, str] | None:
        """(server URL, username) of the last successful sign-in, to prefill the dialog."""
        raw = self._get(LAST_LOGIN_KEY)
        if not raw:
            return None
        data = json.loads(raw)
        return str(data["server"]), str(data["username"])

    def login(self, server_url: str, username: str, password: str) -> Session:
        server_url = server_url.strip().rstrip("/")
        username = username.strip()
        problem = credentials_problem(server_url, username, password)
        if problem is not None:
            raise LoginError(problem)
        client = SyncClient(server_url)
        try:
            login = client.login(username, password)
        except Untrusted:
            try:
                return self._offline(server_url, username, password)
            except LoginError:
                raise LoginError(UNTRUSTED) from None
        except Unreachable:
            return self._offline(server_url, username, password)
        except SyncHttpError as exc:
            if exc.status == 401:
                raise LoginError(WRONG_PASSWORD) from None
            detail = exc.payload.get("detail")
            raise LoginError(
                detail
                if isinstance(detail, str) and detail
                else f"服务器拒绝登录（HTTP {exc.status}）"
            ) from None
        finally:
            client.close()
        self._remember(server_url, login.username, login.role, password)
        return Session(server_url, login.username, login.role, False, password, login.token)

    def _remember(self, server: str, username: str, role: str, password: str) -> None:
        verifiers = json.loads(self._get(VERIFIERS_KEY) or "{}")
        salt = secrets.token_bytes(16)
        verifiers[f"{server}|{username}"] = {
            "role": role,
            "salt": salt.hex(),
            "hash": _digest(password, salt),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._put(
            {
                VERIFIERS_KEY: json.dumps(verifiers),
                LAST_LOGIN_KEY: json.dumps({"server": server, "username": username}),
            }
        )

    def _offline(self, server: str, username: str, password: str) -> Session:
        verifiers = json.loads(self._get(VERIFIERS_KEY) or "{}")
        entry = verifiers.get(f"{server}|{username}")
        if entry is None:
            raise LoginError(
                "无法连接服务器，且本机没有该账号的登录记录，无法离线登录。"
                "请检查网络，或使用曾在本机成功登录过的账号。"
            )
        if not hmac.compare_digest(_digest(password, bytes.fromhex(entry["salt"])), entry["hash"]):
            raise LoginError("用户名或密码错误（离线登录）")
        return Session(server, username, str(entry["role"]), True, password, None)
