"""OrderService on a real store: the call list from person_roles, issuing an order from a
template, the call board, one-key acknowledgement, feedback, the overdue list and
escalation to the next person up."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from console.domain import beijing
from console.domain.ids import new_id
from console.services.orders import OrderService
from console.store.writer import Writer

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=beijing.BEIJING)


def _county(writer: Writer) -> dict[str, str]:
    """北界镇 (苏村, 大田村) and 金竹镇 (竹坪村), with their chains."""
    ids = {k: new_id() for k in ("北界镇", "金竹镇", "苏村", "大田村", "竹坪村", "R苏村")}
    calls: list[tuple[str, dict[str, object]]] = [
        ("township.upsert", {"id": ids["北界镇"], "name": "北界镇", "kind": "镇"}),
        ("township.upsert", {"id": ids["金竹镇"], "name": "金竹镇", "kind": "镇"}),
        ("village.upsert", {"id": ids["苏村"], "township_id": ids["北界镇"], "name": "苏村"}),
        ("village.upsert", {"id": ids["大田村"], "township_id": ids["北界镇"], "name": "大田村"}),
        ("village.upsert", {"id": ids["竹坪村"], "township_id": ids["金竹镇"], "name": "竹坪村"}),
        ("risk_point.upsert", {"id": ids["R苏村"], "type": "地质灾害隐患点", "name": "苏村滑坡",
                               "township_id": ids["北界镇"], "village_id": ids["苏村"]}),
    ]  # fmt: skip
    people = [
        ("县领导甲", "县领导包乡", {"township_id": ids["北界镇"]}),
        ("镇长乙", "乡镇第一责任人", {"township_id": ids["北界镇"]}),
        ("村主任丙", "村监测预警", {"village_id": ids["苏村"]}),
        ("网格员丁", "地灾群测群防员", {"risk_point_id": ids["R苏村"]}),
        ("村主任戊", "村监测预警", {"village_id": ids["大田村"]}),
        ("镇长己", "乡镇第一责任人", {"township_id": ids["金竹镇"]}),
        ("专家庚", "会商专家", {}),
    ]
    for i, (name, role, place) in enumerate(people):
        pid = new_id()
        ids[name] = pid
        calls.append(("person.upsert", {"id": pid, "name": name, "mobile": f"1380000000{i}"}))
        calls.append(("person_role.upsert", {"id": new_id(), "person_id": pid, "role": role,
                                             **place}))  # fmt: skip
    writer.apply(calls, user="zhang")
    return ids


def test_call_list_issue_board_ack_feedback_and_escalation(writer: Writer) -> None:
    ids = _county(writer)
    service = OrderService.of(writer)
    chain = service.chain([ids["北界镇"]])
    assert [(c.name, c.rank, c.place) for c in chain] == [
        ("县领导甲", 0, "北界镇"),
        ("镇长乙", 1, "北界镇"),
        ("村主任戊", 2, "北界镇大田村"),
        ("村主任丙", 2, "北界镇苏村"),  # 大田村 sorts before 苏村 by code point
        ("网格员丁", 3, "北界镇苏村"),
    ]
    assert chain[1].phone == "13800000001"
    # One village of the other township brings its township head only.
    assert [c.name for c in service.chain(villages=[ids["竹坪村"]])] == ["镇长己"]

    order_id = service.issue("转移指令", chain, user="zhang", now=T0)
    board = service.board(order_id, now=T0 + timedelta(minutes=9))
    assert board.order is not None
    assert (board.order["title"], board.order["escalate_minutes"]) == ("人员转移指令", 10)
    assert board.order["deadline"] == beijing.canonical(T0 + timedelta(minutes=60))
    assert [r.name for r in board.rows] == [c.name for c in chain]
    assert all(r.state.silent and r.silent_minutes == 9 and not r.overdue for r in board.rows)

    by = {r.name: r for r in board.rows}
    service.acknowledge(order_id, by["镇长乙"].id, user="zhang", answered_by="镇长乙",
                        at=T0 + timedelta(minutes=3))  # fmt: skip
    service.feedback(order_id, by["村主任丙"].id, user="li", value=37, at=T0 + timedelta(minutes=8))
    board = service.board(order_id, now=T0 + timedelta(minutes=10))
    by = {r.name: r for r in board.rows}
    assert by["镇长乙"].state.state == "已叫应" and by["镇长乙"].state.channel == "电话"
    assert (by["村主任丙"].state.state, by["村主任丙"].state.value) == ("已反馈", 37.0)
    assert board.total_value() == 37
    assert [r.name for r in board.rows if r.overdue] == ["县领导甲", "村主任戊", "网格员丁"]
    counts = board.counts()
    assert (counts["未叫应"], counts["已叫应"], counts["已反馈"], counts["超时"]) == (3, 1, 1, 3)

    late = service.overdue(now=T0 + timedelta(minutes=10))
    proposals = {o.row.name: o.proposal.name if o.proposal else None for o in late}
    # 网格员丁's village work group (村主任丙) is on the order already: the next up is the
    # township head, also on it, then the county leader, also on it -> nobody new.
    assert proposals == {"县领导甲": None, "村主任戊": None, "网格员丁": None}

    # An order to the grid only: the work group is proposed, then added on escalation.
    grid_only = service.issue("预警叫应", [chain[4]], user="zhang", now=T0)
    [silent] = [o for o in service.overdue(now=T0 + timedelta(minutes=5))
                if o.order_id == grid_only]  # fmt: skip
    assert silent.proposal is not None and silent.proposal.name == "村主任丙"
    new_id_ = service.escalate(grid_only, silent.row, silent.proposal, user="zhang",
                               at=T0 + timedelta(minutes=5))  # fmt: skip
    board = service.board(grid_only, now=T0 + timedelta(minutes=6))
    assert [(r.name, r.escalated_from) for r in board.rows] == [
        ("网格员丁", ""),
        ("村主任丙", silent.row.id),
    ]
    assert board.rows[1].id == new_id_
    assert board.rows[0].state.escalated_to == new_id_ and not board.rows[0].overdue
    assert not [o for o in service.overdue(now=T0 + timedelta(minutes=6))
                if o.order_id == grid_only]  # fmt: skip
    # Silent again past the time: the township head next.
    [again] = [o for o in service.overdue(now=T0 + timedelta(minutes=11))
               if o.order_id == grid_only]  # fmt: skip
    assert again.row.name == "村主任丙" and again.proposal is not None
    assert again.proposal.name == "镇长乙"

    # An order left open for days no longer alarms (its board still shows the silence).
    assert not service.overdue(now=T0 + timedelta(days=4))
    assert service.board(order_id, now=T0 + timedelta(days=4)).counts()["超时"] == 3
    service.close(order_id, user="zhang", at=T0 + timedelta(hours=1))
    assert not [o for o in service.overdue(now=T0 + timedelta(hours=2)) if o.order_id == order_id]
    assert [o["id"] for o in service.orders()][-1] == order_id  # closed ones last
    with writer.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM order_events")).scalar_one() == 3


def test_the_templates_file_of_the_data_folder(writer: Writer, tmp_path: Path) -> None:
    from console.services.orders import TEMPLATES_FILE, load_order_templates

    assert load_order_templates(tmp_path)["预警叫应"].escalate_minutes == 5
    (tmp_path / TEMPLATES_FILE).write_text('{"预警叫应": {"escalate_minutes": 3}}', "utf-8")
    templates = load_order_templates(tmp_path)
    assert templates["预警叫应"].escalate_minutes == 3
    ids = _county(writer)
    service = OrderService(writer.store, writer, templates)
    order = service.issue("预警叫应", service.chain([ids["金竹镇"]]), user="zhang", now=T0)
    board = service.board(order, now=T0 + timedelta(minutes=3))
    assert board.order is not None and board.order["escalate_minutes"] == 3
    assert [r.overdue for r in board.rows] == [True]
    (tmp_path / TEMPLATES_FILE).write_text('{"预警叫应": {"escalate_minutes": "三"}}', "utf-8")
    assert load_order_templates(tmp_path)["预警叫应"].escalate_minutes == 5  # not used: logged
