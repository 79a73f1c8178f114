"""Teams in action across workstations: two teams dispatched to an incident on workstation
A (one brought back), seen on B after sync with the dispatches, the 队伍调度 timeline and the
teams' statuses; a return recorded offline on B reaches A; every replica converges."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sync_testkit import sync_once_cli

from console.domain import beijing
from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.services.context import open_workstation
from console.services.teams import TeamService
from testkit.server import ServerProcess

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=beijing.BEIJING)


def _statuses(service: TeamService) -> dict[str, str]:
    return {t["name"]: t["status"] for t in service.board(T0.date()).teams}


def test_dispatch_on_a_is_seen_on_b_with_the_team_status(
    server: ServerProcess, tmp_path: Path
) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    for d in (a_dir, b_dir):
        open_workstation(d, sample_incidents=False).close()
    a = open_workstation(a_dir, autoload=False)
    town, one, two, incident = new_id(), new_id(), new_id(), new_id()
    a.writer.apply(
        [
            ("township.upsert", {"id": town, "name": "北界镇", "kind": "镇"}),
            ("team.upsert", {"id": one, "name": "一队", "kind": "乡镇森林消防队", "members": 20}),
            ("team.upsert", {"id": two, "name": "二队", "kind": "乡镇森林消防队", "members": 15}),
            (
                "incident.create",
                {
                    "id": incident,
                    "received_at": beijing.canonical(T0),
                    "category": "自然灾害",
                    "subtype": "森林火灾",
                    "title": "北界镇山火",
                    "township_id": town,
                },
            ),
        ],
        user="zhang",
    )
    service = TeamService.of(a.writer)
    first, second = service.dispatch(incident, [one, two], user="zhang", at=T0)
    service.bring_back(second, user="zhang", status="休整", at=T0 + timedelta(hours=2))
    a.close()
    for d in (a_dir, b_dir):
        assert sync_once_cli(server.url, d).returncode == 0

    b = open_workstation(b_dir, autoload=False)
    seen = TeamService.of(b.writer)
    assert _statuses(seen) == {"一队": "出动", "二队": "休整"}
    dispatches = {d["team_name"]: d for d in seen.dispatches(incident)}
    assert dispatches["一队"]["returned_at"] is None and dispatches["一队"]["author"] == "zhang"
    assert dispatches["二队"]["returned_at"] == beijing.canonical(T0 + timedelta(hours=2))
    # B brings the first back (recorded offline, pushed on its next sync).
    seen.bring_back(first, user="zhang", at=T0 + timedelta(hours=3))
    b.close()
    for d in (b_dir, a_dir):
        assert sync_once_cli(server.url, d).returncode == 0

    digests = []
    for d in (a_dir, b_dir):
        w = open_workstation(d, autoload=False)
        try:
            assert _statuses(TeamService(w.store)) == {"一队": "待命", "二队": "休整"}
            with w.store.engine.connect() as conn:
                kinds = [
                    r[0]
                    for r in conn.exec_driver_sql(
                        "SELECT body FROM incident_timeline WHERE kind = '队伍调度' ORDER BY at"
                    )
                ]
                digests.append(database_digest(conn)[0])
            assert len(kinds) == 4 and kinds[-1] == "“一队”返回，转为待命"
        finally:
            w.close()
    assert digests[0] == digests[1]
