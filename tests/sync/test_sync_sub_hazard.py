"""Sub-hazards (亚灾种) through a real server process: two workstations converge on them
(digests equal), an incident recorded without one is edited on the other workstation, the
server runs the same cross-field rule on a push (Chinese refusal), and work recorded by a
workstation from before sub-hazards (schema version 1) is still applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sync_testkit import PASSWORDS

from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.domain.schema import Incident
from console.services.context import Workstation, open_workstation
from console.services.incidents import IncidentService
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess


def _engine(ws: Workstation, server: ServerProcess) -> SyncEngine:
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    return SyncEngine(ws.store, client)


def _classified(ws: Workstation) -> dict[str, tuple[str, str]]:
    t = Incident.__table__
    with ws.store.engine.connect() as conn:
        rows = conn.execute(select(t.c.title, t.c.subtype, t.c.sub_hazard)).all()
    return {title: (subtype, sub_hazard) for title, subtype, sub_hazard in rows}


def _digest(ws: Workstation) -> str:
    with ws.store.engine.connect() as conn:
        return str(database_digest(conn)[0])


def _create(title: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "received_at": "2026-11-28T10:00:00+08:00",
        "category": "自然灾害",
        "subtype": "地质",
        "title": title,
        **fields,
    }


def test_sub_hazards_converge_and_old_incidents_are_edited_anywhere(
    server: ServerProcess, tmp_path: Path
) -> None:
    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    try:
        landslide = _create("苏村滑坡", sub_hazard="滑坡")
        old = _create("石练镇险情")  # no sub-hazard, as before they existed
        a.writer.apply([("incident.create", landslide), ("incident.create", old)], user="zhang")
        _engine(a, server).sync_once()
        _engine(b, server).sync_once()
        assert _classified(b) == {"苏村滑坡": ("地质", "滑坡"), "石练镇险情": ("地质", "")}

        service = IncidentService(b.writer)
        service.update(old["id"], {"sub_hazard": "崩塌"}, {"sub_hazard": ""}, user="zhang")
        fields = {"subtype": "水旱", "sub_hazard": "洪涝"}
        service.update(
            landslide["id"], fields, {"subtype": "地质", "sub_hazard": "滑坡"}, user="zhang"
        )
        _engine(b, server).sync_once()
        _engine(a, server).sync_once()

        expected = {"苏村滑坡": ("水旱", "洪涝"), "石练镇险情": ("地质", "崩塌")}
        assert _classified(a) == _classified(b) == expected
        assert _digest(a) == _digest(b) == server.cli("digest").stdout.strip()
        assert a.queries.sync_counters().pending == b.queries.sync_counters().pending == 0
    finally:
        a.close()
        b.close()


def test_the_server_refuses_a_wrong_pair_and_applies_version_1_work(
    server: ServerProcess,
) -> None:
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    wrong = _create("错配", sub_hazard="台风")
    old = _create("旧版值班台的事件")
    pushed = [
        {
            "mutation_id": 1,
            "name": "incident.create",
            "args": wrong,
            "hlc": "0001795877847773-00001-t",
            "schema_version": 2,
        },
        {
            "mutation_id": 2,
            "name": "incident.create",
            "args": old,
            "hlc": "0001795877847773-00002-t",
            "schema_version": 1,
        },
    ]
    reply = client.push(new_id(), pushed)
    results = {r["mutation_id"]: r for r in reply["results"]}
    assert results[1]["status"] == "rejected"
    assert results[1]["message"] == (
        "“地质”下没有亚灾种“台风”（可选：滑坡、崩塌、泥石流、地面塌陷、其他）"
    )
    assert results[2]["status"] == "applied"
    rows = client.pull(new_id(), None)["rows"]["incidents"]
    assert [(r["title"], r["sub_hazard"]) for r in rows] == [("旧版值班台的事件", "")]
