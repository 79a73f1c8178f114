"""Teams in action (issue 14): a dispatch writes the dispatch, a 队伍调度 timeline row and
the team 出动 together; the return brings the team back to 待命 or 休整 (unless it is out
elsewhere); members, equipment and certificates are reference data; refusals are Chinese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain import teams as rules
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.mutations import fetch
from console.domain.roles import LEADER, OFFICER, READONLY, allowed

Run = Callable[..., Any]
AT = "2026-07-01T06:00:00+08:00"
LATER = "2026-07-01T09:30:00+08:00"


def _incident(run: Run, **extra: Any) -> str:
    incident = {
        "id": new_id(),
        "received_at": AT,
        "category": "自然灾害",
        "subtype": "森林火灾",
        "title": "北界镇后山山火",
        **extra,
    }
    run("incident.create", incident)
    return str(incident["id"])


def _team(run: Run, name: str = "北界镇森林消防应急一队", **extra: Any) -> str:
    team = {"id": new_id(), "name": name, "kind": "乡镇森林消防队", "members": 20, **extra}
    run("team.upsert", team)
    return str(team["id"])


def _dispatch(run: Run, incident: str, team: str, **extra: Any) -> dict[str, Any]:
    args = {
        "id": new_id(),
        "incident_id": incident,
        "team_id": team,
        "dispatched_at": AT,
        "timeline_id": new_id(),
        **extra,
    }
    run("dispatch.create", args)
    return args


def _timeline(conn: Connection, incident: str) -> list[dict[str, Any]]:
    sql = "SELECT kind, body, author FROM incident_timeline WHERE incident_id = :i ORDER BY at"
    return [dict(r) for r in conn.execute(text(sql), {"i": incident}).mappings()]


def test_new_team_is_on_standby(run: Run, conn: Connection) -> None:
    team = fetch(conn, "teams", _team(run))
    assert team is not None
    assert (team["status"], team["status_at"]) == (catalog.TEAM_STANDBY, None)


def test_dispatch_records_the_link_the_timeline_and_sets_the_team_out(
    run: Run, conn: Connection
) -> None:
    incident, team = _incident(run), _team(run)
    args = _dispatch(run, incident, team, note="携风力灭火机")
    row = fetch(conn, "incident_dispatches", args["id"])
    assert row is not None and row["returned_at"] is None and row["author"] == "张三"
    status = fetch(conn, "teams", team)
    assert status is not None and (status["status"], status["status_at"]) == ("出动", AT)
    [entry] = _timeline(conn, incident)
    assert entry["kind"] == "队伍调度"
    assert "北界镇森林消防应急一队" in entry["body"] and "携风力灭火机" in entry["body"]


def test_replayed_dispatch_is_a_no_op(run: Run, conn: Connection) -> None:
    incident, team = _incident(run), _team(run)
    args = _dispatch(run, incident, team)
    assert run("dispatch.create", args) == []
    assert len(_timeline(conn, incident)) == 1


def test_same_team_twice_to_one_incident_is_refused_until_it_returns(run: Run) -> None:
    incident, team = _incident(run), _team(run)
    first = _dispatch(run, incident, team)
    with pytest.raises(MutationRejected, match="已调派到该事件"):
        _dispatch(run, incident, team)
    run("dispatch.return", {"id": first["id"], "at": LATER, "timeline_id": new_id()})
    _dispatch(run, incident, team, dispatched_at=LATER)  # sent again after its return


def test_return_sets_standby_or_rest_and_logs_the_time(run: Run, conn: Connection) -> None:
    incident, team = _incident(run), _team(run)
    args = _dispatch(run, incident, team)
    run(
        "dispatch.return",
        {"id": args["id"], "at": LATER, "status": "休整", "timeline_id": new_id()},
        user="李四",
    )
    row = fetch(conn, "incident_dispatches", args["id"])
    assert row is not None and (row["returned_at"], row["returned_by"]) == (LATER, "李四")
    status = fetch(conn, "teams", team)
    assert status is not None and (status["status"], status["status_at"]) == ("休整", LATER)
    assert _timeline(conn, incident)[-1]["body"] == "“北界镇森林消防应急一队”返回，转为休整"
    # A second return (another workstation) keeps the first one.
    again = {"id": args["id"], "at": "2026-07-01T10:00:00+08:00", "timeline_id": new_id()}
    assert run("dispatch.return", again) == []


def test_team_out_on_two_incidents_stays_out_until_both_return(run: Run, conn: Connection) -> None:
    team = _team(run)
    a = _dispatch(run, _incident(run), team)
    b = _dispatch(run, _incident(run, title="另一处山火"), team)
    run("dispatch.return", {"id": a["id"], "at": LATER, "timeline_id": new_id()})
    status = fetch(conn, "teams", team)
    assert status is not None and status["status"] == "出动"
    run("dispatch.return", {"id": b["id"], "at": LATER, "timeline_id": new_id()})
    status = fetch(conn, "teams", team)
    assert status is not None and status["status"] == "待命"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"status": "出动"}, "待命"),  # a return never sends a team out
        ({"at": "2026-07-01T05:00:00+08:00"}, "不能早于出动时间"),
        ({"at": "昨天"}, "时间"),
        ({"extra": 1}, "未知字段"),
    ],
)
def test_bad_returns_are_refused(run: Run, args: dict[str, Any], message: str) -> None:
    dispatch = _dispatch(run, _incident(run), _team(run))
    call = {"id": dispatch["id"], "at": LATER, "timeline_id": new_id(), **args}
    with pytest.raises(MutationRejected, match=message):
        run("dispatch.return", call)


def test_dispatch_of_a_missing_team_or_incident_is_refused(run: Run) -> None:
    with pytest.raises(MutationRejected, match="不存在"):
        _dispatch(run, _incident(run), new_id())
    with pytest.raises(MutationRejected, match="不存在"):
        _dispatch(run, new_id(), _team(run))
    with pytest.raises(MutationRejected, match="事件记录编号"):
        _dispatch(run, _incident(run), _team(run, name="二队"), timeline_id="x")


def test_set_status_by_hand_and_bad_status(run: Run, conn: Connection) -> None:
    team = _team(run)
    run("team.set_status", {"id": team, "status": "不可用", "at": LATER})
    row = fetch(conn, "teams", team)
    assert row is not None and (row["status"], row["status_at"]) == ("不可用", LATER)
    with pytest.raises(MutationRejected, match="队伍状态"):
        run("team.set_status", {"id": team, "status": "休假", "at": LATER})
    # The upsert of the team's fields cannot set its status (only set_status and dispatch).
    with pytest.raises(MutationRejected, match="未知字段"):
        run("team.upsert", {"id": team, "status": "待命"})


def test_members_equipment_and_certificates_are_reference_data(run: Run, conn: Connection) -> None:
    team = _team(run)
    person = {"id": new_id(), "name": "陈某某", "mobile": "13900000001"}
    run("person.upsert", person)
    member = {"id": new_id(), "team_id": team, "person_id": person["id"], "role": "救护员"}
    run("team_member.upsert", member)
    gear = {"id": new_id(), "team_id": team, "name": "风力灭火机", "count": 8, "unit": "台"}
    run("team_equipment.upsert", gear)
    cert = {
        "id": new_id(),
        "person_id": person["id"],
        "name": "红十字救护员证",
        "expires_on": "2026-07-20",
    }
    run("certificate.upsert", cert)
    row = fetch(conn, "team_members", member["id"])
    assert row is not None and row["available"] is True
    with pytest.raises(MutationRejected, match="数量"):
        run("team_equipment.upsert", {**gear, "count": -1})
    with pytest.raises(MutationRejected, match="有效期至"):
        run("certificate.upsert", {**cert, "expires_on": "明年"})
    with pytest.raises(MutationRejected, match="不存在"):
        run("team_member.upsert", {**member, "id": new_id(), "person_id": new_id()})


def test_permissions_of_the_new_mutations() -> None:
    for name in ("dispatch.create", "dispatch.return", "team.set_status", "team_member.upsert"):
        assert allowed(OFFICER, name) and not allowed(READONLY, name)
    for name in ("team_member.delete", "team_equipment.delete", "certificate.delete"):
        assert allowed(LEADER, name) and not allowed(OFFICER, name)


def test_certificate_state_warns_thirty_days_ahead_and_when_lapsed() -> None:
    today = date(2026, 7, 1)
    assert rules.certificate_state("2026-06-30", today) == rules.LAPSED
    assert rules.certificate_state("2026-07-01", today) == rules.LAPSING
    assert rules.certificate_state("2026-07-31", today) == rules.LAPSING
    assert rules.certificate_state("2026-08-01", today) == ""
    assert rules.certificate_state(None, today) == ""


def test_suggestions_put_standby_suited_and_near_teams_first() -> None:
    incident = {"category": "自然灾害", "subtype": "森林火灾", "lon": 119.40, "lat": 28.74}
    teams = [
        {"name": "远队", "kind": "乡镇森林消防队", "status": "待命", "lon": 118.8, "lat": 28.3},
        {"name": "近队", "kind": "乡镇森林消防队", "status": "待命", "lon": 119.41, "lat": 28.73},
        {"name": "出动队", "kind": "乡镇森林消防队", "status": "出动", "lon": 119.4, "lat": 28.74},
        {"name": "蓝天", "kind": "社会救援力量", "status": "待命", "lon": 119.4, "lat": 28.74},
    ]
    order = [s.team["name"] for s in rules.suggest(incident, teams)]
    assert order == ["近队", "远队", "蓝天", "出动队"]
    best = rules.suggest(incident, teams)[0]
    assert best.suited and best.distance_km is not None and best.distance_km < 2
    assert "类型对口" in best.reason()


def test_reach_filter_equipment_distance_and_standby() -> None:
    reach = rules.Reach("风力灭火机", "bj", (119.40, 28.74), 10.0, standby_only=True)
    gear = [{"name": "风力灭火机", "count": 8}]
    near = {"status": "待命", "township_id": "x", "lon": 119.42, "lat": 28.74}
    assert reach.matches(near, gear)[0]
    assert not reach.matches({**near, "status": "出动"}, gear)[0]
    assert not reach.matches(near, [{"name": "冲锋舟", "count": 2}])[0]
    assert not reach.matches(near, [{"name": "风力灭火机", "count": 0}])[0]
    far = {**near, "lon": 118.8, "lat": 28.3}
    assert not reach.matches(far, gear)[0]
    assert reach.matches({**far, "township_id": "bj"}, gear)[0]  # based in the township
