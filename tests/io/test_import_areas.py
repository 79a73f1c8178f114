"""GeoJSON areas (范围) in the 基础数据 import and export: polygons of risk points, villages
and townships in, the same back out; real SQLite stores and real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.domain import areas
from console.domain.ids import reference_id
from console.domain.schema import RiskPoint, Township, Village
from console.services.io import exporter, importer
from console.services.io.layout import ImportFileError
from console.services.sample_data import load_sample
from console.store.database import Store
from console.store.writer import Writer

SQUARE = [[119.0, 28.0], [119.02, 28.0], [119.02, 28.02], [119.0, 28.02], [119.0, 28.0]]
HOLE = [[119.005, 28.005], [119.005, 28.01], [119.01, 28.01], [119.01, 28.005], [119.005, 28.005]]


@pytest.fixture
def county(writer: Writer) -> Writer:
    load_sample(writer, user="测试", incidents=False)
    return writer


def _feature(geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _file(path: Path, *features: dict[str, Any]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def _risk(**props: Any) -> dict[str, Any]:
    return {"风险点类型": "山洪危险区", "风险点名称": "新建危险区", "所属乡镇": "北界镇", **props}


def _stored(store: Store, model: Any, record_id: str) -> dict[str, Any]:
    with store.engine.connect() as conn:
        row = conn.execute(select(model.__table__).where(model.id == record_id)).mappings().one()
    return dict(row)


RISK_ID = reference_id("risk_point", "北界镇", "山洪危险区", "新建危险区")


def test_a_polygon_sets_the_area_and_places_a_new_record_at_its_centroid(
    county: Writer, tmp_path: Path
) -> None:
    polygon = {"type": "Polygon", "coordinates": [SQUARE, HOLE]}
    path = _file(tmp_path / "r.geojson", _feature(polygon, **_risk(影响人数=12)))
    result = importer.preview(county.store, "risk_points", path)
    assert [(r.place, r.outcome) for r in result.rows] == [("第 1 个要素", importer.NEW)]
    importer.apply(county, result, user="测试")
    row = _stored(county.store, RiskPoint, RISK_ID)
    assert json.loads(row["area"]) == polygon
    assert row["persons"] == 12
    # the centroid of the square less its hole (off the square's middle, away from the hole)
    assert row["lon"] == pytest.approx(119.0101667, abs=1e-6)
    assert row["lat"] == pytest.approx(28.0101667, abs=1e-6)
    again = importer.preview(county.store, "risk_points", path)
    assert [r.outcome for r in again.rows] == [importer.UNCHANGED]


def test_a_polygon_keeps_a_stored_position_and_a_point_still_moves_it(
    county: Writer, tmp_path: Path
) -> None:
    village = reference_id("village", "北界镇", "苏村")
    before = _stored(county.store, Village, village)
    assert before["lon"] is not None and before["area"] == ""
    key = {"所属乡镇": "北界镇", "村名": "苏村"}
    polygon = {"type": "MultiPolygon", "coordinates": [[SQUARE]]}
    path = _file(tmp_path / "v.geojson", _feature(polygon, **key))
    result = importer.preview(county.store, "villages", path)
    assert [r.outcome for r in result.rows] == [importer.UPDATED]
    assert result.rows[0].diffs == ("范围 （空） → 面（5 个点）",)
    importer.apply(county, result, user="测试")
    after = _stored(county.store, Village, village)
    assert (after["lon"], after["lat"]) == (before["lon"], before["lat"])
    assert json.loads(after["area"]) == polygon
    # a Point feature sets the position and leaves the area alone
    point = {"type": "Point", "coordinates": [119.3, 28.4]}
    moved = importer.preview(
        county.store, "villages", _file(tmp_path / "p.geojson", _feature(point, **key))
    )
    importer.apply(county, moved, user="测试")
    last = _stored(county.store, Village, village)
    assert (last["lon"], last["lat"], last["area"]) == (119.3, 28.4, after["area"])


def test_export_writes_areas_back_and_the_round_trip_changes_nothing(
    county: Writer, tmp_path: Path
) -> None:
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    imported = _file(tmp_path / "in.geojson", _feature(polygon, **_risk()))
    importer.apply(county, importer.preview(county.store, "risk_points", imported), user="测试")
    out = tmp_path / "out.geojson"
    count = exporter.export_table(county.store, "risk_points", out)
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert len(features) == count
    mine = next(f for f in features if f["properties"]["风险点名称"] == "新建危险区")
    assert mine["geometry"] == polygon
    assert mine["properties"]["经度"] == pytest.approx(119.01)  # the position rides along
    others = [f for f in features if f is not mine]
    assert others and all(f["geometry"]["type"] == "Point" for f in others)
    result = importer.preview(county.store, "risk_points", out)
    assert {r.outcome for r in result.rows} == {importer.UNCHANGED}
    # spreadsheets carry no area: an .xlsx round trip leaves it where it is
    book = tmp_path / "out.xlsx"
    exporter.export_table(county.store, "risk_points", book)
    importer.apply(county, importer.preview(county.store, "risk_points", book), user="测试")
    assert json.loads(_stored(county.store, RiskPoint, RISK_ID)["area"]) == polygon


def test_a_township_boundary_round_trips(county: Writer, tmp_path: Path) -> None:
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    path = _file(tmp_path / "t.geojson", _feature(polygon, 乡镇名称="北界镇", 类型="镇"))
    result = importer.preview(county.store, "townships", path)
    assert [r.outcome for r in result.rows] == [importer.UPDATED], result.rows[0].detail
    importer.apply(county, result, user="测试")
    row = _stored(county.store, Township, reference_id("township", "北界镇"))
    assert json.loads(row["area"]) == polygon
    out = tmp_path / "t2.geojson"
    exporter.export_table(county.store, "townships", out)
    assert {r.outcome for r in importer.preview(county.store, "townships", out).rows} == {
        importer.UNCHANGED
    }


def test_a_bad_polygon_refuses_the_whole_file_with_the_reason(
    county: Writer, tmp_path: Path
) -> None:
    good = _feature({"type": "Polygon", "coordinates": [SQUARE]}, **_risk())
    open_ring = _feature(
        {"type": "Polygon", "coordinates": [SQUARE[:-1]]}, **_risk(风险点名称="未闭合区")
    )
    projected = _feature(
        {
            "type": "Polygon",
            "coordinates": [
                [[500000, 3100000], [500100, 3100000], [500100, 3100100], [500000, 3100000]]
            ],
        },
        **_risk(风险点名称="投影坐标区"),
    )
    path = _file(tmp_path / "bad.geojson", good, open_ring, projected)
    result = importer.preview(county.store, "risk_points", path)
    assert [r.outcome for r in result.rows] == [importer.NEW, importer.REFUSED, importer.REFUSED]
    assert result.rows[1].detail == "第 2 个要素（范围）：外边界未闭合：首尾两个点应相同"
    assert "经度 500000 超出 -180 至 180" in result.rows[2].detail
    with pytest.raises(importer.ImportRefused):
        importer.apply(county, result, user="测试")
    with county.store.engine.connect() as conn:
        assert conn.execute(select(RiskPoint.id).where(RiskPoint.id == RISK_ID)).first() is None


def test_a_polygon_for_a_table_without_areas_is_refused_in_chinese(
    county: Writer, tmp_path: Path
) -> None:
    path = _file(
        tmp_path / "s.geojson",
        _feature({"type": "Polygon", "coordinates": [SQUARE]}, 避灾场所名称="新场所"),
    )
    with pytest.raises(ImportFileError, match="没有范围，只能导入点位置"):
        importer.preview(county.store, "shelters", path)
    line = _file(
        tmp_path / "l.geojson",
        _feature({"type": "LineString", "coordinates": SQUARE}, **_risk()),
    )
    with pytest.raises(ImportFileError, match="应为点（Point，经度、纬度）或面"):
        importer.preview(county.store, "risk_points", line)


def test_an_oversized_area_is_refused_before_anything_is_written(
    county: Writer, tmp_path: Path
) -> None:
    ring = [[119.0 + i * 1e-6, 28.0 + (i % 2) * 1e-6] for i in range(areas.AREA_MAX_LEN // 10)]
    ring.append(ring[0])
    path = _file(
        tmp_path / "big.geojson", _feature({"type": "Polygon", "coordinates": [ring]}, **_risk())
    )
    result = importer.preview(county.store, "risk_points", path)
    assert result.rows[0].outcome == importer.REFUSED
    assert "过大（最多 100000 字" in result.rows[0].detail


def test_a_file_nested_too_deep_is_refused_in_chinese(county: Writer, tmp_path: Path) -> None:
    path = tmp_path / "deep.geojson"
    deep = "[" * 200_000 + "]" * 200_000
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        f'"geometry":{{"type":"Polygon","coordinates":{deep}}}}}]}}',
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError, match="嵌套层次过深"):
        importer.preview(county.store, "risk_points", path)
