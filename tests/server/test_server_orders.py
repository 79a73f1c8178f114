"""指挥一平台 through a real duty-server (both backends): an officer issues orders and
records answers, only a leader cancels; two workstations recording the same person add
events instead of overwriting; hostile orders and events are refused in Chinese and change
nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from server_testkit import Client, Database, ServerProcess, incident_args

from console.domain.ids import new_id
from console.domain.mutations_orders import timeline_id

AT = "2026-07-01T06:00:00+08:00"


def _order(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "kind": "预警叫应",
        "title": "暴雨红色预警叫应",
        "content": "请立即进入临战状态",
        "issued_at": AT,
        "deadline": "2026-07-01T06:30:00+08:00",
        "feedback_kind": "无需反馈",
        "escalate_minutes": 5,
        "recipients": [
            {"id": new_id(), "name": "王镇长", "rank": 1, "sent_at": AT},
            {"id": new_id(), "name": "李村长", "rank": 2, "sent_at": AT},
        ],
        **override,
    }


def _ack(order: dict[str, Any], index: int = 0, **override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "order_id": order["id"],
        "recipient_id": order["recipients"][index]["id"],
        "kind": "已叫应",
        "channel": "电话",
        "answered_by": "王镇长",
        "at": "2026-07-01T06:02:00+08:00",
        **override,
    }


def test_issue_on_an_incident_ack_from_two_workstations_and_only_a_leader_cancels(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer, leader = client_for("officer"), client_for("leader")
    incident = incident_args()
    order = _order(incident_id=incident["id"])
    results = officer.apply(("incident.create", incident), ("order.issue", order))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    [log] = database.rows(
        "SELECT * FROM incident_timeline WHERE id = :id", id=timeline_id(order["id"])
    )
    assert (log["kind"], log["incident_id"], log["author"]) == ("指令", incident["id"], "officer")
    assert (
        len(database.rows("SELECT id FROM order_recipients WHERE order_id = :o", o=order["id"]))
        == 2
    )

    first, second = _ack(order), _ack(order, channel="浙政钉", at="2026-07-01T06:03:00+08:00")
    assert officer.apply(("order.record", first))[0]["status"] == "applied"
    assert leader.apply(("order.record", second))[0]["status"] == "applied"
    events = database.rows(
        "SELECT channel, updated_by FROM order_events WHERE order_id = :o ORDER BY at",
        o=order["id"],
    )
    assert events == [
        {"channel": "电话", "updated_by": "officer"},
        {"channel": "浙政钉", "updated_by": "leader"},
    ]

    version = server.version()
    [refused] = officer.apply(("order.cancel", {"id": order["id"], "at": AT}))
    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
    assert "值班员" in refused["message"] and server.version() == version
    [cancelled] = leader.apply(("order.cancel", {"id": order["id"], "at": AT}))
    assert cancelled["status"] == "applied", cancelled
    [late] = officer.apply(("order.record", _ack(order, 1)))
    assert late["status"] == "rejected" and "该指令已撤销" in late["message"]


def test_an_escalation_from_two_workstations_calls_one_more_person(
    database: Database, client_for: Callable[[str], Client]
) -> None:
    a, b = client_for("officer"), client_for("officer")
    order = _order()
    a.apply(("order.issue", order))
    grid = order["recipients"][1]

    def escalate(name: str) -> dict[str, Any]:
        up = {"id": new_id(), "name": name, "rank": 1, "sent_at": AT}
        ack = _ack(order, 1)
        del ack["kind"], ack["channel"], ack["answered_by"]
        return {**ack, "to": up}

    one, two = escalate("镇长甲"), escalate("镇长乙")
    assert a.apply(("order.escalate", one))[0]["status"] == "applied"
    [second] = b.apply(("order.escalate", two))
    assert second["status"] == "rejected" and "该接收人已升级" in second["message"]
    rows = database.rows(
        "SELECT name, escalated_from FROM order_recipients WHERE order_id = :o ORDER BY rank",
        o=order["id"],
    )
    assert {"name": "镇长甲", "escalated_from": grid["id"]} in rows and len(rows) == 3


HOSTILE: list[tuple[str, dict[str, Any], str]] = [
    ("order", {"status": "已完成"}, "未知字段"),
    ("order", {"author": "leader"}, "未知字段"),
    ("order", {"kind": "<script>"}, "指令类型"),
    ("order", {"title": "长" * 121}, "“指令标题”过长"),
    ("order", {"escalate_minutes": 10**12}, "叫应时限"),
    ("order", {"deadline": "明天"}, "完成时限"),
    ("order", {"incident_id": "../../etc"}, "关联事件"),
    ("order", {"recipients": [{"id": "1", "name": "甲", "sent_at": AT}]}, "记录编号"),
    ("order", {"recipients": [{"id": new_id(), "name": "甲"}] * 5001}, "最多 5000 人"),
    ("order", {"recipients": {"a": 1}}, "接收人应为列表"),
    ("event", {"kind": "升级"}, "升级请使用“升级”操作"),
    ("event", {"recipient_id": new_id()}, "“接收人”指向的记录不存在"),
    ("event", {"kind": "已反馈", "value": "三十七"}, "反馈数值"),
    ("event", {"value": 1e300}, "反馈数值"),
    ("event", {"note": "长" * 501}, "“反馈内容”过长"),
    ("event", {"author": "leader"}, "未知字段"),
]


@pytest.fixture(scope="module")
def officer(client_for: Callable[[str], Client]) -> Client:
    """One officer workstation for the hostile cases: a new one per case would eat the
    shared server's per-account workstation limit (50) that later modules need."""
    return client_for("officer")


@pytest.mark.parametrize(("what", "override", "message"), HOSTILE)
def test_hostile_orders_and_events_are_refused_in_chinese_and_change_nothing(
    database: Database,
    server: ServerProcess,
    officer: Client,
    what: str,
    override: dict[str, Any],
    message: str,
) -> None:
    order = _order()
    if what == "event":
        assert officer.apply(("order.issue", order))[0]["status"] == "applied"
    version, digest = server.version(), database.digest()
    if what == "order":
        call = ("order.issue", _order(**override))
    else:
        call = ("order.record", _ack(order, **override))
    [result] = officer.apply(call)
    assert result["status"] == "rejected", result
    assert message in result["message"]
    assert (server.version(), database.digest()) == (version, digest)
