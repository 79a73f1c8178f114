"""Simulated readings for drills (模拟): ``duty-server simulate-readings --scenario NAME``.

Pure and deterministic: given a scenario name, the stations (code, kind, township name,
lon/lat, and the lines of level stations when known) and a start time, :func:`readings`
yields the readings a real network would send, every one marked ``simulated=True``. The same
inputs always give the same readings (noise comes from a seed per scenario and station).

Scenarios (:data:`SCENARIOS`):

- ``nianyu-2016``: a **reconstruction for drills**, not gauge data, of the rain typhoon 鲇鱼
  (Megi) brought to 遂昌 on 2016-09-28, the day a landslide at 苏村, 北界镇 buried 27 people
  after about 101 mm of rain in 24 h (DOMAIN.md). The stations of 北界镇 get 101 mm over the
  24 h from ``start`` (taken as midnight, Beijing time), shaped as a typhoon's rain band:
  light at night, heaviest in the afternoon (peak 15:00), easing in the evening. Elsewhere
  the total decays with distance from 北界镇 (half at about 28 km, never below a quarter).
  Level stations rise after the rain with a lag of about three hours, by more the nearer
  they are to 北界镇: those of 北界镇 and its neighbours pass their 警戒水位; a reservoir
  rises through its 汛限水位.
- ``short-storm``: a local convective cell: 120 mm in 3 h at one township (红 by the
  rainstorm-signal table: 3 h >= 100 mm), falling off within about 10 km.
- ``dry``: 24 h without rain; levels steady below their lines.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

HOUR = 3600
DEFAULT_INTERVAL_S = 300
SIMULATED_NOTICE = "模拟数据：仅供演练，并非实测"

RAIN_KINDS = frozenset({"雨量站", "水文站"})
LEVEL_KINDS = frozenset({"水位站", "水文站", "水库"})
RESERVOIR = "水库"


@dataclass(frozen=True)
class Reading:
    """One simulated reading: rain is the mm of the ``interval_s`` ending at ``ts``."""

    station_code: str
    kind: str  # "rain" | "level"
    ts: int
    value: float
    interval_s: int
    simulated: bool = True


@dataclass(frozen=True)
class ScenarioStation:
    code: str
    kind: str
    township: str
    lon: float | None
    lat: float | None
    warning_level_m: float | None = None
    guarantee_level_m: float | None = None
    flood_limit_level_m: float | None = None

    @classmethod
    def of(cls, item: ScenarioStation | Mapping[str, Any]) -> ScenarioStation:
        if isinstance(item, ScenarioStation):
            return item

        def num(key: str) -> float | None:
            value = item.get(key)
            return None if value is None else float(value)

        return cls(
            code=str(item["code"]),
            kind=str(item["kind"]),
            township=str(item.get("township") or ""),
            lon=num("lon"),
            lat=num("lat"),
            warning_level_m=num("warning_level_m"),
            guarantee_level_m=num("guarantee_level_m"),
            flood_limit_level_m=num("flood_limit_level_m"),
        )


def stations_from_records(
    stations: Iterable[Mapping[str, Any]], township_names: Mapping[str, str]
) -> list[ScenarioStation]:
    """Scenario stations from live ``stations`` rows (township by id) and the townships'
    names by id: what ``duty-server simulate-readings`` reads from its database."""
    return [
        ScenarioStation.of(
            {**row, "township": township_names.get(row.get("township_id") or "", "")}
        )
        for row in stations
    ]


Generator = Callable[[Sequence[ScenarioStation], int, int], Iterator[Reading]]


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str  # Chinese, for lists
    description: str  # Chinese, says it is a simulation
    hours: int  # how long its readings run from the start
    generate: Generator


# ---------------------------------------------------------------- shared shapes


def _seed(*parts: str) -> int:
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111.32 * math.cos(math.radians((a[1] + b[1]) / 2))
    dy = (a[1] - b[1]) * 110.57
    return math.hypot(dx, dy)


def _centre(
    stations: Sequence[ScenarioStation], township: str, fallback: tuple[float, float]
) -> tuple[float, float]:
    pts = [
        (s.lon, s.lat)
        for s in stations
        if s.township == township and s.lon is not None and s.lat is not None
    ]
    if not pts:
        return fallback
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def _distribute(
    hourly_mm: Sequence[float], interval_s: int, rng: random.Random, total: float
) -> list[float]:
    """Hourly amounts spread over the intervals of each hour with some noise, scaled to
    ``total`` and rounded to 0.1 mm so that the rounded values still add up to it."""
    per_hour = max(1, HOUR // interval_s)
    raw: list[float] = []
    for mm in hourly_mm:
        weights = [0.6 + 0.8 * rng.random() for _ in range(per_hour)]
        scale = sum(weights)
        raw.extend(mm * w / scale for w in weights)
    current = sum(raw)
    if current <= 0:
        return [0.0] * len(raw)
    out: list[float] = []
    done_raw = done_rounded = 0.0
    for value in raw:
        done_raw += value * total / current
        step = round(round(done_raw, 1) - done_rounded, 1)
        out.append(max(step, 0.0))
        done_rounded = round(done_rounded + step, 1)
    return out


def _hydrograph(hourly: Sequence[float], lag_kernel: Sequence[float]) -> list[float]:
    """The response of a level to hourly rain (a unit hydrograph), 0..1 at its peak."""
    out = [0.0] * len(hourly)
    for i in range(len(hourly)):
        out[i] = sum(
            hourly[i - j] * k for j, k in enumerate(lag_kernel) if i - j >= 0 and hourly[i - j] > 0
        )
    peak = max(out, default=0.0)
    return [v / peak for v in out] if peak > 0 else out


_KERNEL = (0.0, 0.5, 1.5, 3.0, 2.5, 1.8, 1.2, 0.8, 0.5, 0.3)  # peaks three hours after rain


def _level_series(
    station: ScenarioStation,
    response: Sequence[float],
    factor: float,
    start: int,
    interval_s: int,
    rng: random.Random,
    *,
    stay_below: bool = False,
) -> Iterator[Reading]:
    """Levels every interval: a base below the station's lines plus the response to rain.
    A reservoir starts 0.6 m below its 汛限水位 and, with full rain, passes it by 0.4 m; a
    river gauge starts 1.2 m below 警戒 and, with full rain, passes it by 0.6 m."""
    if station.kind == RESERVOIR and station.flood_limit_level_m is not None:
        base, rise = station.flood_limit_level_m - 0.6, 1.0
    elif station.warning_level_m is not None:
        base, rise = station.warning_level_m - 1.2, 1.8
    elif station.flood_limit_level_m is not None:
        base, rise = station.flood_limit_level_m - 0.6, 1.0
    else:
        base, rise = 2.0, 1.5
    if stay_below:
        rise = 0.0
    per_hour = max(1, HOUR // interval_s)
    for i in range(len(response) * per_hour):
        h = i / per_hour
        lo = int(h)
        hi = min(lo + 1, len(response) - 1)
        r = response[lo] + (response[hi] - response[lo]) * (h - lo)
        value = base + rise * factor * r + rng.uniform(-0.005, 0.005)
        yield Reading(
            station.code, "level", start + (i + 1) * interval_s, round(value, 3), interval_s
        )


def _rain_series(
    station: ScenarioStation,
    hourly: Sequence[float],
    total: float,
    start: int,
    interval_s: int,
    rng: random.Random,
) -> Iterator[Reading]:
    for i, mm in enumerate(_distribute(hourly, interval_s, rng, total)):
        yield Reading(station.code, "rain", start + (i + 1) * interval_s, mm, interval_s)


def _sorted(stations: Sequence[ScenarioStation]) -> list[ScenarioStation]:
    return sorted(stations, key=lambda s: s.code)


# ---------------------------------------------------------------- 鲇鱼 2016


NIANYU_TOTAL_MM = 101.0  # 北界镇, 24 h (DOMAIN.md: about 101 mm before the 苏村 landslide)
NIANYU_TOWNSHIP = "北界镇"
NIANYU_CENTRE = (119.41, 28.71)  # approximate; the stations of 北界镇 are used when given
NIANYU_HALF_KM = 28.0
NIANYU_PEAK_HOUR = 15.0  # Beijing time, afternoon


def nianyu_hourly() -> list[float]:
    """The hourly shape of the day (fractions adding to 1): a typhoon rain band, light at
    night and early morning, heaviest in the afternoon, easing in the evening."""
    weights = [0.15 + math.exp(-0.5 * ((h + 0.5 - NIANYU_PEAK_HOUR) / 3.5) ** 2) for h in range(24)]
    total = sum(weights)
    return [w / total for w in weights]


def nianyu_factor(distance_km: float) -> float:
    """The share of 北界镇's total a station at that distance gets."""
    return max(0.25, 0.5 ** (distance_km / NIANYU_HALF_KM))


def _nianyu(stations: Sequence[ScenarioStation], start: int, interval_s: int) -> Iterator[Reading]:
    hourly = nianyu_hourly()
    response = _hydrograph(hourly, _KERNEL)
    centre = _centre(stations, NIANYU_TOWNSHIP, NIANYU_CENTRE)
    for st in _sorted(stations):
        rng = random.Random(_seed("nianyu-2016", st.code))
        if st.township == NIANYU_TOWNSHIP:
            factor = 1.0
        elif st.lon is not None and st.lat is not None:
            factor = nianyu_factor(_km((st.lon, st.lat), centre))
        else:
            factor = 0.4
        if st.kind in RAIN_KINDS:
            total = NIANYU_TOTAL_MM * factor
            yield from _rain_series(st, hourly, round(total, 1), start, interval_s, rng)
        if st.kind in LEVEL_KINDS:
            # Reservoirs fill whatever their distance: their basins gather the whole band.
            level_factor = 1.0 if st.kind == RESERVOIR else factor
            yield from _level_series(st, response, level_factor, start, interval_s, rng)


# ---------------------------------------------------------------- short storm

SHORT_STORM_TOWNSHIP = "王村口镇"
SHORT_STORM_TOTAL_MM = 120.0  # in 3 h at the cell's centre
SHORT_STORM_HOURS = 6  # 1 h before, 3 h of storm, 2 h after
# Hour by hour: dry, the cell (30 %, 45 %, 25 %), dry.
SHORT_STORM_SHAPE = (0.0, 0.30, 0.45, 0.25, 0.0, 0.0)


def _short_storm(
    stations: Sequence[ScenarioStation], start: int, interval_s: int
) -> Iterator[Reading]:
    centre = _centre(stations, SHORT_STORM_TOWNSHIP, (119.03, 28.38))
    response = _hydrograph(SHORT_STORM_SHAPE, _KERNEL)
    for st in _sorted(stations):
        rng = random.Random(_seed("short-storm", st.code))
        if st.township == SHORT_STORM_TOWNSHIP:
            factor = 1.0
        elif st.lon is not None and st.lat is not None:
            factor = math.exp(-_km((st.lon, st.lat), centre) / 5.0)
        else:
            factor = 0.0
        if st.kind in RAIN_KINDS:
            total = round(SHORT_STORM_TOTAL_MM * factor, 1)
            yield from _rain_series(st, SHORT_STORM_SHAPE, total, start, interval_s, rng)
        if st.kind in LEVEL_KINDS:
            yield from _level_series(st, response, factor * 0.8, start, interval_s, rng)


# ---------------------------------------------------------------- dry


def _dry(stations: Sequence[ScenarioStation], start: int, interval_s: int) -> Iterator[Reading]:
    flat = [0.0] * 24
    for st in _sorted(stations):
        rng = random.Random(_seed("dry", st.code))
        if st.kind in RAIN_KINDS:
            yield from _rain_series(st, flat, 0.0, start, interval_s, rng)
        if st.kind in LEVEL_KINDS:
            yield from _level_series(st, flat, 0.0, start, interval_s, rng, stay_below=True)


SCENARIOS: dict[str, Scenario] = {
    "nianyu-2016": Scenario(
        "nianyu-2016",
        "台风“鲇鱼”（2016-09-28）重建（模拟）",
        "2016 年 9 月 28 日台风“鲇鱼”影响遂昌的降雨过程重建，供演练使用，并非实测数据："
        "北界镇 24 小时约 101 毫米，午后最强，其余乡镇随距离递减；河道水位随降雨上涨，"
        "北界镇及周边水位站超警戒，水库超汛限。",
        24,
        _nianyu,
    ),
    "short-storm": Scenario(
        "short-storm",
        "局地短时强降雨（模拟）",
        f"{SHORT_STORM_TOWNSHIP}局地强对流：3 小时约 {SHORT_STORM_TOTAL_MM:g} 毫米（达暴雨红色"
        "标准），周边约 10 公里外迅速减弱。模拟数据，供演练使用。",
        SHORT_STORM_HOURS,
        _short_storm,
    ),
    "dry": Scenario(
        "dry",
        "无雨（模拟）",
        "24 小时无降雨，水位平稳且低于各特征水位。模拟数据，供演练使用。",
        24,
        _dry,
    ),
}


def readings(
    name: str,
    stations: Sequence[ScenarioStation | Mapping[str, Any]],
    start: int,
    *,
    interval_s: int = DEFAULT_INTERVAL_S,
) -> Iterator[Reading]:
    """The scenario's readings from ``start`` (epoch seconds), station by station in code
    order, each station's in time order (sort by ``ts`` to replay them as they would
    arrive). Raises KeyError naming the scenarios for an unknown name."""
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise KeyError(f"没有名为 {name} 的模拟场景，可用：{'、'.join(SCENARIOS)}")
    if interval_s <= 0 or HOUR % interval_s:
        raise ValueError("interval_s must divide an hour")
    return scenario.generate([ScenarioStation.of(s) for s in stations], start, interval_s)
