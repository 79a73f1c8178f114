"""Power-cut behaviour: a writer process killed with SIGKILL at random moments.

After every kill the file must pass ``PRAGMA integrity_check``, the outbox must hold exactly
the mutation ids 1..next-1, every incident/timeline row must have exactly one outbox row that
created it (with equal values) and vice versa, and every transaction the child reported as
committed must be there. Then the store reopens and writes on with the next id.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from console.store.database import open_store
from console.store.writer import Writer

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("burst_writer.py")
CREATED_BY = {"incident.create": "incidents", "timeline.append": "incident_timeline"}


class Child:
    """The burst writer, with its stdout drained on a thread (so it never blocks on print)."""

    def __init__(self, store_dir: Path, seed: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(store_dir), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=env,
        )
        self.ready = threading.Event()
        self.committed = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("ready"):
                self.ready.set()
            elif line.startswith("committed "):
                self.committed = int(line.split()[1])

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._reader.join(timeout=10)
        assert self.proc.returncode == -signal.SIGKILL, self.proc.stderr and self.proc.stderr.read()


def check_consistent(raw: Any) -> int:
    """All invariants of a crashed store; returns the number of outbox rows."""
    assert raw.integrity() == "ok"
    outbox = raw.outbox()
    next_id = raw.next_mutation_id()
    assert [o["mutation_id"] for o in outbox] == list(range(1, next_id))
    if outbox:
        assert raw.last_hlc() == outbox[-1]["hlc"]
    hlcs = [o["hlc"] for o in outbox]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)

    tables = {t: raw.rows(t) for t in CREATED_BY.values()}
    created: dict[str, set[str]] = {t: set() for t in tables}
    for entry in outbox:
        table = CREATED_BY[entry["name"]]
        args = entry["args"]
        rid = args["id"]
        assert rid not in created[table], f"two outbox rows create {rid}"
        created[table].add(rid)
        stored = tables[table].get(rid)
        assert stored is not None, f"outbox row {entry['mutation_id']} has no {table} row"
        assert {k: stored[k] for k in args} == args
        assert stored["updated_at"] == entry["hlc"]
        assert stored["updated_by"] == entry["user"] == "burst"
    for table, rows in tables.items():
        assert set(rows) == created[table], f"{table} rows without an outbox row"
    return len(outbox)


@pytest.mark.slow
def test_sigkill_during_write_bursts_loses_nothing_committed(store_dir: Path, raw: Any) -> None:
    open_store(store_dir).close()  # the child opens an existing store, as after a restart
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    total = 0
    for round_no in range(6):
        child = Child(store_dir, seed=rng.randint(1, 10**6))
        if round_no == 0:
            time.sleep(rng.uniform(0.05, 0.3))  # possibly still importing or opening
        else:
            assert child.ready.wait(timeout=30), "burst writer did not start"
            time.sleep(rng.uniform(0.02, 0.4))
        child.kill()
        if child.ready.is_set():  # the crash left its -wal for the next open to recover
            assert (store_dir / "duty.db-wal").exists()

        store = open_store(store_dir)  # must open with the crashed -wal still beside it
        store.close()
        count = check_consistent(raw)
        # every transaction the child saw committed is on disk (each has >= 1 mutation)
        assert count >= total + child.committed
        total = count
    assert total >= 20, "the child hardly wrote anything: the test proved nothing"

    store = open_store(store_dir)
    try:
        expected = raw.next_mutation_id()
        incident = {
            "id": "0193a000-0000-7000-8000-000000000001",
            "received_at": "2026-11-28T12:00:00+08:00",
            "category": "事故灾难",
            "title": "重启后的第一起事件",
        }
        changes = Writer(store).apply([("incident.create", incident)], user="burst")
        assert changes.mutation_ids == (expected,)
    finally:
        store.close()
    assert check_consistent(raw) == total + 1
