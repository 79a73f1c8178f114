"""People, units and responsibility roles (issue 10) and the new reference fields: every
mutation applies on a real SQLite file, an identical replay is a no-op, and each rule refuses
with its Chinese message before anything is written (wrong role/object pairs, references to
missing records, overlong text, bad dates and numbers)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain.ids import new_id
from console.domain.mutations import MutationRejected, fetch
from console.domain.schema import ENTITY_FIELDS, PersonRole

Ids = dict[str, str]


@pytest.fixture
def places(run: Any) -> Ids:
    """One of each object a role can be tied to, a unit and a person."""
    ids = {k: new_id() for k in ("town", "village", "shelter", "point", "station", "unit", "p")}
    run("township.upsert", {"id": ids["town"], "name": "北界镇", "kind": "镇"})
    run("village.upsert", {"id": ids["village"], "township_id": ids["town"], "name": "苏村"})
    run("shelter.upsert", {"id": ids["shelter"], "name": "苏村文化礼堂"})
    run("risk_point.upsert", {"id": ids["point"], "type": "山洪危险区", "name": "苏村溪"})
    run("station.upsert", {"id": ids["station"], "code": "S001", "name": "苏村", "kind": "雨量站"})
    run("unit.upsert", {"id": ids["unit"], "name": "北界镇苏村", "kind": "村社区"})
    run("person.upsert", {"id": ids["p"], "name": "张某某", "unit_id": ids["unit"]})
    return ids


TARGET_KEYS = {
    catalog.TOWNSHIP: "town",
    catalog.VILLAGE: "village",
    catalog.RISK_POINT: "point",
    catalog.SHELTER: "shelter",
    catalog.STATION: "station",
}


def role(places: Ids, name: str, *targets: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "person_id": places["p"],
        "role": name,
        **{t: places[TARGET_KEYS[t]] for t in targets},
        **extra,
    }


def refused(run: Any, name: str, args: dict[str, Any], code: str) -> str:
    with pytest.raises(MutationRejected) as info:
        run(name, args)
    assert info.value.code == code, info.value.message
    return info.value.message


def roles_stored(conn: Connection) -> int:
    return len(conn.execute(select(PersonRole.__table__.c.id)).all())


def test_a_person_with_unit_and_expert_fields_is_stored_and_replays_as_a_no_op(
    run: Any, conn: Connection, places: Ids
) -> None:
    expert = {
        "id": new_id(),
        "name": "李某某",
        "unit_id": places["unit"],
        "post": "防汛专家",
        "mobile": "13800000113",
        "landline": "0578-8123456",
        "zzd_id": "zzd-10086",
        "expert_field": "水文水资源",
        "expert_title": "高级工程师",
        "note": "会商专家",
    }
    assert len(run("person.upsert", expert)) == 1
    assert run("person.upsert", expert) == []  # an identical replay changes nothing
    row = fetch(conn, "people", expert["id"])
    assert row is not None
    assert {k: row[k] for k in expert} == expert
    assert not row["is_sample"]
    # a partial upsert changes only what it names
    run("person.upsert", {"id": expert["id"], "post": "首席专家"})
    row = fetch(conn, "people", expert["id"])
    assert row is not None and (row["post"], row["mobile"]) == ("首席专家", "13800000113")


@pytest.mark.parametrize("name", catalog.PERSON_ROLES)
def test_every_role_is_stored_with_each_object_it_takes(
    name: str, run: Any, conn: Connection, places: Ids
) -> None:
    allowed = catalog.ROLE_OBJECTS[name]
    for target in allowed or (None,):
        args = role(places, name, *([target] if target else []))
        assert len(run("person_role.upsert", args)) == 1
        assert run("person_role.upsert", args) == []
        row = fetch(conn, "person_roles", args["id"])
        assert row is not None and row["role"] == name
        for column in catalog.ROLE_TARGETS:
            assert row[column] == args.get(column), column
    assert roles_stored(conn) == max(1, len(allowed))


@pytest.mark.parametrize("name", catalog.PERSON_ROLES)
def test_every_role_refuses_objects_it_does_not_take(
    name: str, run: Any, conn: Connection, places: Ids
) -> None:
    allowed = catalog.ROLE_OBJECTS[name]
    wrong = [t for t in catalog.ROLE_TARGETS if t not in allowed]
    attempts = [role(places, name, t) for t in wrong]
    if allowed:
        attempts.append(role(places, name))  # no object at all
        # one too many (a village's own township is not: see the test below)
        extra = next(t for t in wrong if (allowed[0], t) != (catalog.VILLAGE, catalog.TOWNSHIP))
        attempts.append(role(places, name, allowed[0], extra))
    for args in attempts:
        message = refused(run, "person_role.upsert", args, "bad_combination")
        assert message == catalog.role_problem(args)  # the forms' wording too
        assert name in message
    assert roles_stored(conn) == 0


def test_the_rule_messages_say_what_to_fill(places: Ids) -> None:
    assert catalog.role_problem(role(places, "县领导包乡")) == "“县领导包乡”应且只应填写所属乡镇"
    assert catalog.role_problem(role(places, "水利工程巡查员", catalog.SHELTER)) == (
        "“水利工程巡查员”应在风险点、站点中选填一项（只填一项）"
    )
    assert catalog.role_problem(role(places, "会商专家", catalog.TOWNSHIP)) == (
        "“会商专家”面向全县，不要填写所属乡镇"
    )
    assert catalog.role_problem(role(places, "会商专家")) is None


def test_a_role_update_is_judged_on_the_record_as_it_will_be(
    run: Any, conn: Connection, places: Ids
) -> None:
    args = role(places, "山洪预警员", catalog.RISK_POINT)
    run("person_role.upsert", args)
    # changing the role alone would leave a risk point on a township role
    message = refused(
        run, "person_role.upsert", {"id": args["id"], "role": "乡镇第一责任人"}, "bad_combination"
    )
    assert message == "“乡镇第一责任人”应且只应填写所属乡镇"
    # moving the role to a township by clearing the risk point works in one upsert
    run(
        "person_role.upsert",
        {
            "id": args["id"],
            "role": "乡镇第一责任人",
            "risk_point_id": None,
            "township_id": places["town"],
        },
    )
    row = fetch(conn, "person_roles", args["id"])
    assert row is not None and (row["role"], row["risk_point_id"]) == ("乡镇第一责任人", None)
    # a field the rule does not read is edited alone
    run("person_role.upsert", {"id": args["id"], "note": "汛期值守"})
    row = fetch(conn, "person_roles", args["id"])
    assert row is not None and row["note"] == "汛期值守"


def test_role_periods_are_days_in_order(run: Any, conn: Connection, places: Ids) -> None:
    ok = role(places, "会商专家", valid_from="2026-04-15", valid_to="2026-10-15")
    run("person_role.upsert", ok)
    open_ended = role(places, "县级灾害信息员", valid_from="", valid_to="  ")
    run("person_role.upsert", open_ended)
    row = fetch(conn, "person_roles", open_ended["id"])
    assert row is not None and (row["valid_from"], row["valid_to"]) == (None, None)
    message = refused(
        run,
        "person_role.upsert",
        role(places, "会商专家", valid_from="2026-10-15", valid_to="2026-04-15"),
        "bad_combination",
    )
    assert message == "任职结束日期（2026-04-15）早于开始日期（2026-10-15）"
    for bad in ("2026-02-30", "2026/04/15", "20260415", "2026-04-15T00:00", "明天"):
        message = refused(
            run, "person_role.upsert", role(places, "会商专家", valid_to=bad), "bad_date"
        )
        assert message.startswith("“结束日期”不是有效的日期")
    assert roles_stored(conn) == 2


def test_references_to_missing_or_deleted_records_are_refused(
    run: Any, conn: Connection, places: Ids
) -> None:
    message = refused(
        run, "person.upsert", {"id": new_id(), "name": "王某某", "unit_id": new_id()}, "missing_ref"
    )
    assert message == "“所属单位”指向的记录不存在"
    for target in catalog.ROLE_OBJECTS["水利工程巡查员"]:
        args = {**role(places, "水利工程巡查员"), target: new_id()}
        refused(run, "person_role.upsert", args, "missing_ref")
    refused(
        run,
        "person_role.upsert",
        {**role(places, "会商专家"), "person_id": new_id()},
        "missing_ref",
    )
    refused(
        run, "person_role.upsert", {**role(places, "会商专家"), "person_id": "张某某"}, "bad_ref"
    )
    run("person.delete", {"id": places["p"]})
    assert refused(run, "person_role.upsert", role(places, "会商专家"), "missing_ref") == (
        "“人员”指向的记录不存在"
    )
    refused(
        run,
        "unit.upsert",
        {"id": new_id(), "name": "x", "kind": "村社区", "village_id": new_id()},
        "missing_ref",
    )
    assert roles_stored(conn) == 0


@pytest.mark.parametrize(
    ("name", "args", "code", "message"),
    [
        ("person.upsert", {"name": "张" * 41}, "too_long", "“姓名”过长（最多 40 字，实际 41 字）"),
        ("person.upsert", {"name": "张某某", "zzd_id": "z" * 65}, "too_long", "“浙政钉”过长"),
        ("person.upsert", {"name": "张某某", "mobile": "1" * 33}, "too_long", "“手机”过长"),
        ("person.upsert", {"name": "  "}, "missing_field", "“姓名”不能为空"),
        ("person.upsert", {"post": "书记"}, "missing_field", "“姓名”不能为空"),
        ("person.upsert", {"name": "张某某", "mobile": 13800000001}, "bad_type", "“手机”应为文本"),
        ("unit.upsert", {"name": "单" * 81, "kind": "企业"}, "too_long", "“单位名称”过长"),
        ("unit.upsert", {"name": "某公司", "kind": "公司"}, "bad_choice", "“单位类型”只能是"),
        ("unit.upsert", {"name": "某公司"}, "missing_field", "“单位类型”不能为空"),
        ("person_role.upsert", {"role": "村长"}, "bad_choice", "“责任角色”只能是"),
        ("village.upsert", {"name": "苏村", "households": -1}, "out_of_range", "“户数”不能小于 0"),
        (
            "risk_point.upsert",
            {"type": "山洪危险区", "name": "溪", "evacuate_rain_1h_mm": 2001},
            "out_of_range",
            "“立即转移雨量（1小时，毫米）”不能大于 2000",
        ),
        (
            "risk_point.upsert",
            {"type": "山洪危险区", "name": "溪", "warning_signal": "锣" * 81},
            "too_long",
            "“预警信号”过长",
        ),
        (
            "shelter.upsert",
            {"name": "礼堂", "facilities": "床" * 2001},
            "too_long",
            "“主要设施”过长",
        ),
        (
            "station.upsert",
            {"code": "R1", "name": "库", "kind": "水库", "check_level_m": "高"},
            "bad_type",
            "“校核水位”应为数值",
        ),
    ],
)
def test_hostile_values_are_refused_in_chinese(
    name: str,
    args: dict[str, Any],
    code: str,
    message: str,
    run: Any,
    places: Ids,
    conn: Connection,
) -> None:
    if name == "person_role.upsert":
        args = {**args, "person_id": places["p"]}
    if name == "village.upsert":
        args = {**args, "township_id": places["town"]}
    record_id = new_id()
    got = refused(run, name, {"id": record_id, **args}, code)
    assert message in got
    table = {"person": "people"}.get(name.split(".")[0], name.split(".")[0] + "s")
    assert fetch(conn, table, record_id) is None


def test_new_reference_fields_are_stored(run: Any, conn: Connection, places: Ids) -> None:
    run("village.upsert", {"id": places["village"], "households": 212, "population": 583})
    reservoir = {
        "id": new_id(),
        "code": "R001",
        "name": "成屏二级水库",
        "kind": "水库",
        "flood_limit_level_m": 318.0,
        "design_level_m": 322.5,
        "check_level_m": 324.1,
    }
    run("station.upsert", reservoir)
    tiers = {
        "prepare_rain_1h_mm": 30.0,
        "prepare_rain_3h_mm": 50,
        "prepare_rain_24h_mm": 120.5,
        "evacuate_rain_1h_mm": 40.0,
        "evacuate_rain_3h_mm": 70.0,
        "evacuate_rain_24h_mm": 160.0,
    }
    run("risk_point.upsert", {"id": places["point"], "warning_signal": "鸣锣、广播", **tiers})
    run("shelter.upsert", {"id": places["shelter"], "facilities": "床位80张、发电机1台"})
    village = fetch(conn, "villages", places["village"])
    station = fetch(conn, "stations", reservoir["id"])
    point = fetch(conn, "risk_points", places["point"])
    shelter = fetch(conn, "shelters", places["shelter"])
    assert village is not None and (village["households"], village["population"]) == (212, 583)
    assert station is not None and station["check_level_m"] == 324.1
    assert point is not None and point["warning_signal"] == "鸣锣、广播"
    assert {k: point[k] for k in tiers} == {k: float(v) for k, v in tiers.items()}
    assert shelter is not None and shelter["facilities"] == "床位80张、发电机1台"


def test_the_people_tables_are_declared_with_chinese_labels() -> None:
    assert list(ENTITY_FIELDS["people"]) == [
        "name",
        "unit_id",
        "post",
        "mobile",
        "landline",
        "zzd_id",
        "expert_field",
        "expert_title",
        "note",
        "is_sample",
    ]
    assert ENTITY_FIELDS["person_roles"]["role"].choices == catalog.PERSON_ROLES
    assert ENTITY_FIELDS["units"]["kind"].choices == catalog.UNIT_KINDS
    for table in ("units", "people", "person_roles"):
        for name, spec in ENTITY_FIELDS[table].items():
            assert spec.label and not spec.label.isascii(), (table, name)


def test_reservoir_levels_belong_to_reservoirs_and_rise(run: Any, conn: Connection) -> None:
    gauge = {"id": new_id(), "code": "S9", "name": "苏村", "kind": "水位站"}
    run("station.upsert", gauge)
    message = refused(
        run, "station.upsert", {"id": gauge["id"], "design_level_m": 300.0}, "bad_combination"
    )
    assert message == "只有水库才填写设计水位（该站点类型为“水位站”）"
    assert message == catalog.station_problem({"kind": "水位站", "design_level_m": 300.0})
    # judged on the record as it will be: becoming a reservoir in the same upsert is fine
    run("station.upsert", {"id": gauge["id"], "kind": "水库", "design_level_m": 300.0})
    message = refused(
        run, "station.upsert", {"id": gauge["id"], "check_level_m": 299.5}, "bad_combination"
    )
    assert message == "“校核水位”（299.5）不应低于“设计水位”（300）"
    # and back to a gauge only without them
    refused(run, "station.upsert", {"id": gauge["id"], "kind": "水位站"}, "bad_combination")
    run("station.upsert", {"id": gauge["id"], "kind": "水位站", "design_level_m": None})
    row = fetch(conn, "stations", gauge["id"])
    assert row is not None and (row["kind"], row["design_level_m"]) == ("水位站", None)


def test_evacuation_rainfall_is_not_below_preparation(run: Any, conn: Connection) -> None:
    point = {"id": new_id(), "type": "山洪危险区", "name": "苏村溪", "prepare_rain_3h_mm": 50.0}
    run("risk_point.upsert", point)
    message = refused(
        run, "risk_point.upsert", {"id": point["id"], "evacuate_rain_3h_mm": 45}, "bad_combination"
    )
    assert message == "3小时立即转移雨量（45 毫米）不应低于准备转移雨量（50 毫米）"
    assert message == catalog.rainfall_problem(
        {"prepare_rain_3h_mm": 50.0, "evacuate_rain_3h_mm": 45.0}
    )
    run("risk_point.upsert", {"id": point["id"], "evacuate_rain_3h_mm": 50})  # equal: allowed
    # another window is judged on its own
    run("risk_point.upsert", {"id": point["id"], "evacuate_rain_1h_mm": 20.0})
    row = fetch(conn, "risk_points", point["id"])
    assert row is not None and row["evacuate_rain_1h_mm"] == 20.0


def test_critical_rainfall_belongs_to_the_types_that_have_one(run: Any, conn: Connection) -> None:
    """Only 山洪危险区 and 地质灾害隐患点 take 临界雨量 (catalog.RAIN_TIER_TYPES): judged on
    the record as it will be, so a flash-flood area becomes a 河道 only without it."""
    point = {"id": new_id(), "type": "山洪危险区", "name": "苏村溪", "prepare_rain_1h_mm": 30.0}
    run("risk_point.upsert", point)
    message = refused(
        run, "risk_point.upsert", {"id": point["id"], "type": "河道"}, "bad_combination"
    )
    assert message == "只有山洪危险区、地质灾害隐患点才填写临界雨量（该风险点类型为“河道”）"
    run("risk_point.upsert", {"id": point["id"], "type": "地质灾害隐患点"})
    run("risk_point.upsert", {"id": point["id"], "type": "河道", "prepare_rain_1h_mm": None})
    row = fetch(conn, "risk_points", point["id"])
    assert row is not None and (row["type"], row["prepare_rain_1h_mm"]) == ("河道", None)


def test_a_village_role_may_name_the_village_s_township_only(
    run: Any, conn: Connection, places: Ids
) -> None:
    with_town = role(places, "村抢险救援", catalog.VILLAGE, catalog.TOWNSHIP)
    run("person_role.upsert", with_town)
    row = fetch(conn, "person_roles", with_town["id"])
    assert row is not None and (row["village_id"], row["township_id"]) == (
        places["village"],
        places["town"],
    )
    other = new_id()
    run("township.upsert", {"id": other, "name": "妙高街道", "kind": "街道"})
    wrong_town = {**role(places, "村抢险救援", catalog.VILLAGE), "township_id": other}
    assert refused(run, "person_role.upsert", wrong_town, "bad_place") == (
        "“所属村”不属于所选乡镇，请重新选择"
    )
    # a township role does not take a village beside its township
    both = role(places, "乡镇第一责任人", catalog.TOWNSHIP, catalog.VILLAGE)
    assert refused(run, "person_role.upsert", both, "bad_combination") == (
        "“乡镇第一责任人”应且只应填写所属乡镇"
    )
