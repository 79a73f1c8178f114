"""The 信息报送 rule table (报送规则) for the 设置 page."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import QObject

from console.domain import catalog
from console.domain.reporting import CHANNELS, REPORT_STAGES, schedule_text
from console.domain.schema import ENTITY_FIELDS
from console.models.record_table import Column, RecordTableModel

Rule = dict[str, Any]
_RULE = ENTITY_FIELDS["report_rules"]


def _order(rule: Rule) -> tuple[int, str, str, int, int, int]:
    categories = list(catalog.EVENT_CATEGORIES)
    grades = ["", *catalog.GRADES]
    return (
        categories.index(rule["category"]) if rule["category"] in categories else 99,
        rule.get("subtype") or "",
        rule.get("sub_hazard") or "",
        grades.index(rule["grade"]) if rule["grade"] in grades else 99,
        REPORT_STAGES.index(rule["stage"]) if rule["stage"] in REPORT_STAGES else 99,
        CHANNELS.index(rule["channel"]) if rule["channel"] in CHANNELS else 99,
    )


def scope_text(rule: Rule) -> str:
    """'森林火灾' / '水旱 · 干旱' / '全部子类'."""
    parts = [p for p in (rule.get("subtype"), rule.get("sub_hazard")) if p]
    return " · ".join(parts) if parts else "全部子类"


class ReportRuleTableModel(RecordTableModel[Rule]):
    """启用, 事件类别, 子类, 事件等级, 报送种类, 报送方式, 时限, 规则来源, 依据."""

    columns = (
        Column[Rule](_RULE["enabled"].label, lambda r: "是" if r.get("enabled", True) else "停用"),
        Column[Rule](_RULE["category"].label, lambda r: r["category"], _order),
        Column[Rule](_RULE["subtype"].label, scope_text),
        Column[Rule](_RULE["grade"].label, lambda r: r["grade"] or "全部等级"),
        Column[Rule](_RULE["stage"].label, lambda r: r["stage"]),
        Column[Rule](_RULE["channel"].label, lambda r: r["channel"]),
        Column[Rule](_RULE["schedule"].label, schedule_text),
        Column[Rule](_RULE["source"].label, lambda r: r.get("source") or ""),
        Column[Rule](_RULE["basis"].label, lambda r: r["basis"], tooltip=lambda r: r["basis"]),
    )

    def __init__(self, rules: Sequence[Rule] = (), parent: QObject | None = None) -> None:
        super().__init__(sorted(rules, key=_order), parent)

    def set_rules(self, rules: Sequence[Rule]) -> None:
        self.set_records(sorted((r for r in rules if not r["deleted"]), key=_order))

    def key(self, record: Rule) -> Hashable:
        return record["id"]
