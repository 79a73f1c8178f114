"""Areas (范围): the validation boundaries of a GeoJSON boundary or extent, its canonical
text, its centroid, and the upserts of the three tables that take one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from console.domain import areas
from console.domain.fields import MutationRejected, check_value
from console.domain.hlc import HybridLogicalClock
from console.domain.ids import new_id
from console.domain.mutations import MutationContext, fetch, run_mutation
from console.domain.schema import ENTITY_FIELDS

SPEC = ENTITY_FIELDS["risk_points"]["area"]
SQUARE = [[119.0, 28.0], [119.1, 28.0], [119.1, 28.1], [119.0, 28.1], [119.0, 28.0]]


def _polygon(*rings: list[list[Any]]) -> str:
    return json.dumps({"type": "Polygon", "coordinates": list(rings)})


def _refusal(value: Any) -> str:
    with pytest.raises(MutationRejected) as caught:
        check_value("area", SPEC, value)
    return caught.value.message


def test_the_three_tables_declare_an_area_and_no_other_does() -> None:
    having = sorted(t for t, specs in ENTITY_FIELDS.items() if any(f.area for f in specs.values()))
    assert having == ["risk_points", "townships", "villages"]


def test_a_valid_area_is_stored_as_one_canonical_text() -> None:
    raw = json.dumps(
        {
            "type": "Polygon",
            "coordinates": [[[119, 28, 350.5], [119.1, 28], [119.1, 28.1], [119, 28, 1.0]]],
            "bbox": [119, 28, 119.1, 28.1],
            "crs": "ignored",
        },
        indent=2,
    )
    text = check_value("area", SPEC, raw)
    assert text == (
        '{"type":"Polygon","coordinates":[[[119.0,28.0],[119.1,28.0],[119.1,28.1],[119.0,28.0]]]}'
    )
    assert check_value("area", SPEC, text) == text  # idempotent
    assert check_value("area", SPEC, "  ") == ""  # no area
    # more digits than a centimetre are rounded off, so a re-export compares equal
    precise = _polygon([[119.123456789, 28.0], [119.1, 28.0], [119.1, 28.1], [119.123456789, 28.0]])
    assert "119.1234568," in check_value("area", SPEC, precise)


def test_ring_rules_and_coordinate_ranges_at_their_boundaries() -> None:
    triangle = [*SQUARE[:3], SQUARE[0]]
    assert check_value("area", SPEC, _polygon(triangle))  # 4 positions: the least
    assert _refusal(_polygon(triangle[1:])) == (
        "“范围”：外边界至少要有 4 个点（首尾为同一点），实际 3 个"
    )
    assert _refusal(_polygon(SQUARE[:-1])) == "“范围”：外边界未闭合：首尾两个点应相同"
    hole = [[119.02, 28.02], [119.02, 28.03], [119.03, 28.03], [119.02, 28.02]]
    assert (
        _refusal(_polygon(SQUARE, hole[:-1]))
        == "“范围”：第 1 个洞至少要有 4 个点（首尾为同一点），实际 3 个"
    )
    edge = [[180, 90], [-180, 90], [-180, -90], [180, 90]]
    assert check_value("area", SPEC, _polygon(edge))
    assert "经度 180.0001 超出 -180 至 180" in _refusal(
        _polygon([[180.0001, 0], [0, 0], [0, 1], [180.0001, 0]])
    )
    assert "纬度 -90.5 超出 -90 至 90" in _refusal(
        _polygon([[0, -90.5], [0, 0], [1, 0], [0, -90.5]])
    )
    assert "经度应为数值" in _refusal(_polygon([[True, 0], [0, 0], [1, 0], [True, 0]]))
    assert "经度不是有效数值" in _refusal(
        '{"type":"Polygon","coordinates":[[[NaN,0],[0,0],[1,0],[NaN,0]]]}'
    )
    assert "每个点应为 [经度, 纬度]" in _refusal(_polygon([[0], [0, 0], [1, 0], [0]]))
    assert "应为环的列表" in _refusal(json.dumps({"type": "Polygon", "coordinates": []}))


def test_other_geometries_and_non_json_are_refused_in_chinese() -> None:
    point = json.dumps({"type": "Point", "coordinates": [119, 28]})
    assert _refusal(point) == "“范围”应为面（Polygon 或 MultiPolygon），收到的是“Point”"
    assert _refusal("[1, 2]") == "“范围”应为面（Polygon 或 MultiPolygon）"
    assert _refusal("{not json") == "“范围”不是有效的 GeoJSON 几何（JSON 格式错误）"
    assert (
        _refusal("[" * 100_000 + "]" * 100_000) == "“范围”不是有效的 GeoJSON 几何（JSON 格式错误）"
    )
    assert "应为面的列表" in _refusal(json.dumps({"type": "MultiPolygon", "coordinates": []}))
    assert "第 2 个面的外边界未闭合" in _refusal(
        json.dumps({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE[:-1]]]})
    )
    assert _refusal({"type": "Polygon"}).startswith("“范围”应为文本")


def _ring(count: int) -> list[list[float]]:
    ring = [[round(119.0 + i * 1e-7, 7), 28.1234567] for i in range(count)]
    return [*ring, ring[0]]


def _canonical(ring: list[list[float]]) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def test_the_size_cap_holds_at_its_boundary() -> None:
    count = 3000
    while len(_canonical(_ring(count + 1))) <= areas.AREA_MAX_LEN:
        count += 1
    largest = _canonical(_ring(count))
    assert len(largest) <= areas.AREA_MAX_LEN
    assert check_value("area", SPEC, largest) == largest
    over = _canonical(_ring(count + 1))
    assert _refusal(over).startswith(f"“范围”过大（最多 100000 字，实际 {len(over)} 字）")
    # raw text far beyond the cap is refused before it is parsed
    assert "过大" in _refusal(" " * 10 + "[" * (areas.RAW_MAX_LEN + 1))


def test_centroid_of_a_square_a_hole_and_two_parts() -> None:
    square = check_value("area", SPEC, _polygon(SQUARE))
    assert areas.centroid(square) == (119.05, 28.05)
    reversed_square = check_value("area", SPEC, _polygon(SQUARE[::-1]))
    assert areas.centroid(reversed_square) == (119.05, 28.05)  # winding does not matter
    far = [[p[0] + 1.0, p[1]] for p in SQUARE]
    two = json.dumps({"type": "MultiPolygon", "coordinates": [[SQUARE], [far]]})
    assert areas.centroid(check_value("area", SPEC, two)) == (119.55, 28.05)
    assert areas.centroid("") is None
    line = _polygon([[119, 28], [119.1, 28], [119.2, 28], [119, 28]])  # no size
    assert areas.centroid(check_value("area", SPEC, line)) == pytest.approx((119.1, 28.0))


def _ctx(clock: HybridLogicalClock) -> MutationContext:
    return MutationContext(user="u", client_id="c", hlc=clock.now())


@pytest.mark.parametrize(
    ("mutation", "table", "args"),
    [
        ("township.upsert", "townships", {"name": "新乡镇", "kind": "镇"}),
        ("risk_point.upsert", "risk_points", {"type": "山洪危险区", "name": "新危险区"}),
    ],
)
def test_upsert_stores_the_area_replays_as_a_no_op_and_keeps_it_on_other_edits(
    conn: Connection, mutation: str, table: str, args: dict[str, Any]
) -> None:
    clock = HybridLogicalClock("t")
    record_id = new_id()
    run_mutation(conn, mutation, {"id": record_id, **args}, _ctx(clock))  # no area: ""
    assert fetch(conn, table, record_id)["area"] == ""  # type: ignore[index]
    given = {"id": record_id, **args, "area": _polygon(SQUARE)}
    assert run_mutation(conn, mutation, given, _ctx(clock))
    stored = fetch(conn, table, record_id)
    assert stored is not None and json.loads(stored["area"])["coordinates"] == [SQUARE]
    assert run_mutation(conn, mutation, given, _ctx(clock)) == []  # identical replay
    run_mutation(conn, mutation, {"id": record_id, "name": "改名"}, _ctx(clock))
    renamed = fetch(conn, table, record_id)
    assert renamed is not None and renamed["area"] == stored["area"]
    with pytest.raises(MutationRejected, match="外边界未闭合"):
        run_mutation(conn, mutation, {**given, "area": _polygon(SQUARE[:-1])}, _ctx(clock))
    after = fetch(conn, table, record_id)
    assert after is not None and after["area"] == stored["area"]
