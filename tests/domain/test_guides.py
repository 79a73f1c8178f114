"""应急一指南: the draft guides, a response's checklist derived from its events (hand-computed
times), the level-change rules, and the mutations (timeline rows, replays, refusals)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from console.domain import catalog, guides
from console.domain.fields import MutationRejected
from console.domain.guides import guide_item_id
from console.domain.ids import new_id
from console.domain.mutations import fetch

Run = Callable[..., Any]
AT = "2026-07-01T06:00:00+08:00"


def _t(hhmm: str) -> str:
    return f"2026-07-01T{hhmm}:00+08:00"


def _item(item_id: str, role: str, seq: int, minutes: int, level: str = "IV") -> dict[str, Any]:
    return {
        "id": item_id,
        "hazard": "山洪",
        "level": level,
        "role": role,
        "seq": seq,
        "action": f"事项{item_id}",
        "limit_minutes": minutes,
    }


def _ev(eid: str, kind: str, at: str, item: str | None = None, **more: Any) -> dict[str, Any]:
    return {"id": eid, "kind": kind, "at": at, "guide_item_id": item, "author": "甲", **more}


RESPONSE = {"hazard": "山洪", "level": "IV", "activated_at": _t("06:00")}
ITEMS = [
    _item("b", "值班员", 1, 30),
    _item("a", "带班领导", 1, 30),
    _item("c", "乡镇", 1, 0),  # no limit
    _item("x", "带班领导", 1, 30, level="III"),
]


def test_default_guides_are_drafts_for_both_hazards_and_every_level() -> None:
    calls = guides.default_guide_calls()
    keys = {(a["hazard"], a["level"]) for _, a in calls}
    assert keys == {(h, lv) for h in ("山洪", "地质灾害") for lv in ("IV", "III", "II", "I")}
    assert all(a["is_draft"] for _, a in calls)
    assert len({a["id"] for _, a in calls}) == len(calls)
    first = calls[0][1]
    assert first["id"] == guide_item_id("山洪", "IV", "带班领导", 1)


def test_checklist_order_ticks_and_overdue_by_hand() -> None:
    events = [
        _ev("1", catalog.TICKED, _t("06:10"), "a"),
        _ev("2", catalog.TICKED, _t("06:20"), "b", author="乙"),
        _ev("3", catalog.UNTICKED, _t("06:25"), "b"),
        _ev("4", catalog.ITEM_NOTE, _t("06:26"), "b", note="电话未通"),
    ]
    now = datetime.fromisoformat(_t("06:31"))
    states = guides.checklist(RESPONSE, ITEMS, events, now)
    # Level IV only, 带班领导 before 值班员 before 乡镇.
    assert [s.item_id for s in states] == ["a", "b", "c"]
    a, b, c = states
    assert (a.ticked, a.ticked_by, a.ticked_at, a.overdue) == (True, "甲", _t("06:10"), False)
    # b: ticked then unticked, due at 06:30, now 06:31: overdue, with its note.
    assert (b.ticked, b.overdue) == (False, True)
    assert b.due_at == datetime.fromisoformat(_t("06:30"))
    assert [n.text for n in b.notes] == ["电话未通"]
    assert (c.due_at, c.overdue) == (None, False)
    assert guides.progress(states) == (1, 3, 1)
    # At 06:30 exactly b is not yet overdue.
    on_time = guides.checklist(RESPONSE, ITEMS, events, datetime.fromisoformat(_t("06:30")))
    assert not on_time[1].overdue


def test_two_workstations_ticking_the_same_item_and_a_late_tick() -> None:
    events = [
        _ev("2", catalog.TICKED, _t("06:40"), "a", author="乙"),
        _ev("1", catalog.TICKED, _t("06:40"), "a", author="甲"),  # same time: id decides
    ]
    [a, *_] = guides.checklist(RESPONSE, ITEMS, events, datetime.fromisoformat(_t("07:00")))
    assert (a.ticked, a.ticked_by, a.late, a.overdue) == (True, "乙", True, False)


def test_raising_the_level_restarts_the_clock_and_shows_the_new_items() -> None:
    raised = {**RESPONSE, "level": "III"}
    events = [
        _ev("1", catalog.RAISED, _t("07:00"), from_level="IV", to_level="III"),
    ]
    assert guides.level_started_at(raised, events) == _t("07:00")
    [x] = guides.checklist(raised, ITEMS, events, datetime.fromisoformat(_t("07:29")))
    assert (x.item_id, x.due_at, x.overdue) == ("x", datetime.fromisoformat(_t("07:30")), False)


def test_level_change_rules() -> None:
    assert guides.level_change_problem("IV", "III", "雨势加大") is None
    assert guides.change_kind("IV", "III") == catalog.RAISED
    assert guides.change_kind("II", "IV") == catalog.LOWERED
    assert guides.level_change_problem("IV", "IV", "x") == "响应已是Ⅳ级"
    assert guides.level_change_problem("IV", "V", "x") == "响应等级只能是：IV、III、II、I"
    assert guides.level_change_problem("IV", "III", "  ") == "升级或降级须写明理由"


# ----- mutations -------------------------------------------------------------------------


def _rows(conn: Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def _incident(run: Run) -> str:
    incident = {"id": new_id(), "received_at": AT, "category": "自然灾害", "title": "山洪"}
    run("incident.create", incident)
    return str(incident["id"])


def _guide(run: Run) -> str:
    item = {**_item(new_id(), "值班员", 1, 30), "action": "叫应乡镇"}
    run("guide_item.upsert", item)
    return str(item["id"])


def _activate(run: Run, incident_id: str, **more: Any) -> dict[str, Any]:
    args = {
        "id": new_id(),
        "hazard": "山洪",
        "level": "IV",
        "incident_id": incident_id,
        "activated_at": AT,
        "reason": "3小时雨量 60 毫米",
        "timeline_id": new_id(),
        **more,
    }
    run("response.activate", args)
    return args


def test_activate_tick_raise_and_end_write_events_and_the_incident_timeline(
    run: Run, conn: Connection
) -> None:
    incident = _incident(run)
    item = _guide(run)
    args = _activate(run, incident)
    assert run("response.activate", args) == []  # a replay
    tick = {
        "id": new_id(),
        "response_id": args["id"],
        "guide_item_id": item,
        "kind": catalog.TICKED,
        "at": _t("06:10"),
    }
    run("response.record", tick)
    assert run("response.record", tick) == []
    change = {
        "id": args["id"],
        "event_id": new_id(),
        "level": "III",
        "reason": " 雨势加大 ",  # stored trimmed; the replay below is still identical
        "at": _t("07:00"),
        "timeline_id": new_id(),
    }
    run("response.change_level", change, user="王带班")
    assert run("response.change_level", change) == []  # a replay
    response = fetch(conn, "responses", args["id"])
    assert response is not None and response["level"] == "III"
    with pytest.raises(MutationRejected, match="响应已是Ⅲ级"):
        run("response.change_level", {**change, "event_id": new_id(), "timeline_id": new_id()})
    end = {"id": args["id"], "event_id": new_id(), "at": _t("09:00"), "timeline_id": new_id()}
    run("response.end", {**end, "reason": "雨停"})
    ended = fetch(conn, "responses", args["id"])
    assert ended is not None and (ended["status"], ended["ended_at"]) == ("已终止", _t("09:00"))
    log = _rows(
        conn,
        "SELECT kind, body, author FROM incident_timeline WHERE incident_id = :i ORDER BY at",
        i=incident,
    )
    assert [r["body"] for r in log] == [
        "启动山洪Ⅳ级应急响应；理由：3小时雨量 60 毫米",
        "应急响应事项已完成：叫应乡镇",
        "山洪应急响应升级：Ⅳ级 → Ⅲ级；理由：雨势加大",
        "终止山洪Ⅲ级应急响应；理由：雨停",
    ]
    assert {r["kind"] for r in log} == {"应急响应"} and log[2]["author"] == "王带班"
    events = _rows(
        conn, "SELECT kind, from_level, to_level FROM response_events ORDER BY at", r=args["id"]
    )
    assert events == [
        {"kind": "勾选", "from_level": "", "to_level": ""},
        {"kind": "升级", "from_level": "IV", "to_level": "III"},
        {"kind": "终止", "from_level": "III", "to_level": ""},
    ]
    with pytest.raises(MutationRejected, match="应急响应已终止"):
        run("response.change_level", {**change, "event_id": new_id(), "level": "II"})


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"kind": catalog.RAISED}, "升级、降级和终止须由带班领导操作"),
        ({"to_level": "I"}, "勾选或备注不改变响应等级"),
        ({"guide_item_id": None}, "请指明指南事项"),
        ({"kind": catalog.ITEM_NOTE, "note": " "}, "备注不能为空"),
        ({"response_id": new_id()}, "“所属响应”指向的记录不存在"),
    ],
)
def test_record_refusals(run: Run, override: dict[str, Any], message: str) -> None:
    response = _activate(run, _incident(run))
    event = {
        "id": new_id(),
        "response_id": response["id"],
        "guide_item_id": _guide(run),
        "kind": catalog.TICKED,
        "at": AT,
        **override,
    }
    with pytest.raises(MutationRejected, match=message):
        run("response.record", event)


def test_an_item_of_another_hazard_and_a_response_from_nothing_are_refused(run: Run) -> None:
    other = {**_item(new_id(), "值班员", 1, 0), "hazard": "地质灾害"}
    run("guide_item.upsert", other)
    response = _activate(run, _incident(run))
    with pytest.raises(MutationRejected, match="不属于本次响应的灾种"):
        run(
            "response.record",
            {
                "id": new_id(),
                "response_id": response["id"],
                "guide_item_id": other["id"],
                "kind": catalog.TICKED,
                "at": AT,
            },
        )
    with pytest.raises(MutationRejected, match="须从事件或研判单启动"):
        _activate(run, None)  # type: ignore[arg-type]


def test_six_duties_from_roles_and_points() -> None:
    roles = [
        {"role": "乡镇第一责任人", "name": "毛镇长", "mobile": "13900000001"},
        {"role": "村监测预警", "name": "李四", "mobile": ""},
        {"role": "山洪预警员", "name": "王五", "mobile": "13900000003"},
        {"role": "山洪预警员", "name": "王五", "mobile": "13900000003"},  # two points
    ]
    points = [
        {"warning_signal": "铜锣", "transfer_route": "沿村道向东", "shelter": "中心学校"},
        {"warning_signal": "", "transfer_route": "沿村道向东", "shelter": None},
    ]
    duties = guides.six_duties(roles, points)
    assert [(d.name, d.filled, d.text) for d in duties] == [
        ("行政责任人", True, "毛镇长 13900000001"),
        ("监测负责人", True, "王五 13900000003、李四"),  # the 山洪预警员 first, once
        ("信息报送人", False, ""),
        ("预警信号", True, "铜锣"),
        ("转移路线", True, "沿村道向东"),
        ("安全地点", True, "中心学校"),
    ]
    assert [d.filled for d in guides.six_duties([], [])] == [False] * 6
