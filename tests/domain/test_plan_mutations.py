"""The 预案 library's records: plan.upsert / plan.delete, the event-type and date rule
refused in Chinese on the merged record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.mutations import fetch

Run = Callable[..., Any]


def _plan(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "title": "遂昌县地质灾害应急预案",
        "kind": "专项预案",
        "level": "县级",
        "owner": "县自然资源和规划局",
        "plan_version": "2021版",
        "issued_on": "2021-05-10",
        "revise_by": "2024-05-10",
        "category": "自然灾害",
        "subtype": "地质",
        **override,
    }


def test_a_plan_is_upserted_edited_and_deleted(run: Run, conn: Connection) -> None:
    plan = _plan()
    assert len(run("plan.upsert", plan)) == 1
    assert run("plan.upsert", plan) == []
    run("plan.upsert", {"id": plan["id"], "plan_version": "2024版"})
    row = fetch(conn, "plans", plan["id"])
    assert row is not None and (row["plan_version"], row["subtype"]) == ("2024版", "地质")
    run("plan.delete", {"id": plan["id"]})
    row = fetch(conn, "plans", plan["id"])
    assert row is not None and row["deleted"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"subtype": "火灾"}, "“自然灾害”下没有子类“火灾”"),
        ({"category": "", "subtype": "地质"}, "请先选择适用事件类别"),
        ({"revise_by": "2020-01-01"}, "修订期限不能早于印发日期"),
        ({"kind": "应急预案"}, "预案类别"),
        ({"level": "国家级"}, "预案层级"),
    ],
)
def test_bad_plans_are_refused_in_chinese(run: Run, override: dict[str, Any], message: str) -> None:
    with pytest.raises(MutationRejected) as refused:
        run("plan.upsert", _plan(**override))
    assert message in refused.value.message


def test_the_rule_is_judged_on_the_merged_record(run: Run) -> None:
    plan = _plan()
    run("plan.upsert", plan)
    with pytest.raises(MutationRejected) as refused:
        run("plan.upsert", {"id": plan["id"], "revise_by": "2021-01-01"})
    assert refused.value.message == "修订期限不能早于印发日期"
