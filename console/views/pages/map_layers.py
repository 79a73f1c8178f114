"""Map drawing helpers for 识别一张图: projection, the county outline and layer styles.

Equirectangular projection to kilometres around the county centre (x scaled by cos(lat)),
drawn with a locked 1:1 aspect: simple, honest at county scale, and unlike Web Mercator it
needs no tiles. Coordinates are WGS-84 longitude/latitude.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QPainterPath

from console import resources

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320

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
    """Lon/lat to kilometres east/north of a centre point."""

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

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.lon0) * KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(self.lat0))
        y = (lat - self.lat0) * KM_PER_DEG_LAT
        return x, y

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
