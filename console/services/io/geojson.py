"""GeoJSON for positions and areas: a FeatureCollection, one feature per record, the
layout's columns as properties under their Chinese headers.

A record's geometry is its area (范围: Polygon/MultiPolygon, for townships, villages and
risk points) when it has one, its 经度/纬度 then kept as properties; else a Point at its
position; else null. Read back the same way: a Point sets 经度/纬度, a polygon the area (the
importer places a record that has no position at the area's centroid)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from console.domain import drill
from console.domain.areas import AREA_TYPES
from console.domain.areas import LABEL as AREA
from console.services.io.csv_io import decode_csv
from console.services.io.layout import ImportFileError, RawRow, Sheet

LON = "经度"
LAT = "纬度"


def read_geojson(path: Path) -> Sheet:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"无法读取文件 {path}（{exc.strerror or exc}）") from None
    try:
        data = json.loads(decode_csv(raw, path.name))
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"无法读取 GeoJSON 文件 {path.name}：格式错误（第 {exc.lineno} 行第 {exc.colno} 列）"
        ) from None
    except RecursionError:  # brackets nested thousands deep: no GeoJSON is
        raise ImportFileError(f"无法读取 GeoJSON 文件 {path.name}：嵌套层次过深") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFileError(f"{path.name} 不是 GeoJSON 要素集合（FeatureCollection）")
    member = data.get("duty_console")
    marked = isinstance(member, dict) and member.get("drill") is True
    refused = drill.refuse_into_real(path.name, marked)
    if refused is not None:
        raise ImportFileError(refused)
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFileError(f"{path.name} 缺少 features 列表")
    headers: list[str] = []
    rows: list[RawRow] = []
    for number, feature in enumerate(features, start=1):
        place = f"第 {number} 个要素"
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            raise ImportFileError(f"{place}不是有效的 GeoJSON 要素（缺少 properties）")
        cells: dict[str, Any] = {str(k): v for k, v in feature["properties"].items()}
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") in AREA_TYPES:
            # checked (rings, range, size) with the record's other values, by the domain
            cells[AREA] = json.dumps(geometry, ensure_ascii=False)
        elif geometry is not None:
            coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                not isinstance(geometry, dict)
                or geometry.get("type") != "Point"
                or not isinstance(coords, list)
                or len(coords) < 2
            ):
                raise ImportFileError(
                    f"{place}的几何应为点（Point，经度、纬度）或面（Polygon、MultiPolygon）"
                )
            cells[LON], cells[LAT] = coords[0], coords[1]
        for header in cells:
            if header not in headers:
                headers.append(header)
        rows.append(RawRow(place, cells, {}))
    return Sheet(tuple(headers), rows)


def write_geojson(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    features = []
    for row in rows:
        props = dict(zip(headers, row, strict=True))
        area = props.pop(AREA, None)
        if area:  # the stored canonical text; the position stays as properties
            geometry: dict[str, Any] | None = json.loads(area)
            props = {k: v for k, v in props.items() if v is not None or k not in (LON, LAT)}
        else:
            lon, lat = props.pop(LON, None), props.pop(LAT, None)
            geometry = (
                {"type": "Point", "coordinates": [lon, lat]}
                if isinstance(lon, int | float) and isinstance(lat, int | float)
                else None
            )
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if drill.mark() is not None:  # a foreign member (RFC 7946 §6.1): readers ignore it
        collection["duty_console"] = {"drill": True, "mark": drill.DOCUMENT_MARK}
    text = json.dumps(collection, ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")
