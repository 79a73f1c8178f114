"""Areas (范围) through a real server process: a village boundary and a risk point's extent
imported from GeoJSON on one workstation reach another, are edited there and come back
(digests equal on both and on the server); the server refuses hostile areas pushed straight
at it, with the domain's Chinese messages, and stores nothing of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sync_testkit import PASSWORDS, engine_as, pushed, store_digest, table_rows

from console.domain.areas import AREA_MAX_LEN
from console.domain.ids import new_id, reference_id
from console.domain.schema import RiskPoint, Village
from console.services.context import open_workstation
from console.services.io import importer
from console.sync.client import SyncClient
from testkit.server import ServerProcess

SQUARE = [[119.0, 28.0], [119.02, 28.0], [119.02, 28.02], [119.0, 28.02], [119.0, 28.0]]
SMALLER = [[119.0, 28.0], [119.01, 28.0], [119.01, 28.01], [119.0, 28.0]]
TOWN = reference_id("township", "北界镇")
VILLAGE = reference_id("village", "北界镇", "苏村")
POINT = reference_id("risk_point", "北界镇", "山洪危险区", "苏村溪")


def _collection(path: Path, *features: dict[str, Any]) -> Path:
    data = {"type": "FeatureCollection", "features": list(features)}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def test_an_imported_area_reaches_another_workstation_and_an_edit_comes_back(
    server: ServerProcess, tmp_path: Path
) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    b = open_workstation(tmp_path / "b", autoload=False)
    try:
        a.writer.apply(
            [("township.upsert", {"id": TOWN, "name": "北界镇", "kind": "镇"})], user="zhang"
        )
        villages = _collection(
            tmp_path / "v.geojson",
            {
                "type": "Feature",
                "geometry": _polygon(SQUARE),
                "properties": {"所属乡镇": "北界镇", "村名": "苏村"},
            },
        )
        points = _collection(
            tmp_path / "r.geojson",
            {
                "type": "Feature",
                "geometry": {"type": "MultiPolygon", "coordinates": [[SMALLER]]},
                "properties": {
                    "风险点类型": "山洪危险区",
                    "风险点名称": "苏村溪",
                    "所属乡镇": "北界镇",
                    "所属村": "苏村",
                },
            },
        )
        for table, path in (("villages", villages), ("risk_points", points)):
            result = importer.preview(a.store, table, path)
            assert result.count(importer.NEW) == 1, result.refused
            importer.apply(a.writer, result, user="zhang")
        assert engine_as(a, server).sync_once().issues == 0
        engine_as(b, server).sync_once()

        village = table_rows(b, Village)[VILLAGE]
        assert json.loads(village["area"]) == _polygon(SQUARE)
        assert (village["lon"], village["lat"]) == (119.01, 28.01)  # the centroid
        assert table_rows(b, RiskPoint) == table_rows(a, RiskPoint)

        edited = json.dumps(_polygon(SQUARE, SMALLER))  # a hole, typed loosely
        b.writer.apply([("risk_point.upsert", {"id": POINT, "area": edited})], user="zhang")
        assert engine_as(b, server).sync_once().issues == 0
        engine_as(a, server).sync_once()
        point = table_rows(a, RiskPoint)[POINT]
        assert json.loads(point["area"]) == _polygon(SQUARE, SMALLER)
        assert point["area"] == table_rows(b, RiskPoint)[POINT]["area"]
        assert store_digest(a) == store_digest(b) == server.cli("digest").stdout.strip()
    finally:
        a.close()
        b.close()


def _ring(count: int) -> list[list[float]]:
    ring = [[round(119.0 + i * 1e-7, 7), 28.1234567] for i in range(count)]
    return [*ring, ring[0]]


HOSTILE: list[tuple[object, str]] = [
    (json.dumps(_polygon(SQUARE[:-1])), "“范围”：外边界未闭合：首尾两个点应相同"),
    (json.dumps(_polygon([*SQUARE[:2], SQUARE[0]])), "“范围”：外边界至少要有 4 个点"),
    (
        json.dumps(
            _polygon([[500000, 3100000], [500100, 3100000], [500100, 3100100], [500000, 3100000]])
        ),
        "“范围”：经度 500000 超出 -180 至 180",
    ),
    (
        '{"type":"Polygon","coordinates":[[[NaN,0],[0,0],[1,0],[NaN,0]]]}',
        "“范围”：经度不是有效数值",
    ),
    (
        json.dumps({"type": "Point", "coordinates": [119, 28]}),
        "“范围”应为面（Polygon 或 MultiPolygon）",
    ),
    (json.dumps({"type": "GeometryCollection", "geometries": []}), "“范围”应为面"),
    ("[" * 50_000 + "]" * 50_000, "“范围”不是有效的 GeoJSON 几何"),
    (json.dumps(_polygon(_ring(AREA_MAX_LEN // 20))), "“范围”过大（最多 100000 字"),
    ({"type": "Polygon", "coordinates": [SQUARE]}, "“范围”应为文本"),
    (["x"], "“范围”应为文本"),
]


@pytest.mark.parametrize(("area", "message"), HOSTILE)
def test_the_server_refuses_a_hostile_area(
    server: ServerProcess, area: object, message: str
) -> None:
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    town = new_id()
    calls = [
        ("township.upsert", {"id": town, "name": f"镇{town[:4]}", "kind": "镇"}),
        (
            "risk_point.upsert",
            {
                "id": new_id(),
                "type": "山洪危险区",
                "name": "危险区",
                "township_id": town,
                "area": area,
            },
        ),
    ]
    results = client.push(new_id(), pushed(calls))["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert results[1]["message"].startswith(message), results[1]["message"]
    assert client.pull(new_id(), None)["rows"].get("risk_points", []) == []


def test_the_server_stores_the_canonical_text_of_a_loosely_written_area(
    server: ServerProcess,
) -> None:
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    town = new_id()
    loose = (
        '{ "coordinates": [[[119, 28, 12], [119.02, 28], [119.02, 28.02], [119, 28]]],'
        ' "type": "Polygon", "bbox": [0] }'
    )
    town_call = ("township.upsert", {"id": town, "name": "北界镇", "kind": "镇", "area": loose})
    assert client.push(new_id(), pushed([town_call]))["results"][0]["status"] == "applied"
    (row,) = client.pull(new_id(), None)["rows"]["townships"]
    assert row["area"] == (
        '{"type":"Polygon","coordinates":[[[119.0,28.0],[119.02,28.0],[119.02,28.02],[119.0,28.0]]]}'
    )
