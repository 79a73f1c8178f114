"""Benchmark: 管控一张表 at county scale (issue 12): 390 villages x 60 households in one
evacuation, 20,000 transfer events recorded on four workstations, synced through a real
duty-server; the roll-up after a change, and the counts on every workstation.

Targets: roll-up on screen <= 100 ms after a change; every workstation's county total equal
after sync. The county here is generated (20 townships x ~20 villages, named 测试镇N/测试村N),
not the sample and not real; it never leaves the temporary folders.

    python bench/transfer_rollup.py [--villages 390] [--events 20000] [--workstations 4]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from console.domain import catalog  # noqa: E402
from console.domain.ids import new_id  # noqa: E402
from console.services.context import open_workstation  # noqa: E402
from console.services.control_table import ControlTable  # noqa: E402
from console.services.transfers import TransferService  # noqa: E402
from console.sync.client import SyncClient  # noqa: E402
from console.sync.engine import SyncEngine  # noqa: E402
from testkit.server import Database, running_server  # noqa: E402

PASSWORD = "bench-pass-1"


def _sync(data_dir: Path, url: str, user: str) -> float:
    ws = open_workstation(data_dir, autoload=False)
    client = SyncClient(url)
    try:
        client.login(user, PASSWORD)
        start = time.perf_counter()
        SyncEngine(ws.store, client).sync_once()
        return time.perf_counter() - start
    finally:
        client.close()
        ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=390)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--workstations", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(928)
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as tmp:
        root = Path(tmp)
        db = Database.create("sqlite", root / "server")
        db.migrate()
        users = {f"ws{i}": ("officer", PASSWORD) for i in range(args.workstations)}
        db.create_users(users)
        db.dispose()
        dirs = [root / f"ws{i}" for i in range(args.workstations)]
        with running_server(db) as server:
            for d in dirs:
                open_workstation(d, autoload=False).close()
            # The generated county and the evacuation, from the first workstation.
            first = open_workstation(dirs[0], autoload=False)
            calls = []
            townships = [new_id() for _ in range(20)]
            for i, t in enumerate(townships):
                calls.append(("township.upsert", {"id": t, "name": f"测试镇{i}", "kind": "镇"}))
            villages = []
            for i in range(args.villages):
                v = new_id()
                villages.append(v)
                calls.append(
                    (
                        "village.upsert",
                        {"id": v, "township_id": townships[i % 20], "name": f"测试村{i}"},
                    )
                )
            first.writer.apply(calls, user="ws0")
            service = TransferService.of(first.writer)
            evac = service.open("基准测试转移", user="ws0")
            t0 = time.perf_counter()
            for v in villages:  # one write each, as an officer adds them
                service.add_area(evac, v, planned_households=60, planned_persons=180, user="ws0")
            add_s = time.perf_counter() - t0
            first.close()
            for d in dirs:
                _sync(d, server.url, d.name)
            # Events, split over the workstations, recorded offline in batches.
            per = args.events // args.workstations
            record_s = 0.0
            totals = 0
            for d in dirs:
                ws = open_workstation(d, autoload=False)
                batch = []
                for _ in range(per):
                    n = rng.randint(1, 6)
                    totals += n
                    batch.append(
                        (
                            "transfer.record",
                            {
                                "id": new_id(),
                                "evacuation_id": evac,
                                "village_id": rng.choice(villages),
                                "risk_point_id": None,
                                "kind": catalog.MOVED,
                                "persons": n,
                                "households": 1,
                                "destination": "投亲靠友",
                                "shelter_id": None,
                                "reported_by": "基准",
                                "reported_at": "2026-09-28T15:00:00+08:00",
                                "correction_of": "",
                                "note": "",
                            },
                        )
                    )
                t0 = time.perf_counter()
                for i in range(0, len(batch), 500):
                    ws.writer.apply(batch[i : i + 500], user=d.name)
                record_s += time.perf_counter() - t0
                ws.close()
            sync_s = [_sync(d, server.url, d.name) for d in dirs]  # push
            sync_s += [_sync(d, server.url, d.name) for d in dirs]  # pull the others'
            counts = []
            for d in dirs:
                ws = open_workstation(d, autoload=False)
                counts.append(TransferService.of(ws.writer).roll_up(evac).county.moved)
                ws.close()
            # Roll-up after a change, as the page does it (one new report, then the snapshot).
            ws = open_workstation(dirs[0], autoload=False)
            service = TransferService.of(ws.writer)
            table = ControlTable(service)
            after_change = []
            rollup_only = []
            for _ in range(args.repeat):
                service.record(evac, rng.choice(villages), catalog.MOVED, 1, user="ws0")
                t0 = time.perf_counter()
                snapshot = table.snapshot(evac)
                after_change.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                service.roll_up(evac)
                rollup_only.append((time.perf_counter() - t0) * 1000)
            rows = len(snapshot.rows)
            ws.close()
    total = per * args.workstations
    equal = "EQUAL" if len(set(counts)) == 1 and counts[0] == totals else "DIFFERENT"
    pushes = ", ".join(f"{s:.1f}" for s in sync_s[: len(dirs)])
    pulls = ", ".join(f"{s:.1f}" for s in sync_s[len(dirs) :])
    print(f"villages {args.villages}, events {total} on {args.workstations} workstations")
    print(f"circle: {args.villages} add_area writes in {add_s:.2f} s")
    print(f"recording: {total / record_s:,.0f} events/s (batches of 500)")
    print(f"sync rounds: push {pushes} s; pull {pulls} s")
    print(f"county 已转 on each workstation: {counts} (expected {totals}) -> {equal}")
    med, top = statistics.median(rollup_only), max(rollup_only)
    print(f"roll-up only: median {med:.1f} ms, max {top:.1f} ms")
    med, top = statistics.median(after_change), max(after_change)
    print(
        f"page snapshot after a change ({rows} rows): median {med:.1f} ms, max {top:.1f} ms"
        " (target <= 100 ms)"
    )


if __name__ == "__main__":
    main()
