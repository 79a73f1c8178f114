"""Grading from the law: the bands of both default tables at their edges, which row wins, and
the grading table's own rules (refused in Chinese)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection

from console.domain.grading import (
    DEFAULT_GRADING,
    default_grading_calls,
    grading_rule_args,
    implied_grade,
    suggestion,
)
from console.domain.mutations import MutationRejected
from console.domain.schema import GradingRule

ART3 = "国务院令493号"
ART40 = "森林防火条例"


def default_rows() -> list[dict[str, Any]]:
    return [{**args, "deleted": False} for _name, args in default_grading_calls()]


def grade(category: str, subtype: str, **numbers: float) -> str | None:
    found = implied_grade(category, subtype, numbers, default_rows())
    return None if found is None else found.grade


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ({"dead": 0}, None),
        ({"dead": 1}, "一般"),
        ({"dead": 2}, "一般"),
        ({"dead": 3}, "较大"),
        ({"dead": 9}, "较大"),
        ({"dead": 10}, "重大"),
        ({"dead": 29}, "重大"),
        ({"dead": 30}, "特别重大"),
        ({"seriously_injured": 9}, "一般"),
        ({"seriously_injured": 10}, "较大"),
        ({"seriously_injured": 49}, "较大"),
        ({"seriously_injured": 50}, "重大"),
        ({"seriously_injured": 99}, "重大"),
        ({"seriously_injured": 100}, "特别重大"),
        ({"economic_loss": 999.99}, "一般"),
        ({"economic_loss": 1000}, "较大"),
        ({"economic_loss": 4999}, "较大"),
        ({"economic_loss": 5000}, "重大"),
        ({"economic_loss": 9999.5}, "重大"),
        ({"economic_loss": 10_000}, "特别重大"),
        # The most severe metric decides.
        ({"dead": 2, "seriously_injured": 50, "economic_loss": 1000}, "重大"),
    ],
)
def test_production_safety_bands_at_their_edges(numbers: dict[str, float], expected: str) -> None:
    assert grade("事故灾难", "企业安全事故", **numbers) == expected


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ({"area_burned": 0}, None),
        ({"area_burned": 0.5}, "一般"),
        ({"area_burned": 0.99}, "一般"),
        ({"area_burned": 1}, "较大"),
        ({"area_burned": 99.9}, "较大"),
        ({"area_burned": 100}, "重大"),
        ({"area_burned": 999}, "重大"),
        ({"area_burned": 1000}, "特别重大"),
        ({"dead": 2}, "一般"),
        ({"dead": 3}, "较大"),
        ({"dead": 10}, "重大"),
        ({"dead": 30}, "特别重大"),
        ({"seriously_injured": 9}, "一般"),
        ({"seriously_injured": 10}, "较大"),
        ({"seriously_injured": 50}, "重大"),
        ({"seriously_injured": 100}, "特别重大"),
    ],
)
def test_forest_fire_bands_at_their_edges(numbers: dict[str, float], expected: str) -> None:
    assert grade("自然灾害", "森林火灾", **numbers) == expected


def test_the_finding_names_the_rows_and_their_source() -> None:
    found = implied_grade(
        "事故灾难", "企业安全事故", {"dead": 5, "seriously_injured": 12}, default_rows()
    )
    assert found is not None and found.grade == "较大"
    assert [r.metric for r in found.reasons] == ["死亡", "重伤"]
    assert all(ART3 in r.basis for r in found.reasons)
    assert "死亡 5 人（≥ 3 人 为较大）" in found.reasons[0].text()
    fire = implied_grade("自然灾害", "森林火灾", {"area_burned": 150.0}, default_rows())
    assert fire is not None and ART40 in fire.reasons[0].text()


def test_classes_without_rows_suggest_nothing() -> None:
    # Other classes ship empty: the county fills them in.
    assert grade("自然灾害", "地质", dead=27) is None
    assert grade("事故灾难", "环境污染", dead=40) is None
    assert grade("公共卫生事件", "传染病", dead=40) is None
    assert implied_grade("事故灾难", "企业安全事故", {"dead": 40}, []) is None
    assert {(r.category, r.subtype) for r in DEFAULT_GRADING} == {
        ("事故灾难", "企业安全事故"),
        ("自然灾害", "森林火灾"),
    }


def test_a_subtype_row_wins_over_the_category_row_for_its_metric() -> None:
    category_row = {
        **grading_rule_args("事故灾难", "", "死亡", (100, 50, 20, 1), "县定：事故灾难通用"),
        "deleted": False,
    }
    rows = [*default_rows(), category_row]
    # 企业安全事故 has its own 死亡 row: 5 dead is 较大 by 493号令, not 一般 by the county's row.
    assert implied_grade("事故灾难", "企业安全事故", {"dead": 5}, rows).grade == "较大"  # type: ignore[union-attr]
    # 交通运输 has none: the category row applies.
    traffic = implied_grade("事故灾难", "交通运输", {"dead": 5}, rows)
    assert traffic is not None and traffic.grade == "一般"
    assert traffic.reasons[0].basis == "县定：事故灾难通用"
    # A deleted row applies to nothing.
    assert (
        implied_grade("事故灾难", "交通运输", {"dead": 5}, [{**category_row, "deleted": True}])
        is None
    )


def test_suggestion_only_when_the_numbers_imply_a_more_severe_grade() -> None:
    rows = default_rows()
    five_dead = {"dead": 5}
    assert suggestion("事故灾难", "企业安全事故", "一般", five_dead, rows).grade == "较大"  # type: ignore[union-attr]
    assert suggestion("事故灾难", "企业安全事故", None, five_dead, rows).grade == "较大"  # type: ignore[union-attr]
    assert suggestion("事故灾难", "企业安全事故", "较大", five_dead, rows) is None
    assert suggestion("事故灾难", "企业安全事故", "重大", five_dead, rows) is None
    assert suggestion("社会安全事件", "群体性", None, five_dead, rows) is None


def test_default_calls_apply_and_replay_as_no_ops(run: Any, conn: Connection) -> None:
    for name, args in default_grading_calls():
        assert run(name, args)
    assert all(run(name, args) == [] for name, args in default_grading_calls())
    stored = conn.execute(select(GradingRule.__table__)).mappings().all()  # type: ignore[attr-defined]
    assert len(stored) == len(DEFAULT_GRADING)
    assert grade("事故灾难", "企业安全事故", dead=5) == (
        implied_grade("事故灾难", "企业安全事故", {"dead": 5}, stored).grade  # type: ignore[union-attr]
    )


def test_an_upsert_states_the_whole_row(run: Any, conn: Connection) -> None:
    args = grading_rule_args("自然灾害", "地质", "死亡", (30, 10, 3, 1), "县定")
    run("grading_rule.upsert", args)
    # Leaving a bound out clears it (it is not kept from before).
    run("grading_rule.upsert", {k: v for k, v in args.items() if k != "min_general"})
    stored = conn.execute(select(GradingRule.__table__)).mappings().one()  # type: ignore[attr-defined]
    assert stored["min_general"] is None and stored["min_large"] == 3
    run("grading_rule.delete", {"id": args["id"]})
    assert conn.execute(select(GradingRule.__table__.c.deleted)).scalar_one() is True  # type: ignore[attr-defined]


BASE = grading_rule_args("事故灾难", "企业安全事故", "死亡", (30, 10, 3, 1), ART3)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_major": 30.0}, "“特别重大下限”（30）应大于“重大下限”（30）"),
        ({"min_large": 20.0}, "“重大下限”（10）应大于“较大下限”（20）"),
        ({"min_general": -1.0}, "“一般下限”不能小于 0"),
        ({"min_especially_major": float("nan")}, "“特别重大下限”不是有效数值"),
        ({"min_major": "十"}, "“重大下限”应为数值"),
        (
            dict.fromkeys(("min_especially_major", "min_major", "min_large", "min_general")),
            "至少填写一个等级的下限",
        ),
        ({"metric": "受伤"}, "“定级指标”只能是：死亡、失踪、重伤"),
        ({"category": "社会安全事件", "subtype": "群体性"}, "“社会安全事件”不分级"),
        ({"subtype": "森林火灾"}, "“事故灾难”下没有子类“森林火灾”"),
        ({"basis": "依" * 201}, "“依据”过长"),
        ({"grade": "一般"}, "未知字段：grade"),
    ],
)
def test_invalid_rows_are_refused_in_chinese(
    run: Any, conn: Connection, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(MutationRejected) as refused:
        run("grading_rule.upsert", {**BASE, **change})
    assert message in str(refused.value)
    assert conn.execute(select(GradingRule.__table__)).first() is None  # type: ignore[attr-defined]
