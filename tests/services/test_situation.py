"""The situation service on a real sample store and readings held in arrays: the 鲇鱼
reconstruction, forecasts, the county's own tables, station assignment, missing data."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pytest

from console.domain.ids import new_id, reference_id
from console.domain.scenarios import readings
from console.domain.situation import Situation
from console.services.context import SYSTEM_USER
from console.services.sample_data import load_sample, read_sample
from console.services.situation import evaluate, forecast_ahead, latest_forecasts
from console.store.database import Store
from console.store.writer import Writer
from testkit.readings import ArrayReadings

START = 1_474_992_000  # 2016-09-28 00:00 Beijing
HOUR = 3600
BEIJIE = reference_id("township", "北界镇")
SUCUN = reference_id("village", "北界镇", "苏村")
RAIN_S001 = reference_id("station", "S001")  # 苏村雨量站, 北界镇's rain station
LEVEL_S020 = reference_id("station", "S020")  # 北界镇's level station (警戒 2.6 m)


@pytest.fixture
def county(store: Store, writer: Writer) -> Store:
    load_sample(writer, user=SYSTEM_USER, incidents=False)
    return store


def play(name: str, start: int = START) -> ArrayReadings:
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in readings(name, read_sample()["stations"], start):
        grouped[(r.station_code, r.kind)].append(r)
    source = ArrayReadings()
    for (code, kind), rows in grouped.items():
        source.put(
            reference_id("station", code),
            kind,  # type: ignore[arg-type]
            [r.ts for r in rows],
            [r.value for r in rows],
            simulated=True,
        )
    return source


def town(situation: Situation, township_id: str) -> Any:
    return next(t for t in situation.townships if t.township_id == township_id)


def test_nianyu_end_of_day_beijie_and_sucun(county: Store) -> None:
    s = evaluate(county, play("nianyu-2016"), START + 24 * HOUR)
    assert s.simulated
    beijie = town(s, BEIJIE)
    assert beijie.observed[24] == pytest.approx(101.0, abs=0.05)
    # 12 h: 72.3 mm >= 50 (蓝); 6 h (21 mm) and 3 h are below 50: 蓝 by the signal table.
    assert beijie.signal == "蓝" and "12小时雨量" in beijie.note
    # 苏村 has the sample's example tiers (蓝 24 h 100 mm): 101 mm reaches 蓝.
    sucun = next(e for e in s.endangered if e.place_id == SUCUN)
    assert sucun.level == "蓝" and sucun.station_id == RAIN_S001  # the nearest gauge
    assert sucun.reason.startswith("24小时雨量 101 毫米，已达蓝色临界雨量 100 毫米")
    roles = {p.role for p in sucun.responsible}
    assert "村监测预警" in roles and all(p.mobile for p in sucun.responsible)
    # The 苏村 landslide point has no critical rain of its own: its village's tiers.
    slide = next(e for e in s.endangered if e.kind == "risk_point" and e.village_id == SUCUN)
    assert slide.level == "蓝" and slide.persons and slide.persons > 0
    assert f"place:{SUCUN}:蓝" in s.crossings()
    assert f"township:{BEIJIE}:蓝" in s.crossings()
    assert beijie.proposed_warning == "蓝"


def test_nianyu_afternoon_yellow_signal_levels_over_warning_and_response(county: Store) -> None:
    s = evaluate(county, play("nianyu-2016"), START + 18 * HOUR)
    beijie = town(s, BEIJIE)
    assert beijie.observed[6] >= 50.0 and beijie.signal == "黄"
    assert beijie.peak_1h is not None and beijie.peak_1h >= beijie.observed[1]
    level = next(st for st in s.stations if st.station_id == LEVEL_S020)
    assert level.level_m is not None and level.level_m >= 2.6 and level.over == ("警戒水位",)
    assert f"station:{LEVEL_S020}:警戒水位" in s.crossings()
    # A station over 警戒水位 and a reservoir over 汛限水位 are IV triggers by default.
    assert s.proposed_response == "IV"
    assert any("超警戒站数" in r for r in s.response_reasons)
    assert any("超汛限水库数" in r for r in s.response_reasons)
    # The sample's 龙潭水库 risk point is tied to its reservoir gauge: 汛限 makes it 黄.
    reservoir = next(e for e in s.endangered if e.name == "龙潭水库")
    assert reservoir.level == "黄" and reservoir.station_id == reference_id("station", "S026")
    assert "已达汛限水位" in reservoir.reason
    assert s.highest_warning == "黄"


def test_short_storm_red_at_wangcunkou_and_response_iii(county: Store) -> None:
    s = evaluate(county, play("short-storm"), START + 4 * HOUR)
    storm = town(s, reference_id("township", "王村口镇"))
    assert storm.observed[3] >= 100.0 and storm.signal == "红"
    assert storm.proposed_warning == "红" and s.highest_warning == "红"
    # 3 h >= 100 mm at a station: III by the default triggers.
    assert s.proposed_response == "III"
    assert any("单站3小时雨量" in r for r in s.response_reasons)
    # The cell is local: the county's other townships stay below 红.
    assert sum(1 for t in s.townships if t.signal == "红") <= 2


def test_dry_day_is_quiet(county: Store) -> None:
    s = evaluate(county, play("dry"), START + 24 * HOUR)
    assert s.endangered == () and s.proposed_response == ""
    assert all(t.signal == "" and t.proposed_warning == "" for t in s.townships)
    assert all(st.over == () for st in s.stations)


def test_forecast_projects_the_next_signal(county: Store, writer: Writer) -> None:
    # At 12:00 北界镇 has 14.6 mm in 3 h; 120 mm forecast for the next 3 h (40 mm/h) reach
    # 100 mm in 3 h before 3 h are out: red expected.
    issued = "2016-09-28T12:00:00+08:00"
    writer.apply(
        [
            (
                "rain_forecast.upsert",
                {
                    "id": new_id(),
                    "township_id": BEIJIE,
                    "issued_at": issued,
                    "valid_from": issued,
                    "horizon_h": 3,
                    "mm": 120.0,
                    "source": "县气象台",
                },
            )
        ],
        user="测试",
    )
    s = evaluate(county, play("nianyu-2016"), START + 12 * HOUR)
    beijie = town(s, BEIJIE)
    assert beijie.forecast == {1: 40.0, 3: 120.0}
    assert beijie.expected_signal == "红"
    assert beijie.expected_in_h is not None and 1.5 < beijie.expected_in_h <= 3.0
    assert "预报再 120 毫米/3小时" in beijie.note and "达红色" in beijie.note
    # 苏村 (蓝 1 h 35 mm ... 红 3 h 120 mm): 1 h reaches 40 mm at once past the first hour
    # (蓝 now expected), and 3 h reaches 120 mm only when the whole forecast has fallen.
    sucun = next(e for e in s.endangered if e.place_id == SUCUN)
    assert sucun.level == "" and sucun.expected_level == "红"
    assert sucun.expected_in_h == pytest.approx(3.0)
    assert "预计约 3 小时后达红色临界雨量" in sucun.reason
    # An hour later the same issue has two hours left: 80 mm over the next 2 h.
    later = town(evaluate(county, play("nianyu-2016"), START + 13 * HOUR), BEIJIE)
    assert later.forecast == {1: 40.0}
    # More rain forecast: the county's IV trigger on area rain wants it, which is met once
    # the 24 h mean is 50 mm; without a forecast the area trigger never is.
    s = evaluate(county, play("nianyu-2016"), START + 12 * HOUR)
    assert all("面雨量" not in r for r in s.response_reasons)


def test_warnings_in_force_at_the_moment(county: Store, writer: Writer) -> None:
    lifted, open_, later = new_id(), new_id(), new_id()
    base = {"kind": "暴雨", "township_id": BEIJIE, "issuer": "遂昌县气象台"}
    writer.apply(
        [
            (
                "warning.upsert",
                {
                    "id": lifted,
                    **base,
                    "level": "红",
                    "issued_at": "2016-09-28T06:00:00+08:00",
                    "until": "2016-09-28T12:00:00+08:00",
                },
            ),
            (
                "warning.upsert",
                {"id": open_, **base, "level": "黄", "issued_at": "2016-09-28T10:00:00+08:00"},
            ),
            (
                "warning.upsert",
                {"id": later, **base, "level": "橙", "issued_at": "2016-09-28T13:00:00+08:00"},
            ),
        ],
        user="测试",
    )
    # At 12:00 the red one is lifted (until is exclusive), the orange one not yet issued.
    s = evaluate(county, play("dry"), START + 12 * HOUR)
    assert [w.warning_id for w in s.warnings] == [open_]
    assert s.warnings[0].issued_at == START + 10 * HOUR and s.warnings[0].until is None
    s = evaluate(county, play("dry"), START + 13 * HOUR)
    assert [w.level for w in s.warnings] == ["橙", "黄"]


def test_the_newest_issue_in_force_is_the_forecast() -> None:
    def row(issued: str, horizon: int, mm: float, start: str | None = None) -> dict[str, Any]:
        return {
            "township_id": "t",
            "issued_at": issued,
            "valid_from": start or issued,
            "horizon_h": horizon,
            "mm": mm,
        }

    older = [row("2016-09-28T08:00:00+08:00", 24, 100.0)]
    newer = [row("2016-09-28T11:00:00+08:00", 3, 30.0), row("2016-09-28T11:00:00+08:00", 6, 45.0)]
    not_yet = [row("2016-09-28T13:00:00+08:00", 3, 90.0)]
    at = START + 12 * HOUR  # 12:00
    got = latest_forecasts(older + newer + not_yet, at)
    assert [r["horizon_h"] for r in got["t"]] == [3, 6]
    # An hour into the issue: 10 mm/h to 14:00, then 5 mm/h to 17:00; 12:00-15:00 is
    # 20 + 5 mm. Six hours ahead is past the issue's end: not given.
    assert forecast_ahead(got["t"], at) == {1: 10.0, 3: 25.0}
    # A finished issue is no forecast.
    assert latest_forecasts(newer, START + 17 * HOUR) == {}
    # A forecast from a later start: no rain before it.
    later = [row("2016-09-28T11:00:00+08:00", 3, 30.0, start="2016-09-28T13:00:00+08:00")]
    assert forecast_ahead(latest_forecasts(later, at)["t"], at) == {1: 0.0, 3: 20.0}


def test_county_signal_table_replaces_the_defaults(county: Store, writer: Writer) -> None:
    writer.apply(
        [
            (
                "rain_signal_rule.upsert",
                {"id": new_id(), "level": "橙", "hours": 24, "mm": 100.0, "basis": "县定"},
            )
        ],
        user="测试",
    )
    s = evaluate(county, play("nianyu-2016"), START + 24 * HOUR)
    # The county's table has one row: 24 h >= 100 mm is 橙; the national 蓝 12 h no longer.
    assert town(s, BEIJIE).signal == "橙"
    assert all(t.signal in ("", "橙") for t in s.townships)


def test_assigned_station_beats_the_nearest(county: Store, writer: Writer) -> None:
    village = next(v for v in read_sample()["villages"] if v["name"] == "苏村")
    far = reference_id("station", "S003")  # 柘岱口乡, the far south-west
    args = {
        "id": SUCUN,
        "township_id": BEIJIE,
        "name": village["name"],
        "lon": village["lon"],
        "lat": village["lat"],
        "station_id": far,
    }
    writer.apply([("village.upsert", args)], user="测试")
    s = evaluate(county, play("nianyu-2016"), START + 24 * HOUR)
    assert all(e.place_id != SUCUN for e in s.endangered)  # far less rain there
    # Its risk point follows the village's station too.
    assert all(e.village_id != SUCUN for e in s.endangered)


def test_a_point_below_a_reservoir_follows_its_lines(county: Store, writer: Writer) -> None:
    reservoir, point = new_id(), new_id()
    writer.apply(
        [
            (
                "station.upsert",
                {
                    "id": reservoir,
                    "code": "R001",
                    "name": "湖山水库",
                    "kind": "水库",
                    "township_id": BEIJIE,
                    "flood_limit_level_m": 120.0,
                },
            ),
            (
                "risk_point.upsert",
                {
                    "id": point,
                    "type": "水库",
                    "name": "湖山水库下游",
                    "township_id": BEIJIE,
                    "persons": 80,
                    "station_id": reservoir,
                },
            ),
        ],
        user="测试",
    )
    source = play("dry")
    ts = [START + 23 * HOUR, START + 24 * HOUR]
    source.put(reservoir, "level", ts, [119.99, 120.0])
    s = evaluate(county, source, START + 24 * HOUR)
    [e] = [e for e in s.endangered if e.place_id == point]
    assert e.level == "黄" and e.station_id == reservoir and e.persons == 80
    assert e.reason == "湖山水库水位 120.00 米，已达汛限水位"
    assert s.proposed_response == "IV" and any("超汛限水库数" in r for r in s.response_reasons)
    # A centimetre below the line: nothing.
    s = evaluate(county, source, START + 23 * HOUR)
    assert all(e.place_id != point for e in s.endangered) and s.proposed_response == ""


def test_a_silent_gauge_does_not_pull_the_area_mean_down() -> None:
    from console.services.situation import SituationInputs, assess

    town_id, a, b = new_id(), new_id(), new_id()
    stations = [
        {"id": sid, "code": code, "name": code, "kind": "雨量站", "township_id": town_id}
        for sid, code in ((a, "A"), (b, "B"))
    ]
    inputs = SituationInputs(
        townships=[{"id": town_id, "name": "测试乡", "lon": None, "lat": None}],
        stations=stations,
        villages=[],
        risk_points=[],
    )
    at = START + 24 * HOUR
    source = ArrayReadings()
    full = [at - 300 * i for i in range(287, -1, -1)]
    source.put(a, "rain", full, [1.0] * 288)  # 12 mm an hour, all day
    source.put(b, "rain", full[:-6], [1.0] * 282)  # the same, silent for the last 30 min
    s = assess(inputs, source, at)
    t = s.townships[0]
    assert t.observed[1] == 12.0 and t.observed[24] == 288.0  # A's, B's windows are short
    assert "数据不全" not in t.note
    # Both silent: the mean of what arrived, and the note says so.
    source.put(a, "rain", full[-6:], [float("nan")] * 6)
    t = assess(inputs, source, at).townships[0]
    assert t.observed[1] == 6.0 and "数据不全：1小时、3小时、6小时、12小时、24小时" in t.note


def test_missing_readings_are_said(county: Store) -> None:
    source = play("nianyu-2016")
    # 苏村雨量站 falls silent for the last half hour before 18:00.
    cut = ArrayReadings()
    ts, mm = source.series(RAIN_S001, "rain", START, START + 24 * HOUR)
    keep = ts <= START + 17 * HOUR + 1800
    cut.put(RAIN_S001, "rain", ts[keep].tolist(), mm[keep].tolist())
    s = evaluate(county, cut, START + 18 * HOUR)
    station = next(st for st in s.stations if st.station_id == RAIN_S001)
    assert 1 in station.incomplete and not station.simulated
    assert "数据不全" in town(s, BEIJIE).note
    assert not s.simulated
    # A station without any reading has no sums at all (not zeros).
    other = next(st for st in s.stations if st.code == "S002")
    assert other.rain == {} and other.level_m is None


def test_an_unassigned_place_takes_the_worst_station_within_near_km() -> None:
    """Hand-computed: 苏村-like village at (119.0, 28.6); A 1 km east (36 mm in 3 h), B 4 km
    north (72 mm), C 8 km west (144 mm); 黄 at 50 mm / 3 h, 红 at 100. Unassigned it takes B's
    黄 (C is beyond NEAR_KM = 5 km); assigned to A it keeps A's rain; a tie goes to A."""
    from console.domain.thresholds import Tier
    from console.services.situation import NEAR_KM, SituationInputs, assess

    assert NEAR_KM == 5.0
    km_lon = 1 / (111.32 * math.cos(math.radians(28.6)))
    km_lat = 1 / 110.57
    town_id, village_id, a, b, c = (new_id() for _ in range(5))

    def station(sid: str, code: str, east_km: float, north_km: float) -> dict[str, Any]:
        lon, lat = 119.0 + east_km * km_lon, 28.6 + north_km * km_lat
        return {
            "id": sid,
            "code": code,
            "name": f"{code}站",
            "kind": "雨量站",
            "lon": lon,
            "lat": lat,
        }

    village = {"id": village_id, "name": "某村", "township_id": town_id, "lon": 119.0, "lat": 28.6}

    def inputs(b_north_km: float = 4.0, **assigned: str) -> SituationInputs:
        return SituationInputs(
            townships=[{"id": town_id, "name": "测试乡", "lon": None, "lat": None}],
            stations=[
                station(a, "A", 1, 0),
                station(b, "B", 0, b_north_km),
                station(c, "C", -8, 0),
            ],
            villages=[{**village, **assigned}],
            risk_points=[],
            village_tiers={village_id: (Tier("黄", {3: 50.0}), Tier("红", {3: 100.0}))},
        )

    at = START + 24 * HOUR
    day = [at - 300 * i for i in range(287, -1, -1)]
    source = ArrayReadings()
    for sid, per_step in ((a, 1.0), (b, 2.0), (c, 4.0)):  # 36 steps in the last 3 h
        source.put(sid, "rain", day, [0.0] * 252 + [per_step] * 36)

    [e] = [e for e in assess(inputs(), source, at).endangered if e.place_id == village_id]
    assert (e.level, e.station_id) == ("黄", b) and "72" in e.reason
    # B 6 km away: beyond NEAR_KM, only the nearest (A, 36 mm) judges it.
    assert not [e for e in assess(inputs(6.0), source, at).endangered if e.kind == "village"]
    # Assigned to A: A's rain alone, whatever is near.
    assigned = assess(inputs(station_id=a), source, at)
    assert not [e for e in assigned.endangered if e.kind == "village"]
    # A tie: the nearest is named.
    source.put(a, "rain", day, [0.0] * 252 + [2.0] * 36)
    [e] = [e for e in assess(inputs(), source, at).endangered if e.place_id == village_id]
    assert (e.level, e.station_id) == ("黄", a)
