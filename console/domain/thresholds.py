"""The threshold engine's rules (issue #11): pure functions over numbers and arrays.

No Qt, no I/O: :mod:`console.services.situation` reads the store and the readings and calls
these; the tests compute each boundary by hand.

Rules, each configurable (the county's rows replace the defaults kept here):

- **Rolling sums** (:func:`rolling_sums`): the rain of the readings whose interval ends in
  ``(at - window, at]``, for 1/3/6/12/24 h, from 5-minute or hourly data alike. A window the
  readings do not cover (a gauge silent for a while, a series that begins inside it) is
  marked incomplete, never filled in.
- **Rainstorm signals** (:func:`rainstorm_signal`, :data:`DEFAULT_SIGNAL_RULES`).
- **Critical rainfall tiers** of a village or risk point (:func:`tier_level`).
- **Water lines** (:func:`lines_over`): 汛限 / 警戒 / 保证水位 reached.
- **Forecast projection** (:class:`Projection`): when a tier or a signal is reached if the
  forecast rain falls.
- **Response level** (:func:`propose_response`, :data:`DEFAULT_RESPONSE_TRIGGERS`).

A threshold is reached when the value is **at or above** it (``>=``), as the signal rules
say ("达 50 毫米以上").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.domain.rain_catalog import (
    COUNT_METRICS,
    DEFAULT_SIGNALS,
    METRIC_AREA_24H,
    METRIC_OVER_GUARANTEE,
    METRIC_OVER_WARNING,
    METRIC_POINT_3H,
    METRIC_POINT_24H,
    METRIC_RESERVOIR,
    SIGNAL_BASIS,
)
from console.domain.situation import (
    LEVEL_RANK,
    RAIN_WINDOWS,
    RESPONSE_LEVELS,
    RESPONSE_RANK,
)

HOUR = 3600
# The step the projection looks ahead in (5 minutes, the finest interval of the gauges).
PROJECTION_STEP_S = 300

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# ---------------------------------------------------------------- rolling sums


@dataclass(frozen=True)
class WindowSum:
    """The rain of one window ending at ``at``."""

    hours: int
    mm: float
    readings: int  # readings with a value whose interval ends in the window
    expected: int  # readings a complete window holds at the series' interval
    complete: bool  # every interval of the window has a reading


def series_interval(ts: IntArray) -> int:
    """The reporting interval of a series in seconds: the most common gap between readings
    (5-minute and hourly series alike); one hour when it cannot be told (fewer than two)."""
    if len(ts) < 2:
        return HOUR
    gaps = np.diff(ts)
    if gaps[0] > 0 and bool((gaps == gaps[0]).all()):
        return int(gaps[0])  # the usual case: a regular series
    gaps = gaps[gaps > 0]
    if len(gaps) == 0:
        return HOUR
    values, counts = np.unique(gaps, return_counts=True)
    return int(values[int(np.argmax(counts))])


class RainSeries:
    """A station's rain readings, ready for sums over any span ending at or before ``at``.

    ``tail(seconds)`` is the rain of the readings whose interval ends in
    ``(at - seconds, at]``; missing values (NaN) count as no reading.
    """

    def __init__(
        self, ts: IntArray, mm: FloatArray, at: int, interval_s: int | None = None
    ) -> None:
        ts = np.asarray(ts, dtype=np.int64)
        mm = np.asarray(mm, dtype=np.float64)
        valid = np.isfinite(mm)
        self.at = at
        self.interval_s = interval_s or series_interval(ts[valid])
        self._ts = ts
        self._sum = np.concatenate(([0.0], np.cumsum(np.where(valid, mm, 0.0))))
        self._count = np.concatenate(([0], np.cumsum(valid.astype(np.int64))))
        self._end = int(np.searchsorted(ts, at, side="right"))

    def tail(self, seconds: float) -> float:
        start = int(np.searchsorted(self._ts, self.at - seconds, side="right"))
        start = min(start, self._end)
        return float(self._sum[self._end] - self._sum[start])

    def tails(self, seconds: FloatArray) -> FloatArray:
        """:meth:`tail` of many spans at once."""
        starts = np.searchsorted(self._ts, self.at - seconds, side="right")
        starts = np.minimum(starts, self._end)
        return np.asarray(self._sum[self._end] - self._sum[starts], dtype=np.float64)

    def window(self, hours: int) -> WindowSum:
        return self.sums((hours,))[hours]

    def sums(self, windows: Iterable[int] = RAIN_WINDOWS) -> dict[int, WindowSum]:
        hours = np.asarray(list(windows), dtype=np.int64)
        starts = np.searchsorted(self._ts, self.at - hours * HOUR, side="right")
        starts = np.minimum(starts, self._end)
        mm = self._sum[self._end] - self._sum[starts]
        counts = self._count[self._end] - self._count[starts]
        out: dict[int, WindowSum] = {}
        for h, total, n in zip(hours.tolist(), mm.tolist(), counts.tolist(), strict=True):
            expected = max(1, (h * HOUR) // self.interval_s)
            out[h] = WindowSum(h, round(total, 3), n, expected, n >= expected)
        return out


def rolling_sums(
    ts: IntArray,
    mm: FloatArray,
    at: int,
    windows: Iterable[int] = RAIN_WINDOWS,
    interval_s: int | None = None,
) -> dict[int, WindowSum]:
    """The rain of each window ending at ``at``: readings whose interval ends in
    ``(at - hours, at]`` (a reading stamped exactly ``at - hours`` fell before the window)."""
    return RainSeries(ts, mm, at, interval_s).sums(windows)


def incomplete_note(sums: Mapping[int, WindowSum]) -> str:
    """Chinese note naming the windows the readings do not cover ("" when all do)."""
    short = [f"{w.hours}小时（{w.readings}/{w.expected}）" for w in sums.values() if not w.complete]
    return "数据不全：" + "、".join(short) if short else ""


# ---------------------------------------------------------------- signals and tiers


@dataclass(frozen=True)
class SignalRule:
    """One row of the rainstorm-signal table: ``level`` when ``hours`` of rain reach ``mm``."""

    level: str
    hours: int
    mm: float
    basis: str = ""


DEFAULT_SIGNAL_RULES: tuple[SignalRule, ...] = tuple(
    SignalRule(level, hours, mm, SIGNAL_BASIS) for level, hours, mm in DEFAULT_SIGNALS
)


@dataclass(frozen=True)
class Threshold:
    """A rule reached: which colour, over which window, at what value."""

    level: str
    hours: int
    mm: float  # the threshold
    value: float  # the rain that reached it


def _highest(reached: Iterable[Threshold]) -> Threshold | None:
    """The highest colour; among rules of one colour, the one exceeded by the most mm."""

    def rank(t: Threshold) -> tuple[int, float]:
        return LEVEL_RANK[t.level], t.value - t.mm

    return max(reached, key=rank, default=None)


def rainstorm_signal(
    sums: Mapping[int, float], rules: Sequence[SignalRule] = DEFAULT_SIGNAL_RULES
) -> Threshold | None:
    """The highest signal whose window's rain is at or above its mm (None when none is)."""
    return _highest(
        Threshold(r.level, r.hours, r.mm, sums[r.hours])
        for r in rules
        if r.hours in sums and sums[r.hours] >= r.mm
    )


@dataclass(frozen=True)
class Tier:
    """The critical rainfall (临界雨量) of one colour for a place: hours -> mm (a window left
    out has no threshold)."""

    level: str
    mm: Mapping[int, float]


def tier_rules(tiers: Iterable[Tier]) -> tuple[SignalRule, ...]:
    """Tiers as rules (one per colour and window), for :func:`rainstorm_signal` and the
    projection."""
    return tuple(SignalRule(t.level, h, mm) for t in tiers for h, mm in sorted(t.mm.items()))


def tier_level(sums: Mapping[int, float], tiers: Iterable[Tier]) -> Threshold | None:
    """The highest tier any of whose windows is at or above its critical rainfall."""
    return rainstorm_signal(sums, tier_rules(tiers))


def risk_point_tiers(values: Mapping[str, object]) -> tuple[Tier, ...]:
    """A risk point's own critical rainfall (0011 fields) as tiers: 准备转移 is 黄 and 立即转移
    is 红 (the 山洪 practice: prepare at the yellow, move out at the red)."""
    tiers = []
    for level, prefix in (("黄", "prepare"), ("红", "evacuate")):
        mm = {
            h: float(v)
            for h in (1, 3, 24)
            if isinstance(v := values.get(f"{prefix}_rain_{h}h_mm"), int | float)
        }
        if mm:
            tiers.append(Tier(level, mm))
    return tuple(tiers)


def reason_text(t: Threshold, what: str = "临界雨量") -> str:
    """Chinese, e.g. "3小时雨量 62 毫米，已达橙色临界雨量 60 毫米"."""
    return f"{t.hours}小时雨量 {t.value:g} 毫米，已达{t.level}色{what} {t.mm:g} 毫米"


# ---------------------------------------------------------------- water lines

# (column on stations, label), in the order a report lists them.
LEVEL_LINES: tuple[tuple[str, str], ...] = (
    ("flood_limit_level_m", "汛限水位"),
    ("warning_level_m", "警戒水位"),
    ("guarantee_level_m", "保证水位"),
)


def lines_over(level_m: float | None, station: Mapping[str, object]) -> tuple[str, ...]:
    """The lines a level reaches (at or above), lowest line first."""
    if level_m is None or not math.isfinite(level_m):
        return ()
    reached = [
        (float(line), i, label)
        for i, (column, label) in enumerate(LEVEL_LINES)
        if isinstance(line := station.get(column), int | float) and level_m >= line
    ]
    return tuple(label for _, _, label in sorted(reached))


# The colour a place gets when the level station assigned to it reaches a line (inferred
# from the practice: 汛限 is reported daily, 警戒 starts patrols, 保证 is the highest the
# works are built for).
LINE_LEVELS: dict[str, str] = {"汛限水位": "黄", "警戒水位": "橙", "保证水位": "红"}


def line_level(over: Iterable[str]) -> str:
    """The highest colour of the lines reached ("" when none)."""
    level = ""
    for line in over:
        colour = LINE_LEVELS.get(line, "")
        if LEVEL_RANK[colour] > LEVEL_RANK[level]:
            level = colour
    return level


def line_reason(station: str, level_m: float | None, over: Sequence[str]) -> str:
    """Chinese, e.g. "苏村水位站水位 3.19 米，已达警戒水位"."""
    shown = f"{level_m:.2f}" if level_m is not None else "—"
    return f"{station}水位 {shown} 米，已达{'、'.join(over)}"


# ---------------------------------------------------------------- forecast projection


def forecast_curve(forecast: Mapping[int, float]) -> Callable[[FloatArray], FloatArray]:
    """The forecast rain expected by ``t`` hours from now: ``forecast`` gives the mm of the
    next h hours for some horizons (cumulative from now); within each stretch between two
    horizons the rate is uniform. Beyond the last horizon no rain is assumed. A horizon
    whose mm is below an earlier one's is raised to it (rain does not un-fall)."""
    hours = [0.0]
    mm = [0.0]
    for h in sorted(forecast):
        if h <= 0:
            continue
        hours.append(float(h))
        mm.append(max(mm[-1], float(forecast[h])))
    xs, ys = np.asarray(hours), np.asarray(mm)

    def curve(t: FloatArray) -> FloatArray:
        return np.asarray(np.interp(t, xs, ys, left=0.0, right=ys[-1]), dtype=np.float64)

    return curve


@dataclass(frozen=True)
class Expected:
    """A rule expected to be reached ``in_h`` hours from now (0 when already reached)."""

    threshold: Threshold
    in_h: float


class Projection:
    """The rain of each window at future moments: what was observed that is still inside
    the window, plus the forecast rain up to then.

    The sum of window W at ``at + t`` is ``observed tail of (W - t)`` plus ``F(t)`` while
    t < W, and ``F(t) - F(t - W)`` after, where F is :func:`forecast_curve`. Rain that falls
    out of the window counts no longer: "already 62 mm in 3 h, 40 more forecast" reaches
    100 mm in 3 h only if the 62 mm fell recently enough to stay in the window while the 40
    fall.

    ``tail`` gives the observed rain of the last so many seconds (:meth:`RainSeries.tails`,
    or an area mean of several).
    """

    def __init__(
        self,
        tail: Callable[[FloatArray], FloatArray],
        forecast: Mapping[int, float],
        horizon_h: int = 24,
        step_s: int = PROJECTION_STEP_S,
    ) -> None:
        self.t_h = np.arange(0, horizon_h * HOUR + step_s, step_s, dtype=np.float64) / HOUR
        curve = forecast_curve(forecast)
        # Every window at every step at once: rows are windows, columns the steps ahead.
        w = np.asarray(RAIN_WINDOWS, dtype=np.float64)[:, None]
        t = self.t_h[None, :]
        inside = t < w
        spans = np.maximum(w - t, 0.0) * HOUR
        observed = np.where(inside, tail(spans.ravel()).reshape(spans.shape), 0.0)
        gone = np.maximum(t - w, 0.0)
        earlier = np.where(inside, 0.0, curve(gone.ravel()).reshape(gone.shape))
        window_sum = observed + curve(self.t_h)[None, :] - earlier
        running = np.maximum.accumulate(window_sum, axis=1)
        self._running_max: dict[int, FloatArray] = {
            hours: running[i] for i, hours in enumerate(RAIN_WINDOWS)
        }

    def first(self, rule: SignalRule) -> float | None:
        """Hours until ``rule``'s window first reaches its mm (None: not within the horizon)."""
        peak = self._running_max.get(rule.hours)
        if peak is None:
            return None
        # A small tolerance: sums built from float steps must still meet a round threshold.
        i = int(np.searchsorted(peak, rule.mm - 1e-9, side="left"))
        return None if i >= len(peak) else float(self.t_h[i])

    def expected(self, rules: Sequence[SignalRule]) -> Expected | None:
        """The highest rule reached within the horizon, and when it is first reached."""
        best: Expected | None = None
        for rule in rules:
            t = self.first(rule)
            if t is None:
                continue
            peak = float(self._running_max[rule.hours][-1])
            candidate = Expected(Threshold(rule.level, rule.hours, rule.mm, peak), t)
            if best is None:
                best = candidate
                continue
            rank, best_rank = LEVEL_RANK[rule.level], LEVEL_RANK[best.threshold.level]
            if rank > best_rank or (rank == best_rank and t < best.in_h):
                best = candidate
        return best


def hours_text(hours: float) -> str:
    """Chinese "约 N 小时后" / "约 N 分钟后" / "现已"."""
    if hours <= 0:
        return "现已"
    if hours < 1:
        return f"约 {max(5, round(hours * 60 / 5) * 5)} 分钟后"
    return f"约 {round(hours * 2) / 2:g} 小时后"


def expected_note(observed: Mapping[int, float], forecast: Mapping[int, float], e: Expected) -> str:
    """Chinese, e.g. "已 62 毫米/3小时，预报再 40 毫米/3小时：约 2 小时后达红色"."""
    hours = e.threshold.hours
    ahead = max((h for h in forecast if forecast[h] > 0), default=None)
    parts = [f"已 {observed.get(hours, 0.0):g} 毫米/{hours}小时"]
    if ahead is not None:
        parts.append(f"预报再 {forecast[ahead]:g} 毫米/{ahead}小时")
    return "，".join(parts) + f"：{hours_text(e.in_h)}达{e.threshold.level}色"


# ---------------------------------------------------------------- response level


@dataclass(frozen=True)
class ResponseTrigger:
    """One trigger of a response level: ``metric`` in ``[low, high)`` (``high`` None: no
    upper bound), and, if ``with_forecast``, more rain forecast in the county."""

    level: str  # one of RESPONSE_LEVELS
    metric: str  # one of rain_catalog.RESPONSE_METRICS
    low: float
    high: float | None = None
    with_forecast: bool = False
    basis: str = ""


_IV_BASIS = "DOMAIN.md 县级防汛防台应急预案示例（IV级）"
_INFERRED = "推定的默认值，请按本县应急预案修改"
# IV follows the example triggers of a county plan; III-I are inferred steps up the same
# measures, for the county to replace with its plan's (设置 in 基础数据 > 应急响应条件).
DEFAULT_RESPONSE_TRIGGERS: tuple[ResponseTrigger, ...] = (
    ResponseTrigger("IV", METRIC_AREA_24H, 50.0, 80.0, True, _IV_BASIS),
    ResponseTrigger("IV", METRIC_POINT_3H, 50.0, 100.0, False, _IV_BASIS),
    ResponseTrigger("IV", METRIC_RESERVOIR, 1.0, None, False, _IV_BASIS),
    ResponseTrigger("IV", METRIC_OVER_WARNING, 1.0, None, False, _INFERRED),
    ResponseTrigger("III", METRIC_AREA_24H, 80.0, 120.0, True, _INFERRED),
    ResponseTrigger("III", METRIC_POINT_3H, 100.0, None, False, _INFERRED),
    ResponseTrigger("III", METRIC_OVER_GUARANTEE, 1.0, 3.0, False, _INFERRED),
    ResponseTrigger("II", METRIC_AREA_24H, 120.0, 200.0, True, _INFERRED),
    ResponseTrigger("II", METRIC_OVER_GUARANTEE, 3.0, None, False, _INFERRED),
    ResponseTrigger("I", METRIC_AREA_24H, 200.0, None, False, _INFERRED),
)


@dataclass(frozen=True)
class Measures:
    """What the response triggers are judged on."""

    area_24h: float = 0.0  # county area-mean 24 h rain
    point_3h: float = 0.0  # the highest station 3 h rain
    point_24h: float = 0.0
    reservoirs_over: int = 0  # reservoirs at or above 汛限水位
    over_warning: int = 0  # stations at or above 警戒水位
    over_guarantee: int = 0
    more_forecast: bool = False  # any rain forecast in the county

    def value(self, metric: str) -> float:
        return {
            METRIC_AREA_24H: self.area_24h,
            METRIC_POINT_3H: self.point_3h,
            METRIC_POINT_24H: self.point_24h,
            METRIC_RESERVOIR: float(self.reservoirs_over),
            METRIC_OVER_WARNING: float(self.over_warning),
            METRIC_OVER_GUARANTEE: float(self.over_guarantee),
        }[metric]


def trigger_met(trigger: ResponseTrigger, measures: Measures) -> bool:
    value = measures.value(trigger.metric)
    if value < trigger.low or (trigger.high is not None and value >= trigger.high):
        return False
    return measures.more_forecast or not trigger.with_forecast


def trigger_text(trigger: ResponseTrigger, measures: Measures) -> str:
    """Chinese reason, e.g. "IV级：全县24小时面雨量 62 毫米（50–80 毫米），且预报仍有降雨"."""
    value = measures.value(trigger.metric)
    unit = "个" if trigger.metric in COUNT_METRICS else "毫米"
    span = (
        f"{trigger.low:g}–{trigger.high:g} {unit}"
        if trigger.high is not None
        else (f"{trigger.low:g} {unit}以上")
    )
    text = f"{trigger.level}级：{trigger.metric} {value:g} {unit}（{span}）"
    return text + ("，且预报仍有降雨" if trigger.with_forecast else "")


def propose_response(
    measures: Measures, triggers: Sequence[ResponseTrigger] = DEFAULT_RESPONSE_TRIGGERS
) -> tuple[str, tuple[str, ...]]:
    """The highest response level any trigger of which is met, and the reasons (the met
    triggers of that level, Chinese); ("", ()) when none is."""
    met = [t for t in triggers if t.level in RESPONSE_LEVELS and trigger_met(t, measures)]
    if not met:
        return "", ()
    level = max((t.level for t in met), key=lambda lv: RESPONSE_RANK[lv])
    return level, tuple(trigger_text(t, measures) for t in met if t.level == level)
