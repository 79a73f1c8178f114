"""SIGKILL between the sub-transactions of a pull page, while an officer keeps saving.

A real ``save_while_pulling.py`` process saves calls every few milliseconds while its sync
pulls a big page; ``DUTY_FAULT_KILL_AT=pull_yield[:N]`` kills it right after the page stepped
aside for a save (part of the page committed, its cursor not). After a plain restart every
invariant of ARCHITECTURE.md holds, every save the officer saw succeed is on the server, and
the replica's digest equals the server's.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from robust_kit import (
    USERS,
    Ledger,
    busy_workstation,
    check_invariants,
    console_digest,
    console_sync,
    cursor_not_ahead,
    integrity_ok,
    sync_in_process,
    ws_cursor,
    ws_query,
)

from console.services.context import open_workstation
from testkit.server import REPO, Database, ServerProcess, child_env

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("save_while_pulling.py")


def _save_while_pulling(
    data_dir: Path, url: str, user: str, kill_at: str, tag: str = "A"
) -> tuple[int, list[str]]:
    """(return code, ids of the saves that returned)."""
    done = subprocess.run(
        [sys.executable, str(CHILD), str(data_dir), url, user, tag],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=child_env(DUTY_PASSWORD=USERS[user][1], DUTY_FAULT_KILL_AT=kill_at),
        check=False,
    )
    saved = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("saved ")]
    killed = done.returncode == -signal.SIGKILL
    assert killed or "synced" in done.stdout, (done.returncode, done.stderr[-2000:])
    return done.returncode, saved


@pytest.mark.parametrize("kill_at", ["pull_yield", "pull_yield:3"])
def test_sigkill_between_sub_transactions_of_a_page_then_restart(
    kill_at: str, server: ServerProcess, server_db: Database, tmp_path: Path
) -> None:
    b = tmp_path / "b"
    busy_workstation(b, 150, "B")  # A's first pull: one big page
    sync_in_process(b, server.url, "li")
    # A page steps aside only when a save is waiting at that moment: a run whose pull
    # yielded fewer times than the kill point finished its sync and tested nothing, so it
    # is run again on a fresh workstation (what it pushed stays on the server).
    for attempt in range(4):
        a = tmp_path / f"a{attempt}"
        open_workstation(a, autoload=False).close()  # joins the server: nothing local yet
        code, saved = _save_while_pulling(a, server.url, "zhang", kill_at, f"A{attempt}")
        if code == -signal.SIGKILL:
            break
    else:
        pytest.fail(f"the pull never reached {kill_at} in 4 runs")
    assert saved, "no save returned before the kill"

    integrity_ok(a)
    cursor_not_ahead(server_db, a)
    if kill_at == "pull_yield":
        assert ws_cursor(a) is None  # the page's cursor commits only with its last rows
    have = {str(r[0]) for r in ws_query(a, "SELECT id FROM incidents")}
    assert set(saved) <= have  # every save the officer saw succeed survived the kill
    ledger = Ledger.read(a)
    assert len(ledger.outbox) >= 2 * len(saved)

    again = console_sync(a, server.url, "zhang")
    assert again.returncode == 0, again.stderr
    sync_in_process(b, server.url, "li")
    check_invariants(server_db, [a, b], digest_of=console_digest)
    on_server = {r["id"] for r in server_db.rows("SELECT id FROM incidents")}
    assert set(saved) <= on_server
    digest = server.cli("digest")
    assert digest.returncode == 0 and digest.stdout.strip() == console_digest(a)
