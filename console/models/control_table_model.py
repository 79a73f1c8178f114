"""管控一张表 as a table: the county, each township and its villages, with 应转 / 已转 /
拒转 / 返回 / 在外 and the progress; township rows bold, lagging villages in the danger colour."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from console.domain import beijing
from console.models.record_table import Column, Index, RecordTableModel
from console.services.control_table import COUNTY, VILLAGE, ControlRow

INDENT = "　　"  # two ideographic spaces: a village under its township


def _progress(row: ControlRow) -> str:
    p = row.tally.progress
    return "—" if p is None else f"{p:.0%}"


def _last(row: ControlRow) -> str:
    at = row.tally.last_report_at
    return "" if at is None else beijing.display(at)[-5:]


def _state(row: ControlRow) -> str:
    if row.level == VILLAGE:
        p = row.tally.progress
        if p is not None and p >= 1:
            return "已完成"
        return "超时未报" if row.laggard else ""
    return f"{row.laggards} 个村超时未报" if row.laggards else ""


def _n(value: int) -> str:
    return str(value)


class ControlTableModel(RecordTableModel[ControlRow]):
    columns = (
        Column[ControlRow](
            "乡镇 / 村",
            lambda r: (INDENT + r.name) if r.level == VILLAGE else r.name,
            lambda r: r.name,
        ),
        Column[ControlRow]("应转户", lambda r: _n(r.tally.planned_households), numeric=True),
        Column[ControlRow]("应转人", lambda r: _n(r.tally.planned_persons), numeric=True),
        Column[ControlRow]("已转", lambda r: _n(r.tally.moved), numeric=True),
        Column[ControlRow]("拒转", lambda r: _n(r.tally.refused), numeric=True),
        Column[ControlRow]("返回", lambda r: _n(r.tally.returned), numeric=True),
        Column[ControlRow]("在外", lambda r: _n(r.tally.away), numeric=True),
        Column[ControlRow]("进度", _progress, lambda r: r.tally.progress or 0.0, numeric=True),
        Column[ControlRow]("最后报告", _last),
        Column[ControlRow]("状态", _state),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__((), parent)
        self.danger = QColor("#e5534b")
        self.ok = QColor("#3fb96b")

    def set_colors(self, danger: str, ok: str) -> None:
        self.danger, self.ok = QColor(danger), QColor(ok)

    def key(self, record: ControlRow) -> Hashable:
        return (record.level, record.id)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            row = self.record(index.row())
            if row.level != VILLAGE:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.record(index.row())
            if index.column() == len(self.columns) - 1:
                state = _state(row)
                if state == "已完成":
                    return QBrush(self.ok)
                if state:
                    return QBrush(self.danger)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            row = self.record(index.row())
            if row.level == COUNTY:
                return "本次转移行动全县合计"
            return f"{row.name}：应转 {row.tally.planned_persons} 人，已转 {row.tally.moved} 人"
        return super().data(index, role)
