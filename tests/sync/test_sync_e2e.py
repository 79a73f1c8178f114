"""Workstations and a real server process: convergence, rebase, rejections, replays, restore."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call, run_console, sync_once_cli

from console.domain.ids import reference_id
from console.domain.schema import Incident, Township
from console.services.context import Workstation, open_workstation
from console.store.records import SyncIssue, SyncShadow
from console.sync import apply
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess

_incident = incident_call


def _engine(ws: Workstation, server: ServerProcess, user: str = "zhang") -> SyncEngine:
    client = SyncClient(server.url)
    client.login(user, PASSWORDS[user][1])
    return SyncEngine(ws.store, client)


_console = run_console


def _titles(ws: Workstation, *, sample: bool = False) -> set[str]:
    """The live incidents' titles: the officers' own, or (``sample``) the sample's."""
    with ws.store.engine.connect() as conn:
        return set(
            conn.execute(
                select(Incident.title).where(
                    Incident.deleted.is_(False), Incident.is_sample.is_(sample)
                )
            ).scalars()
        )


def test_two_sample_workstations_converge_without_duplicates(
    server: ServerProcess, tmp_path: Path
) -> None:
    """On a demo server (the only kind that accepts the sample), workstations keeping
    their sample push it; the same county is stored once."""
    assert server.cli("load-sample").returncode == 0
    dirs = [tmp_path / "a", tmp_path / "b"]
    for i, d in enumerate(dirs):
        ws = open_workstation(d)  # first run: loads the sample county
        ws.writer.apply([_incident(f"事件{i}")], user="zhang")
        ws.close()
    for d in (*dirs, dirs[0]):
        done = sync_once_cli(server.url, d, "--keep-sample")
        assert done.returncode == 0, done.stderr
    digests = {_console("digest", "--data-dir", str(d)).stdout.strip() for d in dirs}
    digests.add(server.cli("digest").stdout.strip())
    assert len(digests) == 1, digests
    ws = open_workstation(dirs[1])
    try:
        assert ws.queries.count(Township) == 20  # sample loaded twice, stored once
        assert _titles(ws) == {"事件0", "事件1"}
        assert len(_titles(ws, sample=True)) >= 25  # the sample incidents, once
        assert ws.queries.sync_counters().pending == 0
    finally:
        ws.close()


def test_sync_once_password_never_from_command_line(server: ServerProcess, tmp_path: Path) -> None:
    wrong = _console(
        "sync",
        "--once",
        "--server",
        server.url,
        "--user",
        "zhang",
        "--data-dir",
        str(tmp_path / "w"),
        password="not-the-password",
    )
    assert wrong.returncode == 4 and "用户名或密码错误" in wrong.stderr
    down = _console(
        "sync",
        "--once",
        "--server",
        "http://127.0.0.1:9",
        "--user",
        "zhang",
        "--data-dir",
        str(tmp_path / "w"),
        password="x",
    )
    assert down.returncode == 3 and "无法连接服务器" in down.stderr


def test_pending_work_stays_visible_through_a_pull(server: ServerProcess, tmp_path: Path) -> None:
    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    try:
        _engine(a, server).sync_once()
        b.writer.apply([_incident("来自B")], user="zhang")
        _engine(b, server).sync_once()
        a.writer.apply([_incident("A未同步")], user="zhang")  # pending on A
        client = SyncClient(server.url)
        client.login("zhang", PASSWORDS["zhang"][1])
        with a.store.engine.connect() as conn:
            cursor = apply.read_cursor(conn)
        apply.apply_pull(a.store, client.pull(a.store.client_id, cursor))  # pull, no push
        assert _titles(a) == {"来自B", "A未同步"}
        assert a.queries.sync_counters().pending == 1
        _engine(a, server).sync_once()
        _engine(b, server).sync_once()
        assert _titles(b) == {"来自B", "A未同步"}
        with a.store.engine.connect() as conn:
            assert conn.execute(select(SyncShadow)).first() is None
    finally:
        a.close()
        b.close()


def test_rejected_change_is_undone_locally_and_listed(
    server: ServerProcess, tmp_path: Path
) -> None:
    assert server.cli("load-sample").returncode == 0  # the county comes from the server
    ws = open_workstation(tmp_path / "a")
    try:
        _engine(ws, server).sync_once()
        town = reference_id("township", "北界镇")
        ws.writer.apply([("township.delete", {"id": town})], user="zhang")  # officer may not
        assert "北界镇" not in {t["name"] for t in ws.queries.townships()}
        report = _engine(ws, server).sync_once()
        assert report.issues == 1
        assert "北界镇" in {t["name"] for t in ws.queries.townships()}
        with ws.store.engine.connect() as conn:
            rejection = conn.execute(select(SyncIssue)).mappings().one()
        assert rejection["name"] == "township.delete" and rejection["kind"] == "rejected"
        assert "值班员" in rejection["message"]
        assert json.loads(rejection["args"]) == {"id": town}
    finally:
        ws.close()


def test_lost_push_reply_is_replayed_once(server: ServerProcess, tmp_path: Path) -> None:
    ws = open_workstation(tmp_path / "a")
    try:
        engine = _engine(ws, server)
        engine.sync_once()
        ws.writer.apply([_incident("只应出现一次")], user="zhang")
        client = SyncClient(server.url)
        client.login("zhang", PASSWORDS["zhang"][1])
        # The workstation's own push (its key), whose reply is "lost"
        client.push(ws.store.client_id, apply.pending_batch(ws.store), None, ws.store.client_key)
        assert ws.queries.sync_counters().pending == 1
        report = engine.sync_once()
        assert report.pushed == 1 and report.issues == 0
        assert ws.queries.sync_counters().pending == 0
        page = client.pull(ws.store.client_id, None, client_key=ws.store.client_key)
        titles = [r["title"] for r in page["rows"]["incidents"]]
        assert titles.count("只应出现一次") == 1
    finally:
        ws.close()


def test_server_restored_from_backup_gets_everything_back(
    server: ServerProcess, tmp_path: Path
) -> None:
    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    try:
        _engine(a, server).sync_once()
        server.stop()
        backup = tmp_path / "backup"
        shutil.copytree(server.data_dir, backup)
        server.start()
        b.writer.apply([_incident("备份之后")], user="zhang")
        _engine(b, server).sync_once()
        a.writer.apply([_incident("A的新事件")], user="zhang")
        _engine(a, server).sync_once()
        server.stop()
        shutil.rmtree(server.data_dir)
        shutil.copytree(backup, server.data_dir)  # restore the older backup
        assert server.cli("new-epoch").returncode == 0
        server.start()
        for _ in range(2):
            _engine(a, server).sync_once()
            _engine(b, server).sync_once()
        assert _titles(a) == _titles(b) == {"备份之后", "A的新事件"}
        digest = server.cli("digest").stdout.strip()
        for ws in (a, b):
            with ws.store.engine.connect() as conn:
                from console.domain.digest import database_digest

                assert database_digest(conn)[0] == digest
    finally:
        a.close()
        b.close()


def test_concurrent_field_edit_is_a_visible_resolvable_conflict(
    server: ServerProcess, tmp_path: Path
) -> None:
    from console.services.sync_issues import TAKE_THEIRS, SyncIssues

    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    try:
        call = _incident("原标题")
        incident_id = str(call[1]["id"])
        a.writer.apply([call], user="zhang")
        _engine(a, server).sync_once()
        _engine(b, server, "li").sync_once()
        b.writer.apply(
            [
                (
                    "incident.update",
                    {
                        "id": incident_id,
                        "fields": {"title": "B的标题"},
                        "before": {"title": "原标题"},
                    },
                )
            ],
            user="li",
        )
        _engine(b, server, "li").sync_once()
        a.writer.apply(
            [
                (
                    "incident.update",
                    {
                        "id": incident_id,
                        "fields": {"title": "A的标题"},
                        "before": {"title": "原标题"},
                    },
                )
            ],
            user="zhang",
        )
        report = _engine(a, server).sync_once()
        assert report.issues == 1
        assert _titles(a) == {"A的标题"}  # last writer wins...
        issues = SyncIssues(a.writer)
        (issue,) = issues.list()
        assert issue.kind == "conflict" and "li" in issue.message  # ...and both values shown
        assert issue.conflicts[0]["theirs"] == "B的标题"
        assert issue.conflicts[0]["mine"] == "A的标题"
        issues.resolve_conflict(issue, TAKE_THEIRS, user="zhang")
        assert issues.list() == []
        _engine(a, server).sync_once()
        _engine(b, server, "li").sync_once()
        assert _titles(a) == _titles(b) == {"B的标题"}
    finally:
        a.close()
        b.close()


def test_server_sample_county_reaches_a_fresh_workstation(
    server: ServerProcess, tmp_path: Path
) -> None:
    loaded = server.cli("load-sample")
    assert loaded.returncode == 0, loaded.stderr
    ws = open_workstation(tmp_path / "fresh", autoload=False)  # joining: nothing of its own
    try:
        _engine(ws, server).sync_once()
        assert ws.queries.count(Township) == 20 and ws.queries.sample_present()
        assert ws.queries.sync_counters().next_mutation_id == 1  # pulled, nothing pushed
    finally:
        ws.close()


def test_status_workflow_is_checked_by_the_server(server: ServerProcess, tmp_path: Path) -> None:
    from console.services.incidents import IncidentService
    from console.services.sync_issues import SyncIssues

    assert server.cli("load-sample").returncode == 0  # the county comes from the server
    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    try:
        incident_id = IncidentService(a.writer).take_call(
            {"category": "自然灾害", "subtype": "地质", "township": "北界镇"}, user="zhang"
        )
        _engine(a, server).sync_once()
        _engine(b, server, "li").sync_once()
        # Both officers move it on from 接报 while out of touch; A gets there first.
        IncidentService(a.writer).set_status(
            incident_id, "已结案", user="zhang", reason="误报，来电人已确认"
        )
        IncidentService(b.writer).set_status(incident_id, "处置中", user="li")
        _engine(a, server).sync_once()
        report = _engine(b, server, "li").sync_once()
        assert report.issues == 1  # 已结案 -> 处置中 needs a reason: refused by the server
        (issue,) = SyncIssues(b.writer).list()
        assert issue.kind == "rejected" and "需要填写原因" in issue.message
        for ws in (a, b):
            with ws.store.engine.connect() as conn:
                status = conn.execute(
                    select(Incident.status).where(Incident.id == incident_id)
                ).scalar()
            assert status == "已结案"
    finally:
        a.close()
        b.close()


def test_a_round_pushes_what_was_recorded_when_it_began(
    server: ServerProcess, tmp_path: Path
) -> None:
    """An officer saving every few milliseconds must not keep one round pushing forever:
    the round sends what was recorded when it began, and the next round the rest."""
    import threading
    import time

    ws = open_workstation(tmp_path / "a", autoload=False)
    engine = _engine(ws, server)
    for i in range(5):
        ws.writer.apply([incident_call(f"开始前{i}")], user="zhang")
    stop = threading.Event()
    saved = [0]

    def officer() -> None:
        while not stop.is_set():
            ws.writer.apply([incident_call(f"同步中{saved[0]}")], user="zhang")
            saved[0] += 1
            time.sleep(0.002)

    saver = threading.Thread(target=officer, daemon=True)
    saver.start()
    try:
        started = time.monotonic()
        report = engine.sync_once(batch=1)  # one mutation per push: the slowest pace
        took = time.monotonic() - started
    finally:
        stop.set()
        saver.join(timeout=10)
    # the round ended (without the bound it chases the saver until the test times out),
    # having pushed the first five and at most what was saved before its second push
    assert took < 30 and 5 <= report.pushed < 5 + saved[0]
    engine.sync_once()
    assert ws.queries.sync_counters().pending == 0
    ws.close()
