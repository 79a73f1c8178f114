"""The 案例一个库 mutations: a case is created as a draft (or published, for a bundled
public case), edited, published and deleted; replays are no-ops, refusals are Chinese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.mutations import fetch

Run = Callable[..., Any]


def _case(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "title": "北界镇苏村山体滑坡",
        "occurred_on": "2016-09-28",
        "hazard": "滑坡",
        "place": "北界镇苏村",
        "rain_pattern": "台风雨",
        "course": "山体滑坡，房屋被埋",
        **override,
    }


def test_a_case_is_created_as_a_draft_and_published_once(run: Run, conn: Connection) -> None:
    case = _case()
    assert len(run("case.create", case)) == 1
    row = fetch(conn, "cases", case["id"])
    assert row is not None
    assert (row["status"], row["author"], row["hazard"]) == (catalog.CASE_DRAFT, "张三", "滑坡")
    assert run("case.create", case) == []  # an identical replay
    assert len(run("case.publish", {"id": case["id"]}, user="李四")) == 1
    row = fetch(conn, "cases", case["id"])
    assert row is not None and row["status"] == catalog.CASE_PUBLISHED
    assert row["updated_by"] == "李四"
    assert run("case.publish", {"id": case["id"]}) == []


def test_a_bundled_case_is_published_as_it_comes(run: Run, conn: Connection) -> None:
    case = _case(published=True, is_sample=True)
    run("case.create", case)
    row = fetch(conn, "cases", case["id"])
    assert row is not None and row["status"] == catalog.CASE_PUBLISHED and row["is_sample"]


def test_an_update_changes_the_fields_given_only(run: Run, conn: Connection) -> None:
    case = _case()
    run("case.create", case)
    run("case.update", {"id": case["id"], "fields": {"lessons": "隐患点人员应提前转移"}})
    row = fetch(conn, "cases", case["id"])
    assert row is not None
    assert (row["lessons"], row["course"]) == ("隐患点人员应提前转移", "山体滑坡，房屋被埋")
    same = {"id": case["id"], "fields": {"lessons": "隐患点人员应提前转移"}}
    assert run("case.update", same) == []


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("case.create", {"hazard": "地震"}, "灾种"),
        ("case.create", {"title": ""}, "案例名称"),
        ("case.create", {"occurred_on": "2016-9-28"}, "发生日期"),
        ("case.create", {"rain_pattern": "雷雨"}, "雨型"),
        ("case.create", {"dead": -1}, "死亡"),
        ("case.create", {"published": "yes"}, "发布"),
        ("case.create", {"township_id": new_id()}, "乡镇"),
    ],
)
def test_bad_values_are_refused_in_chinese(
    run: Run, name: str, args: dict[str, Any], message: str
) -> None:
    with pytest.raises(MutationRejected) as refused:
        run(name, _case(**args))
    assert message in refused.value.message


def test_a_missing_or_deleted_case_cannot_be_edited_or_published(run: Run) -> None:
    case = _case()
    run("case.create", case)
    run("case.delete", {"id": case["id"]})
    for name, args in (
        ("case.update", {"id": case["id"], "fields": {"lessons": "x"}}),
        ("case.publish", {"id": case["id"]}),
        ("case.publish", {"id": new_id()}),
    ):
        with pytest.raises(MutationRejected) as refused:
            run(name, args)
        assert refused.value.message == "案例不存在"
    with pytest.raises(MutationRejected) as refused:
        run("case.update", {"id": new_id(), "fields": {}})
    assert refused.value.message == "没有要修改的字段"
