"""The audit as evidence (issue 9 item 7): signed anchors kept outside the database, and a
replay of the audited mutations against the synced tables. Real server, real CLI processes,
both backends; the attacks are what someone with write access to the database can do."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
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
from sqlalchemy import text

from server import audit, audit_key
from server.db import GENESIS_HASH


@pytest.fixture(scope="module")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    """This module's own database: it tampers with the audit log and the synced rows."""
    return fresh_database(backend, database_factory, passwords)


@pytest.fixture(scope="module")
def server(
    database: Database, server_factory: Callable[[Database], ServerProcess]
) -> Iterator[ServerProcess]:
    yield from fresh_server(database, server_factory)


@pytest.fixture(scope="module")
def history(client_for: Callable[[str], Client]) -> dict[str, str]:
    """Pushes from two workstations (a rejection, an update, a delete among them); returns
    the ids of the records the tests tamper with."""
    officer, leader = client_for("officer"), client_for("leader")
    town, inc, gone = township_args(), incident_args(), incident_args(title="将被删除的事件")
    note = timeline_args(inc["id"])
    officer.apply(("township.upsert", town), ("incident.create", inc), ("incident.create", gone))
    assert officer.apply(("incident.delete", {"id": gone["id"]}))[0]["code"] == "forbidden"
    leader.apply(("timeline.append", note))
    leader.apply(("incident.update", {"id": inc["id"], "fields": {"grade": "较大"}}))
    leader.apply(("incident.delete", {"id": gone["id"]}))
    # a conflicting edit (applied, with the conflict reported) is replayed like any other
    leader.apply(("incident.update", {"id": inc["id"], "fields": {"title": "领导改的标题"}}))
    stale = {
        "id": inc["id"],
        "fields": {"title": "值班员改的标题"},
        "before": {"title": inc["title"]},
    }
    assert officer.apply(("incident.update", stale))[0]["code"] == "conflict"
    officer.apply(("timeline.append", timeline_args(inc["id"], kind="处置")))
    return {"incident": inc["id"], "timeline": note["id"], "township": town["id"]}


@pytest.fixture
def intact(database: Database, history: dict[str, str]) -> Iterator[dict[str, str]]:
    """An intact chain and untouched rows before and after the test (each test restores
    what it tampered with)."""
    assert audit.verify(database.engine) == []
    yield history
    assert audit.verify(database.engine) == []
    code, out = _cli(database, "verify-audit", "--replay")
    assert code == 0, out


def _cli(db: Database, *args: str) -> tuple[int, str]:
    cp = run_cli(db, *args, data_dir=db.workdir)
    return cp.returncode, cp.stdout + cp.stderr


def _anchor(db: Database, name: str) -> Path:
    path = db.workdir / name
    code, out = _cli(db, "audit-anchor", "--out", str(path))
    assert code == 0, out
    return path


def _rechain(db: Database) -> None:
    """What an attacker with database access does after rewriting entries: recompute every
    hash and the recorded head, so that the unkeyed chain is consistent again."""
    rows = db.rows("SELECT * FROM audit_log ORDER BY seq")
    prev = GENESIS_HASH
    with db.engine.begin() as conn:
        for row in rows:
            digest = audit.entry_hash(prev, row["seq"], audit.record_of(SimpleNamespace(**row)))
            conn.execute(
                text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": digest, "s": row["seq"]},
            )
            prev = digest
        conn.execute(
            text("UPDATE server_state SET audit_seq = :s, audit_head = :h"),
            {"s": rows[-1]["seq"] if rows else 0, "h": prev},
        )


def _applied_entry(db: Database, name: str, *, last: bool = False) -> dict[str, Any]:
    rows = db.rows(
        "SELECT * FROM audit_log WHERE name = :n AND result LIKE 'applied%' ORDER BY seq", n=name
    )
    return rows[-1 if last else 0]


def test_first_start_creates_a_private_audit_key(database: Database, server: ServerProcess) -> None:
    key_file = database.workdir / audit_key.FILE_NAME
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == audit_key.KEY_BYTES
    # and nothing of it in the database
    secret = key_file.read_text().strip()
    state = database.rows("SELECT * FROM server_state")[0]
    assert secret not in json.dumps(state, default=str)


def test_applied_entries_record_hlc_and_version(database: Database, intact: dict[str, str]) -> None:
    entry = _applied_entry(database, "incident.update", last=True)
    assert entry["result"] == "applied:conflict"
    assert entry["hlc"] and entry["version"] is not None
    [row] = database.rows(
        "SELECT version, updated_at FROM incidents WHERE id = :i", i=intact["incident"]
    )
    assert (row["version"], row["updated_at"]) == (entry["version"], entry["hlc"])
    rejected = database.rows("SELECT hlc, version FROM audit_log WHERE result LIKE 'rejected%'")
    assert rejected and all(r["hlc"] is None and r["version"] is None for r in rejected)


def test_untouched_chain_and_anchor_pass(
    database: Database, intact: dict[str, str], client_for: Callable[[str], Client]
) -> None:
    path = _anchor(database, "untouched.json")
    doc = json.loads(path.read_text())
    assert doc["seq"] == database.scalar("SELECT max(seq) FROM audit_log")
    assert doc["head"] == database.scalar("SELECT audit_head FROM server_state")
    assert set(doc) == {"format", "alg", "key_id", "seq", "head", "at", "signature"}
    # later pushes extend the chain: the anchor still proves its part
    client_for("officer").apply(("township.upsert", township_args()))
    code, out = _cli(database, "verify-audit", "--anchor", str(path))
    assert code == 0, out
    assert f"entries 1..{doc['seq']} unchanged" in out
    # stdout works too, and gives the same head
    code, out = _cli(database, "audit-anchor")
    assert code == 0, out
    assert json.loads(out)["seq"] == doc["seq"] + 1


def test_rewritten_entry_with_recomputed_chain_fails_against_the_anchor(
    database: Database, intact: dict[str, str]
) -> None:
    path = _anchor(database, "before-rewrite.json")
    entry = _applied_entry(database, "incident.update")
    forged = entry["args"].replace("较大", "一般")
    assert forged != entry["args"]
    database.execute("UPDATE audit_log SET args = :a WHERE seq = :s", a=forged, s=entry["seq"])
    _rechain(database)
    try:
        code, out = _cli(database, "verify-audit")
        assert code == 0, out  # the unkeyed chain alone cannot tell: this is the attack
        code, out = _cli(database, "verify-audit", "--anchor", str(path))
        assert code == 1, out
        assert "no longer hash to the signed head" in out and "rewritten" in out
    finally:
        database.execute(
            "UPDATE audit_log SET args = :a WHERE seq = :s", a=entry["args"], s=entry["seq"]
        )
        _rechain(database)
    code, out = _cli(database, "verify-audit", "--anchor", str(path))
    assert code == 0, out


def test_entries_deleted_before_the_anchor_fail_against_it(
    database: Database, intact: dict[str, str]
) -> None:
    path = _anchor(database, "before-truncation.json")
    last = database.rows("SELECT * FROM audit_log ORDER BY seq DESC")[0]
    database.execute("DELETE FROM audit_log WHERE seq = :s", s=last["seq"])
    _rechain(database)
    try:
        assert _cli(database, "verify-audit")[0] == 0
        code, out = _cli(database, "verify-audit", "--anchor", str(path))
        assert code == 1, out
        assert "entries deleted" in out
    finally:
        columns = ", ".join(last)
        database.execute(
            f"INSERT INTO audit_log ({columns}) VALUES ({', '.join(':' + c for c in last)})",
            **last,
        )
        _rechain(database)


def test_forged_anchor_fails(database: Database, intact: dict[str, str]) -> None:
    genuine = json.loads(_anchor(database, "genuine.json").read_text())
    # the attacker rewrites history, recomputes the chain and edits the anchor to match
    entry = _applied_entry(database, "incident.update")
    database.execute(
        "UPDATE audit_log SET args = :a WHERE seq = :s",
        a=entry["args"].replace("较大", "一般"),
        s=entry["seq"],
    )
    _rechain(database)
    try:
        new_head = database.scalar("SELECT hash FROM audit_log WHERE seq = :s", s=genuine["seq"])
        altered = database.workdir / "altered.json"
        altered.write_text(json.dumps({**genuine, "head": new_head}))
        code, out = _cli(database, "verify-audit", "--anchor", str(altered))
        assert code == 1, out
        assert "signature invalid" in out and "forged or altered" in out
        # ... or signs it with a key of his own (a copy of the database holds none)
        other = database.workdir / "attacker"
        other.mkdir(exist_ok=True)
        cp = run_cli(database, "audit-anchor", data_dir=other)
        assert cp.returncode == 0, cp.stderr
        assert json.loads(cp.stdout)["head"] == database.scalar(
            "SELECT audit_head FROM server_state"
        )
        own = database.workdir / "own-key.json"
        own.write_text(cp.stdout)
        code, out = _cli(database, "verify-audit", "--anchor", str(own))
        assert code == 1, out
        assert "signed with another audit key" in out
    finally:
        database.execute(
            "UPDATE audit_log SET args = :a WHERE seq = :s", a=entry["args"], s=entry["seq"]
        )
        _rechain(database)


def test_no_anchor_is_signed_over_a_broken_chain(
    database: Database, intact: dict[str, str]
) -> None:
    entry = _applied_entry(database, "timeline.append")
    database.execute("UPDATE audit_log SET username = 'admin' WHERE seq = :s", s=entry["seq"])
    try:
        path = database.workdir / "over-broken.json"
        code, out = _cli(database, "audit-anchor", "--out", str(path))
        assert code == 1, out
        assert f"entry {entry['seq']}" in out and "no anchor written" in out
        assert not path.exists()
    finally:
        database.execute(
            "UPDATE audit_log SET username = :u WHERE seq = :s", u=entry["username"], s=entry["seq"]
        )


MALFORMED = (
    "not json",
    "[]",
    '{"seq": 1}',
    "HEAD",  # a genuine anchor with seq as a string (filled in below)
    "BOOL",  # ... with seq true
    "EXTRA",  # ... with an extra field
)


def test_malformed_anchors_are_refused_not_crashed(
    database: Database, intact: dict[str, str]
) -> None:
    """Each malformed file is refused on its own line (one run: --anchor repeats), and a
    good anchor given with them is still checked."""
    good = _anchor(database, "for-malformed.json")
    genuine = json.loads(good.read_text())
    paths = []
    for i, content in enumerate(MALFORMED):
        content = {
            "HEAD": json.dumps({**genuine, "seq": str(genuine["seq"])}),
            "BOOL": json.dumps({**genuine, "seq": True}),
            "EXTRA": json.dumps({**genuine, "note": "x"}),
        }.get(content, content)
        path = database.workdir / f"malformed-{i}.json"
        path.write_text(content)
        paths += ["--anchor", str(path)]
    code, out = _cli(database, "verify-audit", *paths, "--anchor", str(good))
    assert code == 2, out
    refused = [line for line in out.splitlines() if "not a readable anchor" in line]
    assert len(refused) == len(MALFORMED), out
    for i in range(len(MALFORMED)):
        assert sum(f"malformed-{i}.json" in line for line in refused) == 1, out
    assert f"anchor {good}: entries 1..{genuine['seq']} unchanged" in out
    assert "Traceback" not in out


def test_verification_needs_the_key_and_never_makes_a_new_one(
    database: Database, intact: dict[str, str], tmp_path: Path
) -> None:
    path = _anchor(database, "for-missing-key.json")
    cp = run_cli(database, "verify-audit", "--anchor", str(path), data_dir=tmp_path)
    assert cp.returncode == 2, cp.stdout + cp.stderr
    assert "audit key not found" in cp.stderr
    assert not (tmp_path / audit_key.FILE_NAME).exists()


def test_direct_update_of_an_incident_is_reported_by_the_replay(
    database: Database, intact: dict[str, str]
) -> None:
    code, out = _cli(database, "verify-audit", "--replay")
    assert code == 0, out
    assert "replay OK" in out
    incident = intact["incident"]
    [before] = database.rows("SELECT title, grade FROM incidents WHERE id = :i", i=incident)
    database.execute(
        "UPDATE incidents SET title = '已篡改', grade = '特别重大' WHERE id = :i", i=incident
    )
    try:
        code, out = _cli(database, "verify-audit", "--replay")
        assert code == 1, out
        assert "audit chain OK" in out  # the audit itself is untouched
        assert "table incidents: 1 record(s) differ from the audit" in out
        assert f"incidents {incident}: differs from the audit in grade, title" in out
    finally:
        database.execute(
            "UPDATE incidents SET title = :t, grade = :g WHERE id = :i",
            t=before["title"],
            g=before["grade"],
            i=incident,
        )


def test_rows_deleted_or_inserted_directly_are_reported_by_the_replay(
    database: Database, intact: dict[str, str]
) -> None:
    note = intact["timeline"]
    [row] = database.rows("SELECT * FROM incident_timeline WHERE id = :i", i=note)
    database.execute("DELETE FROM incident_timeline WHERE id = :i", i=note)
    try:
        code, out = _cli(database, "verify-audit", "--replay")
        assert code == 1, out
        assert f"incident_timeline {note}: missing (deleted outside the API)" in out
        assert "table incidents" not in out
    finally:
        columns = ", ".join(row)
        database.execute(
            f"INSERT INTO incident_timeline ({columns}) VALUES ({', '.join(':' + c for c in row)})",
            **row,
        )


def test_audit_key_from_the_environment_and_refused_when_others_can_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(audit_key.ENV_KEY_FILE, raising=False)
    monkeypatch.setenv(audit_key.ENV_KEY, "ab" * 32)
    assert audit_key.load_key(tmp_path, create=True) == bytes.fromhex("ab" * 32)
    assert not (tmp_path / audit_key.FILE_NAME).exists()  # the environment wins
    monkeypatch.setenv(audit_key.ENV_KEY, "ab" * 8)
    with pytest.raises(audit_key.AuditKeyError, match="at least 32 bytes"):
        audit_key.load_key(tmp_path, create=True)
    monkeypatch.delenv(audit_key.ENV_KEY)
    key = audit_key.load_key(tmp_path, create=True)
    assert audit_key.load_key(tmp_path, create=False) == key  # made once, then read
    os.chmod(tmp_path / audit_key.FILE_NAME, 0o644)
    with pytest.raises(audit_key.AuditKeyError, match="readable by others"):
        audit_key.load_key(tmp_path, create=False)
