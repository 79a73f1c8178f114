"""应急一指南 across workstations (the issue's done-when, without the screens): the leader
starts a level-IV 山洪 response from an incident on one workstation, officers tick items of
its checklist offline on two, the leader raises it to level III; a third shows every tick
and the raise, the checklist exported there says it all, and every replica converges on the
server's digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from docx import Document
from sync_testkit import sync_once_cli

from console.domain import beijing
from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.services.context import open_workstation
from console.services.guide_export import export_docx
from console.services.guides import GuideService
from testkit.server import ServerProcess

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=beijing.BEIJING)


def test_a_response_ticked_on_two_workstations_and_raised_shows_on_a_third(
    server: ServerProcess, tmp_path: Path
) -> None:
    dirs = [tmp_path / name for name in ("a", "b", "c")]
    for d in dirs:
        open_workstation(d, sample_incidents=False).close()
        assert sync_once_cli(server.url, d).returncode == 0  # the server's draft guides
    a = open_workstation(dirs[0], autoload=False)
    incident = new_id()
    a.writer.apply(
        [
            (
                "incident.create",
                {
                    "id": incident,
                    "received_at": beijing.canonical(T0),
                    "category": "自然灾害",
                    "title": "湖山乡山洪",
                },
            )
        ],
        user="li",
    )
    service = GuideService.of(a.writer)
    response = service.activate("山洪", "IV", user="li", incident_id=incident, at=T0)
    items = service.view(response, now=T0).items
    assert len(items) >= 3 and all(i.item_id for i in items)
    a.close()
    assert sync_once_cli(server.url, dirs[0], user="li").returncode == 0
    for i, d in enumerate(dirs[:2]):  # offline, concurrently
        assert sync_once_cli(server.url, d).returncode == 0
        w = open_workstation(d, autoload=False)
        GuideService.of(w.writer).tick(
            response, items[i].item_id, user="zhang", at=T0 + timedelta(minutes=5 + i)
        )
        w.close()
    for d in dirs[:2]:
        assert sync_once_cli(server.url, d).returncode == 0
    a = open_workstation(dirs[0], autoload=False)
    GuideService.of(a.writer).change_level(
        response, "III", "雨势加大", user="li", at=T0 + timedelta(minutes=40)
    )
    a.close()
    assert sync_once_cli(server.url, dirs[0], user="li").returncode == 0
    for d in dirs:
        assert sync_once_cli(server.url, d).returncode == 0
    c = open_workstation(dirs[2], autoload=False)
    try:
        view = GuideService(c.store).view(response, now=T0 + timedelta(minutes=41))
        assert view.response["level"] == "III"
        ticks = [e for e in view.events if e["kind"] == "勾选"]
        assert [e["guide_item_id"] for e in ticks] == [items[0].item_id, items[1].item_id]
        assert [e["kind"] for e in view.events][-1] == "升级"
        assert view.items and not any(s.ticked for s in view.items)  # III's own items
        # The checklist exported on the third: both ticks, by whom, and the raise.
        path = export_docx(view, tmp_path / "清单.docx", T0 + timedelta(minutes=41))
        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert "山洪Ⅲ级应急响应工作清单" in text
        for item in items[:2]:
            assert f"zhang 完成：{item.action}" in text
        assert "li 升级 Ⅳ级 → Ⅲ级（雨势加大）" in text
        with c.store.engine.connect() as conn:
            mine = database_digest(conn)[0]
    finally:
        c.close()
    for d in dirs[:2]:
        w = open_workstation(d, autoload=False)
        try:
            with w.store.engine.connect() as conn:
                assert database_digest(conn)[0] == mine
        finally:
            w.close()
