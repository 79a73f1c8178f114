"""Benchmark: does a flood of bogus sign-ins slow down push and /health? (issue #9, item 2)

For each backend (SQLite, the default, and PostgreSQL) a throw-away database and a real
``duty-server`` process on loopback. First a quiet baseline, then ``--threads`` attackers
(default 64, spread over ``--procs`` processes so the measuring process keeps its own GIL)
post ``POST /auth/login`` with unknown names and wrong passwords as fast as the answers
come, never honouring Retry-After. Each attacker thread uses its own loopback source
address (127.60.x.y), a distributed flood that per-address throttling cannot stop, so only
the bounded hashing pool stands between it and the rest of the server (``--one-address``:
all from 127.0.0.1). Meanwhile one thread measures ``GET /health`` and another pushes one
``township.upsert`` per request, as a workstation does.

Goal: /health and push p95 <= 200 ms under the flood, on both backends. Exit code 1 if not.

    python bench/login_flood.py [--backend both|sqlite|postgresql] [--threads 64]
                                [--seconds 15] [--procs 4] [--one-address]
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing as mp
import secrets
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from _sync_common import machine_line, percentile  # puts the checkout on sys.path
from requests.adapters import HTTPAdapter

from console.domain.ids import new_id
from console.domain.mutations import SCHEMA_VERSION
from testkit.server import PG_URL, Database, ServerProcess, postgres_problem

GOAL_P95_S = 0.200
PASSWORD = "bench-pass-1"


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def _attacker(url: str, address: str, stop: Any, counts: Any, lock: Any) -> None:
    s = requests.Session()
    if address != "127.0.0.1":
        s.mount("http://", _FromAddress(address))
    mine: Counter[int] = Counter()
    n = 0
    while not stop.is_set():
        n += 1
        name = f"x{secrets.token_hex(6)}"
        try:
            r = s.post(f"{url}/auth/login", json={"username": name, "password": "wrong-pass"})
            mine[r.status_code] += 1
        except requests.RequestException:
            mine[0] += 1
    with lock:
        for code, k in mine.items():
            counts[code] = counts.get(code, 0) + k


def _attack_process(
    url: str, addresses: list[str], stop: Any, counts: Any, lock: Any, ready: Any
) -> None:
    threads = [
        threading.Thread(target=_attacker, args=(url, a, stop, counts, lock), daemon=True)
        for a in addresses
    ]
    for t in threads:
        t.start()
    ready.release()
    for t in threads:
        t.join()


class _Probe:
    """/health and push latencies, each from its own thread, ~10 requests/s each."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.health: list[float] = []
        self.push: list[float] = []
        self.errors: Counter[str] = Counter()
        self._stop = threading.Event()
        self._headers = {"Authorization": f"Bearer {token}"}
        self._client_id = str(uuid.uuid4())
        self._ids = itertools.count(1)
        self._threads = [
            threading.Thread(target=self._loop, args=(self._health_once,), daemon=True),
            threading.Thread(target=self._loop, args=(self._push_once,), daemon=True),
        ]

    def _loop(self, once: Any) -> None:
        s = requests.Session()
        while not self._stop.is_set():
            try:
                once(s)
            except requests.RequestException as exc:
                self.errors[type(exc).__name__] += 1
            time.sleep(0.1)

    def _health_once(self, s: requests.Session) -> None:
        start = time.perf_counter()
        r = s.get(f"{self.url}/health", timeout=60)
        took = time.perf_counter() - start
        if r.status_code != 200:
            self.errors[f"health {r.status_code}"] += 1
        self.health.append(took)

    def _push_once(self, s: requests.Session) -> None:
        mid = next(self._ids)
        mutation = {
            "mutation_id": mid,
            "name": "township.upsert",
            "args": {"id": new_id(), "name": "测试镇", "kind": "镇"},
            "hlc": f"{time.time_ns() // 1_000_000:016d}-{mid % 100000:05d}-bench",
            "schema_version": SCHEMA_VERSION,
        }
        body: dict[str, Any] = {"client_id": self._client_id, "mutations": [mutation]}
        start = time.perf_counter()
        r = s.post(f"{self.url}/sync/push", json=body, headers=self._headers, timeout=60)
        took = time.perf_counter() - start
        if r.status_code != 200 or r.json()["results"][0]["status"] != "applied":
            self.errors[f"push {r.status_code}"] += 1
        self.push.append(took)

    def run(self, seconds: float) -> None:
        for t in self._threads:
            t.start()
        time.sleep(seconds)
        self._stop.set()
        for t in self._threads:
            t.join(120)


def _line(label: str, values: list[float]) -> str:
    if not values:
        return f"  {label:<8} no samples"
    return (
        f"  {label:<8} n={len(values):<4} p50 {percentile(values, 50) * 1000:7.1f} ms"
        f"  p95 {percentile(values, 95) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
    )


def run_backend(backend: str, args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="login-flood-") as tmp:
        db = Database.create(
            backend, Path(tmp), prefix="duty_bench_flood", admin_url=args.admin_url
        )
        try:
            db.migrate()
            db.create_user("writer", "officer", PASSWORD)
            server = ServerProcess(db, Path(tmp) / "server.log").start()
            try:
                return _measure(backend, server, args)
            finally:
                server.stop()
        finally:
            db.drop()


def _measure(backend: str, server: ServerProcess, args: argparse.Namespace) -> bool:
    print(f"\n== {backend} ==")
    # Signed in before the flood, as the county's workstations are (a token lasts a shift).
    token = requests.post(
        f"{server.url}/auth/login", json={"username": "writer", "password": PASSWORD}, timeout=60
    ).json()["token"]
    quiet = _Probe(server.url, token)
    quiet.run(args.quiet_seconds)
    print(" quiet:")
    print(_line("/health", quiet.health))
    print(_line("push", quiet.push))

    ctx = mp.get_context("spawn")
    stop, lock = ctx.Event(), ctx.Lock()
    counts = ctx.Manager().dict()
    ready = ctx.Semaphore(0)
    if args.one_address:
        addresses = ["127.0.0.1"] * args.threads
    else:
        addresses = [f"127.60.{i // 200}.{i % 200 + 1}" for i in range(args.threads)]
    per = -(-args.threads // args.procs)
    procs = [
        ctx.Process(
            target=_attack_process,
            args=(server.url, addresses[i : i + per], stop, counts, lock, ready),
            daemon=True,
        )
        for i in range(0, args.threads, per)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    time.sleep(2.0)  # let the flood reach its steady state
    flooded = _Probe(server.url, token)
    start = time.monotonic()
    flooded.run(args.seconds)
    stop.set()
    for p in procs:
        p.join(60)
    elapsed = time.monotonic() - start + 2.0
    total = sum(counts.values())
    where = "one address" if args.one_address else f"{len(set(addresses))} addresses"
    print(f" flood: {args.threads} threads from {where}, {total / elapsed:.0f} logins/s")
    print("  answers: " + ", ".join(f"{code}: {k}" for code, k in sorted(counts.items())))
    print(_line("/health", flooded.health))
    print(_line("push", flooded.push))
    if quiet.errors or flooded.errors:
        print(f"  errors: {dict(quiet.errors + flooded.errors)}")
    ok = (
        not flooded.errors
        and percentile(flooded.health, 95) <= GOAL_P95_S
        and percentile(flooded.push, 95) <= GOAL_P95_S
        and counts.get(500, 0) == 0
    )
    print(f"  goal p95 <= {GOAL_P95_S * 1000:.0f} ms, no errors: {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    p.add_argument("--threads", type=int, default=64)
    p.add_argument("--procs", type=int, default=4, help="attacker processes")
    p.add_argument("--seconds", type=float, default=15.0, help="measured flood time")
    p.add_argument("--quiet-seconds", type=float, default=5.0)
    p.add_argument("--one-address", action="store_true", help="flood from 127.0.0.1 only")
    p.add_argument("--admin-url", default=PG_URL, help="PostgreSQL for the scratch database")
    args = p.parse_args()
    print(machine_line())
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = {}
    for backend in backends:
        if backend == "postgresql" and (problem := postgres_problem(args.admin_url)):
            print(f"\n== postgresql == skipped: {problem}")
            results[backend] = False
            continue
        results[backend] = run_backend(backend, args)
    print("\n" + ", ".join(f"{b}: {'PASS' if ok else 'FAIL'}" for b, ok in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
