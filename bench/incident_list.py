"""Benchmark: the incident list's whole refresh, and saving a call, with 100,000 incidents.

What the officer waits for after a filter change is the model's whole refresh:
``IncidentTableModel.refresh`` with everything it reads before the view can paint (the
sorted row ids, the place names, the first page of rows with their reports and deadlines)
and its reset. That is timed per filter (target: under 50 ms), beside the id query alone
(``query_rowids``) and the raw sqlite3 query of the same filter on the same file in the same
run (ratio id query / raw, target <= 2). Then ``IncidentService.take_call`` (incident + 来电
timeline entry, one transaction with outbox rows) is timed: p50/p95 of ``--saves`` saves.

    python bench/incident_list.py [--incidents 100000] [--repeat 15] [--saves 300]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import write_path

from console.domain import beijing
from console.models.incident_table_model import IncidentTableModel
from console.services.context import open_workstation
from console.services.incident_list import IncidentFilter, _statement, query_rowids
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.store.search import register

CASES: list[tuple[str, IncidentFilter, str, bool]] = [
    ("全部 按接报时间倒序", IncidentFilter(), "received_at", True),
    (
        "未结案(接报/核实/处置中)",
        IncidentFilter(statuses=frozenset({"接报", "核实", "处置中"})),
        "received_at",
        True,
    ),
    ("自然灾害 按等级", IncidentFilter(category="自然灾害"), "grade", False),
    ("检索“滑坡”", IncidentFilter(text="滑坡"), "received_at", True),
    (
        "2022年 + 较大",
        IncidentFilter(
            grade="较大", date_from="2022-01-01T00:00:00+08:00", date_to="2023-01-01T00:00:00+08:00"
        ),
        "received_at",
        True,
    ),
]


def timed(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/incident_list.py", description=__doc__)
    p.add_argument("--incidents", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--saves", type=int, default=300)
    p.add_argument("--cache-dir", type=Path, default=write_path.default_cache_dir())
    args = p.parse_args(argv)
    src = write_path.cached_store(args.cache_dir, args.incidents)
    work = write_path.copy_store(src, Path(tempfile.mkdtemp(prefix="duty-list-")) / "data")
    ws = open_workstation(work)
    raw = sqlite3.connect(ws.store.path)
    register(raw)
    ok = True
    model = IncidentTableModel(IncidentSource(ws.store))  # no runner: refresh() in place
    print(
        f"{'filter':<26} {'rows':>7} {'refresh ms':>11} {'ids ms':>8} {'raw SQL ms':>11} "
        f"{'ratio':>6}"
    )
    for label, flt, sort, desc in CASES:
        compiled = _statement(flt, sort, desc).compile(
            ws.store.engine, compile_kwargs={"literal_binds": True}
        )
        sql = str(compiled)
        rows = len(query_rowids(ws.store, flt, sort, desc))

        def service_query(f: IncidentFilter = flt, s: str = sort, d: bool = desc) -> object:
            return query_rowids(ws.store, f, s, d)

        def raw_query(q: str = sql) -> object:
            return raw.execute(q).fetchall()

        def whole_refresh(f: IncidentFilter = flt, s: str = sort, d: bool = desc) -> object:
            model._filter, model._sort, model._descending = f, s, d
            model.refresh()
            return model.rowCount()

        refresh = timed(whole_refresh, args.repeat)
        service = timed(service_query, args.repeat)
        baseline = timed(raw_query, args.repeat)
        ratio = service / baseline
        passed = ratio <= 2 and refresh < 0.050
        ok &= passed
        print(
            f"{label:<26} {rows:>7} {refresh * 1e3:>11.1f} {service * 1e3:>8.1f} "
            f"{baseline * 1e3:>11.1f} {ratio:>6.2f} {'PASS' if passed else 'FAIL'}"
        )
    svc = IncidentService(ws.writer)
    places = svc.places()
    form = {
        "caller_name": "王某某",
        "caller_phone": "13800000001",
        "township": "北界镇",
        "village": "苏村",
        "category": "自然灾害",
        "subtype": "地质",
        "grade": "一般",
        "description": "后山发生滑坡，一户民房受威胁",
    }
    saves = []
    for _ in range(args.saves):
        t0 = time.perf_counter()
        svc.take_call(form, user="值班员", now=beijing.now(), places=places)
        saves.append(time.perf_counter() - t0)
    saves.sort()
    p50, p95 = saves[len(saves) // 2], saves[int(len(saves) * 0.95)]
    print(
        f"save (take_call) with {args.incidents:,} stored: p50 {p50 * 1e3:.2f} ms, "
        f"p95 {p95 * 1e3:.2f} ms over {args.saves}"
    )
    print(f"load average {os.getloadavg()[0]:.2f} at the end ({os.cpu_count()} cores)")
    raw.close()
    ws.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
