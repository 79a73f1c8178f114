"""A call logged from the 通讯录 (timeline kind 通话) goes through a real server to another
workstation: the server accepts the new kind (schema version 5) and both replicas agree."""

from __future__ import annotations

from pathlib import Path

from sync_testkit import PASSWORDS

from console.domain import catalog
from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.services.contacts import ContactsService
from console.services.context import Workstation, open_workstation
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess

TOWN, UNIT, PERSON = new_id(), new_id(), new_id()


def _engine(ws: Workstation, server: ServerProcess) -> SyncEngine:
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    return SyncEngine(ws.store, client)


def _digest(ws: Workstation) -> str:
    with ws.store.engine.connect() as conn:
        return str(database_digest(conn)[0])


def test_a_logged_call_reaches_the_other_workstation(server: ServerProcess, tmp_path: Path) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    b = open_workstation(tmp_path / "b", autoload=False)
    try:
        a.writer.apply(
            [
                ("township.upsert", {"id": TOWN, "name": "北界镇", "kind": "镇"}),
                (
                    "unit.upsert",
                    {"id": UNIT, "name": "北界镇人民政府", "kind": "乡镇街道", "township_id": TOWN},
                ),
                (
                    "person.upsert",
                    {
                        "id": PERSON,
                        "name": "张某某",
                        "unit_id": UNIT,
                        "post": "镇长",
                        "mobile": "13800000001",
                    },
                ),
                (
                    "person_role.upsert",
                    {
                        "id": new_id(),
                        "person_id": PERSON,
                        "role": "乡镇第一责任人",
                        "township_id": TOWN,
                    },
                ),
            ],
            user="zhang",
        )
        incidents = IncidentService(a.writer)
        incident_id = incidents.take_call(
            {
                "category": "自然灾害",
                "subtype": "水旱",
                "township": "北界镇",
                "caller_name": "村民",
            },
            user="zhang",
        )
        contacts = ContactsService(a.store, incidents)
        leader = contacts.responsible("township", TOWN)[0].contact
        contacts.log_call(incident_id, leader, leader.mobile, "已接通", user="zhang")
        assert _engine(a, server).sync_once().issues == 0
        _engine(b, server).sync_once()
        calls = [
            e
            for e in IncidentSource(b.store).timeline(incident_id)
            if e["kind"] == catalog.CALL_KIND
        ]
        assert (
            len(calls) == 1 and "13800000001" in calls[0]["body"] and "已接通" in calls[0]["body"]
        )
        assert _digest(a) == _digest(b) == server.cli("digest").stdout.strip()
    finally:
        a.close()
        b.close()
