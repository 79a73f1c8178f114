"""雨水情 service: hour and day rain sums (hand-computed), the running total, station lines,
and the station list over the sample county; the array readings source the charts are
tested with."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from console.domain.beijing import BEIJING
from console.services.context import Workstation
from console.services.monitoring import (
    DAY,
    HOUR,
    MonitorStations,
    WaterLine,
    bucket_sums,
    running_total,
    station_lines,
)
from console.services.sample_data import read_sample
from testkit.readings_arrays import ArrayReadings, five_minute_times

# 2026-07-01 00:00 Beijing = 2026-06-30 16:00 UTC
MIDNIGHT = int(datetime(2026, 7, 1, tzinfo=BEIJING).timestamp())


def _t(hh: int, mm: int) -> int:
    return MIDNIGHT + hh * HOUR + mm * 60


def test_hour_bars_sum_the_readings_ending_in_each_hour() -> None:
    # A reading is the rain of the 5 minutes *ending* at its time: 01:00 belongs to 00-01.
    times = np.array(
        [_t(0, 5), _t(0, 30), _t(1, 0), _t(1, 5), _t(1, 55), _t(3, 0), _t(3, 5)], np.int64
    )
    rain = np.array([1.0, 2.5, 0.5, 4.0, 1.0, 3.0, 0.2])
    ends, sums = bucket_sums(times, rain, HOUR)
    # 00-01: 1.0 + 2.5 + 0.5 = 4.0; 01-02: 4.0 + 1.0 = 5.0; 02-03: 3.0; 03-04: 0.2
    assert ends.tolist() == [_t(1, 0), _t(2, 0), _t(3, 0), _t(4, 0)]
    assert np.allclose(sums, [4.0, 5.0, 3.0, 0.2])
    assert ends.dtype == np.int64


def test_day_bars_end_at_beijing_midnight() -> None:
    # 23:55 Beijing on 30 June, 00:00 (still 30 June's last interval), 00:05 on 1 July.
    times = np.array([MIDNIGHT - 300, MIDNIGHT, MIDNIGHT + 300, MIDNIGHT + 20 * HOUR], np.int64)
    ends, sums = bucket_sums(times, np.array([1.0, 2.0, 4.0, 8.0]), DAY)
    assert ends.tolist() == [MIDNIGHT, MIDNIGHT + DAY]
    assert sums.tolist() == [3.0, 12.0]
    assert datetime.fromtimestamp(int(ends[1]), BEIJING).hour == 0


def test_a_whole_day_of_five_minute_readings_gives_24_hour_bars() -> None:
    times = five_minute_times(MIDNIGHT + 1, MIDNIGHT + DAY)  # 00:05 .. 24:00
    assert len(times) == 288
    rain = np.arange(288, dtype=np.float64) % 12  # 0..11 in every hour: 66 mm per hour
    ends, sums = bucket_sums(times, rain, HOUR)
    assert len(ends) == 24
    assert np.allclose(sums, 66.0)


def test_no_readings_no_bars_and_the_running_total() -> None:
    ends, sums = bucket_sums(np.zeros(0, np.int64), np.zeros(0), HOUR)
    assert len(ends) == len(sums) == 0
    assert running_total(np.array([1.0, 0.0, 2.5, 0.5])).tolist() == [1.0, 1.0, 3.5, 4.0]


def test_lines_of_a_station_only_those_it_has_and_flood_limit_for_reservoirs_only() -> None:
    river = {"kind": "水位站", "warning_level_m": 3.8, "guarantee_level_m": 5.2}
    assert station_lines(river) == (WaterLine("警戒水位", 3.8), WaterLine("保证水位", 5.2))
    reservoir = {"kind": "水库", "flood_limit_level_m": 120.5, "warning_level_m": 122.0}
    assert station_lines(reservoir) == (
        WaterLine("汛限水位", 120.5),
        WaterLine("警戒水位", 122.0),
    )
    assert station_lines({"kind": "雨量站"}) == ()
    assert station_lines({"kind": "水位站", "flood_limit_level_m": 1.0}) == ()


def test_station_list_over_the_sample_county(workstation: Workstation) -> None:
    stations = MonitorStations(workstation.queries).stations()
    by_name = {s.name: s for s in stations}
    assert len(stations) == len(read_sample()["stations"])  # every sample station
    rain = by_name["苏村雨量站"]
    assert (rain.kind, rain.township, rain.reading_kind, rain.lines) == (
        "雨量站",
        "北界镇",
        "rain",
        (),
    )
    level = by_name["松阴溪城南水位站"]
    assert level.reading_kind == "level"
    assert level.township == "妙高街道"
    assert level.lines == (WaterLine("警戒水位", 3.8), WaterLine("保证水位", 5.2))
    assert by_name["乌溪江焦滩水文站"].reading_kind == "level"


def test_array_readings_slices_merges_and_stamps() -> None:
    source = ArrayReadings()
    assert source.stamp() == 0 and source.latest("rain") == {}
    times = five_minute_times(_t(0, 0), _t(1, 0))  # 00:00 .. 01:00, 13 readings
    source.add("s1", "rain", times, np.ones(len(times)))
    assert source.stamp() == 1
    t, v = source.series("s1", "rain", _t(0, 10), _t(0, 20))
    assert t.tolist() == [_t(0, 10), _t(0, 15), _t(0, 20)]
    assert v.tolist() == [1.0, 1.0, 1.0]
    assert source.series("s1", "level", 0, 2**40)[0].size == 0
    source.add("s1", "rain", np.array([_t(1, 0), _t(1, 5)]), np.array([7.0, 2.0]), simulated=True)
    assert source.stamp() == 2
    assert source.latest("rain") == {"s1": (_t(1, 5), 2.0)}
    assert source.series("s1", "rain", _t(1, 0), _t(1, 0))[1].tolist() == [7.0]  # replaced
    assert source.simulated("s1", _t(0, 55), _t(1, 0))
    assert not source.simulated("s1", _t(0, 0), _t(0, 55))
