"""Spans of time as people say them, for deadlines and rules."""

from __future__ import annotations


def span_text(minutes: int) -> str:
    """'12 分', '2 小时 5 分', '3 天 4 小时' (minutes dropped beyond a day, where they no
    longer matter)."""
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {mins} 分" if mins else f"{hours} 小时"
    return f"{mins} 分"
