"""队伍 tab of 队伍与值班: the rescue-team directory as a sortable, filterable table with
counts by kind.

Records come from ``Queries.teams()`` and ``Queries.townships()`` (plain dicts); the panel
refreshes only when a change touches the teams or townships tables.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.models.record_table import SORT_ROLE
from console.models.team_table_model import TeamTableModel
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import PageContext, sorted_table

TABLES = ("teams", "townships")


class TeamPanel(QWidget):
    sample_present = Signal(bool)  # the page's 样例数据 badge follows it

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 12, 0, 0)
        self.layout_.setSpacing(14)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("筛选：队伍名称、乡镇、负责人、装备……")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMinimumWidth(320)
        self.filter.setMaximumWidth(420)
        bar.addWidget(self.filter)
        self.summary = QLabel(self)
        self.summary.setObjectName("Muted")
        bar.addWidget(self.summary)
        bar.addStretch(1)
        self.layout_.addLayout(bar)

        self.chips = QHBoxLayout()
        self.chips.setSpacing(8)
        self.chips.addStretch(1)
        self.layout_.addLayout(self.chips)

        self.model = TeamTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = sorted_table(self, self.proxy, 1)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.layout_.addWidget(self.table, 1)

        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(lambda _text: self._update_summary())
        context.bus.changed.connect(self._on_changes)
        self.refresh()

    def refresh(self) -> None:
        """Read the teams (in the background), then fill the table."""
        queries = self.context.queries

        def read() -> tuple[list[dict[str, Any]], dict[str, str], bool]:
            names = {t["id"]: t["name"] for t in queries.townships()}
            return queries.teams(), names, queries.sample_present()

        run_task(self.context.tasks, read, on_done=self._land, receiver=self)

    def _land(self, read: tuple[list[dict[str, Any]], dict[str, str], bool]) -> None:
        teams, names, sample = read
        self.model.set_teams(teams, names)
        self.sample_present.emit(sample)
        self._update_chips()
        self._update_summary()

    def _update_summary(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        members = self.model.total_members()
        text = f"共 {total} 支队伍，{members} 人"
        if shown != total:
            text += f"；筛选后显示 {shown} 支"
        self.summary.setText(text)

    def _update_chips(self) -> None:
        while self.chips.count() > 1:
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for position, (kind, count) in enumerate(self.model.counts_by_kind()):
            chip = QLabel(f"{kind} {count}", self)
            chip.setObjectName("CountChip")
            self.chips.insertWidget(position, chip)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()
