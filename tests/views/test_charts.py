"""The monitoring charts: Beijing time on the axis, rain bars per hour (per day zoomed out)
with the running total, level lines at the station's values, zoom limits (an hour)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.domain.beijing import BEIJING
from console.services.monitoring import DAY, HOUR, WaterLine
from console.ui.theme import COLORS
from console.views.charts.base import StationChart
from console.views.charts.level_chart import LevelChart
from console.views.charts.rain_chart import DAILY_LABEL, HOURLY_LABEL, STEP_LABEL, RainChart
from console.views.charts.time_axis import (
    DAY_S,
    LABEL_PX,
    YEAR_S,
    BeijingAxis,
    beijing_ticks,
    tick_label,
)
from testkit.readings_arrays import five_minute_times

MIDNIGHT = int(datetime(2026, 7, 1, tzinfo=BEIJING).timestamp())


@pytest.fixture
def shown(qtbot: QtBot, qapp: QApplication) -> Iterator[list[StationChart]]:
    charts: list[StationChart] = []
    yield charts
    for chart in charts:
        chart.close()
        chart.deleteLater()


def _show(qtbot: QtBot, chart: StationChart, charts: list[StationChart]) -> None:
    charts.append(chart)
    chart.resize(900, 360)
    chart.show()
    qtbot.waitExposed(chart)


def _days_of_readings(
    qtbot: QtBot, chart: StationChart, shown: list[StationChart], days: int
) -> tuple[int, int, np.ndarray]:
    """Show ``chart`` over ``days`` from MIDNIGHT; the 5-minute times to fill it with."""
    _show(qtbot, chart, shown)
    start, end = MIDNIGHT, MIDNIGHT + days * DAY
    chart.set_time_range(start, end)
    return start, end, five_minute_times(start + 1, end)


def test_an_epoch_at_16_utc_reads_midnight_of_the_next_day_in_beijing() -> None:
    epoch = int(datetime(2026, 6, 30, 16, 0, tzinfo=UTC).timestamp())
    assert tick_label(epoch, HOUR) == "00:00"
    assert tick_label(epoch, DAY_S) == "7月1日"
    assert tick_label(epoch + 30 * 60, 60) == "00:30"
    assert tick_label(epoch, 30 * DAY_S) == "7月"
    assert tick_label(int(datetime(2027, 1, 1, tzinfo=BEIJING).timestamp()), 30 * DAY_S) == (
        "2027年1月"
    )


def test_day_ticks_fall_on_beijing_midnight(qtbot: QtBot, shown: list[StationChart]) -> None:
    chart = LevelChart(COLORS["dark"])
    _show(qtbot, chart, shown)
    axis = chart.getPlotItem().getAxis("bottom")
    assert isinstance(axis, BeijingAxis)
    (day_step, days), (fine_step, fines) = axis.tickValues(
        MIDNIGHT - 2 * DAY, MIDNIGHT + 3 * DAY, 900
    )
    assert day_step == DAY_S and MIDNIGHT in days
    for tick in days:
        moment = datetime.fromtimestamp(tick, BEIJING)
        assert (moment.hour, moment.minute) == (0, 0), moment
        assert int(tick) % DAY == 16 * HOUR  # 16:00 UTC
    assert fine_step < DAY_S and fines and not set(fines) & set(days)
    for tick in fines:  # whole multiples of the step in Beijing wall time
        assert (int(tick) + 8 * HOUR) % fine_step == 0
    strings = axis.tickStrings(days, 1.0, DAY_S)
    assert strings[:3] == ["6月29日", "6月30日", "7月1日"]
    assert axis.tickStrings([MIDNIGHT + 12 * HOUR], 1.0, fine_step) == ["12:00"]


def test_tick_levels_from_a_year_to_an_hour() -> None:
    year = beijing_ticks(MIDNIGHT - 200 * DAY, MIDNIGHT + 165 * DAY, 600)
    (_year_step, years), (month_step, months) = year
    assert [tick_label(v, YEAR_S) for v in years] == ["2026年"]
    labels = [tick_label(v, month_step) for v in months]
    assert "7月" in labels and all(label.endswith("月") for label in labels)
    hour = beijing_ticks(MIDNIGHT + 9 * HOUR, MIDNIGHT + 10 * HOUR, 600)
    (_day, no_midnight), (minute_step, minutes) = hour
    assert no_midnight == [] and minute_step == 10 * 60
    assert [tick_label(v, minute_step) for v in minutes] == [
        "09:00", "09:10", "09:20", "09:30", "09:40", "09:50", "10:00",
    ]  # fmt: skip
    for lo, hi in ((MIDNIGHT, MIDNIGHT + 365 * DAY), (MIDNIGHT, MIDNIGHT + 30 * DAY)):
        _coarse, (_step, labelled) = beijing_ticks(lo, hi, 600)
        assert 2 <= len(labelled) <= 600 / LABEL_PX + 1  # labels never crowd


def test_rain_bars_per_hour_and_the_running_total(qtbot: QtBot, shown: list[StationChart]) -> None:
    chart = RainChart(COLORS["dark"])
    _show(qtbot, chart, shown)
    times = np.array([MIDNIGHT + 300, MIDNIGHT + 1800, MIDNIGHT + HOUR, MIDNIGHT + 2 * HOUR])
    rain = np.array([2.0, 3.0, 1.5, 4.0])
    chart.set_time_range(MIDNIGHT, MIDNIGHT + 6 * HOUR)
    chart.set_series(times.astype(np.int64), rain)
    ends, sums = chart.visible_bars()
    # 00-01 Beijing: 2 + 3 + 1.5 (the 01:00 reading closes the first hour); 01-02: 4
    assert ends.tolist() == [MIDNIGHT + HOUR, MIDNIGHT + 2 * HOUR]
    assert sums.tolist() == [6.5, 4.0]
    assert chart.total_curve.yData.tolist() == [2.0, 5.0, 6.5, 10.5]
    assert chart.total_curve.xData.tolist() == times.tolist()
    assert chart.getPlotItem().getAxis("left").labelText == HOURLY_LABEL
    assert not chart.is_empty()
    assert chart.view.viewRange()[1][1] >= 6.5  # the tallest bar fits
    assert chart.total_view.viewRange()[1][1] >= 10.5


def test_a_wide_view_shows_day_bars_and_zoom_stops_at_an_hour(
    qtbot: QtBot, shown: list[StationChart]
) -> None:
    chart = RainChart(COLORS["light"])
    start, end, times = _days_of_readings(qtbot, chart, shown, 30)
    chart.set_series(times, np.full(len(times), 0.5))  # 6 mm per hour, 144 mm per day
    ends, sums = chart.visible_bars()
    assert chart.getPlotItem().getAxis("left").labelText == DAILY_LABEL
    assert len(ends) == 30 and np.allclose(sums, 144.0)
    chart.view.setXRange(start + DAY, start + 2 * DAY, padding=0)
    ends, sums = chart.visible_bars()
    assert chart.getPlotItem().getAxis("left").labelText == HOURLY_LABEL
    assert 24 <= len(ends) <= 26 and np.allclose(sums, 6.0)
    chart.view.setXRange(start + DAY, start + DAY + 3 * HOUR, padding=0)  # each reading
    ends, sums = chart.visible_bars()
    assert chart.getPlotItem().getAxis("left").labelText == STEP_LABEL
    assert 36 <= len(ends) <= 38 and np.allclose(sums, 0.5)
    assert np.all(np.diff(ends) == 300)
    chart.view.setXRange(start + DAY, start + DAY + 600, padding=0)  # ten minutes: too close
    lo, hi = chart.x_range()
    assert hi - lo == pytest.approx(HOUR, rel=0.01)
    chart.view.setXRange(start - 100 * DAY, end + 100 * DAY, padding=0)  # beyond the data
    lo, hi = chart.x_range()
    assert lo >= start - 1 and hi <= end + 1


def test_level_lines_at_the_stations_values_and_none_without(
    qtbot: QtBot, shown: list[StationChart]
) -> None:
    chart = LevelChart(COLORS["dark"])
    _show(qtbot, chart, shown)
    times = five_minute_times(MIDNIGHT + 1, MIDNIGHT + 6 * HOUR)
    levels = np.linspace(2.0, 3.0, len(times))
    chart.set_time_range(MIDNIGHT, MIDNIGHT + 6 * HOUR)
    chart.set_series(times, levels, (WaterLine("警戒水位", 3.8), WaterLine("保证水位", 5.2)))
    assert chart.line_levels() == {"警戒水位": 3.8, "保证水位": 5.2}
    labels = [item.label.toPlainText() for _line, item in chart.lines]
    assert labels == ["警戒水位 3.80 m", "保证水位 5.20 m"]
    low, high = chart.view.viewRange()[1]
    assert low < 2.0 and high > 5.2  # the water and both lines in sight
    assert chart.curve.yData.tolist() == levels.tolist()

    chart.set_series(times, levels, ())  # a station without lines
    assert chart.line_levels() == {}
    low, high = chart.view.viewRange()[1]
    assert low < 2.0 and 3.0 < high < 3.8

    chart.set_series(np.zeros(0, np.int64), np.zeros(0), ())
    assert chart.is_empty()


def test_curves_downsample_and_clip_to_view(qtbot: QtBot, shown: list[StationChart]) -> None:
    chart = LevelChart(COLORS["dark"])
    start, _end, times = _days_of_readings(qtbot, chart, shown, 365)
    chart.set_series(times, np.sin(np.arange(len(times)) / 500.0) + 3.0)
    chart.view.setXRange(start + 100 * DAY, start + 101 * DAY, padding=0)
    QApplication.processEvents()
    drawn_x, _drawn_y = chart.curve.getData()
    assert drawn_x is not None
    assert len(drawn_x) < 1000  # one day in view, not the year's 105,120 points
    assert drawn_x.min() >= start + 99 * DAY


def _wheel(chart: StationChart, clicks: int) -> None:
    """Mouse-wheel notches over the middle of the plot (positive: zoom in)."""
    centre = QPointF(chart.view.sceneBoundingRect().center())
    at = QPointF(chart.mapFromScene(centre))
    for _ in range(abs(clicks)):
        event = QWheelEvent(
            at,
            QPointF(chart.mapToGlobal(at.toPoint())),
            QPoint(0, 0),
            QPoint(0, 120 if clicks > 0 else -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(chart.viewport(), event)


def test_the_mouse_wheel_zooms_time_from_a_year_to_an_hour_only(
    qtbot: QtBot, shown: list[StationChart]
) -> None:
    chart = LevelChart(COLORS["dark"])
    start, end, times = _days_of_readings(qtbot, chart, shown, 365)
    chart.set_series(times, np.full(len(times), 2.0), (WaterLine("警戒水位", 3.0),))
    y_before = chart.view.viewRange()[1]
    _wheel(chart, 5)
    lo, hi = chart.x_range()
    assert HOUR < hi - lo < 365 * DAY * 0.9  # zoomed in, in time
    assert chart.view.viewRange()[1] == pytest.approx(y_before)  # not in level
    _wheel(chart, 200)
    lo, hi = chart.x_range()
    assert hi - lo == pytest.approx(HOUR, rel=0.01)  # stops at an hour
    _wheel(chart, -400)
    lo, hi = chart.x_range()
    assert (lo, hi) == pytest.approx((start, end), abs=60)  # back out to the year, no further
