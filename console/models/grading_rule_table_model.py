"""The grading table (定级标准) for the 设置 page: one row per class and metric, the lowest
value at which each grade begins, and the rule that says so."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import QObject

from console.domain import catalog
from console.domain.grading import BOUND_COLUMNS, GRADING_METRICS, METRIC_UNITS
from console.domain.schema import ENTITY_FIELDS
from console.models.record_table import Column, RecordTableModel

GradingRow = dict[str, Any]
_ROW = ENTITY_FIELDS["grading_rules"]
ANY_SUBTYPE = "全部子类"
NO_BOUND = "—"


def _order(row: GradingRow) -> tuple[int, str, int]:
    categories = list(catalog.EVENT_CATEGORIES)
    return (
        categories.index(row["category"]) if row["category"] in categories else 99,
        row.get("subtype") or "",
        GRADING_METRICS.index(row["metric"]) if row["metric"] in GRADING_METRICS else 99,
    )


def bound_text(row: GradingRow, grade: str) -> str:
    """'≥ 3 人', '> 0 万元' (a 0 bound: any positive amount), '—' (no bound)."""
    bound = row.get(BOUND_COLUMNS[grade])
    if bound is None:
        return NO_BOUND
    unit = METRIC_UNITS.get(row["metric"], "")
    return f"> 0 {unit}" if bound == 0 else f"≥ {bound:g} {unit}"


def _bound_column(grade: str) -> Column[GradingRow]:
    column = BOUND_COLUMNS[grade]
    return Column[GradingRow](
        _ROW[column].label,
        lambda r: bound_text(r, grade),
        lambda r: -1.0 if r.get(column) is None else float(r[column]),
        numeric=True,
    )


class GradingRuleTableModel(RecordTableModel[GradingRow]):
    """事件类别, 事件子类, 定级指标, 特别重大下限 .. 一般下限, 依据."""

    columns = (
        Column[GradingRow](_ROW["category"].label, lambda r: r["category"], _order),
        Column[GradingRow](_ROW["subtype"].label, lambda r: r.get("subtype") or ANY_SUBTYPE),
        Column[GradingRow](
            _ROW["metric"].label,
            lambda r: f"{r['metric']}（{METRIC_UNITS.get(r['metric'], '')}）",
        ),
        *(_bound_column(grade) for grade in catalog.GRADES),
        Column[GradingRow](
            _ROW["basis"].label,
            lambda r: r.get("basis") or "（未注明）",
            tooltip=lambda r: r.get("basis") or "",
        ),
    )

    def __init__(self, rows: Sequence[GradingRow] = (), parent: QObject | None = None) -> None:
        super().__init__(sorted(rows, key=_order), parent)

    def set_rows(self, rows: Sequence[GradingRow]) -> None:
        self.set_records(sorted((r for r in rows if not r.get("deleted")), key=_order))

    def key(self, record: GradingRow) -> Hashable:
        return record["id"]
