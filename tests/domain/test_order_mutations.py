"""The 指挥一平台 mutations: an order with its recipients, acknowledgements and feedback as
events, escalation up the chain, the incident timeline; replays are no-ops, refusals are
Chinese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.mutations import fetch
from console.domain.mutations_orders import timeline_id
from console.domain.orders import recipient_state

Run = Callable[..., Any]
AT = "2026-07-01T06:00:00+08:00"


def _rows(conn: Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def _recipient(name: str, rank: int = 1, **extra: Any) -> dict[str, Any]:
    return {"id": new_id(), "name": name, "rank": rank, "sent_at": AT, **extra}


def _order(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "kind": "转移指令",
        "title": "北界镇人员转移指令",
        "content": "立即组织苏村危险区人员转移",
        "action": "报告已转移人数",
        "issued_at": AT,
        "deadline": "2026-07-01T07:00:00+08:00",
        "feedback_kind": catalog.FEEDBACK_NUMBER,
        "feedback_label": "已转移人数",
        "escalate_minutes": 10,
        **override,
    }


def _event(order: dict[str, Any], recipient: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "order_id": order["id"],
        "recipient_id": recipient["id"],
        "at": "2026-07-01T06:05:00+08:00",
        **fields,
    }


def _incident(run: Run) -> str:
    incident = {
        "id": new_id(),
        "received_at": AT,
        "category": "自然灾害",
        "title": "苏村山体滑坡",
    }
    run("incident.create", incident)
    return str(incident["id"])


def _state(conn: Connection, recipient_id: str) -> Any:
    return recipient_state(
        _rows(conn, "SELECT * FROM order_events WHERE recipient_id = :r", r=recipient_id)
    )


def test_issue_writes_the_order_its_recipients_and_one_timeline_row(
    run: Run, conn: Connection
) -> None:
    incident = _incident(run)
    a, b = _recipient("王镇长"), _recipient("李村长", 2)
    order = _order(incident_id=incident, recipients=[a, b])
    changes = run("order.issue", order)
    assert {c.table for c in changes} == {"orders", "order_recipients", "incident_timeline"}
    assert len(changes) == 4
    assert run("order.issue", order) == []  # identical replay
    row = fetch(conn, "orders", order["id"])
    assert row is not None
    assert (row["status"], row["author"], row["escalate_minutes"]) == ("执行中", "张三", 10)
    names = _rows(conn, "SELECT name, rank FROM order_recipients ORDER BY rank")
    assert names == [{"name": "王镇长", "rank": 1}, {"name": "李村长", "rank": 2}]
    [log] = _rows(conn, "SELECT * FROM incident_timeline")
    assert log["id"] == timeline_id(order["id"])
    assert (log["kind"], log["at"], log["incident_id"]) == ("指令", AT, incident)
    assert log["body"] == "下达转移指令：北界镇人员转移指令，接收人 2 人。要求：报告已转移人数"


def test_an_order_without_an_incident_writes_no_timeline(run: Run, conn: Connection) -> None:
    run("order.issue", _order(recipients=[_recipient("王镇长")]))
    assert _rows(conn, "SELECT * FROM incident_timeline") == []


def test_ack_feedback_and_completion_are_events_and_two_acks_both_stay(
    run: Run, conn: Connection
) -> None:
    r = _recipient("王镇长")
    order = _order(recipients=[r])
    run("order.issue", order)
    assert _state(conn, r["id"]).state == "已发"
    ack = _event(order, r, kind="已叫应", channel="电话", answered_by="王镇长")
    run("order.record", ack)
    assert run("order.record", ack) == []  # replay
    # A second workstation phoned the same person a minute later: a fact, kept.
    other = _event(
        order, r, kind="已叫应", channel="浙政钉", answered_by="王镇长",
        at="2026-07-01T06:06:00+08:00",
    )  # fmt: skip
    run("order.record", other, user="李四")
    state = _state(conn, r["id"])
    assert (state.state, state.acked_at, state.channel) == ("已叫应", ack["at"], "电话")
    run("order.record", _event(order, r, kind="已反馈", value=37, at="2026-07-01T06:40:00+08:00"))
    state = _state(conn, r["id"])
    assert (state.state, state.value) == ("已反馈", 37.0)
    run("order.record", _event(order, r, kind="完成", at="2026-07-01T06:50:00+08:00"))
    assert _state(conn, r["id"]).state == "完成"
    assert len(_rows(conn, "SELECT id FROM order_events")) == 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "已叫应"}, "请填写叫应方式"),
        ({"kind": "已反馈"}, "请填写“已转移人数”（数字）"),
        ({"kind": "已反馈", "value": -1}, "“反馈数值”"),
        ({"kind": "升级", "to_recipient_id": ""}, "升级请使用“升级”操作"),
        ({"kind": "已叫应", "channel": "飞鸽"}, "叫应方式"),
        ({"kind": "完成", "to_recipient_id": "x"}, "只有升级记录填写“升级至”"),
    ],
)
def test_bad_events_are_refused_in_chinese(
    run: Run, conn: Connection, fields: dict[str, Any], message: str
) -> None:
    r = _recipient("王镇长")
    order = _order(recipients=[r])
    run("order.issue", order)
    with pytest.raises(MutationRejected, match=message):
        run("order.record", _event(order, r, **fields))
    assert _rows(conn, "SELECT id FROM order_events") == []


def test_feedback_follows_what_the_order_asks(run: Run) -> None:
    r, s = _recipient("甲"), _recipient("乙")
    none = _order(kind="预警叫应", feedback_kind=catalog.FEEDBACK_NONE, recipients=[r])
    words = _order(feedback_kind=catalog.FEEDBACK_TEXT, feedback_label="巡查情况", recipients=[s])
    run("order.issue", none)
    run("order.issue", words)
    with pytest.raises(MutationRejected, match="该指令无需反馈"):
        run("order.record", _event(none, r, kind="已反馈", note="收到"))
    with pytest.raises(MutationRejected, match="请填写“巡查情况”"):
        run("order.record", _event(words, s, kind="已反馈", note="  "))
    run("order.record", _event(words, s, kind="已反馈", note="未发现险情"))


def test_a_recipient_of_another_order_is_refused(run: Run) -> None:
    r, s = _recipient("甲"), _recipient("乙")
    first, second = _order(recipients=[r]), _order(recipients=[s])
    run("order.issue", first)
    run("order.issue", second)
    with pytest.raises(MutationRejected, match="该接收人不属于这条指令"):
        run("order.record", _event(first, s, kind="完成"))


def test_escalation_adds_the_next_person_once(run: Run, conn: Connection) -> None:
    grid = _recipient("山洪预警员甲", 3)
    order = _order(recipients=[grid])
    run("order.issue", order)
    up = _recipient("村主任乙", 2)
    escalate = {**_event(order, grid, note="10 分钟未叫应"), "to": up}
    changes = run("order.escalate", escalate)
    assert {c.table for c in changes} == {"order_recipients", "order_events"}
    assert run("order.escalate", escalate) == []  # replay
    new = fetch(conn, "order_recipients", up["id"])
    assert new is not None and new["escalated_from"] == grid["id"]
    state = _state(conn, grid["id"])
    assert (state.state, state.escalated_to) == ("已发", up["id"])
    # Another workstation escalated the same silence: refused, one more person only.
    again = {**_event(order, grid), "to": _recipient("镇长丙", 1)}
    with pytest.raises(MutationRejected, match="该接收人已升级"):
        run("order.escalate", again)
    assert len(_rows(conn, "SELECT id FROM order_recipients")) == 2


def test_add_recipient_checks_its_source(run: Run) -> None:
    order, other = _order(recipients=[]), _order(recipients=[_recipient("甲")])
    run("order.issue", order)
    run("order.issue", other)
    [src] = other["recipients"]
    with pytest.raises(MutationRejected, match="“升级自”不是本指令的接收人"):
        run("order.add_recipient", {**_recipient("乙"), "order_id": order["id"],
                                    "escalated_from": src["id"]})  # fmt: skip
    run("order.add_recipient", {**_recipient("乙"), "order_id": order["id"]})


def test_close_and_cancel(run: Run, conn: Connection) -> None:
    r = _recipient("甲")
    order = _order(recipients=[r])
    run("order.issue", order)
    run("order.close", {"id": order["id"], "at": "2026-07-01T08:00:00+08:00"})
    assert run("order.close", {"id": order["id"], "at": "2026-07-01T08:00:00+08:00"}) == []
    row = fetch(conn, "orders", order["id"])
    assert row is not None and (row["status"], row["closed_at"]) == (
        "已完成",
        "2026-07-01T08:00:00+08:00",
    )
    # A late acknowledgement still lands on a finished order...
    run("order.record", _event(order, r, kind="已叫应", channel="电话"))
    run("order.cancel", {"id": order["id"], "at": "2026-07-01T08:10:00+08:00"})
    # ...not on a cancelled one.
    with pytest.raises(MutationRejected, match="该指令已撤销"):
        run("order.record", _event(order, r, kind="完成"))
    with pytest.raises(MutationRejected, match="该指令已撤销"):
        run("order.close", {"id": order["id"], "at": "2026-07-01T08:20:00+08:00"})


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"deadline": "2026-07-01T05:00:00+08:00"}, "完成时限早于下达时间"),
        ({"kind": "撤离令"}, "指令类型"),
        ({"escalate_minutes": 0}, "叫应时限"),
        ({"recipients": "全体"}, "接收人应为列表"),
        ({"recipients": [{"id": new_id(), "name": ""}]}, "“接收人”不能为空"),
        ({"recipients": [7]}, "接收人应为 JSON 对象"),
        ({"incident_id": new_id()}, "“关联事件”指向的记录不存在"),
        ({"evacuation_id": new_id()}, "“关联转移行动”指向的记录不存在"),
    ],
)
def test_bad_orders_are_refused_in_chinese(
    run: Run, conn: Connection, override: dict[str, Any], message: str
) -> None:
    with pytest.raises(MutationRejected, match=message):
        run("order.issue", _order(**override))
    assert _rows(conn, "SELECT id FROM orders") == []
