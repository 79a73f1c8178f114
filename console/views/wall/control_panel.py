"""转移管控汇总 on the wall: the newest evacuation's county totals and its townships,
laggards marked. Read-only: the transfer service has no writer here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from console.services.control_table import TOWNSHIP, ControlSnapshot, ControlTable
from console.services.transfers import TransferService
from console.settings import laggard_minutes
from console.ui.tasks import run_task
from console.views.wall.panels import WallPanel, panel_title

if TYPE_CHECKING:
    from console.views.pages.base import PageContext

MAX_TOWNSHIPS = 6
COLUMNS = ("乡镇", "应转", "已转", "拒转", "进度")
WATCHED = ("evacuations", "evacuation_areas", "transfer_events", "townships", "villages")


def progress_text(moved: int, planned: int) -> str:
    return f"{round(100 * moved / planned)}%" if planned > 0 else "—"


def township_rows(snapshot: ControlSnapshot, limit: int = MAX_TOWNSHIPS) -> list[list[str]]:
    """Townships with the most people still to move first (laggards marked ⚠)."""
    towns = [r for r in snapshot.rows if r.level == TOWNSHIP]
    towns.sort(key=lambda r: (-(r.tally.planned_persons - r.tally.moved), r.name))
    return [
        [
            f"⚠ {r.name}" if r.laggards else r.name,
            str(r.tally.planned_persons),
            str(r.tally.moved),
            str(r.tally.refused),
            progress_text(r.tally.moved, r.tally.planned_persons),
        ]
        for r in towns[:limit]
    ]


class ControlPanel(WallPanel):
    watched = WATCHED

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, panel_title("control"), parent)
        self.service = ControlTable(TransferService(context.queries.store))
        self.headline = QLabel("", self)
        self.headline.setObjectName("WallKpi")
        self.headline.setWordWrap(True)
        self.body.addWidget(self.headline)
        self.subline = QLabel("", self)
        self.subline.setObjectName("WallMuted")
        self.subline.setWordWrap(True)
        self.body.addWidget(self.subline)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(24)
        self.cells: list[list[QLabel]] = []
        for r in range(MAX_TOWNSHIPS + 1):
            row = []
            for c, head in enumerate(COLUMNS):
                cell = QLabel(head if r == 0 else "", self)
                cell.setObjectName("WallMuted" if r == 0 else "WallLine")
                if c:
                    cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.grid.addWidget(cell, r, c)
                row.append(cell)
            self.cells.append(row)
        self.grid.setColumnStretch(0, 1)
        self.body.addLayout(self.grid)
        self.body.addStretch(1)
        self.snapshot = ControlSnapshot()
        self.refresh()

    def refresh(self) -> None:
        now, minutes = self.context.clock(), laggard_minutes(self.context.settings)
        run_task(
            self.context.tasks,
            lambda: self.service.snapshot(None, now=now, minutes=minutes),
            on_done=self._land,
            receiver=self,
        )

    def _land(self, snapshot: ControlSnapshot) -> None:
        self.snapshot = snapshot
        evacuation = snapshot.evacuation
        if evacuation is None:
            self.headline.setText("当前无转移任务")
            self.subline.setText("")
            rows: list[list[str]] = []
        else:
            county = snapshot.county
            self.headline.setText(
                f"应转 {county.planned_persons} 人　已转 {county.moved} 人　"
                f"进度 {progress_text(county.moved, county.planned_persons)}"
            )
            late = snapshot.rows[0].laggards if snapshot.rows else 0
            name = evacuation.get("title") or "转移任务"
            self.subline.setText(
                f"{name}（{evacuation.get('status', '')}）　拒转 {county.refused} 人　"
                f"返回 {county.returned} 人　未按时报告村 {late} 个"
            )
            rows = township_rows(snapshot)
        for r, cells in enumerate(self.cells[1:]):
            values = rows[r] if r < len(rows) else [""] * len(COLUMNS)
            for cell, value in zip(cells, values, strict=True):
                cell.setText(value)
        for cell in self.cells[0]:
            cell.setVisible(bool(rows))
