"""A server restored from a backup without ``duty-server new-epoch`` never diverges silently
(issue 9, item 8).

The restored server holds less than its workstations acknowledged: a workstation's
acknowledged mutation ids (sent with its pull) or its cursor are ahead of what the server
holds, or its next push leaves a gap. The server takes that as the sign, starts a new epoch
itself (so every workstation reloads and re-pushes what the server lost), logs it loudly and
tells the workstations in Chinese. Before, a workstation whose cursor was already overtaken
by newer pushes pulled on from there and stayed short of records while every sync was quiet.

Real server (SQLite file backed up and restored), real workstation stores and sync engines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call, sync_once_cli

from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.domain.schema import Incident
from console.services.context import Workstation, open_workstation
from console.store.records import SyncIssue
from console.sync.apply import RETRIED
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess


def _engine(ws: Workstation, server: ServerProcess, user: str = "zhang") -> SyncEngine:
    client = SyncClient(server.url)
    client.login(user, PASSWORDS[user][1])
    return SyncEngine(ws.store, client)


def _titles(ws: Workstation) -> set[str]:
    with ws.store.engine.connect() as conn:
        return set(
            conn.execute(select(Incident.title).where(Incident.deleted.is_(False))).scalars()
        )


def _digest(ws: Workstation) -> str:
    with ws.store.engine.connect() as conn:
        return database_digest(conn)[0]


def _write(ws: Workstation, *titles: str) -> None:
    ws.writer.apply([incident_call(t) for t in titles], user="zhang")


@pytest.mark.parametrize(
    ("pending", "page_limit"),
    [(False, 5000), (True, 5000), (False, 2)],
    ids=["quiet", "pending-work", "pages-of-2"],
)
def test_restore_without_new_epoch_converges(
    server: ServerProcess, tmp_path: Path, pending: bool, page_limit: int
) -> None:
    a, b, c = (open_workstation(tmp_path / n) for n in "abc")
    try:
        for ws in (a, b, c):
            _write(ws, f"{id(ws)}-早")
        for ws in (a, b, c, a, b):
            _engine(ws, server).sync_once()
        server.stop()
        backup = tmp_path / "backup"
        shutil.copytree(server.data_dir, backup)
        server.start()
        _write(b, "B1", "B2")  # acknowledged by the server, then lost with the restore
        _engine(b, server).sync_once()
        _write(c, "C1")
        _engine(c, server).sync_once()
        server.stop()
        shutil.rmtree(server.data_dir)
        shutil.copytree(backup, server.data_dir)  # the backup is restored; new-epoch forgotten
        server.start()

        # A never saw B's or C's lost work: its pushes overtake their cursors.
        _write(a, "A1", "A2", "A3", "A4")
        _engine(a, server).sync_once()
        if pending:
            _write(b, "B3")  # B's next push leaves a gap
        for _ in range(2):
            for ws in (b, c, a):
                _engine(ws, server).sync_once(page_limit=page_limit)

        everything = _titles(a) | _titles(b) | _titles(c)
        assert {"A1", "A2", "A3", "A4", "B1", "B2", "C1"} <= everything
        assert _titles(a) == _titles(b) == _titles(c) == everything
        digest = server.cli("digest").stdout.strip()
        assert [_digest(ws) for ws in (a, b, c)] == [digest] * 3
        for ws in (a, b, c):
            assert ws.queries.sync_counters().pending == 0
        log = server.log_text()
        assert "Restored from a backup" in log
        assert log.count("Started new epoch") == 1  # one restore, one reload per workstation
    finally:
        for ws in (a, b, c):
            ws.close()


def test_the_workstation_is_told_in_chinese(server: ServerProcess, tmp_path: Path) -> None:
    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    try:
        for ws in (a, b):
            _engine(ws, server).sync_once()
        server.stop()
        backup = tmp_path / "backup"
        shutil.copytree(server.data_dir, backup)
        server.start()
        _write(b, "B1")
        _engine(b, server).sync_once()
        server.stop()
        shutil.rmtree(server.data_dir)
        shutil.copytree(backup, server.data_dir)
        server.start()
        epoch = server.health()["epoch"]
        engine = _engine(b, server)
        engine.sync_once()
        assert server.health()["epoch"] != epoch  # started by the server itself
        assert "备份" in engine.status.notice and "新的同步周期" in engine.status.notice
        assert _titles(b) == {"B1"}  # re-pushed: the server has it again
        # the other workstation reloads too, and is told why (here by duty-console sync)
        a.close()
        done = sync_once_cli(server.url, tmp_path / "a")
        assert done.returncode == 0, done.stderr
        assert "注意：" in done.stderr and "新的同步周期" in done.stderr
        assert done.stdout.startswith("pushed ")
        a = open_workstation(tmp_path / "a")
        assert _titles(a) == {"B1"}
        assert _digest(a) == _digest(b) == server.cli("digest").stdout.strip()
    finally:
        a.close()
        b.close()


def _incident_id(ws: Workstation, title: str) -> str:
    with ws.store.engine.connect() as conn:
        return str(conn.execute(select(Incident.id).where(Incident.title == title)).scalar_one())


def test_edit_of_a_record_the_server_lost_is_retried_when_it_returns(
    server: ServerProcess, tmp_path: Path
) -> None:
    """B edits an incident that the restored server lost (A created it after the backup):
    the server rejects the edit as not found; once A has pushed the incident again, B
    submits its edit again instead of dropping it."""
    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    try:
        for ws in (a, b):
            _engine(ws, server).sync_once()
        server.stop()
        backup = tmp_path / "backup"
        shutil.copytree(server.data_dir, backup)
        server.start()
        _write(a, "原标题")
        _engine(a, server).sync_once()
        _engine(b, server).sync_once()
        incident = _incident_id(b, "原标题")
        server.stop()
        shutil.rmtree(server.data_dir)
        shutil.copytree(backup, server.data_dir)
        server.start()

        b.writer.apply(
            [
                ("incident.update", {"id": incident, "fields": {"title": "B改的标题"}}),
                (
                    "timeline.append",
                    {
                        "id": new_id(),
                        "incident_id": incident,
                        "kind": "备注",
                        "body": "B的记录",
                        "at": "2026-11-28T10:05:00+08:00",
                    },
                ),
            ],
            user="zhang",
        )
        report = _engine(b, server).sync_once()
        assert report.issues == 2  # not found: visible, and kept open
        for _ in range(2):
            _engine(a, server).sync_once()
            _engine(b, server).sync_once()
        assert _titles(a) == _titles(b) == {"B改的标题"}
        digest = server.cli("digest").stdout.strip()
        assert _digest(a) == _digest(b) == digest
        with b.store.engine.connect() as conn:
            resolved = conn.execute(select(SyncIssue.code, SyncIssue.resolved)).all()
        assert sorted(resolved) == [("missing_ref", RETRIED), ("not_found", RETRIED)]
        assert b.queries.sync_counters().pending == 0
    finally:
        a.close()
        b.close()
