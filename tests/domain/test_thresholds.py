"""The threshold engine's rules, each at its boundary, with hand-computed numbers."""

from __future__ import annotations

import numpy as np
import pytest

from console.domain import thresholds as th
from console.domain.thresholds import (
    DEFAULT_SIGNAL_RULES,
    HOUR,
    Measures,
    Projection,
    RainSeries,
    ResponseTrigger,
    SignalRule,
    Tier,
    lines_over,
    propose_response,
    rainstorm_signal,
    risk_point_tiers,
    rolling_sums,
    tier_level,
)

AT = 1_700_006_400  # a whole hour (epoch seconds divisible by 3600)


def five_minute(hours: int, mm_each: float, end: int = AT) -> tuple[np.ndarray, np.ndarray]:
    n = hours * 12
    ts = end - 300 * np.arange(n - 1, -1, -1, dtype=np.int64)
    return ts, np.full(n, mm_each)


# ---------------------------------------------------------------- rolling sums


def test_window_takes_intervals_ending_after_its_start_up_to_at() -> None:
    # Hourly readings stamped at AT-3h, AT-2h, AT-1h, AT: 1, 2, 4, 8 mm.
    ts = np.array([AT - 3 * HOUR, AT - 2 * HOUR, AT - HOUR, AT], dtype=np.int64)
    mm = np.array([1.0, 2.0, 4.0, 8.0])
    sums = rolling_sums(ts, mm, AT, windows=(1, 3))
    # 1 h: (AT-1h, AT] holds only the reading at AT; the one stamped AT-1h ended before.
    assert sums[1].mm == 8.0
    # 3 h: (AT-3h, AT] holds 2 + 4 + 8; the reading stamped exactly AT-3h is outside.
    assert sums[3].mm == 14.0
    assert sums[1].complete and sums[3].complete
    # A reading after `at` is not counted.
    later = rolling_sums(ts, mm, AT - HOUR, windows=(1,))
    assert later[1].mm == 4.0


def test_five_minute_series_sums_and_completeness() -> None:
    ts, mm = five_minute(24, 0.5)
    sums = rolling_sums(ts, mm, AT)
    assert {h: s.mm for h, s in sums.items()} == {1: 6.0, 3: 18.0, 6: 36.0, 12: 72.0, 24: 144.0}
    assert all(s.complete for s in sums.values())
    assert sums[1].readings == sums[1].expected == 12


def test_a_silent_gauge_makes_its_windows_incomplete_not_zero() -> None:
    # 5-minute data for 24 h, but the last 30 minutes missing: the 1 h window has 6 of 12.
    ts, mm = five_minute(24, 1.0, end=AT - 1800)
    sums = rolling_sums(ts, mm, AT)
    assert sums[1].mm == 6.0 and sums[1].readings == 6 and sums[1].expected == 12
    assert not sums[1].complete and not sums[24].complete
    assert "1小时（6/12）" in th.incomplete_note(sums)
    # NaN values are missing readings too.
    ts, mm = five_minute(1, 1.0)
    mm[3] = np.nan
    one = rolling_sums(ts, mm, AT, windows=(1,))[1]
    assert one.mm == 11.0 and not one.complete
    # Hourly data: one reading per hour is complete.
    hourly = rolling_sums(np.array([AT], dtype=np.int64), np.array([3.0]), AT, (1,), HOUR)
    assert hourly[1].complete and hourly[1].expected == 1


# ---------------------------------------------------------------- signals and tiers


@pytest.mark.parametrize(
    ("sums", "level"),
    [
        ({12: 49.9, 6: 0, 3: 0}, None),
        ({12: 50.0, 6: 0, 3: 0}, "蓝"),
        ({12: 50.0, 6: 49.9, 3: 0}, "蓝"),
        ({12: 50.0, 6: 50.0, 3: 49.9}, "黄"),
        ({12: 50.0, 6: 50.0, 3: 50.0}, "橙"),
        ({12: 100.0, 6: 100.0, 3: 99.9}, "橙"),
        ({12: 100.0, 6: 100.0, 3: 100.0}, "红"),
    ],
)
def test_default_rainstorm_signals_at_each_boundary(
    sums: dict[int, float], level: str | None
) -> None:
    got = rainstorm_signal(sums)
    assert (got.level if got else None) == level


def test_signal_table_is_configurable() -> None:
    rules = (SignalRule("黄", 1, 30.0), SignalRule("红", 1, 60.0))
    assert rainstorm_signal({1: 29.9}, rules) is None
    got = rainstorm_signal({1: 30.0}, rules)
    assert got is not None and (got.level, got.hours, got.mm, got.value) == ("黄", 1, 30.0, 30.0)
    got = rainstorm_signal({1: 60.0}, rules)
    assert got is not None and got.level == "红"


def test_tiers_any_window_reaching_its_critical_rain() -> None:
    # One county's published example (DOMAIN.md), the middle colours interpolated.
    tiers = (
        Tier("蓝", {1: 35.0, 3: 55.0, 6: 70.0, 24: 100.0}),
        Tier("黄", {1: 50.0, 3: 75.0, 6: 95.0, 24: 135.0}),
        Tier("橙", {1: 65.0, 3: 100.0, 6: 120.0, 24: 170.0}),
        Tier("红", {1: 80.0, 3: 120.0, 6: 150.0, 24: 200.0}),
    )
    assert tier_level({1: 34.9, 3: 54.9, 6: 69.9, 24: 99.9}, tiers) is None
    got = tier_level({1: 0.0, 3: 0.0, 6: 0.0, 24: 100.0}, tiers)
    assert got is not None and (got.level, got.hours) == ("蓝", 24)
    got = tier_level({1: 80.0, 3: 80.0, 6: 80.0, 24: 80.0}, tiers)
    assert got is not None and (got.level, got.hours, got.mm) == ("红", 1, 80.0)
    assert th.reason_text(got) == "1小时雨量 80 毫米，已达红色临界雨量 80 毫米"
    # A window without a threshold never triggers.
    assert tier_level({12: 500.0}, tiers) is None


def test_risk_point_fields_are_yellow_and_red_tiers() -> None:
    tiers = risk_point_tiers(
        {"prepare_rain_1h_mm": 30.0, "prepare_rain_3h_mm": None, "evacuate_rain_24h_mm": 120}
    )
    assert tiers == (Tier("黄", {1: 30.0}), Tier("红", {24: 120.0}))
    assert risk_point_tiers({}) == ()
    got = tier_level({1: 30.0, 24: 119.9}, tiers)
    assert got is not None and got.level == "黄"
    got = tier_level({1: 0.0, 24: 120.0}, tiers)
    assert got is not None and got.level == "红"


# ---------------------------------------------------------------- water lines


def test_lines_reached_at_or_above() -> None:
    reservoir = {"flood_limit_level_m": 100.0, "warning_level_m": 101.0, "guarantee_level_m": 103}
    assert lines_over(99.99, reservoir) == ()
    assert lines_over(100.0, reservoir) == ("汛限水位",)
    assert lines_over(101.0, reservoir) == ("汛限水位", "警戒水位")
    assert lines_over(103.0, reservoir) == ("汛限水位", "警戒水位", "保证水位")
    assert lines_over(None, reservoir) == ()
    assert lines_over(500.0, {"warning_level_m": None}) == ()


def test_line_colours_for_places() -> None:
    assert th.line_level(()) == ""
    assert th.line_level(("汛限水位",)) == "黄"
    assert th.line_level(("汛限水位", "警戒水位")) == "橙"
    assert th.line_level(("汛限水位", "警戒水位", "保证水位")) == "红"
    assert (
        th.line_reason("湖山水库", 120.0, ("汛限水位",)) == "湖山水库水位 120.00 米，已达汛限水位"
    )


# ---------------------------------------------------------------- projection


def flat_tail(mm_per_h: float, hours: float) -> th.Callable[[np.ndarray], np.ndarray]:
    """Observed tail of a uniform rain of mm_per_h over the last `hours`."""

    def tail(seconds: np.ndarray) -> np.ndarray:
        return np.minimum(seconds / HOUR, hours) * mm_per_h

    return tail


def test_projection_with_no_past_rain_is_the_forecast_itself() -> None:
    # Nothing observed; 120 mm forecast in the next 3 h (40 mm/h): 3 h sum reaches 100 mm
    # at t = 2.5 h (40 * 2.5), 50 mm (橙) at 1.25 h.
    p = Projection(flat_tail(0, 0), {3: 120.0})
    assert p.first(SignalRule("红", 3, 100.0)) == pytest.approx(2.5)
    assert p.first(SignalRule("橙", 3, 50.0)) == pytest.approx(1.25)
    e = p.expected(DEFAULT_SIGNAL_RULES)
    assert e is not None and e.threshold.level == "红" and e.in_h == pytest.approx(2.5)
    assert th.hours_text(e.in_h) == "约 2.5 小时后"


def test_projection_counts_only_rain_still_inside_the_window() -> None:
    # 60 mm fell in the last hour (60 mm/h); 60 mm forecast over the next 3 h (20 mm/h).
    # 3 h sum at t <= 2 (the 60 mm stay inside): 60 + 20 t -> 100 mm at t = 2 h exactly.
    p = Projection(flat_tail(60, 1), {3: 60.0})
    assert p.first(SignalRule("红", 3, 100.0)) == pytest.approx(2.0)
    # The same 60 mm spread over the last 3 h (20 mm/h) falls out as the forecast comes:
    # sum = 60 - 20 t + 20 t = 60 while t <= 2 h; never 100.
    assert Projection(flat_tail(20, 3), {3: 60.0}).first(SignalRule("红", 3, 100.0)) is None
    # Already reached: zero hours.
    assert p.first(SignalRule("橙", 3, 50.0)) == 0.0
    assert th.hours_text(0.0) == "现已"
    assert th.hours_text(0.25) == "约 15 分钟后"


def test_forecast_rate_is_uniform_within_each_horizon() -> None:
    curve = th.forecast_curve({1: 10.0, 3: 30.0, 24: 30.0})
    got = curve(np.array([0.5, 1.0, 2.0, 3.0, 10.0, 30.0]))
    assert got.tolist() == pytest.approx([5.0, 10.0, 20.0, 30.0, 30.0, 30.0])
    # A horizon below an earlier one is raised to it.
    assert th.forecast_curve({1: 10.0, 3: 5.0})(np.array([3.0])).tolist() == [10.0]


def test_expected_note_text() -> None:
    p = Projection(flat_tail(60, 1), {3: 60.0})
    e = p.expected(DEFAULT_SIGNAL_RULES)
    assert e is not None and e.threshold.level == "红"
    note = th.expected_note({3: 60.0}, {3: 60.0}, e)
    assert note == "已 60 毫米/3小时，预报再 60 毫米/3小时：约 2 小时后达红色"


def test_rain_series_tail_matches_window() -> None:
    ts, mm = five_minute(3, 1.0)
    series = RainSeries(ts, mm, AT)
    assert series.tail(HOUR) == 12.0
    assert series.tails(np.array([300.0, 600.0, 0.0])).tolist() == [1.0, 2.0, 0.0]


# ---------------------------------------------------------------- response level


def test_response_iv_bounds_and_forecast_condition() -> None:
    assert propose_response(Measures(area_24h=49.9, more_forecast=True)) == ("", ())
    level, reasons = propose_response(Measures(area_24h=50.0, more_forecast=True))
    assert level == "IV"
    assert reasons == ("IV级：全县24小时面雨量 50 毫米（50–80 毫米），且预报仍有降雨",)
    # Without more rain forecast the area trigger does not hold.
    assert propose_response(Measures(area_24h=50.0)) == ("", ())
    # 80 mm is III's band, not IV's.
    assert propose_response(Measures(area_24h=80.0, more_forecast=True))[0] == "III"
    # 3 h locally: 50 <= x < 100 is IV, 100 is III.
    assert propose_response(Measures(point_3h=99.9))[0] == "IV"
    assert propose_response(Measures(point_3h=100.0))[0] == "III"
    # A reservoir over its flood-limit level.
    level, reasons = propose_response(Measures(reservoirs_over=1))
    assert level == "IV" and reasons == ("IV级：超汛限水库数 1 个（1 个以上）",)
    assert propose_response(Measures(over_warning=1))[0] == "IV"
    assert propose_response(Measures(over_guarantee=1))[0] == "III"
    assert propose_response(Measures(over_guarantee=3))[0] == "II"
    assert propose_response(Measures(area_24h=200.0))[0] == "I"


def test_response_triggers_are_configurable() -> None:
    triggers = (ResponseTrigger("II", th.METRIC_POINT_24H, 150.0),)
    assert propose_response(Measures(point_24h=149.9), triggers) == ("", ())
    assert propose_response(Measures(point_24h=150.0), triggers)[0] == "II"
