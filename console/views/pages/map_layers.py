"""Map drawing helpers for 识别一张图: projection, the county outline and layer styles.

Web Mercator (EPSG:3857, the projection of every XYZ/TMS tile set) in kilometres around
the county centre, scaled by cos(centre latitude) so one unit is one kilometre there; drawn
with a locked 1:1 aspect, so a county-owned base layer lines up with the drawn layers
exactly. Coordinates are taken as stored, with no datum shift: the bundled county outline is
GCJ-02 (高德), so a base layer must be in the same datum as the data (docs/map.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QPainterPath

from console import resources
from console.services.map_tiles import EARTH_RADIUS_KM, mercator

# Risk-point colours (circles), in catalogue order; chosen to stay apart on dark and light.
RISK_COLORS: dict[str, str] = {
    "山洪危险区": "#ff4d4f",
    "地质灾害隐患点": "#fa8c16",
    "水库": "#1677ff",
    "山塘": "#36cfc9",
    "河道": "#85a5ff",
    "低洼易涝区": "#9254de",
    "城市内涝点": "#f759ab",
    "危旧房": "#fadb14",
    "在建工地": "#a0d911",
    "道路桥梁": "#c08457",
}
OTHER_RISK_COLOR = "#bfbfbf"


@dataclass(frozen=True)
class LayerStyle:
    label: str
    symbol: str
    color: str  # "" = the theme's text colour
    size: int


SHELTER_STYLE = LayerStyle("避灾安置场所", "s", "#52c41a", 11)
TEAM_STYLE = LayerStyle("救援队伍", "t1", "", 11)
STATION_STYLE = LayerStyle("水文雨量站", "d", "#8c8c8c", 9)


OUTLINE_FILE = ("geo", "suichang_outline.geojson")


def load_outline() -> list[list[tuple[float, float]]]:
    """Exterior and hole rings of the county as (lon, lat) lists; empty (and an error in the
    log) when the bundled outline is missing or broken: the map still shows its points."""
    try:
        data = json.loads(resources.read_text(*OUTLINE_FILE))
    except OSError:
        return []  # read_text logged it
    except ValueError as exc:
        resources.log_unusable(OUTLINE_FILE, exc)
        return []
    geometry = data.get("geometry", data)
    if data.get("type") == "FeatureCollection":
        geometry = data["features"][0]["geometry"]
    coords = geometry.get("coordinates", [])
    polygons = coords if geometry.get("type") == "MultiPolygon" else [coords]
    return [[(float(p[0]), float(p[1])) for p in ring] for polygon in polygons for ring in polygon]


@dataclass(frozen=True)
class Projection:
    """Lon/lat to kilometres east/north of a centre point, in Web Mercator."""

    lon0: float
    lat0: float

    @classmethod
    def around(cls, rings: Sequence[Sequence[tuple[float, float]]]) -> Projection:
        points = [p for ring in rings for p in ring]
        if not points:
            return cls(119.27, 28.59)  # county seat, 妙高
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        return cls((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)

    @property
    def scale(self) -> float:
        """Map units per Web Mercator kilometre (true kilometres at the centre)."""
        return math.cos(math.radians(self.lat0))

    @property
    def origin(self) -> tuple[float, float]:
        return mercator(self.lon0, self.lat0)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        mx, my = mercator(lon, lat)
        ox, oy = self.origin
        k = self.scale
        return (mx - ox) * k, (my - oy) * k

    def from_mercator(self, mx: float, my: float) -> tuple[float, float]:
        """Map units of a Web Mercator point in kilometres."""
        ox, oy = self.origin
        return (mx - ox) * self.scale, (my - oy) * self.scale

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """The inverse of :meth:`xy`."""
        ox, oy = self.origin
        mx, my = x / self.scale + ox, y / self.scale + oy
        lon = math.degrees(mx / EARTH_RADIUS_KM)
        lat = math.degrees(2 * math.atan(math.exp(my / EARTH_RADIUS_KM)) - math.pi / 2)
        return lon, lat

    def path(self, rings: Iterable[Sequence[tuple[float, float]]]) -> QPainterPath:
        path = QPainterPath()
        for ring in rings:
            for i, (lon, lat) in enumerate(ring):
                x, y = self.xy(lon, lat)
                if i == 0:
                    path.moveTo(x, y)
                else:
                    path.lineTo(x, y)
            path.closeSubpath()
        return path


def located(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records that carry a position."""
    return [r for r in records if r.get("lon") is not None and r.get("lat") is not None]


def risk_color(kind: str) -> str:
    return RISK_COLORS.get(kind, OTHER_RISK_COLOR)
