"""Signing in on a workstation: online against the server, offline against a local verifier.

After every successful online login the workstation keeps an argon2id verifier of the
password (never the password or the token) per account, with the role the server gave, so
during a network outage the same officer can still open the console. A verifier of an older
version (scrypt) still works offline and becomes argon2id at the next successful sign-in.
The role kept is always what the server last said: every online sign-in, and every silent
sign-in again of the sync engine (:meth:`Accounts.server_said`), stores it.

Offline guesses are throttled: after a few failures each further attempt must wait longer
(up to 5 minutes), and the count is kept in the store, so restarting the app does not reset
it. The password itself stays in memory only, for the sync engine to sign in again when the
server comes back.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from console.domain.passwords import hash_password, needs_rehash, scrypt_matches, verify_password
from console.domain.roles import ROLE_LABELS
from console.store.database import Store
from console.store.records import LocalMeta
from console.sync.client import SyncClient, SyncHttpError, Unreachable, Untrusted
from console.sync.messages import UNTRUSTED, WRONG_PASSWORD, credentials_problem

VERIFIERS_KEY = "login.verifiers"
LAST_LOGIN_KEY = "login.last"
OFFLINE_FAILURES_KEY = "login.offline_failures"
OFFLINE_FREE_FAILURES = 3  # typing slips cost nothing
OFFLINE_MAX_DELAY_S = 300.0


def offline_delay(failures: int) -> float:
    """Seconds an offline sign-in must wait after ``failures`` consecutive wrong passwords:
    nothing for the first few, then 2, 4, 8 ... s up to 5 minutes."""
    if failures < OFFLINE_FREE_FAILURES:
        return 0.0
    return float(min(OFFLINE_MAX_DELAY_S, 2.0 ** (failures - OFFLINE_FREE_FAILURES + 1)))


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


def _matches(password: str, entry: dict[str, str]) -> bool:
    """A verifier entry: argon2id (``hash`` a PHC string) or an older scrypt one (``salt``
    and ``hash`` in hex)."""
    if "salt" in entry:
        try:
            salt = bytes.fromhex(entry["salt"])
        except ValueError:
            return False
        return scrypt_matches(password, salt, str(entry["hash"]))
    return verify_password(password, str(entry.get("hash", "")))


class Accounts:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._engine = store.engine
        self._gate = store.gate
        # Wall clock (the throttle must outlive a restart); a test may give its own.
        self._clock = clock

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
        verifiers[f"{server}|{username}"] = {
            "role": role,
            "hash": hash_password(password),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        failures = self._failures()
        failures.pop(f"{server}|{username}", None)  # the right password: count from zero
        self._put(
            {
                VERIFIERS_KEY: json.dumps(verifiers),
                LAST_LOGIN_KEY: json.dumps({"server": server, "username": username}),
                OFFLINE_FAILURES_KEY: json.dumps(failures),
            }
        )

    def server_said(self, server_url: str, username: str, role: str) -> None:
        """The server signed ``username`` in again (the sync engine's silent sign-in): keep
        its role for offline use, so a demoted account is not its old role offline."""
        key = f"{server_url.strip().rstrip('/')}|{username}"
        verifiers = json.loads(self._get(VERIFIERS_KEY) or "{}")
        entry = verifiers.get(key)
        if entry is None or entry.get("role") == role:
            return
        entry["role"] = role
        entry["at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self._put({VERIFIERS_KEY: json.dumps(verifiers)})

    def cached_role(self, server_url: str, username: str) -> str | None:
        entry = json.loads(self._get(VERIFIERS_KEY) or "{}").get(f"{server_url}|{username}")
        return None if entry is None else str(entry["role"])

    def _failures(self) -> dict[str, dict[str, float]]:
        data = json.loads(self._get(OFFLINE_FAILURES_KEY) or "{}")
        return data if isinstance(data, dict) else {}

    def offline_wait(self, server_url: str, username: str) -> float:
        """Seconds before the next offline sign-in of this account is checked (0: now)."""
        entry = self._failures().get(f"{server_url}|{username}")
        if not entry:
            return 0.0
        left = float(entry.get("until", 0.0)) - self._clock()
        # A clock set back must not stretch the wait beyond the longest one.
        return max(0.0, min(left, OFFLINE_MAX_DELAY_S))

    def _offline(self, server: str, username: str, password: str) -> Session:
        key = f"{server}|{username}"
        verifiers = json.loads(self._get(VERIFIERS_KEY) or "{}")
        entry = verifiers.get(key)
        if entry is None:
            raise LoginError(
                "无法连接服务器，且本机没有该账号的登录记录，无法离线登录。"
                "请检查网络，或使用曾在本机成功登录过的账号。"
            )
        wait = self.offline_wait(server, username)
        if wait > 0:  # refused unchecked: a guess costs the guesser the whole delay
            raise LoginError(f"离线登录失败次数过多，请 {math.ceil(wait)} 秒后再试")
        failures = self._failures()
        if not _matches(password, entry):
            count = int(failures.get(key, {}).get("failures", 0)) + 1
            failures[key] = {"failures": count, "until": self._clock() + offline_delay(count)}
            self._put({OFFLINE_FAILURES_KEY: json.dumps(failures)})
            raise LoginError("用户名或密码错误（离线登录）")
        changes: dict[str, str] = {}
        if key in failures:
            failures.pop(key)
            changes[OFFLINE_FAILURES_KEY] = json.dumps(failures)
        if "salt" in entry or needs_rehash(str(entry["hash"])):
            # An older verifier becomes argon2id now that the password is at hand.
            entry.pop("salt", None)
            entry["hash"] = hash_password(password)
            changes[VERIFIERS_KEY] = json.dumps(verifiers)
        if changes:
            self._put(changes)
        return Session(server, username, str(entry["role"]), True, password, None)
