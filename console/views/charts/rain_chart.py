"""A rain station's chart: rain bars per hour (per day when more than ten days are in view,
per 5-minute reading under six hours) on the left axis, the accumulated rain as a line on
the right axis.

Bars are summed once when the series arrives (:func:`console.services.monitoring.bucket_sums`);
a zoom or pan only slices them, so a year of 5-minute readings redraws at once.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from console.services.monitoring import DAY, HOUR, bucket_sums, running_total
from console.services.readings_source import Times, Values
from console.ui.theme import ThemeColors
from console.views.charts.base import (
    AXIS_WIDTH,
    StationChart,
    curve_pen,
    fast_curve,
    nice_ceiling,
    visible,
)

DAILY_ABOVE_S = 10 * DAY  # wider views show daily bars (an hour would be under a pixel)
READINGS_BELOW_S = 6 * HOUR  # narrower views show each 5-minute reading as its bar
STEP = 300  # s, the readings' interval
HOURLY_LABEL = "时雨量 (mm)"
DAILY_LABEL = "日雨量 (mm)"
STEP_LABEL = "5 分钟雨量 (mm)"
BAR_LABELS = {DAY: DAILY_LABEL, HOUR: HOURLY_LABEL, STEP: STEP_LABEL}
TOTAL_LABEL = "累计雨量 (mm)"


def mix(color: str, background: str, share: float) -> QColor:
    """``share`` of ``color`` over ``background``, as an opaque colour."""
    a, b = QColor(color), QColor(background)
    return QColor(
        round(a.red() * share + b.red() * (1 - share)),
        round(a.green() * share + b.green() * (1 - share)),
        round(a.blue() * share + b.blue() * (1 - share)),
    )


class RainChart(StationChart):
    def __init__(self, colors: ThemeColors, parent: QWidget | None = None) -> None:
        self.hours: tuple[Times, Values] = (np.zeros(0, np.int64), np.zeros(0))
        self.days: tuple[Times, Values] = (np.zeros(0, np.int64), np.zeros(0))
        self.total_t: Times = np.zeros(0, np.int64)
        self.total_v: Values = np.zeros(0)
        self.rain: Values = np.zeros(0)
        self.bucket = HOUR
        super().__init__(colors, parent)
        plot = self.getPlotItem()
        self.bars = pg.BarGraphItem(x0=[], height=[], width=HOUR)
        plot.addItem(self.bars)
        plot.setLabel("left", HOURLY_LABEL)
        # The running total on its own y axis (right), sharing x with the bars.
        self.total_view = pg.ViewBox(enableMouse=False)
        plot.showAxis("right")
        plot.getAxis("right").setWidth(AXIS_WIDTH)
        plot.scene().addItem(self.total_view)
        plot.getAxis("right").linkToView(self.total_view)
        plot.setLabel("right", TOTAL_LABEL)
        self.total_view.setXLink(plot)
        self.total_curve = fast_curve(colors.warn)
        self.total_view.addItem(self.total_curve)
        self.view.sigResized.connect(self._sync_views)
        self.apply_colors(colors)

    def _sync_views(self) -> None:
        self.total_view.setGeometry(self.view.sceneBoundingRect())
        self.total_view.linkedViewChanged(self.view, self.total_view.XAxis)

    def set_series(self, times: Times, values: Values) -> None:
        """Five-minute rain of the loaded range (see :meth:`set_time_range`)."""
        self.hours = bucket_sums(times, values, HOUR)
        self.days = bucket_sums(times, values, DAY)
        self.total_t = np.asarray(times, dtype=np.int64)
        self.rain = np.asarray(values, dtype=np.float64)
        self.total_v = running_total(values)
        self.total_curve.setData(self.total_t.astype(np.float64), self.total_v)
        self.set_empty(len(times) == 0)
        self.on_x_range(*self.x_range())

    def on_x_range(self, lo: float, hi: float) -> None:
        span = hi - lo
        bucket = DAY if span > DAILY_ABOVE_S else HOUR if span >= READINGS_BELOW_S else STEP
        if bucket != self.bucket:
            self.bucket = bucket
            self.getPlotItem().setLabel("left", BAR_LABELS[bucket], color=self.colors.muted)
        ends, sums = {DAY: self.days, HOUR: self.hours}.get(bucket, (self.total_t, self.rain))
        part = visible(ends, lo, hi + bucket)  # a bar ending past the edge still shows
        shown_ends, shown = ends[part], sums[part]
        self.bars.setOpts(
            x0=(shown_ends - bucket).astype(np.float64), height=shown, width=bucket * 0.85
        )
        top = float(shown.max()) if len(shown) else 0.0
        self.set_y_range(self.view, 0, nice_ceiling(max(top * 1.1, 1.0)))
        inside = visible(self.total_t, lo, hi)
        total_top = float(self.total_v[inside].max()) if inside.stop > inside.start else 0.0
        self.set_y_range(self.total_view, 0, nice_ceiling(max(total_top * 1.05, 1.0)))

    def visible_bars(self) -> tuple[Times, Values]:
        """(end times, mm) of the bars drawn now."""
        opts = self.bars.opts
        x0 = np.asarray(opts.get("x0", []), dtype=np.float64)
        return (x0 + self.bucket).astype(np.int64), np.asarray(opts.get("height", []), float)

    def restyle(self) -> None:
        # Opaque: a translucent brush makes pyqtgraph's bars ~40x slower to paint (12.7 ms
        # against 0.3 ms for 365 bars), so the accent is mixed with the panel here instead.
        self.bars.setOpts(brush=pg.mkBrush(mix(self.colors.accent, self.colors.panel, 0.8)))
        self.bars.setOpts(pen=pg.mkPen(None))
        self.total_curve.setPen(curve_pen(self.colors.warn))
