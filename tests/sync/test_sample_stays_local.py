"""The sample county (样例数据) stays on the workstation: a real server never gets it unless
it is a demo server (``duty-server load-sample``), and joining a server discards it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call, run_console, sync_once_cli

from console.domain import beijing
from console.domain.ids import reference_id
from console.domain.schema import Incident, Township
from console.services.context import Workstation, open_workstation
from console.services.sample_data import load_sample
from console.store.records import OutboxEntry
from console.sync import apply
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess

_incident = incident_call


def _titles(ws: Workstation) -> set[str]:
    with ws.store.engine.connect() as conn:
        return set(conn.execute(select(Incident.title)).scalars())


_console = run_console


def _sync_cli(server: ServerProcess, data_dir: Path, *extra: str) -> str:
    done = sync_once_cli(server.url, data_dir, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _sample_township(name: str = "演示镇") -> dict[str, object]:
    return {
        "id": reference_id("township", name),
        "name": name,
        "kind": "镇",
        "is_sample": True,
    }


def _push(server: ServerProcess, user: str, args: dict[str, object]) -> dict[str, object]:
    client = SyncClient(server.url)
    try:
        client.login(user, PASSWORDS[user][1])
        item = {
            "mutation_id": 1,
            "name": "township.upsert",
            "args": args,
            "hlc": "0000000000001-00000-handmade",
            "schema_version": 1,
        }
        reply = client.push(str(uuid.uuid4()), [item])
    finally:
        client.close()
    [result] = reply["results"]
    assert isinstance(result, dict)
    return result


def test_standalone_sample_never_reaches_a_real_server(
    server: ServerProcess, tmp_path: Path
) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a = open_workstation(a_dir)  # 单机使用: the sample county, then the officer's own work
    assert a.queries.sample_present()
    a.writer.apply([_incident("本机事件")], user="zhang")
    a.close()

    out = _sync_cli(server, a_dir)
    assert "已丢弃本机样例数据" in out

    a = open_workstation(a_dir)
    b = open_workstation(b_dir, autoload=False)
    try:
        assert not a.queries.sample_present() and a.queries.count(Township) == 0
        assert _titles(a) == {"本机事件"}  # the officer's work went up, and stays
        assert a.queries.sync_counters().pending == 0
        client = SyncClient(server.url)
        client.login("li", PASSWORDS["li"][1])
        SyncEngine(b.store, client).sync_once()
        assert b.queries.count(Township) == 0 and not b.queries.sample_present()
        assert _titles(b) == {"本机事件"}
    finally:
        a.close()
        b.close()
    # The server itself holds nothing sample-marked (its digest equals the two replicas').
    digests = {_console("digest", "--data-dir", str(d)).stdout.strip() for d in (a_dir, b_dir)}
    digests.add(server.cli("digest").stdout.strip())
    assert len(digests) == 1, digests


def test_real_server_refuses_a_handmade_sample_push(server: ServerProcess) -> None:
    for user in ("zhang", "li"):
        result = _push(server, user, _sample_township())
        assert result["status"] == "rejected" and result["code"] == "sample_refused", result
        assert "样例数据" in str(result["message"])
    real = _push(server, "li", {**_sample_township("真实镇"), "is_sample": False})
    assert real["status"] == "applied", real


def test_demo_server_accepts_sample_marked_mutations(server: ServerProcess, tmp_path: Path) -> None:
    loaded = server.cli("load-sample")
    assert loaded.returncode == 0, loaded.stderr
    result = _push(server, "li", _sample_township())
    assert result["status"] == "applied", result
    # A workstation that keeps its sample may push it to a demo server: nothing refused.
    # Its sample incidents are dated from its own first run (a minute later here) and give
    # way to the server's copy, the same records dated from load-sample.
    ws_dir = tmp_path / "demo"
    ws = open_workstation(ws_dir, autoload=False)
    load_sample(ws.writer, user="系统", now=beijing.now() + timedelta(minutes=3))
    ws.close()
    out = _sync_cli(server, ws_dir, "--keep-sample")
    assert "已丢弃" not in out and "issues 0" in out, out
    ws = open_workstation(ws_dir)
    try:
        assert ws.queries.sample_present() and ws.queries.sync_counters().pending == 0
        with ws.store.engine.connect() as conn:
            mine = conn.execute(select(Incident.id).where(Incident.is_sample)).all()
    finally:
        ws.close()
    assert len(mine) >= 25
    digest = _console("digest", "--data-dir", str(ws_dir)).stdout
    assert digest.strip() == server.cli("digest").stdout.strip()


def test_a_connected_workstation_never_autoloads_the_sample(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The server has no county yet: the first `incident list` after the first sync must
    not take "no township" for a first standalone run."""
    data_dir = tmp_path / "joined"
    ws = open_workstation(data_dir, autoload=False)
    try:
        client = SyncClient(server.url)
        client.login("zhang", PASSWORDS["zhang"][1])
        SyncEngine(ws.store, client).sync_once()
    finally:
        ws.close()
    listed = _console("incident", "list", "--json", "--data-dir", str(data_dir))
    assert listed.returncode == 0, listed.stderr
    ws = open_workstation(data_dir)
    try:
        assert ws.queries.count(Township) == 0 and not ws.queries.sample_present()
        assert ws.queries.sync_counters().next_mutation_id == 1
    finally:
        ws.close()


def test_discard_keeps_own_work_pending_with_contiguous_ids(tmp_path: Path) -> None:
    ws = open_workstation(tmp_path / "ws", autoload=False)
    try:
        ws.writer.apply([_incident("甲")], user="zhang")
        load_sample(ws.writer, user="系统")
        ws.writer.apply([_incident("乙")], user="zhang")
        assert apply.pending_count(ws.store) == 2  # 待同步: the sample is not pushable work
        sample = apply.pending_sample(ws.store)
        assert sample > 200
        # Before the discard, a push batch stops before the first sample mutation.
        assert [i["mutation_id"] for i in apply.pending_batch(ws.store)] == [1]
        assert apply.discard_sample(ws.store) == sample
        with ws.store.engine.connect() as conn:
            ids = list(conn.execute(select(OutboxEntry.mutation_id)).scalars())
        assert ids == [1, 2]
        assert ws.queries.sync_counters().next_mutation_id == 3
        assert [i["args"]["title"] for i in apply.pending_batch(ws.store)] == ["甲", "乙"]
        assert _titles(ws) == {"甲", "乙"} and not ws.queries.sample_present()
        assert apply.discard_sample(ws.store) == 0
    finally:
        ws.close()
