"""事件与报送时限 on the wall: the unmet upward-report deadlines of open incidents, the
most urgent first, overdue ones in the danger colour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from console.services import deadlines as dl
from console.ui.tasks import run_task
from console.views.wall.panels import WallPanel, panel_title

if TYPE_CHECKING:
    from console.views.pages.base import PageContext

MAX_LINES = 8  # what fits a quarter of a 1080p wall at 30 px


@dataclass(frozen=True)
class TickerLine:
    title: str
    countdown: str
    overdue: bool

    @property
    def text(self) -> str:
        return f"{self.title}　{self.countdown}"


def ticker_lines(
    items: list[tuple[dict[str, Any], dl.Deadline]], now: datetime, limit: int = MAX_LINES
) -> tuple[list[TickerLine], int]:
    """The lines shown (soonest due first) and how many more there are."""
    ordered = sorted(items, key=lambda item: item[1].due)
    lines = [
        TickerLine(
            str(inc.get("title") or "（无标题事件）"),
            dl.countdown_text(d, now),
            d.remaining(now).total_seconds() < 0,
        )
        for inc, d in ordered[:limit]
    ]
    return lines, max(0, len(ordered) - limit)


class TickerPanel(WallPanel):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, panel_title("ticker"), parent)
        self.summary = QLabel("正在读取……", self)
        self.summary.setObjectName("WallMuted")
        self.body.addWidget(self.summary)
        self.rows: list[QLabel] = []
        for _ in range(MAX_LINES):
            row = QLabel("", self)
            row.setObjectName("WallLine")
            # As wide as the cell, never as wide as its text: the text is fitted to it (_fit).
            row.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            row.hide()
            self.body.addWidget(row)
            self.rows.append(row)
        self.body.addStretch(1)
        self.lines: list[TickerLine] = []
        self.refresh()

    def refresh(self) -> None:
        source = self.context.incident_source
        if source is None:
            self.summary.setText("未连接事件数据")
            return
        now = self.context.clock()

        def read() -> list[tuple[dict[str, Any], dl.Deadline]]:
            return source.open_deadlines(now=now)

        run_task(
            self.context.tasks, read, on_done=lambda items: self._land(items, now), receiver=self
        )

    def _land(self, items: list[tuple[dict[str, Any], dl.Deadline]], now: datetime) -> None:
        self.lines, more = ticker_lines(items, now)
        overdue = sum(1 for _inc, d in items if d.remaining(now).total_seconds() < 0)
        if not items:
            self.summary.setText("当前无待报送事项")
        else:
            self.summary.setText(f"待报送 {len(items)} 项，其中超时 {overdue} 项")
        for i, row in enumerate(self.rows):
            if i < len(self.lines):
                line = self.lines[i]
                row.setObjectName("WallLineAlert" if line.overdue else "WallLine")
                row.style().unpolish(row)
                row.style().polish(row)
                self._fit(row, line)
                row.show()
            else:
                row.hide()
        if more:
            self.rows[-1].setText(f"……另有 {more} 项")
            self.lines = self.lines[: len(self.rows) - 1]

    def _fit(self, row: QLabel, line: TickerLine) -> None:
        """The countdown whole; the title shortened with … to what the cell leaves it."""
        metrics = row.fontMetrics()
        width = self.contentsRect().width() - 40  # the panel's margins (rows may be hidden yet)
        room = width - metrics.horizontalAdvance(f"　{line.countdown}") - 4
        title = metrics.elidedText(line.title, Qt.TextElideMode.ElideRight, max(room, 0))
        row.setText(f"{title}　{line.countdown}")
        row.setToolTip(line.text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for row, line in zip(self.rows, self.lines, strict=False):
            self._fit(row, line)
