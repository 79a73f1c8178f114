"""A point-on-map picker for the call form: click the map (or type the coordinates, or
move the cross with the arrow keys) and take longitude, latitude and the nearest village
and township.

Keyboard: the longitude and latitude boxes take typed values; on the map, the arrow keys
move the cross (Shift: ten times further), Enter takes the point, Esc cancels.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from console.services.map_data import MapFeature, MapSnapshot
from console.ui.theme import ThemeColors
from console.views.pages.map_canvas import MapCanvas
from console.views.pages.map_layers import Projection, load_outline

STEP_PX = 8  # one arrow key press moves the cross this many screen pixels


@dataclass(frozen=True)
class PickedPoint:
    lon: float
    lat: float
    village: str = ""  # nearest village's name ("" when the map has none)
    township: str = ""


class MapPickerDialog(QDialog):
    def __init__(
        self,
        snapshot: MapSnapshot,
        colors: ThemeColors,
        start: tuple[float, float] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("在地图上选点")
        self.resize(900, 680)
        self.snapshot = snapshot
        rings = load_outline()
        layout = QVBoxLayout(self)
        hint = QLabel(
            "点击地图选定事发位置；方向键移动十字（Shift 加快），回车确定，Esc 取消。", self
        )
        hint.setObjectName("Muted")
        layout.addWidget(hint)
        self.map = MapCanvas(Projection.around(rings), self)
        self.map.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.map.setToolTip("方向键移动十字，回车确定")
        self.map.draw(snapshot, colors, rings)
        layout.addWidget(self.map, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("经度", self))
        self.lon = self._spin(70.0, 140.0)
        row.addWidget(self.lon)
        row.addWidget(QLabel("纬度", self))
        self.lat = self._spin(10.0, 55.0)
        row.addWidget(self.lat)
        self.nearest = QLabel(self)
        row.addWidget(self.nearest, 1)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.point: tuple[float, float] | None = None
        self.map.map_clicked.connect(self.set_point)
        self.map.feature_clicked.connect(lambda f: self.set_point(f.lon, f.lat))
        self.lon.valueChanged.connect(self._typed)
        self.lat.valueChanged.connect(self._typed)
        self.map.installEventFilter(self)
        self.set_point(*(start or self.map.view_center()))
        if start is not None:
            self.map.zoom_to(*start, radius_km=4.0)
        self.map.setFocus()

    def _spin(self, low: float, high: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setDecimals(5)
        spin.setRange(low, high)
        spin.setSingleStep(0.001)
        spin.setKeyboardTracking(False)
        return spin

    def set_point(self, lon: float, lat: float) -> None:
        self.point = (lon, lat)
        for spin, value in ((self.lon, lon), (self.lat, lat)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.map.set_marker(lon, lat)
        near = self.nearest_village()
        self.nearest.setText(f"最近的村：{near.township}{near.name}" if near else "")

    def _typed(self) -> None:
        self.set_point(self.lon.value(), self.lat.value())

    def nearest_village(self) -> MapFeature | None:
        if self.point is None:
            return None
        return self.snapshot.nearest(*self.point, kinds=("village",))

    def picked(self) -> PickedPoint | None:
        if self.point is None:
            return None
        near = self.nearest_village()
        lon, lat = self.point
        return PickedPoint(
            round(lon, 6),
            round(lat, 6),
            near.name if near else "",
            near.township if near else "",
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.map and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            moves = {
                Qt.Key.Key_Left: (-1, 0),
                Qt.Key.Key_Right: (1, 0),
                Qt.Key.Key_Up: (0, 1),
                Qt.Key.Key_Down: (0, -1),
            }
            key = Qt.Key(event.key())
            if key in moves and self.point is not None:
                dx, dy = moves[key]
                fast = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                vb = self.map.plot_item.vb
                step = STEP_PX * (10 if fast else 1) * vb.viewRect().width() / max(1.0, vb.width())
                x, y = self.map.projection.xy(*self.point)
                self.set_point(*self.map.projection.lonlat(x + dx * step, y + dy * step))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept()
                return True
        return super().eventFilter(watched, event)
