"""Benchmark: loading the sample county on a workstation's first run.

Each run opens a new store in a temporary folder (migrations included) and loads the bundled
sample county with its incidents through the write path, in one transaction, as the first
start of a standalone console does (in the background). Prints the median open and load times
and the number of mutation calls.

Target: the load stays well under a second (it runs behind the first page, but a second
start before it ends would find no sample).

    python bench/sample_load.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _once(folder: Path) -> tuple[float, float, int]:
    from console.domain.roles import SYSTEM_USER
    from console.domain.sample import build_calls
    from console.services.sample_data import load_sample, read_sample
    from console.store.database import open_store
    from console.store.writer import Writer

    t0 = time.perf_counter()
    store = open_store(folder)
    t1 = time.perf_counter()
    try:
        load_sample(Writer(store), user=SYSTEM_USER)
        t2 = time.perf_counter()
    finally:
        store.close()
    return t1 - t0, t2 - t1, len(build_calls(read_sample()))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--max-load", type=float, default=1.0, help="target load s (default 1.0)")
    args = p.parse_args()
    opens, loads, calls = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        _once(Path(tmp) / "warm-up")
        for i in range(args.runs):
            o, load, calls = _once(Path(tmp) / f"run{i}")
            opens.append(o)
            loads.append(load)
    load = statistics.median(loads)
    print(f"county mutation calls: {calls}")
    print(f"open new store (median): {statistics.median(opens):.3f} s")
    print(f"sample load (median of {args.runs}): {load:.3f} s  (max {max(loads):.3f} s)")
    ok = load <= args.max_load
    print(f"target: load <= {args.max_load:g} s {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
