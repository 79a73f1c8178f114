"""The assessment and alert mutations: applied, replayed as no-ops, refused in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from console.domain.assessment import build_sheet
from console.domain.assessment_rules import SIGNED_REFUSAL, dump_content, parse_content
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.mutations import alert_id, fetch
from testkit.situations import flood_situation

Run = Callable[..., Any]  # the ``run`` fixture of tests/domain/conftest.py
SIGN_AT = "2026-07-01T06:30:00+08:00"


def _sheet(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "number": "研判〔2026〕1号",
        **build_sheet(flood_situation()).args(),
        **override,
    }


def _rows(conn: Connection, table: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(text(f"SELECT * FROM {table}")).mappings()]


def test_create_update_sign_and_the_signed_sheet_never_changes(run: Run, conn: Connection) -> None:
    sheet = _sheet()
    assert len(run("assessment.create", sheet)) == 1
    assert run("assessment.create", sheet) == []  # identical replay
    row = fetch(conn, "assessments", sheet["id"])
    assert row is not None
    assert (row["status"], row["revision"], row["series_id"], row["author"]) == (
        "草稿",
        1,
        sheet["id"],
        "张三",
    )
    content = parse_content(row["content"])
    content["tasks"] = [{"no": 1, "text": "县领导到岗"}]
    run("assessment.update", {"id": sheet["id"], "fields": {"content": dump_content(content)}})
    run("assessment.update", {"id": sheet["id"], "fields": {"summary": "改过的意见"}})
    run("assessment.sign", {"id": sheet["id"], "at": SIGN_AT}, user="带班领导甲")
    assert run("assessment.sign", {"id": sheet["id"], "at": SIGN_AT}, user="带班领导甲") == []
    signed = fetch(conn, "assessments", sheet["id"])
    assert signed is not None
    assert (signed["status"], signed["signed_by"], signed["signed_at"]) == (
        "已签发",
        "带班领导甲",
        SIGN_AT,
    )
    assert signed["summary"] == "改过的意见"
    assert parse_content(signed["content"])["tasks"] == [{"no": 1, "text": "县领导到岗"}]
    before = dict(signed)
    with pytest.raises(MutationRejected) as refused:
        run("assessment.update", {"id": sheet["id"], "fields": {"summary": "再改"}})
    assert refused.value.message == SIGNED_REFUSAL
    with pytest.raises(MutationRejected, match="已由 带班领导甲 签发"):
        run("assessment.sign", {"id": sheet["id"], "at": "2026-07-01T07:00:00+08:00"})
    with pytest.raises(MutationRejected, match="已签发的研判单不能删除"):
        run("assessment.discard", {"id": sheet["id"]})
    assert dict(fetch(conn, "assessments", sheet["id"]) or {}) == before


def test_revise_makes_a_new_draft_version_linked_to_the_signed_one(
    run: Run, conn: Connection
) -> None:
    sheet = _sheet()
    run("assessment.create", sheet)
    with pytest.raises(MutationRejected, match="草稿请直接修改"):
        run("assessment.revise", {"id": new_id(), "previous_id": sheet["id"]})
    run("assessment.sign", {"id": sheet["id"], "at": SIGN_AT}, user="领导")
    signed = dict(fetch(conn, "assessments", sheet["id"]) or {})
    v2 = new_id()
    run("assessment.revise", {"id": v2, "previous_id": sheet["id"]}, user="李四")
    assert run("assessment.revise", {"id": v2, "previous_id": sheet["id"]}) == []  # replay
    row = fetch(conn, "assessments", v2)
    assert row is not None
    assert (row["status"], row["revision"], row["series_id"], row["previous_id"]) == (
        "草稿",
        2,
        sheet["id"],
        sheet["id"],
    )
    assert (row["content"], row["number"], row["author"], row["signed_by"]) == (
        signed["content"],
        signed["number"],
        "李四",
        None,
    )
    with pytest.raises(MutationRejected, match="已有修订稿"):
        run("assessment.revise", {"id": new_id(), "previous_id": sheet["id"]})
    run("assessment.update", {"id": v2, "fields": {"summary": "第二版"}})
    assert dict(fetch(conn, "assessments", sheet["id"]) or {}) == signed
    run("assessment.sign", {"id": v2, "at": "2026-07-01T08:00:00+08:00"}, user="领导")
    v3 = new_id()
    run("assessment.revise", {"id": v3, "previous_id": v2})
    third = fetch(conn, "assessments", v3)
    assert third is not None and (third["revision"], third["series_id"]) == (3, sheet["id"])


def test_a_draft_may_be_discarded(run: Run, conn: Connection) -> None:
    sheet = _sheet()
    run("assessment.create", sheet)
    run("assessment.discard", {"id": sheet["id"]})
    row = fetch(conn, "assessments", sheet["id"])
    assert row is not None and row["deleted"]
    with pytest.raises(MutationRejected, match="研判单不存在"):
        run("assessment.update", {"id": sheet["id"], "fields": {"summary": "x"}})


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("assessment.create", {"content": "{"}, "不是有效的 JSON"),
        ("assessment.create", {"content": '{"tasks": [{"text": ""}]}'}, "不能为空"),
        ("assessment.create", {"highest_warning": "紫"}, "最高预警等级"),
        ("assessment.create", {"proposed_response": "V"}, "建议响应等级"),
        ("assessment.create", {"period_from": "昨天"}, "研判时段起"),
        ("assessment.create", {"number": ""}, "编号"),
        ("assessment.create", {"incident_id": new_id()}, "关联事件"),
        ("assessment.create", {"status": "已签发"}, "未知字段"),
        ("assessment.create", {"signed_by": "我"}, "未知字段"),
    ],
)
def test_bad_sheets_are_refused_in_chinese(
    run: Run, conn: Connection, name: str, args: dict[str, Any], message: str
) -> None:
    sheet = _sheet(**args)
    with pytest.raises(MutationRejected) as refused:
        run(name, sheet)
    assert message in refused.value.message
    assert _rows(conn, "assessments") == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "已签发"}, "未知字段"),
        ({"signed_by": "我"}, "未知字段"),
        ({"revision": 9}, "未知字段"),
        ({"content": "[]"}, "必须是 JSON 对象"),
        ({}, "没有要修改的字段"),
    ],
)
def test_an_update_cannot_touch_what_the_workflow_owns(
    run: Run, conn: Connection, fields: dict[str, Any], message: str
) -> None:
    sheet = _sheet()
    run("assessment.create", sheet)
    before = _rows(conn, "assessments")
    with pytest.raises(MutationRejected) as refused:
        run("assessment.update", {"id": sheet["id"], "fields": fields})
    assert message in refused.value.message
    assert _rows(conn, "assessments") == before


def _alert(key: str = "place:p1:红", **override: Any) -> dict[str, Any]:
    return {
        "id": alert_id(key),
        "key": key,
        "level": "红",
        "message": "苏村滑坡隐患点达到红色",
        "raised_at": "2026-07-01T06:00:00+08:00",
        **override,
    }


def test_an_alert_is_raised_once_acknowledged_once_and_raised_again_after_clearing(
    run: Run, conn: Connection
) -> None:
    alert = _alert()
    assert len(run("alert.raise", alert)) == 1
    # Another workstation raising the same crossing a minute later changes nothing.
    assert run("alert.raise", {**alert, "raised_at": "2026-07-01T06:01:00+08:00"}) == []
    ack = {"id": alert["id"], "at": "2026-07-01T06:02:00+08:00"}
    run("alert.acknowledge", ack, user="值班员甲")
    assert run("alert.acknowledge", {**ack, "at": "2026-07-01T06:03:00+08:00"}, user="乙") == []
    row = fetch(conn, "threshold_alerts", alert["id"])
    assert row is not None
    assert (row["acked_by"], row["acked_at"], row["raised_at"]) == (
        "值班员甲",
        "2026-07-01T06:02:00+08:00",
        "2026-07-01T06:00:00+08:00",
    )
    run("alert.clear", {"id": alert["id"], "at": "2026-07-01T09:00:00+08:00"})
    assert run("alert.clear", {"id": alert["id"], "at": "2026-07-01T09:05:00+08:00"}) == []
    cleared = fetch(conn, "threshold_alerts", alert["id"])
    assert cleared is not None and cleared["cleared_at"] == "2026-07-01T09:00:00+08:00"
    run("alert.raise", {**alert, "raised_at": "2026-07-01T12:00:00+08:00"})
    again = fetch(conn, "threshold_alerts", alert["id"])
    assert again is not None
    assert (again["raised_at"], again["cleared_at"], again["acked_by"]) == (
        "2026-07-01T12:00:00+08:00",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("alert.raise", _alert(id=alert_id("other")), "提醒编号与触发条件不符"),
        ("alert.raise", _alert(level="紫"), "预警等级"),
        ("alert.raise", _alert(key="k" * 121), "触发条件"),
        ("alert.raise", _alert(acked_by="我"), "未知字段"),
        ("alert.acknowledge", {"id": alert_id("nothing"), "at": SIGN_AT}, "提醒不存在"),
        ("alert.acknowledge", {"id": alert_id("place:p1:红"), "at": "now"}, "时间"),
        ("alert.clear", {"id": alert_id("place:p1:红"), "at": SIGN_AT, "by": "x"}, "未知字段"),
    ],
)
def test_bad_alerts_are_refused_in_chinese(
    run: Run, name: str, args: dict[str, Any], message: str
) -> None:
    if name != "alert.raise":
        run("alert.raise", _alert())
    with pytest.raises(MutationRejected) as refused:
        run(name, args)
    assert message in refused.value.message


def test_a_proposal_of_the_same_crossings_under_the_same_id_is_a_no_op(
    run: Run, conn: Connection
) -> None:
    sheet = _sheet()
    run("assessment.create", sheet, user="甲")
    other = {**sheet, "number": "研判〔2026〕9号", "summary": "乙的版本"}
    assert run("assessment.create", other, user="乙") == []
    row = fetch(conn, "assessments", sheet["id"])
    assert row is not None and (row["author"], row["number"]) == ("甲", "研判〔2026〕1号")
    # Without crossings (made on demand) the same id with other content is refused.
    bare = _sheet(crossings="")
    run("assessment.create", bare)
    with pytest.raises(MutationRejected, match="内容不同"):
        run("assessment.create", {**bare, "summary": "别的"})
