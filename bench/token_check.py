"""Benchmark: what checking every token against its account costs (issue #9 item 1).

Every authenticated request now reads the account row (role, disabled, session version) by
primary key before it runs. On each backend a real ``duty-server`` process serves a fresh
database; one client sends ``--requests`` ``GET /sync/pull?limit=1`` (the cheapest
authenticated call) and ``GET /health`` (unauthenticated, the floor) one after another.
Reported: p50/p95 of both, so the difference is the account check plus token parsing; and
the in-process cost of ``server.auth.resolve`` alone.

    python bench/token_check.py [--requests 500] [--backends sqlite postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from server import auth  # noqa: E402
from testkit.server import Database, ServerProcess, postgres_problem  # noqa: E402


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def run(backend: str, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.create(backend, Path(tmp))
        try:
            db.migrate()
            db.create_user("bench", "officer", "bench-password-1")
            claims = auth.Claims("bench", 1, int(time.time()) + 3600)
            start = time.perf_counter()
            for _ in range(n):
                auth.resolve(db.engine, claims)
            resolve_us = (time.perf_counter() - start) / n * 1e6
            server = ServerProcess(db).start()
            try:
                http = requests.Session()
                token = http.post(
                    f"{server.url}/auth/login",
                    json={"username": "bench", "password": "bench-password-1"},
                    timeout=30,
                ).json()["token"]
                headers = {"Authorization": f"Bearer {token}"}
                params = {"client_id": "0190a8a0-0000-7000-8000-0000000000cc", "limit": "1"}
                pulls: list[float] = []
                healths: list[float] = []
                for _ in range(n):
                    t = time.perf_counter()
                    r = http.get(f"{server.url}/sync/pull", params=params, headers=headers)
                    pulls.append(time.perf_counter() - t)
                    assert r.status_code == 200, r.text
                    t = time.perf_counter()
                    http.get(f"{server.url}/health")
                    healths.append(time.perf_counter() - t)
            finally:
                server.stop()
        finally:
            db.drop()
    print(
        f"{backend:10s} resolve() {resolve_us:6.0f} us/call | pull limit=1 p50 "
        f"{_p(pulls, 50):5.1f} ms p95 {_p(pulls, 95):5.1f} ms | /health p50 "
        f"{_p(healths, 50):5.1f} ms p95 {_p(healths, 95):5.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    for backend in args.backends:
        if backend == "postgresql" and (problem := postgres_problem()):
            print(f"postgresql skipped: {problem}")
            continue
        run(backend, args.requests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
