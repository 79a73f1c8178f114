"""The chart for one station: a rain chart for rain stations, a level chart (with the
station's lines) for the others; used by the 雨水情 page and the chart bench alike."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from console.services.monitoring import MonitorStation
from console.services.readings_source import Times, Values
from console.ui.theme import ThemeColors
from console.views.charts.base import StationChart
from console.views.charts.level_chart import LevelChart
from console.views.charts.rain_chart import RainChart


def station_chart(
    station: MonitorStation,
    times: Times,
    values: Values,
    span: tuple[int, int],
    colors: ThemeColors,
    *,
    simulated: bool = False,
    parent: QWidget | None = None,
) -> StationChart:
    """A chart of ``station``'s readings over ``span`` (epoch s), titled 站名 · 乡镇."""
    chart: StationChart
    if station.reading_kind == "rain":
        rain = RainChart(colors, parent)
        rain.set_time_range(*span)
        rain.set_series(times, values)
        chart = rain
    else:
        level = LevelChart(colors, parent)
        level.set_time_range(*span)
        level.set_series(times, values, station.lines)
        chart = level
    place = f" · {station.township}" if station.township else ""
    chart.set_title(f"{station.name}{place}")
    chart.set_simulated(simulated)
    return chart
