"""Sign-in cannot be used to deny service or to lock an officer out (issue #9, items 2-3).

Against a real duty-server on both backends; the source address of each attempt is the
real socket address, chosen by binding the client to another loopback address
(127.0.0.0/8 all reach the server on Linux). Each test uses its own accounts and its own
127.x.y.z range, so the throttle state of one test never leaks into another. The throttle
arithmetic itself is tested on a fake clock at the end.
"""

from __future__ import annotations

import secrets
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from server_testkit import Client, Database, ServerProcess

from server import auth, login_guard
from server.login_guard import LoginGuard, Throttled


class _FromAddress(HTTPAdapter):
    """Connections bound to a given local (source) address."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def _session(address: str) -> requests.Session:
    s = requests.Session()
    s.mount("http://", _FromAddress(address))
    return s


def _login(
    server: ServerProcess, address: str, username: str, password: str, session: Any = None
) -> requests.Response:
    s = session or _session(address)
    return s.post(
        f"{server.base_url}/auth/login",
        json={"username": username, "password": password},
        timeout=60,
    )


def _account(database: Database, prefix: str) -> tuple[str, str]:
    name = f"{prefix}-{secrets.token_hex(3)}"
    password = f"pw-{secrets.token_urlsafe(12)}"
    database.create_user(name, "officer", password)
    return name, password


# ---------------------------------------------------------------------------- item 3


def test_guesses_from_one_address_do_not_lock_out_another(
    database: Database, server: ServerProcess
) -> None:
    name, password = _account(database, "ward")
    stranger = _session("127.31.0.1")
    for _ in range(5):  # failure_delay: 0, 0, 0.25, 0.5, 1.0 s
        assert _login(server, "127.31.0.1", name, "wrong-guess!", stranger).status_code == 401
    # The 6th guess is checked and its answer waits failure_delay(6) = 2 s; the parallel
    # ones are refused unchecked: the stranger's address is now locked for this account.
    with ThreadPoolExecutor(4) as pool:
        futures = [
            pool.submit(_login, server, "127.31.0.1", name, "wrong-guess!") for _ in range(4)
        ]
        first = next(as_completed(futures)).result()
        assert first.status_code == 429, first.text
        assert int(first.headers["Retry-After"]) >= 1
        # ... while it is, the officer at another address signs in at once.
        start = time.monotonic()
        officer = _login(server, "127.31.0.2", name, password)
        elapsed = time.monotonic() - start
        codes = sorted(f.result().status_code for f in futures)
    assert officer.status_code == 200, officer.text
    assert officer.json()["username"] == name
    assert elapsed < auth.failure_delay(6)
    assert codes.count(401) <= 1 and codes.count(429) >= 3, codes
    # and a typo of the officer is an ordinary 401, not the stranger's lock
    assert _login(server, "127.31.0.2", name, "typo-password").status_code == 401


def test_account_cap_bounds_guessing_from_many_addresses(
    database: Database, server: ServerProcess
) -> None:
    name, password = _account(database, "capped")
    addresses = [f"127.32.0.{i}" for i in range(1, 17)]

    def guess_three(address: str) -> list[requests.Response]:
        s = _session(address)
        return [_login(server, address, name, f"guess-{n}-wrong", s) for n in range(3)]

    # 4 at a time stays inside the hashing pool's queue (no 503 to account for).
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        answers = [r for rs in pool.map(guess_three, addresses) for r in rs]
    elapsed = time.monotonic() - started
    codes = Counter(r.status_code for r in answers)
    assert set(codes) <= {401, 429}, codes
    # At most the account burst plus the reserve of fresh addresses, plus what both refilled
    # while this ran (a loaded machine makes it run longer), were checked; the rest were
    # refused unchecked.
    refilled = (login_guard.ACCOUNT_RATE + login_guard.RESERVE_RATE) * elapsed
    bound = login_guard.ACCOUNT_BURST + login_guard.RESERVE_BURST + int(refilled) + 1
    assert bound < 48 - 6, f"ran {elapsed:.0f} s: too slow to tell a cap from none"
    assert codes[401] <= bound, codes
    assert codes[429] >= 48 - bound, codes
    assert all("秒后再试" in r.json()["detail"] for r in answers if r.status_code == 429)

    # While the cap is exhausted even the right password is not checked: the bound holds
    # for every guess. (Guess on from fresh addresses until the refill is over a second
    # away, so the right password below cannot slip into a token refilled meanwhile.)
    for i in range(1, 40):
        r = _login(server, f"127.32.1.{i}", name, "guess-again-wrong")
        if r.status_code == 429 and int(r.headers["Retry-After"]) >= 2:
            break
    else:
        pytest.fail("the account cap never refused a guess")
    refused = _login(server, "127.32.2.1", name, password)
    assert refused.status_code == 429, refused.text
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 1 / login_guard.ACCOUNT_RATE + 1
    time.sleep(wait + 0.2)
    assert _login(server, "127.32.2.2", name, password).status_code == 200


# ---------------------------------------------------------------------------- item 2


def test_unknown_names_are_throttled_like_real_ones(
    database: Database, server: ServerProcess
) -> None:
    real, _password = _account(database, "real")
    ghost = f"ghost-{secrets.token_hex(4)}"
    outcomes = {}
    for i, name in enumerate((real, ghost)):
        address = f"127.33.0.{i + 1}"
        s = _session(address)
        first = [_login(server, address, name, "wrong-guess!", s).status_code for _ in range(4)]
        with ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(_login, server, address, name, "wrong-guess!") for _ in range(6)]
            burst = [f.result() for f in futures]
        outcomes[name] = (first, sorted(r.status_code for r in burst))
    for name in (real, ghost):
        first, burst = outcomes[name]
        assert first == [401] * 4, (name, first)
        assert burst.count(429) >= 5, (name, burst)  # one check at a time, not six


def test_unknown_and_known_names_take_the_same_time(
    database: Database, server: ServerProcess
) -> None:
    real, _password = _account(database, "timed")
    known: list[float] = []
    unknown: list[float] = []
    for i in range(24):  # a fresh address each round: no failure delay on either name
        address = f"127.34.0.{i + 1}"
        s = _session(address)
        _login(server, address, f"warm-{i}", "x", s)  # connection set up outside the timing
        order = [(real, known), (f"nobody-{secrets.token_hex(4)}", unknown)]
        if i % 2:
            order.reverse()
        for name, into in order:
            start = time.perf_counter()
            assert _login(server, address, name, "wrong-password!", s).status_code == 401
            into.append(time.perf_counter() - start)
    m_known, m_unknown = statistics.median(known), statistics.median(unknown)
    # One hash of the same cost each: medians within 30 % (+10 ms of scheduling noise).
    # Before the fix an unknown name cost two hashes (about twice as long).
    assert abs(m_known - m_unknown) <= 0.3 * max(m_known, m_unknown) + 0.01, (
        m_known,
        m_unknown,
    )


def test_login_flood_is_refused_quickly_while_push_and_health_stay_fast(
    database: Database, server: ServerProcess, client_for: Any
) -> None:
    from server_testkit import township_args

    writer: Client = client_for("officer")  # signed in before the flood
    stop = threading.Event()
    # (attacker, status, seconds to the answer, Retry-After)
    flood: list[tuple[int, int, float, str]] = []

    def bogus(i: int) -> None:
        address = f"127.35.{i}.1"
        s = _session(address)
        n = 0
        while not stop.is_set():  # as fast as the answers come, ignoring Retry-After
            n += 1
            start = time.monotonic()
            r = _login(server, address, f"bogus-{i}-{n}", "wrong-password!", s)
            took = time.monotonic() - start
            flood.append((i, r.status_code, took, r.headers.get("Retry-After", "")))

    threads = [threading.Thread(target=bogus, args=(i,), daemon=True) for i in range(32)]
    began = time.monotonic()
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        health: list[float] = []
        pushes: list[float] = []
        for _ in range(15):
            start = time.monotonic()
            assert server.health()["status"] == "ok"
            health.append(time.monotonic() - start)
            start = time.monotonic()
            writer.apply(("township.upsert", township_args()))
            pushes.append(time.monotonic() - start)
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    flooded_s = time.monotonic() - began
    codes = Counter(code for _, code, _, _ in flood)
    assert set(codes) <= {401, 429, 503}, codes
    busy = [(i, took, after) for i, code, took, after in flood if code == 503]
    assert busy, codes  # the pool is bounded: excess attempts are turned away ...
    assert all(after == "1" for _, _, after in busy)
    first_refusals = {i: took for i, took, _ in reversed(busy)}
    assert statistics.median(first_refusals.values()) < 0.5  # ... at once, not queued,
    # and a client that ignores Retry-After is answered no more often than it allows.
    for i in range(32):
        refused = sum(1 for j, code, _, _ in flood if j == i and code in (429, 503))
        assert refused <= flooded_s / 1.0 + 2, (i, refused, flooded_s)
    # Generous bounds for a shared test machine (bench/login_flood.py measures the real
    # target, p95 <= 200 ms); before the fix both took seconds on SQLite.
    assert max(health) < 1.5, health
    assert max(pushes) < 3.0, pushes


# ---------------------------------------------------------------------------- unit: arithmetic


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fail(guard: LoginGuard, address: str, name: str) -> float:
    return guard.finish(guard.admit(address, name, pool=False), False, pool=False)


def test_pair_lock_follows_failure_delay_and_success_resets_it() -> None:
    clock = _Clock()
    guard = LoginGuard(workers=1, clock=clock)
    delays = [_fail(guard, "10.0.0.1", "zhang") for _ in range(3)]
    assert delays == [auth.failure_delay(n) for n in (1, 2, 3)]
    with pytest.raises(Throttled) as refused:
        guard.admit("10.0.0.1", "zhang", pool=False)
    assert refused.value.reason == "pair"
    guard.admit("10.0.0.2", "zhang", pool=False)  # another address is not locked
    clock.now += auth.failure_delay(3)
    ticket = guard.admit("10.0.0.1", "zhang", pool=False)
    assert guard.finish(ticket, True, pool=False) == auth.failure_delay(3)
    assert _fail(guard, "10.0.0.1", "zhang") == 0.0  # reset by the success


def test_account_cap_reserve_and_refill() -> None:
    clock = _Clock()
    guard = LoginGuard(workers=1, clock=clock)
    burst = int(login_guard.ACCOUNT_BURST)
    for i in range(burst):
        _fail(guard, f"10.1.0.{i}", "li")
    # An address that already failed is refused; fresh ones share the small reserve.
    clock.now += 10  # past every pair lock, but the account refilled only 2.5 tokens
    for i in range(2):
        _fail(guard, f"10.1.0.{i}", "li")
    with pytest.raises(Throttled) as refused:
        guard.admit("10.1.0.9", "li", pool=False)
    assert refused.value.reason == "account"
    for i in range(int(login_guard.RESERVE_BURST)):
        _fail(guard, f"10.2.0.{i}", "li")
    with pytest.raises(Throttled) as refused:
        guard.admit("10.3.0.1", "li", pool=False)
    assert refused.value.reason == "account"
    assert 0 < refused.value.retry_after_s <= 1 / login_guard.ACCOUNT_RATE
    # Over a long run the account sees at most rate * time checks, from however many
    # addresses: hammer it from ever new addresses for an hour of fake time.
    checked = 0
    for step in range(3600):
        clock.now += 1
        try:
            ticket = guard.admit(f"10.9.{step // 250}.{step % 250}", "li", pool=False)
        except Throttled:
            continue
        guard.finish(ticket, False, pool=False)
        checked += 1
    limit = 3600 * (login_guard.ACCOUNT_RATE + login_guard.RESERVE_RATE) + 2
    assert checked <= limit, checked
    # ... and a name the server has never heard of is bounded identically.
    guard.admit("10.8.0.1", "li-other", pool=False)


def test_address_cap_over_all_names_and_pool_capacity() -> None:
    clock = _Clock()
    guard = LoginGuard(workers=1, queue=1, clock=clock)
    for i in range(int(login_guard.ADDRESS_BURST)):
        _fail(guard, "10.4.0.1", f"name-{i}")
    with pytest.raises(Throttled) as refused:
        guard.admit("10.4.0.1", "yet-another", pool=False)
    assert refused.value.reason == "address"
    first = guard.admit("10.5.0.1", "a")
    guard.admit("10.5.0.2", "b")
    with pytest.raises(login_guard.Busy):
        guard.admit("10.5.0.3", "c")
    guard.finish(first, False)
    guard.admit("10.5.0.3", "c")  # a slot came free


def test_ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() -> None:
    assert login_guard.source_key("2001:db8:1:2:aaaa::1") == login_guard.source_key(
        "2001:db8:1:2:bbbb::9"
    )
    assert login_guard.source_key("2001:db8:1:3::1") != login_guard.source_key("2001:db8:1:2::1")
    assert login_guard.source_key("::ffff:10.0.0.7") == "10.0.0.7"
