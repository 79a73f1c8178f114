"""Benchmark: push throughput of ONE duty-server process against PostgreSQL.

A scratch PostgreSQL database gets the sample county (in-process push), then a real
``duty-server`` process serves it on loopback. ``--clients`` workstations (one thread and
one HTTP session each, own account and client id) push ``--mutations`` ``incident.create``
mutations in total, ``--batch`` per ``POST /sync/push``, all at the same time. Each request
is exactly what ``SyncEngine`` sends (outbox-shaped items: gap-free mutation ids, HLC,
schema version). Measured: wall time from the first request to the last reply ->
mutations/s, and the latency of single pushes. Every mutation must come back "applied" and
the server must hold every incident afterwards.

Goal: mutations/s >= 2,000. Exit code 1 if it fails.

    python bench/sync_push.py [--clients 4] [--mutations 20000] [--batch 500]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from _sync_common import (
    DEFAULT_ADMIN_URL,
    PASSWORD,
    DataGen,
    as_push_items,
    create_users,
    libpq_url,
    machine_line,
    percentile,
    print_table,
    running_server,
    sample_calls,
    sample_places,
    scratch_database,
    seed_in_process,
)

from console.sync.client import SyncClient


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 when unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker(
    url: str,
    user: str,
    items: list[dict[str, Any]],
    batch: int,
    start: threading.Barrier,
    latencies: list[float],
    outcome: dict[str, Any],
) -> None:
    client = SyncClient(url)
    try:
        client.login(user, PASSWORD)
        client_id = str(uuid.uuid4())
        chunks = [items[i : i + batch] for i in range(0, len(items), batch)]
        applied = 0
        start.wait()
        for chunk in chunks:
            t0 = time.perf_counter()
            reply = client.push(client_id, chunk)
            latencies.append(time.perf_counter() - t0)
            applied += sum(1 for r in reply["results"] if r["status"] == "applied")
            if int(reply["last_mutation_id"]) != chunk[-1]["mutation_id"]:
                raise RuntimeError(f"server acknowledged {reply['last_mutation_id']}")
        outcome["applied"] = applied
    except Exception as exc:  # reported by the main thread
        outcome["error"] = repr(exc)
        start.abort()
    finally:
        outcome["done"] = time.perf_counter()
        client.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--clients", type=int, default=4, help="concurrent workstations")
    p.add_argument("--mutations", type=int, default=20_000, help="incident.create in total")
    p.add_argument("--batch", type=int, default=500, help="mutations per push request")
    p.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="libpq URL of an admin db")
    p.add_argument("--db-name", default="duty_bench_push", help="scratch database name")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--goal", type=float, default=2_000.0, help="mutations/s to reach")
    args = p.parse_args(argv)

    print(machine_line())
    users = [f"ws{i + 1}" for i in range(args.clients)]
    per_client = args.mutations // args.clients
    total = per_client * args.clients
    with (
        tempfile.TemporaryDirectory(prefix="sync-push-") as tmp_name,
        scratch_database(args.admin_url, args.db_name) as (db_url, _existed),
    ):
        create_users(db_url, users)
        calls = sample_calls()
        seed_in_process(db_url, users[0], calls)
        places = sample_places(calls)
        work = []
        for i, user in enumerate(users):
            gen = DataGen(args.seed + i, places)
            mutations = [("incident.create", gen.incident()) for _ in range(per_client)]
            work.append((user, as_push_items(mutations, 1, f"{user}{os.getpid()}")))

        with running_server(db_url, Path(tmp_name) / "server.log") as srv:
            barrier = threading.Barrier(args.clients + 1)
            latencies: list[float] = []
            outcomes: list[dict[str, Any]] = [{} for _ in users]
            threads = [
                threading.Thread(
                    target=_worker,
                    args=(srv.url, user, items, args.batch, barrier, latencies, outcomes[i]),
                    name=f"push-{user}",
                )
                for i, (user, items) in enumerate(work)
            ]
            for t in threads:
                t.start()
            cpu0 = _cpu_seconds(srv.proc.pid) if srv.proc else 0.0
            barrier.wait()
            t0 = time.perf_counter()
            for t in threads:
                t.join()
            took = max(o.get("done", t0) for o in outcomes) - t0
            server_cpu = (_cpu_seconds(srv.proc.pid) if srv.proc else 0.0) - cpu0

        errors = [o["error"] for o in outcomes if "error" in o]
        applied = sum(int(o.get("applied", 0)) for o in outcomes)
        with psycopg.connect(libpq_url(db_url)) as conn:
            row = conn.execute("SELECT count(*) FROM incidents").fetchone()
            stored = int(row[0]) if row else 0

    rate = total / took
    complete = not errors and applied == total and stored == total
    print(machine_line())
    print_table(
        "push throughput, one server process, PostgreSQL",
        [
            ("clients x mutations", f"{args.clients} x {per_client}", "", None),
            ("mutations per push", f"{args.batch}", "", None),
            ("wall time", f"{took:.2f} s", "", None),
            ("mutations/s", f"{rate:,.0f}", f">= {args.goal:,.0f}", rate >= args.goal),
            ("server process CPU", f"{server_cpu:.1f} s", "", None),
            ("server CPU per mutation", f"{server_cpu / total * 1e6:.0f} us", "", None),
            ("load average (1 min) after", f"{os.getloadavg()[0]:.1f}", "", None),
            ("push latency p50", f"{percentile(latencies, 50) * 1000:.0f} ms", "", None),
            ("push latency p95", f"{percentile(latencies, 95) * 1000:.0f} ms", "", None),
            ("applied / on server", f"{applied} / {stored}", f"= {total}", complete),
        ],
    )
    for error in errors:
        print("error:", error)
    return 0 if rate >= args.goal and complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
