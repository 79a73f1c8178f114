"""识别一张图's Qt-free side over the sample county: the snapshot's layers, search by name
and pinyin initials, the nearest village, the card (responsible people from the sample
roles, shelter and route, threshold state from a hand-built Situation, readings), GeoJSON
layers (import, refusal, removal) and the tile sources (folder and MBTiles, TMS rows)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from console.domain import beijing
from console.domain.ids import new_id
from console.domain.situation import Endangered, Situation, StationState, TownshipState
from console.services.contacts import ContactsService
from console.services.context import Workstation
from console.services.incidents import IncidentService
from console.services.map_card import NO_SITUATION, MapCards
from console.services.map_data import (
    CAMERAS,
    INCIDENTS,
    SHELTERS,
    STATIONS,
    TEAMS,
    TOWNSHIP_NAMES,
    VILLAGES,
    MapDataService,
    MapSnapshot,
    risk_layer,
)
from console.services.map_overlays import OverlayError, OverlayStore, parse
from console.services.map_tiles import (
    WORLD_KM,
    FolderTiles,
    MBTiles,
    TileError,
    mercator,
    open_tiles,
    tile_bounds_km,
    tile_range,
    zoom_for,
)
from console.services.readings_source import ReadingKind, Times, Values
from testkit.tiles import write_mbtiles


def _snapshot(workstation: Workstation) -> MapSnapshot:
    return MapDataService(workstation.store).snapshot()


def test_snapshot_puts_every_located_place_on_its_layer(workstation: Workstation) -> None:
    q = workstation.queries
    snap = _snapshot(workstation)
    assert len(snap.layer(TOWNSHIP_NAMES)) == len(q.townships())
    assert len(snap.layer(VILLAGES)) == len(q.villages())
    assert len(snap.layer(SHELTERS)) == len(q.shelters())
    assert len(snap.layer(TEAMS)) == len(q.teams())
    assert len(snap.layer(STATIONS)) == len(q.stations())
    floods = [p for p in q.risk_points() if p["type"] == "山洪危险区"]
    assert {f.id for f in snap.layer(risk_layer("山洪危险区"))} == {p["id"] for p in floods}
    with workstation.store.engine.connect() as conn:
        located = {
            str(r[0]): str(r[1])
            for r in conn.execute(
                text(
                    "SELECT id, department FROM cameras"
                    " WHERE deleted = 0 AND lon IS NOT NULL AND lat IS NOT NULL"
                )
            )
        }
    cameras = snap.layer(CAMERAS)
    assert located and {f.id: f.subtype for f in cameras} == {
        i: f"{dept}摄像机" for i, dept in located.items()
    }
    assert all(f.kind == "camera" and f.township for f in cameras)
    assert snap.layer(INCIDENTS) == []  # this county has no calls yet
    assert snap.sample
    point = snap.layer(risk_layer("山洪危险区"))[0]
    assert point.township and point.persons
    tip = point.tip()
    assert point.name in tip and "山洪危险区" in tip and f"影响 {point.persons} 人" in tip


def test_open_incidents_are_a_layer_and_closed_ones_leave_it(workstation: Workstation) -> None:
    service = IncidentService(workstation.writer)
    call = {
        "received_at": beijing.display(beijing.now()),
        "category": "自然灾害",
        "subtype": "地质",
        "township": "北界镇",
        "village": "苏村",
        "description": "山体滑坡",
        "lon": "119.41",
        "lat": "28.70",
    }
    incident_id = service.take_call(call, user="测试")
    [incident] = _snapshot(workstation).layer(INCIDENTS)
    assert incident.id == incident_id and incident.village == "苏村"
    assert (incident.lon, incident.lat) == (119.41, 28.70)
    for status in ("核实", "处置中", "已结案"):
        service.set_status(incident_id, status, user="测试")
    assert _snapshot(workstation).layer(INCIDENTS) == []


def test_search_by_name_and_pinyin_initials(workstation: Workstation) -> None:
    snap = _snapshot(workstation)
    [first, *_] = snap.search("北界")
    assert first.kind == "township" and first.name == "北界镇"
    assert snap.search("bjz")[0].name == "北界镇"  # pinyin initials
    village = snap.layer(VILLAGES)[0]
    assert village in snap.search(village.name)
    station = snap.layer(STATIONS)[0]
    assert station in snap.search(station.name[:3])
    assert snap.search("   ") == []
    assert snap.search("不存在的地名") == []


def test_nearest_village(workstation: Workstation) -> None:
    snap = _snapshot(workstation)
    village = snap.layer(VILLAGES)[5]
    near = snap.nearest(village.lon + 0.0005, village.lat - 0.0005)
    assert near is not None and near.id == village.id


class ArrayReadings:
    """A ReadingsSource over arrays in memory (as the bench and the simulator's preview)."""

    def __init__(self, latest: dict[str, dict[str, tuple[int, float]]]) -> None:
        self._latest = latest

    def series(
        self, station_id: str, kind: ReadingKind, start: int, end: int
    ) -> tuple[Times, Values]:
        return np.array([], dtype=np.int64), np.array([], dtype=np.float64)

    def latest(self, kind: ReadingKind) -> dict[str, tuple[int, float]]:
        return self._latest.get(kind, {})

    def simulated(self, station_id: str, start: int, end: int) -> bool:
        return False

    def stamp(self) -> int:
        return 1


def _situation(snap: MapSnapshot) -> Situation:
    point = snap.layer(risk_layer("山洪危险区"))[0]
    station = snap.layer(STATIONS)[0]
    town = snap.feature("township", point.township_id)
    assert town is not None
    return Situation(
        at=1_790_000_000,
        townships=(
            TownshipState(town.id, town.name, observed={1: 30.0, 3: 62.0}, proposed_warning="橙"),
        ),
        stations=(StationState(station.id, "S001", station.name, "雨量站", None, rain={3: 62.0}),),
        endangered=(
            Endangered(
                kind="risk_point",
                place_id=point.id,
                name=point.name,
                township_id=town.id,
                village_id=None,
                level="橙",
                expected_level="红",
                expected_in_h=2.0,
                reason="3小时雨量 62 毫米，已达橙色临界雨量 60 毫米",
                station_id=station.id,
            ),
        ),
    )


def test_card_of_a_risk_point(workstation: Workstation) -> None:
    snap = _snapshot(workstation)
    contacts = ContactsService(workstation.store)
    cards = MapCards(contacts)
    point = snap.layer(risk_layer("山洪危险区"))[0]
    row = snap.record("risk_point", point.id)
    shelter = snap.record("shelter", row["shelter_id"])

    card = cards.card(snap, point)
    assert card.title == point.name and "山洪危险区" in card.subtitle
    facts = dict(card.facts)
    assert facts["影响人口"] == f"{point.persons} 人，{point.households} 户"
    assert facts["避灾安置场所"].startswith(shelter["name"])
    assert facts["转移路线"] == row["transfer_route"]
    expected = contacts.responsible("risk_point", point.id)
    assert expected  # the sample roles name someone for every risk point
    assert [(p.role, p.name, p.mobile) for p in card.people] == [
        (r.role, r.contact.name, r.contact.mobile) for r in expected
    ]
    assert expected[0].contact.mobile in card.phones
    assert card.state == (NO_SITUATION,) and card.warning == ""
    assert card.contacts_place == ("risk_point", point.id)

    situation = _situation(snap)
    station_id = situation.endangered[0].station_id
    assert station_id is not None
    readings = ArrayReadings({"rain": {station_id: (1_790_000_000, 4.5)}})
    card = cards.card(snap, point, situation, readings)
    assert card.warning == "橙"
    assert any("已达橙色" in line for line in card.state)
    assert any("约 2 小时后达红色" in line for line in card.state)
    assert any("3小时 62 毫米" in line for line in card.readings)
    assert any(line.startswith("最新雨量 4.5 毫米") for line in card.readings)


def test_card_of_a_township_and_a_team(workstation: Workstation) -> None:
    snap = _snapshot(workstation)
    cards = MapCards(ContactsService(workstation.store))
    situation = _situation(snap)
    town = snap.feature("township", situation.townships[0].township_id)
    assert town is not None
    card = cards.card(snap, town, situation)
    assert card.warning == "橙" and any("面雨量" in line for line in card.state)
    assert card.contacts_place == ("township", town.id)
    team = snap.layer(TEAMS)[0]
    row = snap.record("team", team.id)
    card = cards.card(snap, team)
    assert [(p.name, p.mobile) for p in card.people] == [(row["leader"], row["phone"])]


LINE = {
    "type": "Feature",
    "geometry": {"type": "LineString", "coordinates": [[119.1, 28.5], [119.2, 28.6]]},
}
AREA = {
    "type": "Polygon",
    "coordinates": [[[119.0, 28.4], [119.3, 28.4], [119.3, 28.7], [119.0, 28.4]]],
}


def test_geojson_layers_import_list_hide_and_remove(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "河流.geojson"
    collection = {
        "type": "FeatureCollection",
        "features": [LINE, {"type": "Feature", "geometry": AREA}],
    }
    source.write_text(json.dumps(collection), encoding="utf-8")
    store = OverlayStore(data_dir)
    layer = store.add(source)
    assert layer.name == "河流" and (layer.lines, layer.areas) == (1, 1)
    assert store.layers() == [layer]
    shapes = store.shapes(layer.id)
    assert shapes.lines == [[(119.1, 28.5), (119.2, 28.6)]]
    assert len(shapes.polygons) == 1 and len(shapes.polygons[0][0]) == 4
    store.set_visible(layer.id, False)
    assert not OverlayStore(data_dir).layers()[0].visible  # kept on this workstation
    store.remove(layer.id)
    assert store.layers() == []
    assert not (data_dir / "map_layers" / f"{layer.id}.geojson").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "不是有效的 GeoJSON"),
        (json.dumps({"type": "Point", "coordinates": [119.1, 28.5]}), "没有线或面要素"),
        (json.dumps({"features": []}), "缺少 type"),
        (
            json.dumps(
                {"type": "LineString", "coordinates": [[500000, 3160000], [500100, 3160100]]}
            ),
            "不是经纬度",
        ),
    ],
)
def test_bad_geojson_is_refused_in_chinese(
    tmp_path: Path, data_dir: Path, content: str, message: str
) -> None:
    source = tmp_path / "bad.geojson"
    source.write_text(content, encoding="utf-8")
    store = OverlayStore(data_dir)
    with pytest.raises(OverlayError, match=message):
        store.add(source)
    assert store.layers() == []


def test_parse_multi_geometries() -> None:
    shapes = parse(
        {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "MultiLineString", "coordinates": [LINE["geometry"]["coordinates"]] * 2},  # type: ignore[index]
                {"type": "MultiPolygon", "coordinates": [AREA["coordinates"]]},
            ],
        }
    )
    assert len(shapes.lines) == 2 and len(shapes.polygons) == 1


def test_tile_numbering() -> None:
    # Tile 0/0/0 is the whole Web Mercator world.
    assert tile_bounds_km(0, 0, 0) == pytest.approx(
        (-WORLD_KM / 2, -WORLD_KM / 2, WORLD_KM / 2, WORLD_KM / 2)
    )
    x, y = mercator(119.27, 28.59)
    cols, rows = tile_range(12, x - 1, y - 1, x + 1, y + 1)
    # The county seat at zoom 12 (standard XYZ numbering of lon 119.27, lat 28.59).
    assert 3405 in cols and list(rows) == [1708]
    assert zoom_for(WORLD_KM / 256, 0, 18) == 0
    assert zoom_for(0.001, 3, 15) == 15


def test_tile_folder_and_mbtiles_read_the_same_tile(tmp_path: Path) -> None:
    folder = tmp_path / "tiles"
    (folder / "3" / "6").mkdir(parents=True)
    (folder / "3" / "6" / "3.png").write_bytes(b"png-6-3")
    source = open_tiles(folder)
    assert isinstance(source, FolderTiles) and (source.min_zoom, source.max_zoom) == (3, 3)
    assert source.tile(3, 6, 3) == b"png-6-3"
    assert source.tile(3, 6, 4) is None

    path = tmp_path / "county.mbtiles"
    write_mbtiles(path, {(3, 6, 3): b"png-6-3", (4, 13, 6): b"png-13-6"}, "遂昌底图")
    mb = open_tiles(path)
    assert isinstance(mb, MBTiles) and mb.name == "遂昌底图"
    assert (mb.min_zoom, mb.max_zoom) == (3, 4)
    assert mb.tile(3, 6, 3) == b"png-6-3"  # XYZ row 3 is TMS row 4 at zoom 3
    assert mb.tile(4, 13, 6) == b"png-13-6"
    assert mb.tile(3, 6, 4) is None
    mb.close()
    assert mb.tile(3, 6, 3) is None  # closed: no tile, no error

    # Declared zoom levels are taken from the metadata without scanning the tiles.
    declared = write_mbtiles(tmp_path / "declared.mbtiles", {(3, 6, 3): b"t"}, "d")
    conn = sqlite3.connect(declared)
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", [("minzoom", "1"), ("maxzoom", "17")])
    conn.commit()
    conn.close()
    source = open_tiles(declared)
    assert (source.min_zoom, source.max_zoom) == (1, 17)
    source.close()


def test_unusable_base_layers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TileError, match="找不到底图"):
        open_tiles(tmp_path / "missing.mbtiles")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TileError, match="没有按"):
        open_tiles(tmp_path / "empty")
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(TileError, match="不是可用的 MBTiles"):
        open_tiles(junk)
    other = tmp_path / "map.tif"
    other.write_bytes(b"x")
    with pytest.raises(TileError, match="瓦片文件夹"):
        open_tiles(other)


def test_card_falls_back_to_the_old_free_text_when_no_role_is_recorded(
    workstation: Workstation,
) -> None:
    """责任人 / 管理员 typed before the roles (old records, old workbooks) are not in the forms
    any more, but a place nobody holds a role for still shows them, marked 原登记."""
    point_id = new_id()
    workstation.writer.apply(
        [
            (
                "risk_point.upsert",
                {
                    "id": point_id,
                    "type": "河道",
                    "name": "老河段",
                    "lon": 119.2,
                    "lat": 28.6,
                    "responsible_person": "钱某某",
                    "responsible_phone": "13800009999",
                },
            )
        ],
        user="测试",
    )
    snap = _snapshot(workstation)
    point = snap.feature("risk_point", point_id)
    assert point is not None
    card = MapCards(ContactsService(workstation.store)).card(snap, point)
    assert [(p.role, p.name, p.mobile) for p in card.people] == [
        ("责任人（原登记）", "钱某某", "13800009999")
    ]
    # A place with roles shows the roles only (the sample shelters have managers).
    shelter = snap.layer(SHELTERS)[0]
    card = MapCards(ContactsService(workstation.store)).card(snap, shelter)
    assert card.people and all("原登记" not in p.role for p in card.people)
