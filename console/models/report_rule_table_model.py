"""The 信息报送 deadline table (报送时限规则) for the 设置 page."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import QObject

from console.domain import catalog
from console.domain.reporting import CHANNELS, REPORT_STAGES
from console.models.record_table import Column, RecordTableModel

Rule = dict[str, Any]


def _order(rule: Rule) -> tuple[int, int, int, int]:
    categories = list(catalog.EVENT_CATEGORIES)
    grades = ["", *catalog.GRADES]
    return (
        categories.index(rule["category"]) if rule["category"] in categories else 99,
        grades.index(rule["grade"]) if rule["grade"] in grades else 99,
        REPORT_STAGES.index(rule["stage"]) if rule["stage"] in REPORT_STAGES else 99,
        CHANNELS.index(rule["channel"]) if rule["channel"] in CHANNELS else 99,
    )


class ReportRuleTableModel(RecordTableModel[Rule]):
    """事件类别, 等级, 报送阶段, 方式, 时限, 依据."""

    columns = (
        Column[Rule]("事件类别", lambda r: r["category"], _order),
        Column[Rule]("等级", lambda r: r["grade"] or "全部等级"),
        Column[Rule]("报送阶段", lambda r: r["stage"]),
        Column[Rule]("方式", lambda r: r["channel"]),
        Column[Rule]("时限", lambda r: f"{r['minutes']} 分钟", lambda r: r["minutes"], True),
        Column[Rule]("依据", lambda r: r["basis"], tooltip=lambda r: r["basis"]),
    )

    def __init__(self, rules: Sequence[Rule] = (), parent: QObject | None = None) -> None:
        super().__init__(sorted(rules, key=_order), parent)

    def set_rules(self, rules: Sequence[Rule]) -> None:
        self.set_records(sorted((r for r in rules if not r["deleted"]), key=_order))

    def key(self, record: Rule) -> Hashable:
        return record["id"]
