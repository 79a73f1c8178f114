"""TeamService over a real workstation file: the board's counts, a team's detail with its
certificate warnings, suggestions, and the report's 处置力量 from the dispatches."""

from __future__ import annotations

from datetime import date, datetime

from console.domain import beijing
from console.domain.ids import new_id, reference_id
from console.services.context import Workstation
from console.services.report_text import compose
from console.services.teams import TeamService

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=beijing.BEIJING)


def test_board_detail_and_suggestions_of_the_sample(workstation: Workstation) -> None:
    service = TeamService.of(workstation.writer)
    today = beijing.now().date()  # the sample's certificates are dated from its load
    board = service.board(today)
    by_name = {t["name"]: t for t in board.teams}
    team = by_name["北界镇森林消防应急一队"]
    assert team["township"] == "北界镇" and team["status"] == "待命"
    assert "风力灭火机" in board.equipment_names
    detail = service.detail(team["id"], today)
    assert detail is not None
    assert [m["role"] for m in detail.members] == ["队长", "副队长", "救护员"]
    assert detail.members[0]["name"] == team["leader"]
    assert detail.equipment[0]["name"] == "二号工具"  # most numerous first
    # The first of every seven sample teams has a rescuer whose certificate has lapsed, the
    # second one lapsing within the month (sample_teams): each a warning on the board.
    assert sum(t["warnings"] for t in board.teams) == sum(
        1 for i in range(len(board.teams)) if i % 7 in (0, 1)
    )
    first = service.detail(by_name["妙高街道森林消防应急队"]["id"], today)
    assert first is not None
    assert [c["state"] for m in first.members for c in m["certificates"]] == ["已过期"]
    assert service.detail(new_id(), today) is None


def test_report_names_the_dispatched_teams_and_the_old_text(workstation: Workstation) -> None:
    service = TeamService.of(workstation.writer)
    incident = {
        "id": new_id(),
        "received_at": beijing.canonical(T0),
        "category": "自然灾害",
        "subtype": "森林火灾",
        "title": "北界镇山火",
        "township_id": reference_id("township", "北界镇"),
        "teams_assigned": "镇扑火队 15 人",
    }
    workstation.writer.apply([("incident.create", incident)], user="张三")
    suggestions = service.suggestions(incident)  # no position: the township's
    assert suggestions[0].distance_km is not None and suggestions[0].suited
    team = reference_id("team", "北界镇森林消防应急一队")
    service.dispatch(incident["id"], [team], user="张三", at=T0)
    with workstation.store.engine.connect() as conn:
        timeline = [
            dict(r)
            for r in conn.exec_driver_sql(
                "SELECT id, kind, body, at, author FROM incident_timeline"
            ).mappings()
        ]
    draft = compose("续报", {**incident, "status": "处置中", "grade": None}, timeline, [], {}, T0)
    assert "四、处置力量：北界镇森林消防应急一队；镇扑火队 15 人" in draft.body
    assert date(2026, 7, 1) == T0.date()
