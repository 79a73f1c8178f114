"""Grading (定级) from the law: which grade an incident's numbers imply, and from which row.

The grading table is DATA (the synced ``grading_rules`` table the duty leader edits); each
row gives, for one category and optionally one subtype, one metric (deaths, area burned...)
and the lowest value at which each grade begins, with the rule it comes from. The defaults
are 国务院令493号 Art. 3 (production-safety accidents) and 森林防火条例 Art. 40 (forest fires);
other classes start empty and the county fills them in.

Pure functions only: no database, no Qt, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.domain import catalog
from console.domain.ids import reference_id
from console.domain.rows import MutationCall

# Metric (as stored in grading_rules.metric) -> the incident field it reads.
METRIC_FIELDS: dict[str, str] = {
    "死亡": "dead",
    "失踪": "missing",
    "重伤": "seriously_injured",
    "直接经济损失": "economic_loss",
    "过火面积": "area_burned",
    "转移人数": "evacuated",
}
GRADING_METRICS: tuple[str, ...] = tuple(METRIC_FIELDS)
METRIC_UNITS: dict[str, str] = {
    "死亡": "人",
    "失踪": "人",
    "重伤": "人",
    "直接经济损失": "万元",
    "过火面积": "公顷",
    "转移人数": "人",
}

# grading_rules column holding each grade's lower bound, most severe first (catalog.GRADES).
BOUND_COLUMNS: dict[str, str] = {
    "特别重大": "min_especially_major",
    "重大": "min_major",
    "较大": "min_large",
    "一般": "min_general",
}
assert tuple(BOUND_COLUMNS) == catalog.GRADES


@dataclass(frozen=True)
class Reason:
    """One row that implies a grade: ``metric`` reached ``bound`` (``value`` entered)."""

    grade: str
    metric: str
    value: float
    bound: float
    basis: str

    def text(self) -> str:
        unit = METRIC_UNITS[self.metric]
        return f"{self.metric} {self.value:g} {unit}（≥ {self.bound:g} {unit} 为{self.grade}）" + (
            f"，依据：{self.basis}" if self.basis else ""
        )


@dataclass(frozen=True)
class Finding:
    """The grade the numbers imply and every row that implies exactly that grade."""

    grade: str
    reasons: tuple[Reason, ...]


def severity(grade: str | None) -> int:
    """Higher is more severe; no grade (待定级) is below 一般."""
    if not grade or grade not in catalog.GRADES:
        return 0
    return len(catalog.GRADES) - catalog.GRADES.index(grade)


def applicable_rules(
    category: str, subtype: str, rules: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The live rows for this class: per metric, the subtype's rows when it has any,
    otherwise the category's rows (subtype "")."""
    live = [r for r in rules if not r.get("deleted") and r["category"] == category]
    specific = {r["metric"] for r in live if subtype and r["subtype"] == subtype}
    return [
        r
        for r in live
        if (subtype and r["subtype"] == subtype)
        or (r["subtype"] == "" and r["metric"] not in specific)
    ]


def _grade_of(rule: Mapping[str, Any], value: float) -> tuple[str, float] | None:
    # A zero never implies a grade: "no dead" is not a 一般 accident by itself.
    if value <= 0:
        return None
    for grade in catalog.GRADES:
        bound = rule.get(BOUND_COLUMNS[grade])
        if bound is not None and value >= bound:
            return grade, float(bound)
    return None


def implied_grade(
    category: str,
    subtype: str,
    numbers: Mapping[str, Any],
    rules: Iterable[Mapping[str, Any]],
) -> Finding | None:
    """The most severe grade any applicable row implies for ``numbers`` (incident field ->
    value), or None when no row applies (an empty table suggests nothing)."""
    if category in catalog.UNGRADED_CATEGORIES:
        return None
    reasons: list[Reason] = []
    for rule in applicable_rules(category, subtype or "", rules):
        field = METRIC_FIELDS.get(rule["metric"])
        raw = numbers.get(field) if field else None
        if not isinstance(raw, int | float) or isinstance(raw, bool):
            continue
        hit = _grade_of(rule, float(raw))
        if hit is not None:
            reasons.append(Reason(hit[0], rule["metric"], float(raw), hit[1], rule["basis"]))
    if not reasons:
        return None
    top = max(severity(r.grade) for r in reasons)
    best = tuple(r for r in reasons if severity(r.grade) == top)
    return Finding(best[0].grade, best)


def suggestion(
    category: str,
    subtype: str,
    chosen: str | None,
    numbers: Mapping[str, Any],
    rules: Iterable[Mapping[str, Any]],
) -> Finding | None:
    """The implied grade when it is more severe than ``chosen`` (None otherwise)."""
    found = implied_grade(category, subtype, numbers, rules)
    if found is None or severity(found.grade) <= severity(chosen):
        return None
    return found


# --- defaults ---------------------------------------------------------------------------

_ART3 = "国务院令493号《生产安全事故报告和调查处理条例》第三条"
_ART40 = "《森林防火条例》第四十条"


@dataclass(frozen=True)
class DefaultGrading:
    category: str
    subtype: str
    metric: str
    bounds: tuple[float | None, float | None, float | None, float | None]  # 特别重大..一般
    basis: str


# Bounds include their number ("以上包括本数"); a 0 bound means any positive amount.
DEFAULT_GRADING: tuple[DefaultGrading, ...] = (
    DefaultGrading("事故灾难", "企业安全事故", "死亡", (30, 10, 3, 1), _ART3),
    DefaultGrading("事故灾难", "企业安全事故", "重伤", (100, 50, 10, 1), _ART3),
    DefaultGrading("事故灾难", "企业安全事故", "直接经济损失", (10_000, 5_000, 1_000, 0), _ART3),
    DefaultGrading("自然灾害", "森林火灾", "过火面积", (1_000, 100, 1, 0), _ART40),
    DefaultGrading("自然灾害", "森林火灾", "死亡", (30, 10, 3, 1), _ART40),
    DefaultGrading("自然灾害", "森林火灾", "重伤", (100, 50, 10, 1), _ART40),
)


def grading_rule_id(category: str, subtype: str, metric: str) -> str:
    return reference_id("grading_rule", category, subtype, metric)


def grading_rule_args(
    category: str,
    subtype: str,
    metric: str,
    bounds: tuple[float | None, ...],
    basis: str,
) -> dict[str, Any]:
    """The ``grading_rule.upsert`` arguments of one row (one row per class and metric)."""
    return {
        "id": grading_rule_id(category, subtype, metric),
        "category": category,
        "subtype": subtype,
        "metric": metric,
        **{
            column: (None if bound is None else float(bound))
            for column, bound in zip(BOUND_COLUMNS.values(), bounds, strict=True)
        },
        "basis": basis,
    }


def default_grading_calls() -> list[MutationCall]:
    return [
        (
            "grading_rule.upsert",
            grading_rule_args(r.category, r.subtype, r.metric, r.bounds, r.basis),
        )
        for r in DEFAULT_GRADING
    ]
