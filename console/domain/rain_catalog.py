"""Choices and cross-field rules of the rain configuration, forecasts and warnings (issue
#11): the one wording of each rule, used by the shared mutations and the forms alike.

No numpy here: :mod:`console.domain.schema` imports this (the engine itself is
:mod:`console.domain.thresholds`).
"""

from __future__ import annotations

from console.domain.situation import RAIN_WINDOWS

WARNING_KINDS: tuple[str, ...] = ("暴雨", "台风", "山洪", "地质灾害")
FORECAST_HORIZONS: tuple[int, ...] = (1, 3, 6, 12, 24)
# Windows a village's critical rainfall is given for (rain_thresholds columns).
TIER_WINDOWS: tuple[int, ...] = (1, 3, 6, 24)

# The national rainstorm-signal table (气象灾害预警信号发布与传播办法, 中国气象局令第16号,
# 附件 暴雨预警信号): (colour, hours, mm), used while the county's table is empty.
SIGNAL_BASIS = "气象灾害预警信号发布与传播办法（中国气象局令第16号）附件 暴雨预警信号"
DEFAULT_SIGNALS: tuple[tuple[str, int, float], ...] = (
    ("蓝", 12, 50.0),
    ("黄", 6, 50.0),
    ("橙", 3, 50.0),
    ("红", 3, 100.0),
)
DEFAULT_SIGNALS_TEXT = "、".join(f"{c} {h}小时≥{mm:g}" for c, h, mm in DEFAULT_SIGNALS) + " 毫米"

# What a response trigger measures (console.domain.thresholds.Measures computes each).
METRIC_AREA_24H = "全县24小时面雨量"
METRIC_POINT_3H = "单站3小时雨量"
METRIC_POINT_24H = "单站24小时雨量"
METRIC_RESERVOIR = "超汛限水库数"
METRIC_OVER_WARNING = "超警戒站数"
METRIC_OVER_GUARANTEE = "超保证站数"
RESPONSE_METRICS: tuple[str, ...] = (
    METRIC_AREA_24H,
    METRIC_POINT_3H,
    METRIC_POINT_24H,
    METRIC_RESERVOIR,
    METRIC_OVER_WARNING,
    METRIC_OVER_GUARANTEE,
)
COUNT_METRICS = frozenset({METRIC_RESERVOIR, METRIC_OVER_WARNING, METRIC_OVER_GUARANTEE})


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def tier_problem(values: dict[str, object]) -> str | None:
    """A village's critical rainfall row needs at least one window's mm."""
    if all(_number(values.get(f"rain_{h}h_mm")) is None for h in TIER_WINDOWS):
        return "至少填写一个时段的临界雨量"
    return None


def signal_rule_problem(values: dict[str, object]) -> str | None:
    """A rainstorm-signal row: a window the engine sums, and its mm."""
    hours = values.get("hours")
    if isinstance(hours, int) and hours not in RAIN_WINDOWS:
        return "时段应为 " + "、".join(str(h) for h in RAIN_WINDOWS) + " 小时之一"
    if _number(values.get("mm")) is None:
        return "请填写雨量（毫米）"
    return None


def trigger_problem(values: dict[str, object]) -> str | None:
    """A response trigger: a lower bound, and an upper bound above it when given."""
    low, high = _number(values.get("low")), _number(values.get("high"))
    if low is None:
        return "请填写下限"
    if high is not None and high <= low:
        return f"上限（{high:g}）应大于下限（{low:g}）"
    return None


def forecast_problem(values: dict[str, object]) -> str | None:
    """An area rainfall forecast: one of the horizons, and its mm."""
    hours = values.get("horizon_h")
    if isinstance(hours, int) and hours not in FORECAST_HORIZONS:
        return "预报时效应为 " + "、".join(str(h) for h in FORECAST_HORIZONS) + " 小时之一"
    if _number(values.get("mm")) is None:
        return "请填写预报雨量（毫米）"
    return None


def warning_problem(values: dict[str, object]) -> str | None:
    """A warning: an area (a township or text), and an end not before its issue."""
    if not values.get("township_id") and not str(values.get("area") or "").strip():
        return "请填写预警乡镇或预警区域"
    issued, until = values.get("issued_at"), values.get("until")
    if isinstance(issued, str) and isinstance(until, str) and until and until < issued:
        return f"解除时间（{until}）早于发布时间（{issued}）"
    return None
