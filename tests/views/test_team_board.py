"""The 队伍 tab (status board, reach filter, team detail and status) and dispatching teams
to an incident from the map and from the incident detail, then bringing one back (#14)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from console.domain import catalog
from console.domain.ids import new_id, reference_id
from console.services.context import Workstation
from console.services.incident_list import fetch_incident
from console.services.map_data import TEAMS
from console.views.dispatch_dialog import DispatchDialog
from console.views.main_window import MainWindow
from console.views.pages.risk_map_page import RiskMapPage
from console.views.pages.team_panel import CERTIFICATE_COLUMN, TeamPanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

FIRE_TEAM_1 = "北界镇森林消防应急一队"
FIRE_TEAM_2 = "北界镇森林消防应急二队"  # 休整 in the sample
VILLAGE_TEAM = "横溪村森林消防队"  # 北界镇's village team


def board(window: MainWindow) -> TeamPanel:
    panel = window.show_view("teams").panel("teams")  # type: ignore[attr-defined]
    assert isinstance(panel, TeamPanel)
    idle(panel)
    return panel


def idle(page: Any) -> None:
    """Every task the page started has been delivered: reading the board and a team's
    detail under a loaded parallel run can take longer than conftest.idle's deadline."""
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(20_000)


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def status_of(workstation: Workstation, name: str) -> str:
    with workstation.store.engine.connect() as conn:
        from sqlalchemy import text

        row = conn.execute(
            text("SELECT status FROM teams WHERE id = :i"), {"i": reference_id("team", name)}
        ).one()
    return str(row[0])


def fire_incident(workstation: Workstation) -> str:
    """A forest fire in 北界镇, placed near its teams."""
    incident_id = new_id()
    workstation.writer.apply(
        [
            (
                "incident.create",
                {
                    "id": incident_id,
                    "received_at": "2026-11-30T10:00:00+08:00",
                    "category": "自然灾害",
                    "subtype": "森林火灾",
                    "title": "测试：北界镇后山山火",
                    "township_id": reference_id("township", "北界镇"),
                    "lon": 119.41,
                    "lat": 28.74,
                    "teams_assigned": "镇半专业扑火队 15 人（电话通知）",
                },
            )
        ],
        user="测试",
    )
    return incident_id


def test_board_shows_status_available_people_and_key_equipment(window: MainWindow) -> None:
    panel = board(window)
    records = {r["name"]: r for r in panel.model.records()}
    assert len(records) == panel.proxy.rowCount() > 40
    assert records[FIRE_TEAM_2]["status"] == catalog.TEAM_RESTING
    assert records[FIRE_TEAM_2]["available"] == 0  # resting: nobody to send
    first = records[FIRE_TEAM_1]
    assert first["available"] == first["members"] and "风力灭火机 11台" in first["key_equipment"]
    chips = [
        w.text() for w in panel.findChildren(type(panel.summary)) if w.objectName() == "CountChip"
    ]
    assert "● 休整 2" in chips and "● 不可用 1" in chips
    # A member off duty lowers the available count (the sample has one per five teams).
    off = [r for r in records.values() if r["available"] == r["members"] - 1]
    assert off and all(r["status"] == catalog.TEAM_STANDBY for r in off)


def test_detail_lists_members_with_certificate_warnings_and_equipment(
    qtbot: QtBot, window: MainWindow
) -> None:
    panel = board(window)
    # The first sample team's rescuer holds a lapsed 红十字救护员证 (sample_teams).
    name = "妙高街道森林消防应急队"
    with qtbot.waitSignal(panel.detail_shown, timeout=20_000):
        assert panel.select_name(name)
    idle(panel)
    assert panel.detail is not None and panel.detail.team["name"] == name
    assert panel.members.rowCount() == 3 and panel.equipment.rowCount() == 4
    certificates = [cell_text(panel.members, r, CERTIFICATE_COLUMN) for r in range(3)]
    assert any("红十字救护员证" in c and "已过期" in c for c in certificates)
    assert "1 人证书需关注" in panel.members_title.text()
    gear = {cell_text(panel.equipment, r, 0) for r in range(4)}
    assert {"风力灭火机", "二号工具", "对讲机"} <= gear


def test_reach_filter_finds_standby_teams_with_the_equipment_near_the_township(
    window: MainWindow,
) -> None:
    panel = board(window)
    found = panel.set_reach("北界镇", "风力灭火机", 10)
    names = [team["name"] for team, _km in found]
    assert FIRE_TEAM_1 in names and VILLAGE_TEAM in names
    assert FIRE_TEAM_2 not in names  # 休整
    assert "遂昌县综合应急救援队" not in names  # no 风力灭火机, and far
    assert panel.proxy.rowCount() == len(found)
    assert (
        "能到北界镇" in panel.reach_result.text()
        and f"{len(found)} 支" in panel.reach_result.text()
    )
    kms = [km for _team, km in found if km is not None]
    assert len(kms) == len(found) and max(kms) <= 10 and kms == sorted(kms)  # nearest first
    # Resting teams are found once 只看待命 is off.
    assert FIRE_TEAM_2 in [
        t["name"] for t, _km in panel.set_reach("北界镇", "风力灭火机", 10, False)
    ]
    panel.clear_reach()
    assert panel.proxy.rowCount() == panel.model.rowCount()


def test_status_set_by_hand(qtbot: QtBot, window: MainWindow, workstation: Workstation) -> None:
    panel = board(window)
    with qtbot.waitSignal(panel.detail_shown, timeout=20_000):
        assert panel.select_name(FIRE_TEAM_1)
    idle(panel)
    panel.status_box.setCurrentText(catalog.TEAM_UNAVAILABLE)
    with (
        qtbot.waitSignal(panel.loaded, timeout=20_000),
        qtbot.waitSignal(panel.written, timeout=20_000) as said,
    ):
        assert panel.set_status()
    assert said.args == [""]
    assert status_of(workstation, FIRE_TEAM_1) == catalog.TEAM_UNAVAILABLE
    record = next(r for r in panel.model.records() if r["name"] == FIRE_TEAM_1)
    assert record["status"] == catalog.TEAM_UNAVAILABLE and record["available"] == 0


def _dispatch(qtbot: QtBot, dialog: DispatchDialog, *names: str) -> None:
    for name in names:
        assert dialog.check_team(name)
    assert dialog.dispatch_button.text() == f"调派 {len(names)} 支"
    with (
        qtbot.waitSignal(dialog.loaded, timeout=20_000),
        qtbot.waitSignal(dialog.written, timeout=20_000) as said,
    ):
        assert dialog.dispatch_checked()
    assert said.args == [""]


def _timeline(workstation: Workstation, incident_id: str) -> list[dict[str, Any]]:
    from sqlalchemy import text

    with workstation.store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT kind, body FROM incident_timeline WHERE incident_id = :i ORDER BY at"),
            {"i": incident_id},
        ).mappings()
        return [dict(r) for r in rows]


def test_dispatch_two_teams_from_the_map_and_bring_one_back(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    incident_id = fire_incident(workstation)
    page = window.show_view("risk-map")
    assert isinstance(page, RiskMapPage)
    idle(page)
    feature = page.snapshot.feature("incident", incident_id)
    assert feature is not None
    page.open_card(feature)
    idle(page)
    assert page.card.dispatch_button.isVisible()
    with qtbot.waitSignal(page.card.dispatch_requested, timeout=20_000):
        page.card.dispatch_button.click()
    dialog = page.dispatch_dialog
    assert isinstance(dialog, DispatchDialog)
    idle(page)
    # Suggested: standby forest-fire teams of the right kind, nearest first; 休整 last.
    names = [s.team["name"] for s in dialog.suggestions]
    assert names[0] in (FIRE_TEAM_1, VILLAGE_TEAM)
    assert names.index(FIRE_TEAM_2) > names.index("遂昌县综合应急救援队")
    _dispatch(qtbot, dialog, FIRE_TEAM_1, VILLAGE_TEAM)

    assert [d["team_name"] for d in dialog.dispatches if d["returned_at"] is None] == sorted(
        [FIRE_TEAM_1, VILLAGE_TEAM]
    ) or len(dialog.dispatches) == 2
    assert dialog.out_table.rowCount() == 2
    assert FIRE_TEAM_1 not in [s.team["name"] for s in dialog.suggestions]  # not offered twice
    assert status_of(workstation, FIRE_TEAM_1) == status_of(workstation, VILLAGE_TEAM) == "出动"
    # The team layer is coloured by status: both out now.
    qtbot.waitUntil(
        lambda: (
            {f.name: f.status for f in page.snapshot.layer(TEAMS) if f.name in (FIRE_TEAM_1,)}
            == {FIRE_TEAM_1: "出动"}
        ),
        timeout=20_000,
    )
    brushes = page.map.scatters[TEAMS].data["brush"]
    out = [
        b.color().name()
        for b, f in zip(brushes, page.snapshot.layer(TEAMS), strict=True)
        if f.status == "出动"
    ]
    assert out and set(out) == {"#fa541c"}

    # Bring one back, to 休整.
    back = next(d for d in dialog.dispatches if d["team_name"] == VILLAGE_TEAM)
    dialog.return_status.setCurrentText(catalog.TEAM_RESTING)
    with (
        qtbot.waitSignal(dialog.loaded, timeout=20_000),
        qtbot.waitSignal(dialog.written, timeout=20_000),
    ):
        assert dialog.bring_back(back["id"])
    assert status_of(workstation, VILLAGE_TEAM) == catalog.TEAM_RESTING
    assert status_of(workstation, FIRE_TEAM_1) == "出动"
    assert "出动中 1 支，共 2 支" in dialog.out_title.text()
    bodies = [e["body"] for e in _timeline(workstation, incident_id) if e["kind"] == "队伍调度"]
    assert len(bodies) == 3 and bodies[-1] == f"“{VILLAGE_TEAM}”返回，转为休整"
    dialog.close()


def test_incident_detail_dispatches_and_shows_the_old_text_read_only(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    incident_id = fire_incident(workstation)
    page = window.show_view("intake")
    detail = page.detail  # type: ignore[attr-defined]
    with qtbot.waitSignal(detail.shown, timeout=20_000):
        detail.show_incident(incident_id)
    assert "未调派队伍" in detail.teams.text()
    assert "原处置队伍记录（只读）：镇半专业扑火队 15 人" in detail.teams.text()
    bodies = [
        detail.timeline_model.record(r)["body"] for r in range(detail.timeline_model.rowCount())
    ]
    assert bodies[-1].startswith("原处置队伍记录（只读）")  # shown, never stored as a row
    assert all(e["body"] != bodies[-1] for e in _timeline(workstation, incident_id))
    dialog = detail.open_dispatch()
    assert isinstance(dialog, DispatchDialog)
    idle(page)
    with qtbot.waitSignal(detail.shown, timeout=20_000):
        _dispatch(qtbot, dialog, FIRE_TEAM_1)
    qtbot.waitUntil(lambda: f"出动中：{FIRE_TEAM_1}" in detail.teams.text(), timeout=20_000)
    kinds = [
        detail.timeline_model.record(r)["kind"] for r in range(detail.timeline_model.rowCount())
    ]
    assert kinds[0] == "队伍调度"
    incident = fetch_incident(workstation.store, incident_id)
    assert incident is not None and incident["teams_assigned"].startswith("镇半专业")  # kept
    dialog.close()


def test_equipment_added_through_the_record_form(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    panel = board(window)
    with qtbot.waitSignal(panel.detail_shown, timeout=20_000):
        assert panel.select_name(FIRE_TEAM_1)
    idle(panel)
    before = panel.equipment.rowCount()
    form = panel.add_equipment()
    assert form is not None and form.value("team_id") == reference_id("team", FIRE_TEAM_1)
    form.set_value("name", "无人机")
    form.set_value("count", 2)
    form.set_value("unit", "架")
    with qtbot.waitSignal(panel.written, timeout=20_000) as said:
        form.submit()
    assert said.args == [""]
    qtbot.waitUntil(lambda: panel.equipment.rowCount() == before + 1, timeout=20_000)
    record = next(r for r in panel.model.records() if r["name"] == FIRE_TEAM_1)
    qtbot.waitUntil(
        lambda: (
            "无人机 2架"
            in next(r for r in panel.model.records() if r["name"] == FIRE_TEAM_1)["key_equipment"]
        ),
        timeout=20_000,
    )
    assert record["id"] == reference_id("team", FIRE_TEAM_1)
    # The same item again is refused by its natural key (team + name), shown in the form.
    again = panel.add_equipment()
    assert again is not None
    again.set_value("name", "无人机")
    with qtbot.waitSignal(panel.written, timeout=20_000) as refused:
        again.submit()
    assert "已有相同的队伍装备记录" in refused.args[0]
    again.close()
