"""Mutation argument validation: every refusal is a MutationRejected with a Chinese message.

Wrong types, missing required fields, bad choices, unknown fields and mutations, and the
category/subtype/grade rules of the Emergency Response Law (社会安全事件 has no grade).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain.ids import new_id, reference_id
from console.domain.mutations import REGISTRY, MutationRejected
from console.domain.schema import MODEL_BY_TABLE

RECEIVED = "2026-11-28T09:30:00+08:00"


def incident(**fields: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "id": new_id(),
        "received_at": RECEIVED,
        "category": "自然灾害",
        "subtype": "地质",
        "grade": "一般",
        "title": "北界镇苏村山体滑坡",
    }
    args.update(fields)
    return {k: v for k, v in args.items() if v is not ...}


def rejected(run: Any, name: str, args: object) -> MutationRejected:
    with pytest.raises(MutationRejected) as info:
        run(name, args)
    return info.value


def row_count(conn: Connection, table: str) -> int:
    model = MODEL_BY_TABLE[table]
    return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def town(run: Any) -> str:
    tid = reference_id("township", "北界镇")
    run("township.upsert", {"id": tid, "name": "北界镇", "kind": "镇"})
    return tid


def test_unknown_mutation_name_is_rejected_in_chinese(run: Any) -> None:
    err = rejected(run, "incident.explode", {"id": new_id()})
    assert err.code == "unknown_mutation"
    assert err.message == "未知的操作类型：incident.explode"


def test_args_must_be_a_json_object(run: Any) -> None:
    err = rejected(run, "incident.create", ["not", "a", "dict"])
    assert err.code == "bad_args"
    assert err.message == "操作参数必须是 JSON 对象"


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("township.upsert", {"name": 5, "kind": "镇"}, "“乡镇名称”应为文本，收到的是“5”"),
        ("township.upsert", {"name": "北界镇", "kind": "镇", "lon": "119.1"}, "“经度”应为数值"),
        (
            "township.upsert",
            {"name": "北界镇", "kind": "镇", "is_sample": "yes"},
            "“样例数据”应为是/否",
        ),
        ("shelter.upsert", {"name": "礼堂", "capacity": "200"}, "“容纳人数”应为整数"),
        ("shelter.upsert", {"name": "礼堂", "capacity": True}, "“容纳人数”应为整数"),
        ("shelter.upsert", {"name": "礼堂", "capacity": 20.5}, "“容纳人数”应为整数"),
        ("station.upsert", {"code": 62001, "name": "遂昌", "kind": "水位站"}, "“站码”应为文本"),
    ],
)
def test_wrong_types_are_named_in_chinese(
    run: Any, name: str, args: dict[str, Any], message: str
) -> None:
    err = rejected(run, name, {"id": new_id(), **args})
    assert err.code == "bad_type"
    assert err.message.startswith(message)


def test_wrong_type_in_an_incident_is_refused_before_any_rule(run: Any, conn: Connection) -> None:
    err = rejected(run, "incident.create", incident(dead="3"))
    assert (err.code, err.message) == ("bad_type", "“死亡”应为整数，收到的是“'3'”")
    assert row_count(conn, "incidents") == 0


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("township.upsert", {"kind": "镇"}, "“乡镇名称”不能为空"),
        ("township.upsert", {"name": "   ", "kind": "镇"}, "“乡镇名称”不能为空"),
        ("township.upsert", {"name": None, "kind": "镇"}, "“乡镇名称”不能为空"),
        ("township.upsert", {"name": "北界镇"}, "“类型”不能为空"),
        ("risk_point.upsert", {"name": "苏村"}, "“风险点类型”不能为空"),
        ("incident.create", incident(title=...), "“事件标题”不能为空"),
        ("incident.create", incident(received_at=...), "“接报时间”不能为空"),
        ("incident.create", incident(category=...), "“事件类别”不能为空"),
        ("shelter.upsert", {"name": "礼堂", "capacity": None}, "“容纳人数”不能为空"),
    ],
)
def test_missing_required_fields(run: Any, name: str, args: dict[str, Any], message: str) -> None:
    args = {"id": new_id(), **args}
    err = rejected(run, name, args)
    assert (err.code, err.message) == ("missing_field", message)


def test_timeline_needs_body_and_kind(run: Any) -> None:
    base = {"id": new_id(), "incident_id": new_id(), "at": RECEIVED}
    assert rejected(run, "timeline.append", {**base, "kind": "来电"}).message == "“内容”不能为空"
    assert rejected(run, "timeline.append", {**base, "body": "x"}).message == "“记录类型”不能为空"


@pytest.mark.parametrize(
    "record_id",
    [
        None,
        "",
        "abc",
        42,
        "6f1d3a52-61b8-4f0e-9d5e-3c2b1a0d331",
        "6F1D3A52-61B8-4F0E-9D5E-3C2B1A0D3311",
        "6f1d3a52-61b8-4f0e-9d5e-3c2b1a0d331 ",
    ],
)
def test_missing_or_invalid_record_id(run: Any, record_id: object) -> None:
    args = {"name": "北界镇", "kind": "镇"}
    if record_id is not None:
        args["id"] = record_id  # type: ignore[assignment]
    err = rejected(run, "township.upsert", args)
    assert (err.code, err.message) == ("bad_id", "记录编号缺失或无效")


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("township.upsert", {"name": "苏村", "kind": "村"}, "“类型”只能是：街道、镇、乡"),
        (
            "station.upsert",
            {"code": "1", "name": "x", "kind": "气象站"},
            "“站点类型”只能是：雨量站、水位站、水文站、水库",
        ),
        (
            "risk_point.upsert",
            {"name": "x", "type": "火山"},
            "“风险点类型”只能是：" + "、".join(catalog.RISK_POINT_TYPES),
        ),
        (
            "incident.create",
            incident(category="未知事件"),
            "“事件类别”只能是：自然灾害、事故灾难、公共卫生事件、社会安全事件",
        ),
        ("incident.create", incident(grade="超级"), "“事件等级”只能是：特别重大、重大、较大、一般"),
    ],
)
def test_bad_choices(run: Any, name: str, args: dict[str, Any], message: str) -> None:
    err = rejected(run, name, {"id": new_id(), **args})
    assert (err.code, err.message) == ("bad_choice", message)


@pytest.mark.parametrize("category", [7, ["自然灾害"], {"a": 1}, True])
def test_category_of_wrong_type_is_a_rejection_not_a_crash(run: Any, category: object) -> None:
    err = rejected(run, "incident.create", incident(category=category))
    assert err.code == "bad_type"
    assert err.message.startswith("“事件类别”应为文本")


def test_values_are_trimmed_before_choices_and_rules(run: Any, conn: Connection) -> None:
    args = incident(category=" 自然灾害 ", subtype=" 森林火灾", title="  火情  ")
    run("incident.create", args)
    row = conn.execute(select(MODEL_BY_TABLE["incidents"].__table__)).mappings().one()
    assert (row["category"], row["subtype"], row["title"]) == ("自然灾害", "森林火灾", "火情")


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("township.upsert", {"name": "北界镇", "kind": "镇", "mayor": "x"}, "未知字段：mayor"),
        ("incident.create", incident(status="处置中", zz=1), "未知字段：status, zz"),
        ("incident.update", {"fields": {"colour": "红"}}, "未知字段：colour"),
        ("incident.update", {"fields": {"title": "x"}, "force": True}, "未知字段：force"),
        ("incident.delete", {"reason": "重复"}, "未知字段：reason"),
        ("township.delete", {"cascade": True}, "未知字段：cascade"),
    ],
)
def test_unknown_fields_are_refused(
    run: Any, name: str, args: dict[str, Any], message: str
) -> None:
    existing = incident()
    run("incident.create", existing)  # update and delete find their record first
    err = rejected(run, name, {"id": existing["id"], **args})
    assert (err.code, err.message) == ("unknown_field", message)


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"title": "长" * 121}, "too_long", "“事件标题”过长（最多 120 字，实际 121 字）"),
        ({"lat": 91.0}, "out_of_range", "“纬度”不能大于 90"),
        ({"lon": -180.5}, "out_of_range", "“经度”不能小于 -180"),
        ({"injured": -1}, "out_of_range", "“受伤”不能小于 0"),
        ({"lon": float("nan")}, "bad_value", "“经度”不是有效数值"),
        ({"received_at": "2026-11-28 09:30"}, "bad_time", "“接报时间”缺少时区（例如 +08:00）"),
        ({"received_at": "昨天上午"}, "bad_time", "“接报时间”不是有效的时间（应为 ISO 8601 格式）"),
        ({"township_id": "北界镇"}, "bad_ref", "“乡镇”不是有效的记录编号"),
    ],
)
def test_value_rules(run: Any, fields: dict[str, Any], code: str, message: str) -> None:
    err = rejected(run, "incident.create", incident(**fields))
    assert (err.code, err.message) == (code, message)


def test_reference_to_a_missing_record(run: Any, conn: Connection) -> None:
    err = rejected(run, "incident.create", incident(township_id=new_id()))
    assert (err.code, err.message) == ("missing_ref", "“乡镇”指向的记录不存在")
    assert row_count(conn, "incidents") == 0


def test_reference_to_an_existing_record(run: Any, town: str, conn: Connection) -> None:
    assert len(run("incident.create", incident(township_id=town))) == 1
    assert row_count(conn, "incidents") == 1


@pytest.mark.parametrize(
    ("category", "subtype"),
    [(cat, sub) for cat, subs in catalog.EVENT_CATEGORIES.items() for sub in subs],
)
def test_every_listed_subtype_is_accepted(run: Any, category: str, subtype: str) -> None:
    grade = None if category in catalog.UNGRADED_CATEGORIES else "较大"
    assert run("incident.create", incident(category=category, subtype=subtype, grade=grade))


def test_subtype_must_belong_to_the_category(run: Any, conn: Connection) -> None:
    err = rejected(run, "incident.create", incident(category="自然灾害", subtype="火灾"))
    assert (err.code, err.message) == ("bad_choice", "“自然灾害”下没有子类“火灾”")
    assert row_count(conn, "incidents") == 0


@pytest.mark.parametrize("grade", catalog.GRADES)
def test_social_security_events_carry_no_grade(run: Any, grade: str) -> None:
    args = incident(category="社会安全事件", subtype="群体性", grade=grade)
    err = rejected(run, "incident.create", args)
    assert (err.code, err.message) == ("bad_choice", "“社会安全事件”不分级，请不要填写事件等级")
    assert run("incident.create", incident(category="社会安全事件", subtype="群体性", grade=None))


def test_update_keeps_the_classification_rules(run: Any, conn: Connection) -> None:
    graded = incident(category="自然灾害", subtype="地质", grade="较大")
    run("incident.create", graded)
    rid = graded["id"]

    err = rejected(run, "incident.update", {"id": rid, "fields": {"category": "社会安全事件"}})
    assert err.message == "“社会安全事件”下没有子类“地质”"
    fields = {"category": "社会安全事件", "subtype": "群体性"}
    err = rejected(run, "incident.update", {"id": rid, "fields": fields})
    assert err.message == "“社会安全事件”不分级，请不要填写事件等级"
    err = rejected(run, "incident.update", {"id": rid, "fields": {"subtype": "群体性"}})
    assert err.message == "“自然灾害”下没有子类“群体性”"
    err = rejected(run, "incident.update", {"id": rid, "fields": {"category": "未知"}})
    assert err.code == "bad_choice"

    fields = {"category": "社会安全事件", "subtype": "群体性", "grade": None}
    assert run("incident.update", {"id": rid, "fields": fields})
    row = conn.execute(select(MODEL_BY_TABLE["incidents"].__table__)).mappings().one()
    assert (row["category"], row["subtype"], row["grade"]) == ("社会安全事件", "群体性", None)


@pytest.mark.parametrize("fields", [None, {}, "title=x", ["title"]])
def test_update_needs_fields(run: Any, fields: object) -> None:
    created = incident()
    run("incident.create", created)
    err = rejected(run, "incident.update", {"id": created["id"], "fields": fields})
    assert (err.code, err.message) == ("bad_args", "没有要修改的字段")


def test_every_mutation_refuses_an_empty_argument_object(run: Any) -> None:
    for name in REGISTRY:
        err = rejected(run, name, {})
        assert err.code == "bad_id", name
        assert err.message == "记录编号缺失或无效"


def test_an_id_cannot_be_respelled_into_a_second_record(
    run: Any, town: str, conn: Connection
) -> None:
    err = rejected(run, "township.upsert", {"id": town.upper(), "name": "北界镇", "kind": "镇"})
    assert err.code == "bad_id"
    err = rejected(run, "incident.create", incident(township_id=town.upper()))
    assert (err.code, err.message) == ("bad_ref", "“乡镇”不是有效的记录编号")
    assert row_count(conn, "townships") == 1
