"""Sign-in throttling and the bounded password-hashing pool (issue #9, items 2 and 3).

Why a separate module: a password hash is deliberately expensive (tens of ms of CPU and
memory), so an unthrottled ``POST /auth/login`` is a lever for denial of service, and a
throttle keyed only by account lets a stranger keep an officer out. This module decides,
before any database access or hash, whether an attempt is checked at all, and runs the
checks in a small pool of their own:

- **Per (source address, account)**: one check at a time; after the n-th failure in a row
  the pair waits ``auth.failure_delay(n)`` (0, 0, 0.25 s, ... up to 8 s), refused unchecked
  (429) meanwhile. Guesses from one address never slow a sign-in from another.
- **Per account, over all addresses** (a token bucket of failed checks): bounds what a
  distributed attack can try; the numbers are explained at ``ACCOUNT_BURST``.
- **Per source address, over all accounts**: one address cannot monopolise the hashing
  pool by guessing ever new names.
- Unknown names go through exactly the same keys, buckets and one hash of the same cost
  (``dummy_hash``), so neither timing nor throttling tells which names exist.
- **The hashing pool**: ``workers`` threads plus a short queue; when both are full the
  attempt is answered 503 at once with Retry-After instead of queueing without bound, so a
  flood of logins costs the rest of the server (push, pull, /health) at most ``workers``
  CPU cores. The worker reads the account row with a plain read (no transaction is held
  while hashing; on SQLite no write lock at all) and the outcome is written afterwards.

State lives in this process's memory (the server runs one process; see
docs/security.md for several processes). IPv6 sources count per /64 network,
since one host usually holds a whole /64.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select, update

from server import auth
from server.schema import User

# -- numbers ---------------------------------------------------------------------------
# One address guessing one account as fast as the answers allow settles at one check per
# auth.MAX_DELAY_S (8 s) = 0.125/s after a burst of ~9 in the first 24 s.
#
# The account bucket refills at twice that (0.25 failed checks/s) and holds 30: one or two
# addresses guessing flat out never empty it, so an officer signing in from his own
# workstation is not affected by a stranger; it takes three or more addresses guessing
# flat out for minutes to empty it. While it is empty, addresses that already failed on
# the account are refused (429) and addresses that have not ("fresh", e.g. the officer's
# own) share a small reserve (5, refilled one per 30 s), so even then the total stays
# bounded: at most 0.25 + 1/30 = 0.28 checks/s, ~1,000 an hour, ~24,500 a day per account
# however many addresses attack, while a legitimate user keeps a real chance (and gets in
# at once whenever the attack pauses for a few seconds).
ACCOUNT_BURST = 30.0
ACCOUNT_RATE = 0.25
RESERVE_BURST = 5.0
RESERVE_RATE = 1 / 30
# Per source address over all accounts: 50 failures, then one per 2 s. A command centre
# behind one NAT address with a dozen officers mistyping stays far below; a single address
# guessing ever new names gets about one hash per 2 s out of the pool.
ADDRESS_BURST = 50.0
ADDRESS_RATE = 0.5
# Bounded memory: least recently used entries beyond this are forgotten.
MAX_ENTRIES = 100_000
QUEUE_PER_WORKER = 4
# Longest a refusal is held back from a client that ignores Retry-After (LoginGuard.refuse).
MAX_HOLD_S = 2.0


def default_workers() -> int:
    """Hash workers: ``$DUTY_SERVER_LOGIN_WORKERS`` or half the CPU cores, 1 to 2, so the
    rest of the server always keeps a core however hard sign-in is flooded."""
    configured = os.environ.get("DUTY_SERVER_LOGIN_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(2, (os.cpu_count() or 2) // 2))


class Throttled(Exception):
    """Refused without a check (HTTP 429)."""

    def __init__(self, retry_after_s: float, reason: str) -> None:
        super().__init__(f"{reason}: retry after {retry_after_s:.1f} s")
        self.retry_after_s = retry_after_s
        self.reason = reason  # "pair" | "account" | "address" (for tests and logs)


class Busy(Exception):
    """The hashing pool and its queue are full (HTTP 503)."""

    retry_after_s = 1.0


@dataclass
class _Bucket:
    """Token bucket; a token is one failed password check."""

    burst: float
    rate: float
    tokens: float
    at: float

    def level(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return self.tokens

    def wait(self, now: float) -> float:
        return max(0.0, (1 - self.level(now)) / self.rate)

    def full(self, now: float) -> bool:
        return self.level(now) >= self.burst


@dataclass
class _Pair:
    failures: int = 0
    locked_until: float = 0.0
    busy: bool = False


@dataclass
class Ticket:
    """One admitted check; hand it back to :meth:`LoginGuard.finish`."""

    pair_key: tuple[str, str]
    taken: list[_Bucket] = field(default_factory=list)
    prior_failures: int = 0


class _Lru(OrderedDict[Any, Any]):
    def touch(self, key: Any, make: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = self[key] = make()
            while len(self) > MAX_ENTRIES:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return value


def source_key(host: str | None) -> str:
    """The throttling key of a peer address: IPv4 as is, IPv6 by its /64."""
    if not host:
        return "?"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class LoginGuard:
    def __init__(
        self,
        workers: int | None = None,
        queue: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.workers = workers or default_workers()
        self.capacity = self.workers + (
            queue if queue is not None else QUEUE_PER_WORKER * self.workers
        )
        self.clock = clock
        self._lock = threading.Lock()
        self._pairs: _Lru = _Lru()
        self._accounts: _Lru = _Lru()
        self._reserves: _Lru = _Lru()
        self._addresses: _Lru = _Lru()
        self._in_pool = 0
        self._pool: ThreadPoolExecutor | None = None
        self._dummy: str | None = None
        self._not_before: _Lru = _Lru()

    # -- admission ------------------------------------------------------------------------
    def admit(self, address: str, username: str, *, pool: bool = True) -> Ticket:
        """Admit one password check or raise :class:`Throttled` / :class:`Busy`.

        Nothing changes unless the attempt is admitted. ``pool=False`` skips the pool's
        capacity (for callers that hash elsewhere, e.g. tests of the throttle alone)."""
        now = self.clock()
        with self._lock:
            pair_key = (address, username)
            pair: _Pair = self._pairs.touch(pair_key, _Pair)
            if pair.busy:
                raise Throttled(1.0, "pair")
            if pair.locked_until > now:
                raise Throttled(pair.locked_until - now, "pair")
            address_bucket = self._bucket(self._addresses, address, ADDRESS_BURST, ADDRESS_RATE)
            if address_bucket.level(now) < 1:
                raise Throttled(address_bucket.wait(now), "address")
            account = self._bucket(self._accounts, username, ACCOUNT_BURST, ACCOUNT_RATE)
            chosen = account
            if account.level(now) < 1:
                reserve = self._bucket(self._reserves, username, RESERVE_BURST, RESERVE_RATE)
                if pair.failures or reserve.level(now) < 1:
                    wait = account.wait(now)
                    if not pair.failures:
                        wait = min(wait, reserve.wait(now))
                    raise Throttled(wait, "account")
                chosen = reserve
            if pool and self._in_pool >= self.capacity:
                raise Busy()
            # Admitted: take the tokens now (given back on success), so parallel guesses
            # cannot all pass the checks above before the first one fails.
            for bucket in (address_bucket, chosen):
                bucket.tokens -= 1
            pair.busy = True
            if pool:
                self._in_pool += 1
            return Ticket(pair_key, [address_bucket, chosen], pair.failures)

    def finish(self, ticket: Ticket, ok: bool, *, pool: bool = True) -> float:
        """Record the outcome; returns the seconds to wait before answering (the failure
        delay, so a client cannot get the next answer sooner than the throttle allows)."""
        now = self.clock()
        with self._lock:
            if pool:
                self._in_pool -= 1
            pair: _Pair = self._pairs.touch(ticket.pair_key, _Pair)
            pair.busy = False
            if ok:
                for bucket in ticket.taken:
                    bucket.tokens = min(bucket.burst, bucket.tokens + 1)
                delay = auth.failure_delay(pair.failures)  # even success waits out the delay
                del self._pairs[ticket.pair_key]
                return delay
            pair.failures += 1
            delay = auth.failure_delay(pair.failures)
            pair.locked_until = now + delay
            return delay

    def abandon(self, ticket: Ticket, *, pool: bool = True) -> None:
        """The check never ran (an error): release it without counting a failure."""
        with self._lock:
            if pool:
                self._in_pool -= 1
            pair = self._pairs.get(ticket.pair_key)
            if pair is not None:
                pair.busy = False
            for bucket in ticket.taken:
                bucket.tokens = min(bucket.burst, bucket.tokens + 1)

    async def refuse(self, address: str, retry_after_s: float) -> float:
        """Before a refusal (429/503) is answered: the first one to an address goes out at
        once; an address that asks again before the Retry-After it was given has passed
        gets its next refusal only when it has. A client that ignores Retry-After thus
        cannot make the server answer it more often than Retry-After allows (an idle
        coroutine costs nothing; a refusal answered at once costs parsing and answering,
        which a flood repeats as fast as the answers come). Returns the seconds held."""
        now = self.clock()
        with self._lock:
            not_before = self._not_before.get(address, 0.0)
            hold = min(max(0.0, not_before - now), MAX_HOLD_S)
            self._not_before.touch(address, float)
            self._not_before[address] = now + hold + retry_after_s
        if hold:
            await asyncio.sleep(hold)
        return hold

    def full(self) -> bool:
        """Whether the hashing pool and its queue are full right now."""
        return self._in_pool >= self.capacity

    def _bucket(self, table: _Lru, key: str, burst: float, rate: float) -> _Bucket:
        now = self.clock()
        bucket: _Bucket = table.touch(key, lambda: _Bucket(burst, rate, burst, now))
        return bucket

    # -- the hashing pool -----------------------------------------------------------------
    async def check(
        self, ticket: Ticket, engine: Engine, username: str, password: str
    ) -> tuple[Checked, float]:
        """Check the password of an admitted attempt in the hashing pool; returns the
        outcome and the seconds to wait before answering. The outcome is recorded in the
        pool thread itself, so a client that hangs up cannot skip its failure."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="login-hash")
        dummy = self.dummy_hash()

        def work() -> tuple[Checked, float]:
            try:
                checked = check_password(engine, username, password, dummy)
            except BaseException:
                self.abandon(ticket)
                raise
            return checked, self.finish(ticket, checked.principal is not None)

        # Shielded: were the request cancelled while queued, the check still runs and
        # releases its ticket (an unfinished ticket would keep its pair busy for good).
        return await asyncio.shield(asyncio.get_running_loop().run_in_executor(self._pool, work))

    def dummy_hash(self) -> str:
        """A hash of a random password made like a real account's: checking a password of
        an unknown name against it costs the same as checking a real one."""
        if self._dummy is None:
            self._dummy = auth.hash_password(secrets.token_urlsafe(16))
        return self._dummy

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class ShedWhenFull:
    """ASGI layer: while the hashing pool is full, ``POST /auth/login`` is answered 503
    before its body is read or validated, so a flood costs the server as little as an
    HTTP request can (push, pull and /health share the same event loop)."""

    def __init__(self, app: Any, guard: LoginGuard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/auth/login"
            and scope["method"] == "POST"
            and self.guard.full()
        ):
            await self.guard.refuse(source_key(_client_host(scope)), Busy.retry_after_s)
            body = BUSY_BODY
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", b"1"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def _client_host(scope: Any) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


BUSY_BODY = '{"detail": "登录请求过多，服务器繁忙，请 1 秒后再试"}'.encode()


@dataclass(frozen=True)
class Checked:
    principal: auth.Principal | None
    known: bool  # the name is an account (never shown to the client)
    failed_logins: int  # the account's stored count before this attempt
    # An older hash (scrypt) replaced by argon2id now that the password is at hand:
    # (the hash read, the new one); written with the outcome.
    rehash: tuple[str, str] | None = None


def check_password(engine: Engine, username: str, password: str, dummy: str) -> Checked:
    """Read the account, close the connection, then hash: no transaction (and on SQLite no
    write lock) is held during the expensive part. An unknown name, or a disabled account,
    costs exactly one hash like any other attempt."""
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        row = conn.execute(
            select(
                User.username,
                User.role,
                User.password_hash,
                User.disabled,
                User.failed_logins,
                User.session_version,
            ).where(User.username == username)
        ).first()
    if row is None:
        auth.verify_password(password, dummy)
        return Checked(None, False, 0)
    ok = auth.verify_password(password, row.password_hash) and not row.disabled
    principal = auth.Principal(row.username, row.role, int(row.session_version)) if ok else None
    rehash = None
    if ok and auth.needs_rehash(row.password_hash):
        # The same password, so the account's session (its tokens) stays.
        rehash = (row.password_hash, auth.hash_password(password))
    return Checked(principal, True, int(row.failed_logins or 0), rehash)


def record_outcome(
    engine: Engine, username: str, ok: bool, rehash: tuple[str, str] | None = None
) -> None:
    """The account's count of failures in a row, for operators, and an upgraded password
    hash, in one short transaction. Called after the answer has gone out, so its cost does
    not tell known names apart."""
    values: dict[str, Any] = (
        {"failed_logins": 0} if ok else {"failed_logins": User.failed_logins + 1}
    )
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == username).values(**values))
        if ok and rehash is not None:
            old, new = rehash
            # Only over the hash that was checked: a password changed meanwhile stays.
            conn.execute(
                update(User)
                .where(User.username == username, User.password_hash == old)
                .values(password_hash=new)
            )


def needs_record(checked: Checked) -> bool:
    return checked.known and (
        checked.principal is None or checked.failed_logins > 0 or checked.rehash is not None
    )
