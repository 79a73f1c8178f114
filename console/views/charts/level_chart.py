"""A water-level station's chart: the level as a line, with the station's 汛限/警戒/保证水位
as labelled horizontal lines. The y range follows the levels in view and always keeps the
lines in sight, so the officer sees how far the water is from them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from console.services.monitoring import WaterLine
from console.services.readings_source import Times, Values
from console.ui.theme import ThemeColors
from console.views.charts.base import (
    StationChart,
    curve_pen,
    fast_curve,
    nice_ceiling,
    visible,
)

LEVEL_LABEL = "水位 (m)"
PAD = 0.08  # of the y span, above and below


class LevelChart(StationChart):
    def __init__(self, colors: ThemeColors, parent: QWidget | None = None) -> None:
        self.times: Times = np.zeros(0, np.int64)
        self.values: Values = np.zeros(0)
        self.lines: list[tuple[WaterLine, pg.InfiniteLine]] = []
        super().__init__(colors, parent)
        plot = self.getPlotItem()
        plot.setLabel("left", LEVEL_LABEL)
        self.curve = fast_curve(colors.accent)
        plot.addItem(self.curve)
        self.apply_colors(colors)

    def set_series(self, times: Times, values: Values, lines: Sequence[WaterLine] = ()) -> None:
        self.times = np.asarray(times, dtype=np.int64)
        self.values = np.asarray(values, dtype=np.float64)
        self.curve.setData(self.times.astype(np.float64), self.values)
        self._set_lines(lines)
        self.set_empty(len(self.times) == 0)
        self.on_x_range(*self.x_range())

    def _set_lines(self, lines: Sequence[WaterLine]) -> None:
        plot = self.getPlotItem()
        for _line, item in self.lines:
            plot.removeItem(item)
        self.lines = []
        for line in lines:
            item = pg.InfiniteLine(
                pos=line.level_m,
                angle=0,
                movable=False,
                label=f"{line.label} {line.level_m:.2f} m",
                labelOpts={"position": 0.03, "anchors": [(0, 1), (0, 1)]},
            )
            plot.addItem(item, ignoreBounds=True)
            self.lines.append((line, item))
        self.restyle()

    def line_levels(self) -> dict[str, float]:
        """Label -> level of the lines drawn (what the tests and the legend read)."""
        return {line.label: float(item.value()) for line, item in self.lines}

    def on_x_range(self, lo: float, hi: float) -> None:
        part = visible(self.times, lo, hi)
        shown = self.values[part]
        marks = [line.level_m for line, _item in self.lines]
        if len(shown):
            marks += [float(shown.min()), float(shown.max())]
        if not marks:
            return
        low, high = min(marks), max(marks)
        # Rounded out to a step of about a tenth of the span: a pan moves the range only
        # when the water leaves it (fewer axis redraws, no jitter).
        step = nice_ceiling(max(high - low, 0.5) * PAD)
        self.set_y_range(
            self.view,
            float(np.floor(low / step) - 1) * step,
            float(np.ceil(high / step) + 1) * step,
        )

    def _line_color(self, label: str) -> str:
        if label.startswith("保证"):
            return self.colors.danger
        if label.startswith("警戒"):
            return self.colors.warn
        return self.colors.ok  # 汛限水位

    def restyle(self) -> None:
        self.curve.setPen(curve_pen(self.colors.accent))
        for line, item in self.lines:
            color = self._line_color(line.label)
            item.setPen(pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine))  # whole px: even
            if item.label is not None:
                item.label.setColor(color)
