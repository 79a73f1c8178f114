"""Admin commands on a live deployment: verify-audit, digest, new-epoch (real processes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from server_testkit import (
    Client,
    Database,
    ServerProcess,
    fresh_database,
    fresh_server,
    incident_args,
    run_cli,
    timeline_args,
    township_args,
)

from server import audit


@pytest.fixture(scope="module")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    """This module's own database: it tampers with the audit log and changes the epoch."""
    return fresh_database(backend, database_factory, passwords)


@pytest.fixture(scope="module")
def server(
    database: Database, server_factory: Callable[[Database], ServerProcess]
) -> Iterator[ServerProcess]:
    """This module's own server: it gets restarted."""
    yield from fresh_server(database, server_factory)


@pytest.fixture(scope="module")
def history(client_for: Callable[[str], Client]) -> list[str]:
    """Some pushes from two workstations, a rejection among them; returns the client ids."""
    officer, leader = client_for("officer"), client_for("leader")
    inc = incident_args()
    officer.apply(("township.upsert", township_args()), ("incident.create", inc))
    officer.apply(("incident.delete", {"id": inc["id"]}))  # forbidden: still audited
    leader.apply(("timeline.append", timeline_args(inc["id"])))
    leader.apply(("incident.update", {"id": inc["id"], "fields": {"grade": "较大"}}))
    officer.apply(("timeline.append", timeline_args(inc["id"], kind="处置")))
    return [officer.client_id, leader.client_id]


def _verify(db: Database) -> tuple[int, str]:
    cp = run_cli(db, "verify-audit")
    return cp.returncode, cp.stdout + cp.stderr


def _entry(db: Database, seq: int) -> dict[str, Any]:
    [row] = db.rows("SELECT * FROM audit_log WHERE seq = :s", s=seq)
    return row


def _insert(db: Database, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    db.execute(
        f"INSERT INTO audit_log ({columns}) VALUES ({', '.join(':' + c for c in row)})", **row
    )


@pytest.fixture
def intact_audit(database: Database, history: list[str]) -> Iterator[int]:
    """An intact chain before and after the test (the test restores what it tampered with);
    yields the number of entries."""
    assert audit.verify(database.engine) == []
    count = int(database.scalar("SELECT count(*) FROM audit_log"))
    assert count >= 6
    yield count
    assert audit.verify(database.engine) == []


def test_verify_audit_passes_on_an_intact_chain(database: Database, intact_audit: int) -> None:
    code, out = _verify(database)
    assert code == 0, out
    assert "audit chain OK" in out
    results = {r["result"] for r in database.rows("SELECT result FROM audit_log")}
    assert {"applied", "rejected:forbidden"} <= results


def test_edited_entry_is_detected(database: Database, intact_audit: int) -> None:
    original = _entry(database, 2)
    forged = original["args"].replace("}", ',"dead":0}', 1)
    assert forged != original["args"]
    database.execute("UPDATE audit_log SET args = :a WHERE seq = 2", a=forged)
    code, out = _verify(database)
    assert code == 1, out
    assert "entry 2" in out and "edited" in out
    database.execute("UPDATE audit_log SET args = :a WHERE seq = 2", a=original["args"])


def test_deleted_middle_entry_is_detected(database: Database, intact_audit: int) -> None:
    middle = intact_audit // 2
    original = _entry(database, middle)
    database.execute("DELETE FROM audit_log WHERE seq = :s", s=middle)
    code, out = _verify(database)
    assert code == 1, out
    assert f"entry {middle} missing" in out
    assert "link broken" in out
    _insert(database, original)


def test_deleted_last_entry_is_detected(database: Database, intact_audit: int) -> None:
    original = _entry(database, intact_audit)
    database.execute("DELETE FROM audit_log WHERE seq = :s", s=intact_audit)
    code, out = _verify(database)
    assert code == 1, out
    assert "deleted at the end" in out
    _insert(database, original)


def test_digest_is_stable_across_restarts_and_changes_after_a_push(
    database: Database, server: ServerProcess, history: list[str], passwords: dict[str, str]
) -> None:
    first = run_cli(database, "digest")
    assert first.returncode == 0, first.stderr
    digest = first.stdout.strip()
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest == database.digest()  # the CLI prints the shared domain digest

    server.restart()
    assert run_cli(database, "digest").stdout.strip() == digest

    officer = Client(server, "officer", passwords["officer"])
    officer.apply(("township.upsert", township_args()))
    changed = run_cli(database, "digest").stdout.strip()
    assert changed != digest
    assert changed == database.digest()


def test_new_epoch_makes_old_cursors_reset(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    c = client_for("officer")
    c.apply(("township.upsert", township_args()))
    before = c.pull_all()
    old_epoch = before.pages[-1]["epoch"]
    assert c.pull(before.cursor)["reset"] is False

    cp = run_cli(database, "new-epoch")
    assert cp.returncode == 0, cp.stderr
    new_epoch = server.health()["epoch"]
    assert new_epoch != old_epoch and new_epoch in cp.stdout

    page = c.pull(before.cursor)
    assert page["reset"] is True
    assert page["epoch"] == new_epoch
    assert page["cursor"].startswith(f"{new_epoch}:")
    assert page["last_mutation_id"] == 1
    # a reset sends everything again, from the beginning
    full = c.pull_all(before.cursor, limit=5000)
    assert len(full.row_keys()) == database.synced_row_count()
    assert c.pull(page["cursor"])["reset"] is False
    # the workstation's mutation ids go on where they were
    assert c.apply(("township.upsert", township_args()))[0]["status"] == "applied"
