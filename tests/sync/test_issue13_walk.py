"""Issue #13's whole "done when" as one walk through a real server and two workstations:
the leader activates a level-IV 山洪 response from an incident, both workstations tick items,
the leader raises it to level III with the reason, the checklist is exported (.docx) and
read, the incident is closed into a case draft, the 苏村 case is found by 滑坡, and the
matching 专项预案 is opened for the incident's type. Then the same walk in drill mode (演练):
the drill stores and the server's drill database, after which the real stores, the real
server database and the real plans folder hold no trace of it (digests, counts, ids)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select
from sync_testkit import server_database, sync_as

from console.domain import beijing, drill
from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.domain.schema import Case, Incident, Plan, Response, ResponseEvent
from console.services.cases import CaseFilter, CaseService, draft_id, read_case, search_cases
from console.services.context import open_workstation
from console.services.guide_export import export_docx
from console.services.guides import GuideService
from console.services.incidents import IncidentService
from console.services.plans import PlanService, document_path, plans_for_incident
from testkit.server import Database, ServerProcess, run_cli

SUCUN = "北界镇苏村“9·28”山体滑坡"
PLAN = {
    "title": "遂昌县山洪灾害防御专项预案",
    "kind": "专项预案",
    "level": "县级",
    "owner": "县水利局",
    "category": "自然灾害",
    "subtype": "水旱",
}
TABLES = (Incident, Response, ResponseEvent, Case, Plan)


class DrillServer(ServerProcess):
    """duty-server --drill on its own database (the second database URL)."""

    def __init__(self, real: Database, drill_db: Database) -> None:
        super().__init__(real, drill_db.workdir / "drill-server.log", data_dir=real.workdir)
        self.drill_url = drill_db.url

    def command(self) -> list[str]:
        return [*super().command(), "--drill", "--drill-database-url", self.drill_url]


@dataclass(frozen=True)
class Walk:
    incident: str
    response: str
    case: str
    plan: str


def _plan_document(folder: Path) -> Path:
    path = folder / "遂昌县山洪灾害防御专项预案.docx"
    doc = Document()
    doc.add_paragraph("山洪灾害防御：发现征兆立即组织危险区群众转移。")
    doc.save(str(path))
    return path


def walk(dirs: tuple[Path, Path], server: ServerProcess, source: Path, title: str) -> Walk:
    """The done-when on workstations ``dirs`` (a: the leader li, b: the officer zhang)."""
    # As a console signing in to a server opens its store: the county comes by pulling.
    a, b = (open_workstation(d, autoload=False) for d in dirs)
    try:
        sync_as(a, server, "li")
        sync_as(b, server, "zhang")
        now = beijing.now().replace(microsecond=0) - timedelta(hours=1)
        incident = new_id()
        a.writer.apply(
            [
                (
                    "incident.create",
                    {
                        "id": incident,
                        "received_at": beijing.canonical(now),
                        "category": "自然灾害",
                        "subtype": "水旱",
                        "title": title,
                        "description": "暴雨引发山洪，溪水暴涨，冲毁便桥。",
                    },
                )
            ],
            user="li",
        )
        plan = PlanService(a.writer, dirs[0]).save(PLAN, user="li", document=source)

        # The leader activates a level-IV 山洪 response from the incident.
        leader = GuideService.of(a.writer)
        response = leader.activate(
            "山洪", "IV", user="li", incident_id=incident, reason="单站3小时雨量 62 毫米", at=now
        )
        items = leader.view(response, now=now).items
        assert len(items) >= 3
        sync_as(a, server, "li")

        # Both workstations tick an item of the checklist.
        sync_as(b, server, "zhang")
        GuideService.of(b.writer).tick(
            response, items[0].item_id, user="zhang", at=now + timedelta(minutes=5)
        )
        leader.tick(response, items[1].item_id, user="li", at=now + timedelta(minutes=6))
        sync_as(b, server, "zhang")
        sync_as(a, server, "li")

        # Raised to level III with the reason.
        leader.change_level(
            response, "III", "雨势加大，转移人数增加", user="li", at=now + timedelta(minutes=40)
        )
        sync_as(a, server, "li")
        sync_as(b, server, "zhang")

        # The checklist exported on the officer's workstation says it all.
        view = GuideService(b.store).view(response, now=now + timedelta(minutes=41))
        assert view.response["level"] == "III"
        ticked = [e["author"] for e in view.events if e["kind"] == "勾选"]
        assert sorted(ticked) == ["li", "zhang"]
        path = export_docx(view, dirs[1].parent / f"{title}清单.docx", now + timedelta(minutes=41))
        doc = Document(str(path))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "山洪Ⅲ级应急响应工作清单" in text and title in text
        assert f"zhang 完成：{items[0].action}" in text
        assert f"li 完成：{items[1].action}" in text
        assert "li 升级 Ⅳ级 → Ⅲ级（雨势加大，转移人数增加）" in text
        assert ("【演练】" in text) == drill.active()
        assert (doc.core_properties.keywords == drill.MARK) == drill.active()
        assert len(doc.tables) == 1 and len(doc.tables[0].rows) == 1 + len(view.items)

        # The incident is closed into a case draft: its timeline carries the response.
        incidents = IncidentService(a.writer)
        incidents.set_status(incident, "处置中", user="li")
        incidents.set_status(incident, "已结案", user="li")
        case = CaseService(a.writer).draft_from_incident(incident, user="li")
        assert case == draft_id(incident)
        draft = read_case(a.store, case)
        assert draft is not None and draft["status"] == "草稿" and draft["hazard"] == "山洪"
        assert "启动山洪Ⅳ级应急响应" in draft["course"]
        assert "Ⅳ级 → Ⅲ级" in draft["course"] and "状态变更：处置中 → 已结案" in draft["course"]
        sync_as(a, server, "li")
        sync_as(b, server, "zhang")

        # On the officer's workstation: the draft, the 苏村 case by 滑坡, the matching plan.
        assert read_case(b.store, case) is not None
        found = [c["title"] for c in search_cases(b.store, CaseFilter(text="滑坡"))]
        assert SUCUN in found
        assert search_cases(b.store, CaseFilter(text="苏村"))[0]["title"] == SUCUN
        [shown, *_] = plans_for_incident(b.store, incident)
        assert (shown["id"], shown["kind"]) == (plan, "专项预案")
        assert document_path(dirs[1], shown) is None  # files are not synced yet: said so
        stored = document_path(dirs[0], shown)  # opened where it was attached
        assert stored is not None and stored.read_bytes() == source.read_bytes()
        return Walk(incident, response, case, plan)
    finally:
        a.close()
        b.close()


def _footprint(folder: Path) -> tuple[str, dict[str, set[str]], list[str]]:
    """A real store's digest, its ids per table of the walk, and its plans folder."""
    ws = open_workstation(folder, autoload=False)
    try:
        with ws.store.engine.connect() as conn:
            digest = str(database_digest(conn)[0])
            ids = {
                m.__tablename__: set(conn.execute(select(m.__table__.c.id)).scalars())
                for m in TABLES
            }
    finally:
        ws.close()
    plans = folder / "plans"
    return digest, ids, sorted(p.name for p in plans.iterdir()) if plans.is_dir() else []


def _server_ids(db: Database) -> dict[str, set[str]]:
    return {
        m.__tablename__: {r["id"] for r in db.rows(f"SELECT id FROM {m.__tablename__}")}
        for m in TABLES
    }


@pytest.mark.timeout(300)  # ~20 s alone; two servers and four stores on a busy machine
def test_issue_13_done_when_for_real_and_as_a_drill_without_a_trace(
    server: ServerProcess, tmp_path: Path
) -> None:
    assert server.db is not None
    real_db = server.db
    # The public cases (苏村 first) come with the county's sample: a workstation drops its
    # own sample when it joins a server, so here the server holds it (a demo server).
    assert run_cli(real_db, "load-sample").returncode == 0
    dirs = (tmp_path / "a", tmp_path / "b")
    source = _plan_document(tmp_path)
    real = walk(dirs, server, source, "湖山乡桥东村山洪")
    ids = _server_ids(real_db)
    assert real.incident in ids["incidents"] and real.case in ids["cases"]
    assert real.response in ids["responses"] and real.plan in ids["plans"]

    before = {d: _footprint(d) for d in dirs}
    server_before = (real_db.digest(), real_db.synced_row_count(), ids)
    drill_db = server_database(tmp_path / "drill-server")
    assert run_cli(drill_db, "load-sample").returncode == 0
    drill_server = DrillServer(real_db, drill_db).start()
    try:
        drill_dirs = (drill.select(dirs[0], True), drill.select(dirs[1], True))
        assert drill.active() and all(drill.is_drill_dir(d) for d in drill_dirs)
        drilled = walk(drill_dirs, drill_server, source, "演练：湖山乡桥东村山洪")
    finally:
        drill_server.stop()
        drill.activate(False)

    # The drill reached the drill database, and nothing of it the real ones.
    drill_ids = _server_ids(drill_db)
    assert drilled.incident in drill_ids["incidents"] and drilled.case in drill_ids["cases"]
    assert real.incident not in drill_ids["incidents"]
    assert (real_db.digest(), real_db.synced_row_count(), _server_ids(real_db)) == server_before
    for d in dirs:
        assert _footprint(d) == before[d]
        real_ids = before[d][1]
        for walked in (drilled.incident, drilled.response, drilled.case, drilled.plan):
            assert all(walked not in table for table in real_ids.values())
    assert all(real.incident in before[d][1]["incidents"] for d in dirs)
    drill_db.dispose()
