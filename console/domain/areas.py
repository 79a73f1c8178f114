"""Areas (范围): a township's or village's boundary, a risk point's extent, as GeoJSON text.

An area is stored as the text of a GeoJSON geometry, ``Polygon`` or ``MultiPolygon``, in
WGS84 longitude/latitude (RFC 7946), or "" for none. :func:`normalise` checks a value as it
arrives (from a form, a file or any workstation through the server) and returns its one
canonical text: only ``type`` and ``coordinates``, positions rounded to 7 decimals (about a
centimetre) with any altitude dropped, no spaces. So the same area always has the same text
(importing a file twice changes nothing) and its size is bounded by :data:`AREA_MAX_LEN`.

Deterministic and Qt-free: the mutations call it on every replica.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

from console.domain.fields import MutationRejected

AREA_TYPES = ("Polygon", "MultiPolygon")
LABEL = "范围"  # the field's label, and its header where a file has it (GeoJSON geometry)
# The canonical text's cap: about 4,000 positions, a detailed village boundary; a hostile
# file cannot bloat the store (and every replica) with one record.
AREA_MAX_LEN = 100_000
# What is parsed at all: raw text may carry more digits and spaces than the canonical form.
RAW_MAX_LEN = 4 * AREA_MAX_LEN
DECIMALS = 7

Position = tuple[float, float]
Ring = list[Position]
Polygon = list[Ring]


def _refuse(label: str, problem: str) -> MutationRejected:
    return MutationRejected("bad_area", f"“{label}”{problem}")


def _number(label: str, value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(label, f"：{what}应为数值")
    number = float(value)
    if not math.isfinite(number):
        raise _refuse(label, f"：{what}不是有效数值")
    return number


def _position(label: str, value: Any) -> list[float]:
    if not isinstance(value, list) or not 2 <= len(value) <= 3:
        raise _refuse(label, "：坐标格式不正确，每个点应为 [经度, 纬度]")
    lon = _number(label, value[0], "经度")
    lat = _number(label, value[1], "纬度")
    if len(value) == 3:
        _number(label, value[2], "高程")
    if not -180 <= lon <= 180:
        raise _refuse(label, f"：经度 {lon:.10g} 超出 -180 至 180（应为经纬度，不是投影坐标）")
    if not -90 <= lat <= 90:
        raise _refuse(label, f"：纬度 {lat:.10g} 超出 -90 至 90（应为经纬度，不是投影坐标）")
    return [round(lon, DECIMALS) + 0.0, round(lat, DECIMALS) + 0.0]


def _ring(label: str, value: Any, where: str) -> list[list[float]]:
    if not isinstance(value, list):
        raise _refuse(label, f"：{where}应为点的列表")
    ring = [_position(label, p) for p in value]
    if len(ring) < 4:
        raise _refuse(label, f"：{where}至少要有 4 个点（首尾为同一点），实际 {len(ring)} 个")
    if ring[0] != ring[-1]:
        raise _refuse(label, f"：{where}未闭合：首尾两个点应相同")
    return ring


def _polygon(label: str, value: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(value, list) or not value:
        raise _refuse(label, f"：{where}应为环的列表（外边界在前，然后是洞）")
    return [
        _ring(label, ring, f"{where}{'外边界' if i == 0 else f'第 {i} 个洞'}")
        for i, ring in enumerate(value)
    ]


def normalise(label: str, value: str) -> str:
    """The canonical text of the area ``value`` ("" for none), or a Chinese refusal."""
    text = value.strip()
    if not text:
        return ""
    if len(text) > RAW_MAX_LEN:
        raise _refuse(label, f"过大（最多 {AREA_MAX_LEN} 字，实际 {len(text)} 字），请先简化边界")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise _refuse(label, "不是有效的 GeoJSON 几何（JSON 格式错误）") from None
    if not isinstance(data, dict) or data.get("type") not in AREA_TYPES:
        kind = data.get("type") if isinstance(data, dict) else None
        got = f"，收到的是“{str(kind)[:20]}”" if isinstance(kind, str) else ""
        raise _refuse(label, f"应为面（Polygon 或 MultiPolygon）{got}")
    coords = data.get("coordinates")
    if data["type"] == "Polygon":
        shape: Any = _polygon(label, coords, "")
    else:
        if not isinstance(coords, list) or not coords:
            raise _refuse(label, "应为面的列表（MultiPolygon）")
        shape = [_polygon(label, p, f"第 {i} 个面的") for i, p in enumerate(coords, start=1)]
    out = json.dumps({"type": data["type"], "coordinates": shape}, separators=(",", ":"))
    if len(out) > AREA_MAX_LEN:
        raise _refuse(label, f"过大（最多 {AREA_MAX_LEN} 字，实际 {len(out)} 字），请先简化边界")
    return out


def polygons(text: str | None) -> list[Polygon]:
    """The polygons of a stored area (each: exterior ring, then holes); [] for none or for
    text that is not a valid area."""
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    coords = data.get("coordinates")
    if data.get("type") == "Polygon":
        coords = [coords]
    elif data.get("type") != "MultiPolygon":
        return []
    if not isinstance(coords, list):
        return []
    try:
        return [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly] for poly in coords]
    except (TypeError, ValueError, IndexError):
        return []


def _signed(ring: Ring) -> tuple[float, float, float]:
    """Twice the signed area of ``ring`` and its first moments (shoelace), about its first
    point (so large coordinates lose no precision)."""
    x0, y0 = ring[0]
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        x1, y1, x2, y2 = x1 - x0, y1 - y0, x2 - x0, y2 - y0
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return a, cx + x0 * 3 * a, cy + y0 * 3 * a


def centroid(text: str | None) -> Position | None:
    """The area's centroid (lon, lat), holes taken out; planar in degrees, which is close
    enough for a village or a hazard zone. None for no area; the mean of the vertices when
    the area is degenerate (zero size)."""
    shapes = polygons(text)
    if not shapes:
        return None
    total = sx = sy = 0.0
    for poly in shapes:
        for i, ring in enumerate(poly):
            a, mx, my = _signed(ring)
            # exterior rings count positive, holes negative, whatever their winding
            sign = (1.0 if a >= 0 else -1.0) * (1.0 if i == 0 else -1.0)
            total += sign * a
            sx += sign * mx
            sy += sign * my
    if abs(total) > 1e-18:
        return round(sx / (3 * total), DECIMALS), round(sy / (3 * total), DECIMALS)
    points = [p for poly in shapes for p in poly[0][:-1]]
    lon = sum(p[0] for p in points) / len(points)
    lat = sum(p[1] for p in points) / len(points)
    return round(lon, DECIMALS), round(lat, DECIMALS)
