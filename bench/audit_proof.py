"""Benchmark: how long the audit proofs take on a county-sized audit log.

A scratch database (SQLite file, or PostgreSQL with ``--backend postgresql``) gets the
sample county and ``--mutations`` incident/timeline mutations through the real push path
(in-process ``sync_service.push``). Measured, in-process: signing an anchor
(``audit-anchor``: walks and recomputes the chain), checking it (``verify-audit --anchor``)
and the replay (``verify-audit --replay``: every applied mutation into a scratch SQLite,
then both digests). The replay must report no difference. No target: numbers for the
operator's cron interval.

    python bench/audit_proof.py [--backend sqlite|postgresql] [--mutations 20000]
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _sync_common import (
    DEFAULT_ADMIN_URL,
    DataGen,
    incident_workload,
    machine_line,
    sample_calls,
    sample_places,
    scratch_database,
    seed_in_process,
)


@contextlib.contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'duty-server.db'}"
        return
    with scratch_database(DEFAULT_ADMIN_URL, f"duty_bench_audit_{secrets.token_hex(4)}") as (
        url,
        _existed,
    ):
        yield url


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--mutations", type=int, default=20000)
    args = p.parse_args()

    from sqlalchemy import update

    from server.audit_proof import check_anchor, make_anchor, replay
    from server.db import make_engine, migrate
    from server.schema import ServerState

    with tempfile.TemporaryDirectory() as tmp, _database(args.backend, Path(tmp)) as url:
        engine = make_engine(url)
        migrate(engine)
        with engine.begin() as conn:  # a demo server: the sample county is accepted
            conn.execute(update(ServerState).where(ServerState.id == 1).values(demo=True))
        calls = sample_calls()
        work = incident_workload(DataGen(7, sample_places(calls)), args.mutations, 3)
        seconds, rejected = seed_in_process(url, "bench", calls + work)
        if rejected:
            print(f"{rejected} mutations rejected while seeding", file=sys.stderr)
            return 1
        print(machine_line())
        total = len(calls) + len(work)
        print(f"backend {args.backend}: {total} audited mutations ({seconds:.1f} s to push)")
        key = secrets.token_bytes(32)
        t0 = time.perf_counter()
        doc, problems = make_anchor(engine, key)
        t1 = time.perf_counter()
        assert doc is not None, problems
        assert check_anchor(engine, doc, key) == []
        t2 = time.perf_counter()
        report = replay(engine)
        t3 = time.perf_counter()
        engine.dispose()
        print(f"  audit-anchor           {t1 - t0:7.2f} s")
        print(f"  verify-audit --anchor  {t2 - t1:7.2f} s")
        print(f"  verify-audit --replay  {t3 - t2:7.2f} s  ({report.replayed} mutations)")
        if report.problems or report.impossible:
            print(report.problems[:5], report.impossible, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
