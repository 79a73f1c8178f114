"""The map itself: a pyqtgraph plot in Web Mercator kilometres with one scatter per layer,
warning colours from a Situation, an optional local base layer and imported line/area
layers.

One ``ScatterPlotItem`` per layer keeps 10,000 points cheap to pan and zoom (symbols are
drawn from a cached pixmap atlas); hiding a layer hides its item. Clicking a point emits
:attr:`MapCanvas.feature_clicked`; hovering shows the feature's tip.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QPainterPath,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsPixmapItem, QLabel, QWidget

from console.domain.situation import Situation
from console.models.team_table_model import STATUS_COLORS as TEAM_STATUS_COLORS
from console.services.map_data import (
    CAMERAS,
    INCIDENTS,
    SHELTERS,
    STATIONS,
    TEAMS,
    TOWNSHIP_NAMES,
    VILLAGES,
    MapFeature,
    MapSnapshot,
    risk_layer,
)
from console.services.map_overlays import Overlay, OverlayShapes
from console.services.map_tiles import (
    TileSource,
    tile_bounds_km,
    tile_range,
    zoom_for,
)
from console.ui.tasks import TaskRunner, run_task
from console.ui.theme import ThemeColors
from console.views.pages.map_layers import (
    RISK_COLORS,
    SHELTER_STYLE,
    STATION_STYLE,
    TEAM_STYLE,
    LayerStyle,
    Projection,
    risk_color,
)

NOTICE = "样例数据 · 位置为近似值，仅供演示"
# Shown while the warning colours come (partly) from the simulator's readings.
SIMULATED_NOTICE = "模拟 · 预警着色含模拟数据，非实测"
SIMULATED_TIP = "当前预警着色所依据的雨水情含模拟器生成的数据（演练/测试），不是实测值。"
# Warning colours of the Chinese warning system (蓝/黄/橙/红).
WARNING_COLORS: dict[str, str] = {
    "蓝": "#1677ff",
    "黄": "#fadb14",
    "橙": "#fa8c16",
    "红": "#f5222d",
}
VILLAGE_STYLE = LayerStyle("村（社区）", "o", "#8c9bab", 6)
INCIDENT_STYLE = LayerStyle("未结案事件", "star", "#ff2d55", 16)
CAMERA_STYLE = LayerStyle("视频监控", "h", "#13c2c2", 10)
MAX_TILES = 96  # per view: a far zoom-out draws no base layer rather than thousands of tiles
TILE_CACHE = 256
SMOOTH_AFTER_MS = 150  # the view at rest this long: tiles scaled smoothly again
Z_TILES, Z_OUTLINE, Z_OVERLAY, Z_AREAS, Z_WARNING, Z_POINTS = -100, -50, -40, -30, 5, 10
AREA_FILL_ALPHA = 36  # a stored area's fill: the land and base layer show through


def layer_style(key: str) -> LayerStyle:
    """How a layer's points are drawn ("" colour = the theme's text colour)."""
    fixed = {
        VILLAGES: VILLAGE_STYLE,
        SHELTERS: SHELTER_STYLE,
        TEAMS: TEAM_STYLE,
        STATIONS: STATION_STYLE,
        INCIDENTS: INCIDENT_STYLE,
        CAMERAS: CAMERA_STYLE,
    }
    if key in fixed:
        return fixed[key]
    kind = key.split(":", 1)[-1]
    return LayerStyle(kind, "o", risk_color(kind), 12)


def layer_keys(snapshot: MapSnapshot | None = None) -> list[str]:
    """Every point layer in legend order (risk types first), with unknown risk types."""
    keys = [risk_layer(kind) for kind in RISK_COLORS]
    if snapshot is not None:
        keys += [k for k in snapshot.layers() if k.startswith("risk:") and k not in keys]
    return [*keys, VILLAGES, SHELTERS, TEAMS, STATIONS, INCIDENTS, CAMERAS]


TileKey = tuple[int, int, int]  # z, x, y (XYZ numbering)


def read_tiles(source: TileSource, keys: list[TileKey]) -> list[tuple[TileKey, bytes | None]]:
    """Read the tiles' bytes (on a worker thread: file and SQLite reads only; no Qt object
    is made there, a CI run once caught Qt starting a timer from the pool)."""
    return [(key, source.tile(*key) or None) for key in keys]


def _tip(x: float, y: float, data: MapFeature) -> str:
    return data.tip()


class MapCanvas(pg.PlotWidget):
    """The plot with its layers; a notice label pinned top-right for sample data and a 模拟
    badge top-left while the warning colours come from simulated readings."""

    feature_clicked = Signal(object)  # MapFeature
    map_clicked = Signal(float, float)  # lon, lat of a click anywhere on the map
    # lon, lat and the global screen position of a right-click on the map (its menu)
    context_requested = Signal(float, float, QPoint)

    notice: QLabel | None = None
    simulated_badge: QLabel | None = None

    def __init__(
        self,
        projection: Projection,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.projection = projection
        self.notice = QLabel(NOTICE, self)
        self.notice.setObjectName("SampleBadge")
        self.notice.adjustSize()
        self.notice.hide()
        self.simulated_badge = QLabel(SIMULATED_NOTICE, self)
        self.simulated_badge.setObjectName("SimulatedBadge")
        self.simulated_badge.setToolTip(SIMULATED_TIP)
        self.simulated_badge.adjustSize()
        self.simulated_badge.move(12, 12)
        self.simulated_badge.hide()
        self.setMenuEnabled(False)
        self.hideButtons()
        for axis in ("left", "bottom"):
            self.hideAxis(axis)
        self.setAspectLocked(True, 1.0)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrows pan, +/- zoom
        self.plot_item = self.getPlotItem()
        self.colors: ThemeColors | None = None
        self.snapshot: MapSnapshot | None = None
        self.scatters: dict[str, pg.ScatterPlotItem] = {}
        self.hidden: set[str] = set()
        self.labels: list[pg.TextItem] = []
        self.outline: QGraphicsPathItem | None = None
        self.situation: Situation | None = None
        self.warning_colors: dict[tuple[str, str], str] = {}
        self.warning_item: pg.ScatterPlotItem | None = None
        self.overlay_items: dict[str, QGraphicsPathItem] = {}
        # Stored areas (范围) by point layer key: one outline path per layer.
        self.area_items: dict[str, QGraphicsPathItem] = {}
        self.tiles: TileSource | None = None
        self.tile_items: dict[TileKey, QGraphicsPixmapItem] = {}
        self._tile_cache: OrderedDict[TileKey, QPixmap | None] = OrderedDict()
        self._tiles_asked: set[TileKey] = set()  # being read on the task runner
        self._tile_generation = 0  # grows with each base layer: late reads are dropped
        self.tasks = tasks
        # Tiles are scaled fast while the view moves and smoothly once it rests.
        self._smooth_timer = QTimer(self)
        self._smooth_timer.setSingleShot(True)
        self._smooth_timer.setInterval(SMOOTH_AFTER_MS)
        self._smooth_timer.timeout.connect(lambda: self.smooth_tiles(True))
        self.marker: pg.ScatterPlotItem | None = None
        self.plot_item.vb.sigRangeChanged.connect(lambda *_a: self.update_tiles())
        self.scene().sigMouseClicked.connect(self._scene_clicked)

    def resizeEvent(self, ev: QResizeEvent | None) -> None:
        super().resizeEvent(ev)
        if self.notice is not None:  # pyqtgraph resizes before our __init__ has run
            self.notice.adjustSize()
            self.notice.move(self.width() - self.notice.width() - 12, 12)
        if self.simulated_badge is not None:
            self.simulated_badge.adjustSize()
            self.simulated_badge.move(12, 12)

    # -- building ---------------------------------------------------------------------
    def draw(
        self,
        snapshot: MapSnapshot,
        colors: ThemeColors,
        rings: Sequence[Sequence[tuple[float, float]]] = (),
        *,
        fit: bool = True,
    ) -> None:
        """Draw every layer of ``snapshot`` afresh (data or theme changed)."""
        self.snapshot, self.colors = snapshot, colors
        for item in [*self.scatters.values(), *self.labels]:
            self.plot_item.removeItem(item)
        self.scatters.clear()
        self.labels.clear()
        if self.outline is not None:
            self.plot_item.removeItem(self.outline)
            self.outline = None
        self.setBackground(colors.panel)
        if self.notice is not None:
            self.notice.setVisible(snapshot.sample)
        if rings:
            self.outline = QGraphicsPathItem(self.projection.path(rings))
            pen = QPen(QColor(colors.map_outline), 2)
            pen.setCosmetic(True)
            self.outline.setPen(pen)
            land = QColor(colors.map_land)
            if self.tiles is not None:
                land.setAlpha(0)
            self.outline.setBrush(QBrush(land))
            self.outline.setZValue(Z_OUTLINE)
            self.plot_item.addItem(self.outline)
        self._areas(snapshot, colors)
        for key in layer_keys(snapshot):
            self._scatter(key, snapshot.layer(key), colors)
        self._labels(snapshot.layer(TOWNSHIP_NAMES), colors.text)
        self._draw_warnings()
        if fit:
            self.fit()

    def fit(self) -> None:
        """Show the whole county (or every point when there is no outline)."""
        if self.outline is not None:
            rect = self.outline.boundingRect()
        else:
            points = [
                QPointF(*self.projection.xy(f.lon, f.lat))
                for f in (self.snapshot.features if self.snapshot else [])
            ]
            if not points:
                return
            xs, ys = [p.x() for p in points], [p.y() for p in points]
            rect = QRectF(min(xs), min(ys), max(xs) - min(xs) or 1, max(ys) - min(ys) or 1)
        self.plot_item.setRange(rect=rect.adjusted(-2, -2, 2, 2), padding=0.02)

    def _areas(self, snapshot: MapSnapshot, colors: ThemeColors) -> None:
        """The stored areas (township and village boundaries, risk points' extents) as
        outlines in their layer's colour, under the points; hidden with their layer."""
        for item in self.area_items.values():
            self.plot_item.removeItem(item)
        self.area_items.clear()
        rings: dict[str, list[list[tuple[float, float]]]] = {}
        for area in snapshot.areas:
            rings.setdefault(area.layer, []).extend(r for poly in area.polygons for r in poly)
        for key, layer_rings in rings.items():
            item = QGraphicsPathItem(self.projection.path(layer_rings))
            color = colors.map_outline if key == TOWNSHIP_NAMES else layer_style(key).color
            pen = QPen(QColor(color or colors.text), 1.5)
            pen.setCosmetic(True)
            if key == TOWNSHIP_NAMES:
                pen.setStyle(Qt.PenStyle.DashLine)  # a township's boundary: no fill
            else:
                fill = QColor(color or colors.text)
                fill.setAlpha(AREA_FILL_ALPHA)
                item.setBrush(QBrush(fill))
            item.setPen(pen)
            item.setZValue(Z_AREAS)
            item.setVisible(key not in self.hidden)
            self.plot_item.addItem(item)
            self.area_items[key] = item

    def _scatter(self, key: str, features: list[MapFeature], colors: ThemeColors) -> None:
        style = layer_style(key)
        xs, ys = [], []
        for f in features:
            x, y = self.projection.xy(f.lon, f.lat)
            xs.append(x)
            ys.append(y)
        item = pg.ScatterPlotItem(
            x=xs,
            y=ys,
            data=features,
            symbol=style.symbol,
            size=style.size,
            brush=self._brushes(key, features, style.color or colors.text),
            pen=pg.mkPen(colors.panel, width=1.2),
            hoverable=True,
            tip=_tip,
            name=style.label,
        )
        item.setZValue(Z_POINTS)
        item.sigClicked.connect(self._points_clicked)
        item.setVisible(key not in self.hidden)
        self.plot_item.addItem(item)
        self.scatters[key] = item

    @staticmethod
    def _brushes(key: str, features: list[MapFeature], color: str) -> Any:
        """One brush for the layer; the teams' by status (待命 green, 出动 red...)."""
        if key != TEAMS:
            return pg.mkBrush(color)
        return [pg.mkBrush(TEAM_STATUS_COLORS.get(f.status, color)) for f in features]

    def _labels(self, townships: list[MapFeature], color: str) -> None:
        font = QFont()
        font.setPixelSize(13)
        font.setBold(True)
        for town in townships:
            label = pg.TextItem(town.name, color=color, anchor=(0.5, -0.15))
            label.setFont(font)
            label.setPos(*self.projection.xy(town.lon, town.lat))
            label.setZValue(Z_POINTS + 1)
            label.setVisible(TOWNSHIP_NAMES not in self.hidden)
            self.plot_item.addItem(label)
            self.labels.append(label)

    # -- layers -----------------------------------------------------------------------
    def set_layer_visible(self, key: str, visible: bool) -> None:
        if visible:
            self.hidden.discard(key)
        else:
            self.hidden.add(key)
        if key in self.area_items:
            self.area_items[key].setVisible(visible)
        if key == TOWNSHIP_NAMES:
            for label in self.labels:
                label.setVisible(visible)
        elif key in self.scatters:
            self.scatters[key].setVisible(visible)
        elif key in self.overlay_items:
            self.overlay_items[key].setVisible(visible)
        self._draw_warnings()

    def layer_visible(self, key: str) -> bool:
        return key not in self.hidden

    def visible_features(self, key: str) -> int:
        item = self.scatters.get(key)
        return len(item.data) if item is not None and item.isVisible() else 0

    # -- warning state ----------------------------------------------------------------
    def set_situation(self, situation: Situation | None) -> None:
        """Colour villages and risk points by their Endangered level and townships by their
        proposed warning (None clears the colours)."""
        self.situation = situation
        colors: dict[tuple[str, str], str] = {}
        if situation is not None:
            for town in situation.townships:
                if town.proposed_warning in WARNING_COLORS:
                    colors[("township", town.township_id)] = town.proposed_warning
            for place in situation.endangered:
                if place.level in WARNING_COLORS:
                    colors[(place.kind, place.place_id)] = place.level
        self.warning_colors = colors
        if self.simulated_badge is not None:
            self.simulated_badge.setVisible(self.simulated)
        self._draw_warnings()

    @property
    def simulated(self) -> bool:
        """The situation shown was built (partly) from the simulator's readings."""
        return self.situation is not None and self.situation.simulated

    def _draw_warnings(self) -> None:
        if self.warning_item is not None:
            self.plot_item.removeItem(self.warning_item)
            self.warning_item = None
        if not self.warning_colors or self.snapshot is None:
            return
        spots = []
        for f in self.snapshot.features:
            level = self.warning_colors.get(f.key)
            if level is None or f.layer in self.hidden:
                continue
            color = QColor(WARNING_COLORS[level])
            fill = QColor(color)
            fill.setAlpha(70 if f.kind == "township" else 110)
            x, y = self.projection.xy(f.lon, f.lat)
            spots.append(
                {
                    "pos": (x, y),
                    "size": 64 if f.kind == "township" else 26,
                    "brush": QBrush(fill),
                    "pen": pg.mkPen(color, width=2.5),
                    "data": f,
                }
            )
        if not spots:
            return
        self.warning_item = pg.ScatterPlotItem(spots=spots, symbol="o", pxMode=True)
        self.warning_item.setZValue(Z_WARNING)
        self.plot_item.addItem(self.warning_item)

    # -- selection and navigation -----------------------------------------------------
    def keyPressEvent(self, ev: QKeyEvent | None) -> None:
        """Keyboard: arrows pan a tenth of the view, + and - zoom, Home shows the county."""
        if ev is None:
            return
        vb = self.plot_item.vb
        rect = vb.viewRect()
        key = ev.key()
        pans = {
            Qt.Key.Key_Left: (-0.1, 0.0),
            Qt.Key.Key_Right: (0.1, 0.0),
            Qt.Key.Key_Up: (0.0, 0.1),
            Qt.Key.Key_Down: (0.0, -0.1),
        }
        if key in pans:
            dx, dy = pans[Qt.Key(key)]
            vb.translateBy((dx * rect.width(), dy * rect.height()))
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            vb.scaleBy((0.8, 0.8))
        elif key == Qt.Key.Key_Minus:
            vb.scaleBy((1.25, 1.25))
        elif key == Qt.Key.Key_Home:
            self.fit()
        else:
            super().keyPressEvent(ev)
            return
        ev.accept()

    def _points_clicked(self, _item: pg.ScatterPlotItem, points: list, _ev: object) -> None:
        if len(points):
            self.feature_clicked.emit(points[0].data())

    def _scene_clicked(self, ev: object) -> None:
        pos = ev.scenePos()  # type: ignore[attr-defined]
        if not self.plot_item.vb.sceneBoundingRect().contains(pos):
            return
        point = self.plot_item.vb.mapSceneToView(pos)
        lon, lat = self.projection.lonlat(point.x(), point.y())
        self.map_clicked.emit(lon, lat)
        if ev.button() == Qt.MouseButton.RightButton:  # type: ignore[attr-defined]
            at = self.viewport().mapToGlobal(self.mapFromScene(pos))
            self.context_requested.emit(lon, lat, at)

    def zoom_to(self, lon: float, lat: float, radius_km: float = 3.0) -> None:
        x, y = self.projection.xy(lon, lat)
        r = radius_km
        self.plot_item.setRange(rect=QRectF(x - r, y - r, 2 * r, 2 * r), padding=0)

    def view_center(self) -> tuple[float, float]:
        rect = self.plot_item.vb.viewRect()
        return self.projection.lonlat(rect.center().x(), rect.center().y())

    def set_marker(self, lon: float | None, lat: float | None) -> None:
        """A crosshair marker (the picker's chosen point); None removes it."""
        if self.marker is not None:
            self.plot_item.removeItem(self.marker)
            self.marker = None
        if lon is None or lat is None:
            return
        x, y = self.projection.xy(lon, lat)
        self.marker = pg.ScatterPlotItem(
            x=[x], y=[y], symbol="+", size=28, pen=pg.mkPen("#ff2d55", width=3), brush=None
        )
        self.marker.setZValue(Z_POINTS + 5)
        self.plot_item.addItem(self.marker)

    # -- imported line and area layers ------------------------------------------------
    def set_overlays(self, layers: Iterable[tuple[Overlay, OverlayShapes]]) -> None:
        for item in self.overlay_items.values():
            self.plot_item.removeItem(item)
        self.overlay_items.clear()
        for layer, shapes in layers:
            path = QPainterPath()
            for line in shapes.lines:
                for i, (lon, lat) in enumerate(line):
                    x, y = self.projection.xy(lon, lat)
                    if i:
                        path.lineTo(x, y)
                    else:
                        path.moveTo(x, y)
            area = self.projection.path([ring for poly in shapes.polygons for ring in poly])
            path.addPath(area)
            item = QGraphicsPathItem(path)
            pen = QPen(QColor(layer.color), 2)
            pen.setCosmetic(True)
            item.setPen(pen)
            if shapes.polygons:
                fill = QColor(layer.color)
                fill.setAlpha(40)
                item.setBrush(QBrush(fill))
            item.setZValue(Z_OVERLAY)
            item.setVisible(layer.visible and layer.id not in self.hidden)
            if not layer.visible:
                self.hidden.add(layer.id)
            self.plot_item.addItem(item)
            self.overlay_items[layer.id] = item

    # -- base layer -------------------------------------------------------------------
    def set_tiles(self, source: TileSource | None) -> None:
        """Use a local tile source as the base layer (None: the plain land colour)."""
        for item in self.tile_items.values():
            self.plot_item.removeItem(item)
        self.tile_items.clear()
        self._tile_cache.clear()
        self._tiles_asked.clear()
        self._tile_generation += 1
        self.tiles = source
        if self.outline is not None and self.colors is not None:
            land = QColor(self.colors.map_land)
            if source is not None:
                land.setAlpha(0)
            self.outline.setBrush(QBrush(land))
        self.update_tiles()

    def _tiles_read(self, generation: int, read: list[tuple[TileKey, bytes | None]]) -> None:
        """The tiles' bytes are back on the GUI thread: decode (a 256-px PNG takes about a
        millisecond), cache them and place what is wanted."""
        if generation != self._tile_generation:
            return  # read from a base layer no longer shown
        for key, data in read:
            self._tiles_asked.discard(key)
            image = QImage.fromData(data) if data else QImage()
            self._tile_cache[key] = None if image.isNull() else QPixmap.fromImage(image)
        while len(self._tile_cache) > TILE_CACHE:
            self._tile_cache.popitem(last=False)
        self.update_tiles()

    def smooth_tiles(self, smooth: bool) -> None:
        """Scale the tiles smoothly (the view at rest, an export) or fast (while it moves)."""
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if smooth
            else Qt.TransformationMode.FastTransformation
        )
        for item in self.tile_items.values():
            if item.transformationMode() != mode:
                item.setTransformationMode(mode)

    def update_tiles(self) -> None:
        """Place the tiles that cover the view at the zoom matching the screen."""
        if self.tiles is None:
            return
        self.smooth_tiles(False)
        self._smooth_timer.start()
        rect = self.plot_item.vb.viewRect()
        width = max(1, self.plot_item.vb.width())
        k = self.projection.scale
        ox, oy = self.projection.origin
        west, east = rect.left() / k + ox, rect.right() / k + ox
        south, north = min(rect.top(), rect.bottom()) / k + oy, max(rect.top(), rect.bottom())
        north = north / k + oy
        z = zoom_for((east - west) / width, self.tiles.min_zoom, self.tiles.max_zoom)
        cols, rows = tile_range(z, west, south, east, north)
        wanted: set[TileKey] = set()
        if len(cols) * len(rows) <= MAX_TILES:
            wanted = {(z, x, y) for x in cols for y in rows}
        for key in list(self.tile_items):
            if key not in wanted:
                self.plot_item.removeItem(self.tile_items.pop(key))
        missing = wanted - set(self.tile_items)
        ask = [k for k in missing if k not in self._tile_cache and k not in self._tiles_asked]
        if ask:  # read and decoded on the task runner; placed when they are back
            self._tiles_asked.update(ask)
            generation = self._tile_generation
            run_task(
                self.tasks,
                read_tiles,
                self.tiles,
                ask,
                on_done=lambda read: self._tiles_read(generation, read),
                receiver=self,
            )
        for key in wanted - set(self.tile_items):
            pixmap = self._tile_cache.get(key)
            if pixmap is None:
                continue
            self._tile_cache.move_to_end(key)
            tw, _ts, te, tn = tile_bounds_km(*key)
            item = QGraphicsPixmapItem(pixmap)
            x0, y0 = self.projection.from_mercator(tw, tn)
            side = (te - tw) * k  # the tile's side in map units
            item.setPos(x0, y0)  # its north-west corner; rows run south (down the map)
            item.setTransform(
                item.transform().scale(side / pixmap.width(), -side / pixmap.height())
            )
            item.setZValue(Z_TILES)
            self.plot_item.addItem(item)
            self.tile_items[key] = item
