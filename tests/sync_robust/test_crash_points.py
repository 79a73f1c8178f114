"""SIGKILL of a real ``duty-console sync --once`` process at each crash point, then restart.

Crash points (``DUTY_FAULT_KILL_AT``, see console/faults.py): the push is on the wire (no
reply read); the server committed but the reply is not stored; half-way through applying a
big pull page. After a plain restart every invariant of ARCHITECTURE.md must hold.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from robust_kit import (
    Ledger,
    busy_workstation,
    check_invariants,
    console_digest,
    console_sync,
    cursor_not_ahead,
    incident_create,
    integrity_ok,
    sync_in_process,
    timeline_append,
    ws_cursor,
    ws_query,
)

from console.services.context import open_workstation
from console.sync.apply import discard_sample_incidents
from testkit.server import Database, ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]  # a crash round is 15-30 s under load


def _officer_work(data_dir: Path, foreign: list[str]) -> list[str]:
    """A's offline work: creates, log rows, an edit, and deletes an officer may not do."""
    ws = open_workstation(data_dir, sample_incidents=False)
    mine: list[str] = []
    try:
        for i in range(15):
            name, args = incident_create(f"A-事件{i}")
            mine.append(str(args["id"]))
            ws.writer.apply([(name, args)], user="zhang")
            ws.writer.apply([timeline_append(mine[-1], f"A 记录 {i}")], user="zhang")
        ws.writer.apply(
            [
                (
                    "incident.update",
                    {"id": foreign[0], "fields": {"address": "A 补充地址"}, "before": {}},
                ),
                timeline_append(foreign[1], "A 在 B 的事件下追加"),
                ("incident.delete", {"id": foreign[2]}),  # officer: rejected by the server
                ("incident.delete", {"id": mine[0]}),  # also rejected
            ],
            user="zhang",
        )
    finally:
        ws.close()
    return mine


def _incident_ids(data_dir: Path) -> set[str]:
    return {str(r[0]) for r in ws_query(data_dir, "SELECT id FROM incidents")}


@pytest.mark.parametrize("point", ["after_push_sent", "after_push_reply", "mid_pull_apply"])
def test_sigkill_at_crash_point_then_restart(
    point: str, server: ServerProcess, server_db: Database, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    known = busy_workstation(b, 10, "B1")
    sync_in_process(b, server.url, "li")
    open_workstation(a, sample_incidents=False).close()  # sample county, pending
    first = console_sync(a, server.url, "zhang")
    assert first.returncode == 0, first.stderr
    foreign = busy_workstation(b, 60, "B2")  # A's next pull is big
    sync_in_process(b, server.url, "li")
    mine = _officer_work(a, known)
    before = Ledger.read(a)
    cursor_before = ws_cursor(a)
    assert cursor_before is not None and before.acked < before.next_mutation_id - 1

    killed = console_sync(a, server.url, "zhang", kill_at=point)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)

    integrity_ok(a)
    cursor_not_ahead(server_db, a)
    after = Ledger.read(a)
    assert after.outbox == before.outbox  # nothing committed locally is lost
    server_last = int(
        server_db.scalar(
            "SELECT last_mutation_id FROM sync_clients WHERE client_id = :c", c=after.client_id
        )
    )
    if point == "after_push_sent":
        # The reply was never read: nothing acknowledged locally. The server may or may not
        # have committed the push; either way the replay must apply it once.
        assert after.acked == before.acked and after.rejected == before.rejected
        assert ws_cursor(a) == cursor_before
    elif point == "after_push_reply":
        assert server_last == before.next_mutation_id - 1  # committed on the server...
        assert after.acked == before.acked  # ...the reply not stored
        assert after.rejected == before.rejected
        assert ws_cursor(a) == cursor_before
    else:
        assert after.acked == before.next_mutation_id - 1
        assert len(after.rejected - before.rejected) == 2
        # The killed pull rolled back as a whole: same cursor, none of B's incidents.
        assert ws_cursor(a) == cursor_before
        assert not _incident_ids(a) & set(foreign)

    again = console_sync(a, server.url, "zhang")
    assert again.returncode == 0, again.stderr
    sync_in_process(b, server.url, "li")
    counts = check_invariants(server_db, [a, b], digest_of=console_digest)
    assert counts["rejected"] == len(before.rejected) + 2
    assert set(known) | set(foreign) | set(mine) <= _incident_ids(a)
    done = server.cli("digest")
    assert done.returncode == 0 and done.stdout.strip() == console_digest(a)


def test_killed_at_every_point_in_a_row(
    server: ServerProcess, server_db: Database, tmp_path: Path
) -> None:
    """The same outbox (two push batches: more than 500 mutations) survives one kill after
    another on a fresh workstation whose first pull is big; then a clean round converges."""
    a, b = tmp_path / "a", tmp_path / "b"
    busy_workstation(b, 60, "B")
    sync_in_process(b, server.url, "li")
    ws = open_workstation(a, sample_incidents=False)
    try:
        for i in range(150):
            name, args = incident_create(f"A-连续-{i}")
            ws.writer.apply([(name, args), timeline_append(str(args["id"]), "记录")], user="zhao")
        discard_sample_incidents(ws.store)  # the first sync's own first step (sample roster)
    finally:
        ws.close()
    total = Ledger.read(a).next_mutation_id - 1
    assert total > 500, "needs two push batches"
    for point in ("after_push_reply:2", "after_push_sent", "mid_pull_apply", "mid_pull_apply:2"):
        before_cursor = ws_cursor(a)
        killed = console_sync(a, server.url, "zhao", kill_at=point)
        if point == "mid_pull_apply:2" and killed.returncode == 0:
            break  # one pull page only: nothing left to kill
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
        integrity_ok(a)
        cursor_not_ahead(server_db, a)
        ledger = Ledger.read(a)
        if point == "after_push_reply:2":
            # The first batch's reply was stored, the second batch committed unanswered
            # (the sample county's mutations make more than two batches).
            assert ledger.acked == 500
            server_last = server_db.scalar(
                "SELECT last_mutation_id FROM sync_clients WHERE client_id = :c",
                c=ledger.client_id,
            )
            assert int(server_last) == min(total, 1000)
        if point.startswith("mid_pull_apply"):
            assert ledger.acked == total and ws_cursor(a) == before_cursor
    assert console_sync(a, server.url, "zhao").returncode == 0
    sync_in_process(b, server.url, "li")
    check_invariants(server_db, [a, b])
