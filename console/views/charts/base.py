"""What the station charts share: a themed plot over a Beijing-time axis that zooms in time
only (from the loaded range down to an hour), a title, a 模拟 badge and a no-data note.

Subclasses draw their series in :meth:`StationChart.set_series` and redraw what depends on
the visible span in :meth:`StationChart.on_x_range` (bars per hour or per day, the y range).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from console.services.readings_source import Times
from console.ui.theme import ThemeColors
from console.views.charts.time_axis import BeijingAxis

HOUR_S = 3600
AXIS_WIDTH = 64  # px, left and right: stacked charts put the same time at the same column
SIMULATED_TEXT = "模拟"
SIMULATED_TIP = "该时段含模拟器生成的数据（演练/测试），不是实测值。"
NO_DATA_TEXT = "该时段无数据"
DOWNSAMPLE_MODE = "peak"  # keeps the peaks a duty officer looks for


def visible(times: Times, lo: float, hi: float) -> slice:
    """The slice of sorted ``times`` inside [lo, hi]."""
    return slice(
        int(np.searchsorted(times, lo, side="left")), int(np.searchsorted(times, hi, side="right"))
    )


CURVE_WIDTH = 1  # px: a wider pen costs ~8x the paint (5.3 against 0.7 ms a chart)
DOWNSAMPLE_FACTOR = 2.0  # samples kept per pixel of width (pyqtgraph's default: 5)


def curve_pen(color: QColor | str) -> QPen:
    """The pen of a long series: one pixel, cosmetic (the fast raster path)."""
    pen = pg.mkPen(color, width=CURVE_WIDTH)
    pen.setCosmetic(True)
    return pen


def fast_curve(color: QColor | str) -> pg.PlotDataItem:
    """A line for a long series: peak downsampling, only what is in view is drawn (a plot
    imposes its own settings on what it adds: see :class:`StationChart`)."""
    curve = pg.PlotDataItem(pen=curve_pen(color))
    curve.setDownsampling(auto=True, method=DOWNSAMPLE_MODE)
    curve.setClipToView(True)
    curve.setSkipFiniteCheck(True)
    curve.opts["autoDownsampleFactor"] = DOWNSAMPLE_FACTOR
    return curve


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (> 0): a y
    range that changes only now and then while panning (the axis is redrawn less often and
    does not jitter)."""
    exponent = np.floor(np.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        candidate = float(step * 10**exponent)
        if candidate >= value * (1 - 1e-9):
            return candidate
    return float(10 ** (exponent + 1))


def link_time_axes(charts: Sequence[StationChart]) -> None:
    """Zooming or panning any of ``charts`` shows the same time span on all of them.

    pyqtgraph's ``setXLink`` lines views up by screen position when they overlap, which
    shifts the span between stacked charts; this copies the range itself.
    """
    busy = False

    def follow(source: StationChart) -> Callable[[object, object], None]:
        def copy(_view: object, span: object) -> None:
            nonlocal busy
            if busy:
                return
            busy = True
            try:
                lo, hi = source.x_range()
                for chart in charts:
                    if chart is not source:
                        chart.view.setXRange(lo, hi, padding=0)
            finally:
                busy = False

        return copy

    for chart in charts:
        chart.view.sigXRangeChanged.connect(follow(chart))


class StationChart(pg.PlotWidget):
    """One station's plot; x in epoch seconds (UTC), shown in Beijing time."""

    badge: QLabel | None = None
    note: QLabel | None = None

    def __init__(self, colors: ThemeColors, parent: QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"bottom": BeijingAxis("bottom")})
        self.colors = colors
        self.station_title = ""
        self.start = 0
        self.end = HOUR_S
        self._grid_key: tuple[float, ...] = ()
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        # WORKAROUND: pyqtgraph's own grid (showGrid) costs about 4 ms per chart per paint
        # (bench/chart_frames.py); a curve of horizontal segments at the left axis's major
        # ticks costs well under 1 ms.
        self.grid_lines = pg.PlotCurveItem(connect="pairs", skipFiniteCheck=True)
        self.grid_lines.setZValue(-100)
        # PlotItem.addItem imposes the plot's own settings on every curve added to it.
        plot.setDownsampling(auto=True, mode=DOWNSAMPLE_MODE)
        plot.setClipToView(True)
        plot.getAxis("left").setWidth(AXIS_WIDTH)
        for side in ("left", "right", "top"):  # mm and m: no SI prefixes, no relabelling
            plot.getAxis(side).enableAutoSIPrefix(False)
        # The right column keeps its width with or without an axis (a rain chart's total).
        plot.layout.setColumnFixedWidth(2, AXIS_WIDTH)
        self.view = plot.getViewBox()
        self.view.setMenuEnabled(False)
        self.view.setMouseEnabled(x=True, y=False)  # wheel/drag zoom and pan in time
        self.view.enableAutoRange(x=False, y=False)
        self.view.addItem(self.grid_lines, ignoreBounds=True)
        # Bound methods, not lambdas holding self: Qt drops them with the chart, and nothing
        # but the chart's Qt parent keeps it alive (tests/views/test_monitor_page.py).
        self.view.sigXRangeChanged.connect(self._x_range_changed)
        self.view.sigRangeChanged.connect(self._range_changed)
        self.badge = QLabel(SIMULATED_TEXT, self)
        self.badge.setObjectName("SimulatedBadge")
        self.badge.setToolTip(SIMULATED_TIP)
        self.badge.hide()
        self.note = QLabel(NO_DATA_TEXT, self)
        self.note.setObjectName("Muted")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.hide()

    # -- what subclasses implement ------------------------------------------------------------
    def on_x_range(self, lo: float, hi: float) -> None:
        """The visible span changed (zoom, pan, linked chart)."""

    def restyle(self) -> None:
        """Apply :attr:`colors` to what the subclass draws."""

    # -- shared -------------------------------------------------------------------------------
    def set_title(self, title: str) -> None:
        self.station_title = title
        self.getPlotItem().setTitle(title, color=self.colors.text, size="11pt")

    def set_time_range(self, start: int, end: int) -> None:
        """The loaded range: the most the user can zoom out; an hour is the least."""
        self.start, self.end = int(start), int(max(end, start + HOUR_S))
        span = self.end - self.start
        self.view.setLimits(xMin=self.start, xMax=self.end, minXRange=HOUR_S, maxXRange=span)
        self.view.setXRange(self.start, self.end, padding=0)
        self.on_x_range(self.start, self.end)

    def _x_range_changed(self, _view: object, span: tuple[float, float]) -> None:
        self.on_x_range(span[0], span[1])

    def _range_changed(self, *_args: object) -> None:
        self.update_grid()
        # WORKAROUND: pyqtgraph defers the view's transform to the paint (the scene's
        # sigPrepareForPaint), which marks the items dirty again: with two or more charts
        # changing at once, Qt then paints every chart twice. Running the deferred work
        # now leaves one paint per change (bench/chart_frames.py counts them).
        scene = self.scene()
        if scene is not None:
            scene.prepareForPaint()

    def update_grid(self) -> None:
        """Horizontal grid lines at the left axis's major ticks, across the loaded range
        (so a pan or zoom in time leaves them alone; only a new y range redraws them)."""
        y_lo, y_hi = self.view.viewRange()[1]
        height = max(float(self.view.height()), 1.0)
        key = (y_lo, y_hi, height, self.start, self.end)
        if key == self._grid_key:
            return
        self._grid_key = key
        levels = self.getPlotItem().getAxis("left").tickValues(y_lo, y_hi, height)
        ys = np.asarray(levels[0][1] if levels else [], dtype=np.float64)
        xs = np.tile(np.array([self.start, self.end], dtype=np.float64), len(ys))
        self.grid_lines.setData(xs, np.repeat(ys, 2))

    def set_y_range(self, view: pg.ViewBox, low: float, high: float) -> None:
        """``view``'s y range, left alone when unchanged (a pan then costs no relayout)."""
        current = view.viewRange()[1]
        if abs(current[0] - low) > 1e-9 or abs(current[1] - high) > 1e-9:
            view.setYRange(low, high, padding=0)

    def x_range(self) -> tuple[float, float]:
        lo, hi = self.view.viewRange()[0]
        return float(lo), float(hi)

    def set_simulated(self, simulated: bool) -> None:
        if self.badge is not None:
            self.badge.setVisible(simulated)
            self._place_overlays()

    def set_empty(self, empty: bool) -> None:
        if self.note is not None:
            self.note.setVisible(empty)
            self._place_overlays()

    def is_empty(self) -> bool:
        return self.note is not None and not self.note.isHidden()

    def apply_colors(self, colors: ThemeColors) -> None:
        self.colors = colors
        self.setBackground(colors.panel)
        plot = self.getPlotItem()
        for name in ("left", "bottom", "right"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(colors.border))
            axis.setTextPen(pg.mkPen(colors.muted))
            label = axis.labelText
            if label:
                axis.setLabel(label, color=colors.muted)
        if self.station_title:
            self.set_title(self.station_title)
        grid = QColor(colors.border)
        self.grid_lines.setPen(pg.mkPen(grid, width=1))
        self.restyle()

    def _place_overlays(self) -> None:
        if self.badge is not None:
            self.badge.adjustSize()
            self.badge.move(8, 4)  # top left, above the axis: the title is centred
        if self.note is not None:
            self.note.adjustSize()
            self.note.move(
                (self.width() - self.note.width()) // 2, (self.height() - self.note.height()) // 2
            )

    def resizeEvent(self, ev: QResizeEvent | None) -> None:
        super().resizeEvent(ev)
        self._place_overlays()  # pyqtgraph resizes before our __init__: overlays may be None
