"""The pure rules of 指挥一平台: a recipient's state from its events, the call list down the
chain, the next person up, the escalation rule. Hand-computed cases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from console.domain.orders import (
    DEPTHS,
    ORDER_TEMPLATES,
    ChainEntry,
    RoleRow,
    call_list,
    next_up,
    overdue,
    place_role,
    recipient_state,
    silent_minutes,
)

# Two townships: T1 (villages V1, V2), T2 (village V3).
VT = {"V1": "T1", "V2": "T1", "V3": "T2"}
ROLES = [
    RoleRow("grid-v1", "山洪预警员", "T1", "V1"),
    RoleRow("group-v1", "村监测预警", "T1", "V1"),
    RoleRow("group-v1b", "村人员转移", "T1", "V1"),
    RoleRow("head-t1", "乡镇第一责任人", "T1", ""),
    RoleRow("county-t1", "县领导包乡", "T1", ""),
    RoleRow("group-v2", "村监测预警", "T1", "V2"),
    RoleRow("head-t2", "乡镇第一责任人", "T2", ""),
    RoleRow("group-v3", "村抢险救援", "T2", "V3"),
    RoleRow("expert", "会商专家", "", ""),  # not on the chain
    RoleRow("info-t1", "乡镇灾害信息员", "T1", ""),  # not on the chain
    # Someone in two roles: called once, at the higher one.
    RoleRow("head-t1", "危房联络员", "T1", "V2"),
]


def _ids(entries: list[ChainEntry]) -> list[str]:
    return [e.person_id for e in entries]


def test_a_whole_township_is_called_county_first_then_village_by_village() -> None:
    chain = call_list(ROLES, townships=["T1"], village_township=VT)
    assert _ids(chain) == [
        "county-t1",
        "head-t1",
        "group-v1",  # 村监测预警 before 村人员转移 (catalog order)
        "group-v1b",
        "grid-v1",
        "group-v2",
    ]
    assert [e.rank for e in chain] == [0, 1, 2, 2, 3, 2]
    assert chain[1].village_id == "" and chain[4].village_id == "V1"


def test_one_village_brings_its_townships_leaders_but_not_the_other_villages() -> None:
    chain = call_list(ROLES, villages=["V2", "V3"], village_township=VT,
                      order_of={"T2": "a", "T1": "b"})  # fmt: skip
    # T2 sorts first by name; V2 brings head-t1 (its 危房联络员 role is dropped: called once).
    assert _ids(chain) == ["head-t2", "group-v3", "county-t1", "head-t1", "group-v2"]


def test_a_depth_calls_only_its_levels_and_leaves_the_county_leader_to_escalate_to() -> None:
    heads = call_list(ROLES, townships=["T1", "T2"], village_township=VT,
                      ranks=DEPTHS["乡镇第一责任人"])  # fmt: skip
    assert _ids(heads) == ["head-t1", "head-t2"]
    # The county leader left off the order is who the silent head escalates to.
    whole = call_list(ROLES, townships=["T1", "T2"], village_township=VT)
    assert next_up(heads[0], whole, skip=_ids(heads)) == next(
        e for e in whole if e.person_id == "county-t1"
    )
    village = call_list(ROLES, townships=["T1"], village_township=VT, ranks=DEPTHS["到村工作组"])
    assert _ids(village) == ["head-t1", "group-v1", "group-v1b", "group-v2"]
    grid = call_list(ROLES, townships=["T1"], village_township=VT, ranks=DEPTHS["到网格"])
    assert _ids(grid) == ["head-t1", "group-v1", "group-v1b", "grid-v1", "group-v2"]
    # A person in two roles whose higher one is left out is called at the one kept.
    grid_only = call_list(ROLES, villages=["V2"], village_township=VT, ranks=(3,))
    assert [(e.person_id, e.role, e.village_id) for e in grid_only] == [
        ("head-t1", "危房联络员", "V2")
    ]


def test_place_role_finds_the_village_of_a_risk_point() -> None:
    row = {"person_id": "p", "role": "地灾群测群防员", "risk_point_id": "R1",
           "township_id": None, "village_id": None}  # fmt: skip
    assert place_role(row, VT, {"R1": "V3"}) == RoleRow("p", "地灾群测群防员", "T2", "V3")
    town = {"person_id": "q", "role": "乡镇第一责任人", "township_id": "T1"}
    assert place_role(town, VT, {}) == RoleRow("q", "乡镇第一责任人", "T1", "")


def test_next_up_climbs_village_then_township_then_county() -> None:
    chain = call_list(ROLES, townships=["T1", "T2"], village_township=VT)
    by = {e.person_id: e for e in chain}
    assert next_up(by["grid-v1"], chain) == by["group-v1"]
    assert next_up(by["grid-v1"], chain, skip=["group-v1"]) == by["group-v1b"]
    assert next_up(by["grid-v1"], chain, skip=["group-v1", "group-v1b"]) == by["head-t1"]
    assert next_up(by["group-v2"], chain) == by["head-t1"]  # not V1's group
    assert next_up(by["head-t1"], chain) == by["county-t1"]
    assert next_up(by["group-v3"], chain) == by["head-t2"]
    assert next_up(by["head-t2"], chain) is None  # T2 has no county leader on file
    assert next_up(by["county-t1"], chain) is None


SENT = datetime(2026, 7, 1, 6, 0, tzinfo=timezone(timedelta(hours=8)))


def test_the_state_is_the_furthest_step_whatever_the_order_of_events() -> None:
    events = [
        {"id": "3", "kind": "已反馈", "at": "2026-07-01T06:30:00+08:00", "value": 12},
        {"id": "1", "kind": "已叫应", "at": "2026-07-01T06:03:00+08:00", "channel": "电话",
         "answered_by": "王镇长"},
        {"id": "2", "kind": "已叫应", "at": "2026-07-01T06:04:00+08:00", "channel": "短信"},
        {"id": "4", "kind": "已反馈", "at": "2026-07-01T06:45:00+08:00", "value": 20},
    ]  # fmt: skip
    state = recipient_state(events)
    assert (state.state, state.acked_at, state.acked_by, state.channel, state.value) == (
        "已反馈",
        "2026-07-01T06:03:00+08:00",
        "王镇长",
        "电话",
        20.0,
    )
    assert recipient_state([]).silent
    # Feedback without an acknowledgement: someone answered.
    only = recipient_state([{"kind": "完成", "at": "2026-07-01T06:10:00+08:00"}])
    assert (only.state, only.acked_at) == ("完成", "2026-07-01T06:10:00+08:00")


def test_escalation_rule_silent_past_the_order_types_minutes() -> None:
    minutes = ORDER_TEMPLATES["预警叫应"].escalate_minutes
    assert minutes == 5
    silent = recipient_state([])
    assert silent_minutes(SENT, SENT + timedelta(minutes=4, seconds=59)) == 4
    assert not overdue(silent, SENT, SENT + timedelta(minutes=4, seconds=59), minutes)
    assert overdue(silent, SENT, SENT + timedelta(minutes=5), minutes)
    acked = recipient_state([{"kind": "已叫应", "at": "x", "channel": "电话"}])
    assert not overdue(acked, SENT, SENT + timedelta(hours=1), minutes)
    escalated = recipient_state([{"kind": "升级", "at": "x", "to_recipient_id": "r2"}])
    assert escalated.silent and not overdue(escalated, SENT, SENT + timedelta(hours=1), minutes)
    assert silent_minutes(SENT, SENT - timedelta(minutes=3)) == 0


def test_a_county_sets_its_own_template_minutes() -> None:
    import json

    import pytest

    from console.domain.orders import templates_from_json

    mine = templates_from_json(json.dumps({"预警叫应": {"escalate_minutes": 3, "title": "叫应"}}))
    assert (mine["预警叫应"].escalate_minutes, mine["预警叫应"].title) == (3, "叫应")
    assert mine["预警叫应"].deadline_minutes == ORDER_TEMPLATES["预警叫应"].deadline_minutes
    assert mine["转移指令"] == ORDER_TEMPLATES["转移指令"]
    for bad, message in (
        ({"撤离令": {}}, "未知的指令类型"),
        ({"预警叫应": {"escalate_minutes": 0}}, "1 至 1440 的整数"),
        ({"预警叫应": {"escalate_minutes": True}}, "1 至 1440 的整数"),
        ({"预警叫应": {"feedback_kind": "图片"}}, "feedback_kind 只能是"),
        ({"预警叫应": {"title": "长" * 121}}, "不超过 120 字"),
        ({"预警叫应": {"sound": 1}}, "未知字段"),
        ([], "应为 JSON 对象"),
    ):
        with pytest.raises(ValueError, match=message):
            templates_from_json(json.dumps(bad))
