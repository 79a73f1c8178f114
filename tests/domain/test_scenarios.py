"""Simulated readings for drills: totals, shape, determinism, marked as simulated."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from console.domain import scenarios
from console.domain.scenarios import SCENARIOS, Reading, readings
from console.domain.situation import LEVEL_RANK
from console.domain.thresholds import HOUR, rainstorm_signal, rolling_sums
from console.services.sample_data import read_sample

START = 1_474_992_000  # 2016-09-28 00:00 Beijing (2016-09-27T16:00Z)


def sample_stations() -> list[dict[str, object]]:
    stations = [dict(s) for s in read_sample()["stations"]]
    # A reservoir with its lines, as a county's own file would add it.
    stations.append(
        {
            "code": "R001",
            "kind": "水库",
            "township": "湖山乡",
            "lon": 119.15,
            "lat": 28.55,
            "flood_limit_level_m": 120.0,
        }
    )
    return stations


def by_station(rows: list[Reading], kind: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    grouped: dict[str, list[Reading]] = defaultdict(list)
    for r in rows:
        if r.kind == kind:
            grouped[r.station_code].append(r)
    return {
        code: (np.array([r.ts for r in rs], dtype=np.int64), np.array([r.value for r in rs]))
        for code, rs in grouped.items()
    }


def test_registry_has_chinese_titles_and_says_simulated() -> None:
    assert set(SCENARIOS) == {"nianyu-2016", "short-storm", "dry"}
    for scenario in SCENARIOS.values():
        assert "模拟" in scenario.title
        assert "模拟" in scenario.description or "演练" in scenario.description
    assert "并非实测" in SCENARIOS["nianyu-2016"].description
    with pytest.raises(KeyError, match="没有名为"):
        list(readings("no-such", [], START))


def test_nianyu_gives_about_101_mm_in_24_h_at_beijie() -> None:
    rows = list(readings("nianyu-2016", sample_stations(), START))
    assert all(r.simulated for r in rows)
    rain = by_station(rows, "rain")
    stations = {s["code"]: s for s in sample_stations()}
    beijie = [c for c, s in stations.items() if s["township"] == "北界镇" and c in rain]
    assert beijie
    for code in beijie:
        ts, mm = rain[code]
        assert ts[0] == START + 300 and ts[-1] == START + 24 * HOUR  # 5-minute, 288 readings
        assert len(ts) == 288 and all(np.diff(ts) == 300)
        total = rolling_sums(ts, mm, START + 24 * HOUR)[24].mm
        assert total == pytest.approx(101.0, abs=0.05)
        # Heaviest in the afternoon: the wettest hour is between 13:00 and 18:00 Beijing.
        hourly = mm.reshape(24, 12).sum(axis=1)
        assert 13 <= int(np.argmax(hourly)) < 18
    # Everywhere else less, but never nothing.
    others = [rolling_sums(*rain[c], START + 24 * HOUR)[24].mm for c in rain if c not in beijie]
    assert others and all(0.25 * 101 - 0.1 <= t < 101.0 for t in others)


def test_hourly_readings_add_up_the_same() -> None:
    rows = [r for r in readings("nianyu-2016", sample_stations(), START, interval_s=3600)]
    s001 = [r for r in rows if r.station_code == "S001" and r.kind == "rain"]
    assert len(s001) == 24 and all(r.interval_s == 3600 for r in s001)
    assert sum(r.value for r in s001) == pytest.approx(101.0, abs=0.05)
    with pytest.raises(ValueError):
        list(readings("dry", sample_stations(), START, interval_s=7))


def test_nianyu_levels_rise_and_the_reservoir_passes_its_flood_limit() -> None:
    rows = list(readings("nianyu-2016", sample_stations(), START))
    levels = by_station(rows, "level")
    _ts, reservoir = levels["R001"]
    assert reservoir[0] < 120.0 <= reservoir.max()
    stations = {s["code"]: s for s in read_sample()["stations"]}
    beijie_level = next(c for c, s in stations.items() if s["township"] == "北界镇" and c in levels)
    _ts, values = levels[beijie_level]
    warning = float(stations[beijie_level]["warning_level_m"])
    assert values[0] < warning <= values.max()
    assert int(np.argmax(values)) > 15 * 12  # after the afternoon's rain


def test_same_inputs_same_readings() -> None:
    a = list(readings("nianyu-2016", sample_stations(), START))
    b = list(readings("nianyu-2016", sample_stations(), START))
    assert a == b
    shifted = list(readings("nianyu-2016", sample_stations(), START + HOUR))
    assert [r.value for r in shifted] == [r.value for r in a]
    assert shifted[0].ts == a[0].ts + HOUR


def test_short_storm_reaches_red_at_its_township_only() -> None:
    rows = list(readings("short-storm", sample_stations(), START))
    rain = by_station(rows, "rain")
    stations = {s["code"]: s for s in sample_stations()}
    at = START + 4 * HOUR
    signals = {}
    for code, (ts, mm) in rain.items():
        sums = {h: w.mm for h, w in rolling_sums(ts, mm, at).items()}
        got = rainstorm_signal(sums)
        signals[code] = got.level if got else ""
    centre = [c for c in rain if stations[c]["township"] == scenarios.SHORT_STORM_TOWNSHIP]
    assert centre and all(signals[c] == "红" for c in centre)
    assert all(LEVEL_RANK[signals[c]] < LEVEL_RANK["红"] for c in rain if c not in centre)


def test_stations_from_records_name_their_township() -> None:
    rows = [
        {
            "id": "x",
            "code": "S001",
            "kind": "雨量站",
            "township_id": "t1",
            "lon": 119.4,
            "lat": 28.7,
            "warning_level_m": None,
        },
        {
            "id": "y",
            "code": "S002",
            "kind": "水库",
            "township_id": None,
            "lon": None,
            "lat": None,
            "flood_limit_level_m": 120,
        },
    ]
    got = scenarios.stations_from_records(rows, {"t1": "北界镇"})
    assert [(s.code, s.township, s.flood_limit_level_m) for s in got] == [
        ("S001", "北界镇", None),
        ("S002", "", 120.0),
    ]
    # The stations of 北界镇 get 北界镇's rain, whatever their records look like.
    rain = [r for r in readings("nianyu-2016", got, START) if r.kind == "rain"]
    assert sum(r.value for r in rain) == pytest.approx(101.0, abs=0.05)


def test_dry_has_no_rain_and_levels_below_their_lines() -> None:
    rows = list(readings("dry", sample_stations(), START))
    assert rows and all(r.value == 0.0 for r in rows if r.kind == "rain")
    stations = {s["code"]: s for s in sample_stations()}
    for r in rows:
        if r.kind == "level":
            line = stations[r.station_code].get("warning_level_m") or stations[r.station_code].get(
                "flood_limit_level_m"
            )
            if line is not None:
                assert r.value < float(line)  # type: ignore[arg-type]
