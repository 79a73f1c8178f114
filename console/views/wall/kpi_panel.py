"""雨水情与预警 on the wall: the numbers that matter in big type, and the rainiest station's
last 24 hours as a rain chart. From the threshold engine's Situation and the readings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from console.services.monitoring import DAY
from console.ui.tasks import run_task
from console.views.charts.rain_chart import RainChart
from console.views.wall.panels import WallPanel, panel_title
from console.views.wall.style import KPI_PX, MIN_PX, fitting_px, set_font_px

if TYPE_CHECKING:
    from console.domain.situation import Situation
    from console.services.readings_source import Times, Values
    from console.views.pages.base import PageContext

NONE = "无"
CHART_MIN_PX = 260  # below this the chart is left out (a quarter of a 720p wall)
CHART_TICK_PX = 22  # the charts' own ticks are desk-sized; a wall is read from 5 m
ROWS, GRID_SPACING, TILE_MARGIN, TILE_SPACING = 2, 12, 4, 4


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    alert: bool = False  # drawn in the danger colour


def kpis(situation: Situation | None) -> list[Kpi]:
    """The wall's figures from the engine's situation (placeholders when there is none)."""
    if situation is None:
        return [
            Kpi("最高预警", NONE),
            Kpi("建议响应", NONE),
            Kpi("受威胁点位", "0"),
            Kpi("超警戒站点", "0"),
            Kpi("最大时雨量", "—"),
            Kpi("最大24时雨量", "—"),
        ]
    warning = situation.highest_warning
    response = situation.proposed_response
    threatened = sum(1 for e in situation.endangered if e.level)
    over = sum(1 for s in situation.stations if s.over)
    rain_1 = [(s.rain.get(1, 0.0), s.name) for s in situation.stations if s.rain]
    rain_24 = [(s.rain.get(24, 0.0), s.name) for s in situation.stations if s.rain]
    top_1 = max(rain_1, default=None)
    top_24 = max(rain_24, default=None)
    return [
        Kpi("最高预警", f"{warning}色" if warning else NONE, bool(warning)),
        Kpi("建议响应", response or NONE, bool(response)),
        Kpi("受威胁点位", str(threatened), threatened > 0),
        Kpi("超警戒站点", str(over), over > 0),
        Kpi("最大时雨量", f"{top_1[0]:.1f} mm" if top_1 else "—"),
        Kpi("最大24时雨量", f"{top_24[0]:.1f} mm" if top_24 else "—"),
    ]


def rainiest(situation: Situation | None) -> tuple[str, str] | None:
    """(station id, name) with the most rain in 24 hours; None without rain."""
    if situation is None:
        return None
    wet = [(s.rain.get(24, 0.0), s.station_id, s.name) for s in situation.stations if s.rain]
    if not wet:
        return None
    _mm, station_id, name = max(wet)
    return station_id, name


class KpiPanel(WallPanel):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, panel_title("kpi"), parent)
        grid = QGridLayout()
        grid.setSpacing(GRID_SPACING)
        self.values: list[QLabel] = []
        self.labels: list[QLabel] = []
        for i, kpi in enumerate(kpis(None)):
            tile = QFrame(self)
            tile.setObjectName("WallTile")
            box = QVBoxLayout(tile)
            box.setContentsMargins(14, TILE_MARGIN, 14, TILE_MARGIN)
            box.setSpacing(TILE_SPACING)
            label = QLabel(kpi.label, tile)
            label.setObjectName("WallMuted")
            value = QLabel(kpi.value, tile)
            value.setObjectName("WallKpi")
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            box.addWidget(label)
            box.addWidget(value)
            self.labels.append(label)
            self.values.append(value)
            grid.addWidget(tile, i // 3, i % 3)
        self.body.addLayout(grid)
        self.chart_title = QLabel("暂无雨量数据", self)
        self.chart_title.setObjectName("WallMuted")
        self.body.addWidget(self.chart_title)
        self.chart = RainChart(context.theme.colors(), self)
        self.chart.setMouseEnabled(False, False)
        self.chart.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        ticks = QFont(self.font())
        ticks.setPixelSize(CHART_TICK_PX)
        for side in ("left", "bottom", "right"):
            self.chart.getPlotItem().getAxis(side).setStyle(tickFont=ticks)
        self.body.addWidget(self.chart, 1)
        self.situation: Situation | None = None
        self.station: tuple[str, str] | None = None
        self.tiles = grid
        self.value_px = KPI_PX

    def tiles_height(self, value_px: int) -> int:
        """The two rows of tiles with their figures at ``value_px``."""
        label_h = self.labels[0].sizeHint().height()
        font = QFont(self.values[0].font())
        font.setPixelSize(value_px)
        tile = 2 * TILE_MARGIN + label_h + TILE_SPACING + QFontMetrics(font).height() + 4
        return ROWS * tile + (ROWS - 1) * GRID_SPACING

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The figures first: the chart only where it still has room to be read; in a small
        # cell (a 2x2 on a 720p monitor) the figures shrink, never under the wall's minimum,
        # so both rows show whole instead of the second being cut.
        height = self.clip.height()
        chart_room = height - self.tiles_height(KPI_PX) - self.chart_title.sizeHint().height()
        shown = chart_room >= CHART_MIN_PX
        self.chart.setVisible(shown)
        self.chart_title.setVisible(shown)
        fitted = fitting_px(KPI_PX, MIN_PX, 2, self.tiles_height, height)
        self.set_value_px(KPI_PX if shown else fitted)

    def set_value_px(self, px: int) -> None:
        if px != self.value_px:
            self.value_px = px
            set_font_px(self.values, px, KPI_PX)

    def set_situation(self, situation: Situation | None) -> None:
        self.situation = situation
        for kpi, label, value in zip(kpis(situation), self.labels, self.values, strict=True):
            label.setText(kpi.label)
            value.setText(kpi.value)
            value.setObjectName("WallKpiAlert" if kpi.alert else "WallKpi")
            value.style().unpolish(value)
            value.style().polish(value)
        self.station = rainiest(situation)
        self.refresh()

    def refresh(self) -> None:
        readings, station, situation = self.context.readings, self.station, self.situation
        if readings is None or station is None or situation is None:
            self.chart_title.setText("暂无雨量数据")
            self.chart.set_empty(True)
            return
        at = situation.at

        def read() -> tuple[Times, Values]:
            return readings.series(station[0], "rain", at - DAY, at)

        def land(series: tuple[Times, Values]) -> None:
            self.chart_title.setText(f"{station[1]} 近24小时雨量")
            self.chart.set_series(*series)
            self.chart.set_time_range(at - DAY, at)
            self.chart.set_empty(len(series[0]) == 0)

        run_task(self.context.tasks, read, on_done=land, receiver=self)
