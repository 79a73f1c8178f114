"""Sub-hazards (亚灾种): a natural disaster of 地质 / 水旱 / 气象 names the sub-hazard the county
reports (应急〔2020〕19号); it must belong to the incident's subtype, which the shared mutations
check on every replica with a Chinese message. Incidents recorded without one stay valid and
editable.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain.ids import new_id
from console.domain.mutations import MutationRejected
from console.domain.schema import Incident


def incident(**fields: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "received_at": "2026-11-28T09:30:00+08:00",
        "category": "自然灾害",
        "subtype": "地质",
        "title": "北界镇苏村山体滑坡",
        **fields,
    }


def refusal(run: Any, name: str, args: dict[str, Any]) -> str:
    with pytest.raises(MutationRejected) as info:
        run(name, args)
    assert info.value.code == "bad_choice"
    return info.value.message


def stored(conn: Connection, record_id: str) -> dict[str, Any]:
    t = Incident.__table__
    row = conn.execute(select(t).where(t.c.id == record_id)).mappings().one()
    return dict(row)


def count(conn: Connection) -> int:
    return len(conn.execute(select(Incident.__table__.c.id)).all())


def test_the_catalog_lists_the_sub_hazards_the_county_reports() -> None:
    assert catalog.sub_hazards("自然灾害", "地质") == ("滑坡", "崩塌", "泥石流", "地面塌陷", "其他")
    assert catalog.sub_hazards("自然灾害", "水旱") == ("洪涝", "干旱", "其他")
    assert catalog.sub_hazards("自然灾害", "气象") == (
        "台风",
        "暴雨",
        "风雹",
        "低温冷冻",
        "雪灾",
        "高温",
        "沙尘暴",
        "其他",
    )
    assert catalog.sub_hazards("自然灾害", "森林火灾") == ()
    assert catalog.sub_hazards("事故灾难", "地质") == ()
    for category, subtypes in catalog.EVENT_CATEGORIES.items():
        assert subtypes[-1] == "其他", category


@pytest.mark.parametrize(
    ("subtype", "sub_hazard"),
    [(sub, h) for (_cat, sub), hs in catalog.SUB_HAZARDS.items() for h in hs],
)
def test_every_listed_pair_is_accepted(
    run: Any, conn: Connection, subtype: str, sub_hazard: str
) -> None:
    args = incident(subtype=subtype, sub_hazard=sub_hazard)
    assert run("incident.create", args)
    assert stored(conn, args["id"])["sub_hazard"] == sub_hazard
    assert run("incident.create", args) == []  # an identical replay is a no-op


@pytest.mark.parametrize("category", list(catalog.EVENT_CATEGORIES))
def test_other_is_a_subtype_of_every_category(run: Any, conn: Connection, category: str) -> None:
    grade = None if category in catalog.UNGRADED_CATEGORIES else "一般"
    args = incident(category=category, subtype="其他", grade=grade)
    assert run("incident.create", args)
    assert stored(conn, args["id"])["subtype"] == "其他"


def test_a_sub_hazard_of_another_subtype_is_refused_in_chinese(run: Any, conn: Connection) -> None:
    message = refusal(run, "incident.create", incident(subtype="地质", sub_hazard="洪涝"))
    assert message == "“地质”下没有亚灾种“洪涝”（可选：滑坡、崩塌、泥石流、地面塌陷、其他）"
    message = refusal(
        run, "incident.create", incident(subtype="森林火灾", sub_hazard="滑坡", title="山火")
    )
    assert message == "“森林火灾”不分亚灾种，请不要填写亚灾种"
    message = refusal(run, "incident.create", incident(subtype="", sub_hazard="滑坡"))
    assert message == "请先选择事件子类，再填写亚灾种"
    # 事故灾难 has a 其他 subtype, but sub-hazards are the natural disasters' alone.
    args = incident(category="事故灾难", subtype="其他", sub_hazard="其他")
    assert refusal(run, "incident.create", args) == "“其他”不分亚灾种，请不要填写亚灾种"
    assert count(conn) == 0


def test_a_value_that_is_no_sub_hazard_at_all_is_refused(run: Any, conn: Connection) -> None:
    message = refusal(run, "incident.create", incident(sub_hazard="地震"))
    assert message == "“亚灾种”只能是：" + "、".join(catalog.ALL_SUB_HAZARDS) + "，或留空"
    assert count(conn) == 0


def test_an_incident_without_sub_hazard_stays_valid_and_editable(
    run: Any, conn: Connection
) -> None:
    old = incident()  # as a workstation before sub-hazards records it: no such argument
    run("incident.create", old)
    rid = old["id"]
    assert stored(conn, rid)["sub_hazard"] == ""

    assert run("incident.update", {"id": rid, "fields": {"title": "苏村滑坡（已核实）"}})
    assert run("incident.update", {"id": rid, "fields": {"sub_hazard": "滑坡"}})
    assert stored(conn, rid)["sub_hazard"] == "滑坡"

    # Changing the subtype alone would leave a sub-hazard of the old one behind.
    message = refusal(run, "incident.update", {"id": rid, "fields": {"subtype": "水旱"}})
    assert message == "“水旱”下没有亚灾种“滑坡”（可选：洪涝、干旱、其他）"
    message = refusal(run, "incident.update", {"id": rid, "fields": {"subtype": "森林火灾"}})
    assert message == "“森林火灾”不分亚灾种，请不要填写亚灾种"
    assert stored(conn, rid)["subtype"] == "地质"

    fields = {"subtype": "水旱", "sub_hazard": "洪涝"}
    assert run("incident.update", {"id": rid, "fields": fields})
    assert run("incident.update", {"id": rid, "fields": {"subtype": "地震", "sub_hazard": ""}})
    row = stored(conn, rid)
    assert (row["subtype"], row["sub_hazard"]) == ("地震", "")


def test_moving_to_another_category_takes_the_sub_hazard_along(run: Any) -> None:
    args = incident(subtype="气象", sub_hazard="台风")
    run("incident.create", args)
    fields = {"category": "事故灾难", "subtype": "交通运输"}
    message = refusal(run, "incident.update", {"id": args["id"], "fields": fields})
    assert message == "“交通运输”不分亚灾种，请不要填写亚灾种"
    assert run("incident.update", {"id": args["id"], "fields": {**fields, "sub_hazard": ""}})
