"""Risk points counted by type (风险点类型统计) for the side list of the risk map."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from console.domain.catalog import RISK_POINT_TYPES
from console.models.record_table import Column, Index, RecordTableModel


@dataclass(frozen=True)
class RiskTypeCount:
    type: str
    count: int
    persons: int
    color: str


class RiskTypeTableModel(RecordTableModel[RiskTypeCount]):
    """类型 (with its map colour), 数量, 涉及人数; types in the catalogue's order."""

    columns = (
        Column[RiskTypeCount]("类型", lambda r: r.type, lambda r: _order(r.type)),
        Column[RiskTypeCount]("数量", lambda r: str(r.count), lambda r: r.count, True),
        Column[RiskTypeCount]("涉及人数", lambda r: str(r.persons), lambda r: r.persons, True),
    )

    def __init__(
        self,
        risk_points: Sequence[Mapping[str, Any]] = (),
        colors: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__((), parent)
        self.set_points(risk_points, colors or {})

    def key(self, record: RiskTypeCount) -> Hashable:
        return record.type

    def set_points(
        self, risk_points: Sequence[Mapping[str, Any]], colors: Mapping[str, str]
    ) -> None:
        counts: Counter[str] = Counter()
        persons: Counter[str] = Counter()
        for point in risk_points:
            kind = str(point.get("type") or "其他")
            counts[kind] += 1
            persons[kind] += int(point.get("persons") or 0)
        rows = [
            RiskTypeCount(kind, counts[kind], persons[kind], colors.get(kind, "#888888"))
            for kind in sorted(counts, key=_order)
        ]
        self.set_records(rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and index.isValid() and index.column() == 0:
            if 0 <= index.row() < self.rowCount():
                return QColor(self.record(index.row()).color)
            return None
        return super().data(index, role)


def _order(kind: str) -> int:
    return RISK_POINT_TYPES.index(kind) if kind in RISK_POINT_TYPES else len(RISK_POINT_TYPES)
