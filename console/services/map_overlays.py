"""Extra line and area layers for the map (rivers, roads, basins) imported from GeoJSON.

Qt-free. Imported layers are kept on this workstation, in ``<data dir>/map_layers/``: a
normalised copy of each file (its lines and areas only) and ``layers.json`` listing them
(name, colour, shown or not). They are not synced: they are reference drawings the county
already holds as files, often megabytes of coordinates, which the row-by-row sync (column
limits, one outbox row per change) is not made for; every workstation imports the same
file, or a technician copies the folder (docs/map.md).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

FOLDER = "map_layers"
MANIFEST = "layers.json"
MAX_BYTES = 50 * 1024 * 1024
LINE_TYPES = ("LineString", "MultiLineString")
AREA_TYPES = ("Polygon", "MultiPolygon")
# Colours given to imported layers in turn (rivers blue first, then roads, basins...).
PALETTE = ("#40a9ff", "#d48806", "#73d13d", "#b37feb", "#ff85c0", "#13c2c2")

Ring = list[tuple[float, float]]


class OverlayError(ValueError):
    """A file that cannot be imported (Chinese message)."""


@dataclass(frozen=True)
class Overlay:
    """One imported layer as the manifest lists it."""

    id: str
    name: str
    color: str
    visible: bool = True
    lines: int = 0  # how many line parts and area rings it holds
    areas: int = 0


@dataclass
class OverlayShapes:
    """The geometry of one layer: line parts and polygons (exterior ring, then holes)."""

    lines: list[Ring] = field(default_factory=list)
    polygons: list[list[Ring]] = field(default_factory=list)


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise OverlayError("坐标格式不正确：每个点应为 [经度, 纬度]")
    try:
        lon, lat = float(value[0]), float(value[1])
    except (TypeError, ValueError) as exc:
        raise OverlayError("坐标格式不正确：经纬度应为数值") from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise OverlayError(
            f"坐标 ({value[0]}, {value[1]}) 不是经纬度（可能是投影坐标），请先转换为经纬度后再导入"
        )
    return lon, lat


def _ring(value: Any) -> Ring:
    if not isinstance(value, list):
        raise OverlayError("坐标格式不正确：线或面的坐标应为点的列表")
    return [_position(p) for p in value]


def _geometries(data: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(data, dict):
        raise OverlayError("文件内容不是 GeoJSON 对象")
    kind = data.get("type")
    if kind == "FeatureCollection":
        for feature in data.get("features") or []:
            yield from _geometries(feature)
    elif kind == "Feature":
        if data.get("geometry"):
            yield from _geometries(data["geometry"])
    elif kind == "GeometryCollection":
        for geometry in data.get("geometries") or []:
            yield from _geometries(geometry)
    elif isinstance(kind, str):
        yield data
    else:
        raise OverlayError("文件内容不是 GeoJSON（缺少 type）")


def parse(data: Any) -> OverlayShapes:
    """The lines and areas of a GeoJSON object; points are ignored, nothing else is."""
    shapes = OverlayShapes()
    for geometry in _geometries(data):
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        if kind == "LineString":
            shapes.lines.append(_ring(coords))
        elif kind == "MultiLineString":
            shapes.lines.extend(_ring(part) for part in coords or [])
        elif kind == "Polygon":
            shapes.polygons.append([_ring(r) for r in coords or []])
        elif kind == "MultiPolygon":
            shapes.polygons.extend([_ring(r) for r in poly] for poly in coords or [])
    shapes.lines = [line for line in shapes.lines if len(line) >= 2]
    shapes.polygons = [p for p in shapes.polygons if p and len(p[0]) >= 3]
    if not shapes.lines and not shapes.polygons:
        raise OverlayError(
            "文件中没有线或面要素（支持 LineString、MultiLineString、Polygon、MultiPolygon）"
        )
    return shapes


def read_file(path: Path) -> OverlayShapes:
    """Parse a GeoJSON file, refusing what is not one with a Chinese message."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise OverlayError(f"无法读取文件“{path.name}”") from exc
    if size > MAX_BYTES:
        raise OverlayError(f"文件“{path.name}”超过 {MAX_BYTES // (1024 * 1024)} MB，请先简化")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise OverlayError(f"文件“{path.name}”不是 UTF-8 编码的 GeoJSON") from exc
    except ValueError as exc:
        raise OverlayError(f"文件“{path.name}”不是有效的 GeoJSON（JSON 格式错误）") from exc
    return parse(data)


def _geojson(shapes: OverlayShapes) -> dict[str, Any]:
    geometries: list[dict[str, Any]] = []
    if shapes.lines:
        lines = [[list(p) for p in line] for line in shapes.lines]
        geometries.append({"type": "MultiLineString", "coordinates": lines})
    if shapes.polygons:
        polys = [[[list(p) for p in ring] for ring in poly] for poly in shapes.polygons]
        geometries.append({"type": "MultiPolygon", "coordinates": polys})
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries],
    }


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


class OverlayStore:
    """The imported layers of one workstation."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / FOLDER

    def layers(self) -> list[Overlay]:
        try:
            data = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [Overlay(**row) for row in data.get("layers", [])]

    def _save(self, layers: list[Overlay]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_json(self.folder / MANIFEST, {"layers": [asdict(layer) for layer in layers]})

    def add(self, path: Path, name: str = "") -> Overlay:
        """Import a GeoJSON file as a new layer (refused with OverlayError)."""
        shapes = read_file(path)
        layers = self.layers()
        layer = Overlay(
            id=uuid.uuid4().hex,
            name=(name.strip() or re.sub(r"\.(geo)?json$", "", path.name, flags=re.I))[:40],
            color=PALETTE[len(layers) % len(PALETTE)],
            lines=len(shapes.lines),
            areas=len(shapes.polygons),
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_json(self.folder / f"{layer.id}.geojson", _geojson(shapes))
        self._save([*layers, layer])
        return layer

    def shapes(self, layer_id: str) -> OverlayShapes:
        return read_file(self.folder / f"{layer_id}.geojson")

    def set_visible(self, layer_id: str, visible: bool) -> None:
        self._save([replace(x, visible=visible) if x.id == layer_id else x for x in self.layers()])

    def remove(self, layer_id: str) -> None:
        self._save([x for x in self.layers() if x.id != layer_id])
        (self.folder / f"{layer_id}.geojson").unlink(missing_ok=True)
