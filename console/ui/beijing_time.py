"""Beijing time (Asia/Shanghai) for display, whatever zone the machine runs in.

Duty logs, the status-bar clock and sync tables all speak 北京时间: the machines may run UTC,
the officers never do. Pure Python, so models can use it without widgets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
FORMAT = "%Y-%m-%d %H:%M:%S"


def now() -> datetime:
    """The current instant as an aware datetime in Beijing time."""
    return datetime.now(tz=BEIJING)


def to_beijing(moment: datetime) -> datetime:
    """Convert an aware datetime (naive ones are taken as UTC) to Beijing time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING)


def format_beijing(moment: datetime) -> str:
    return to_beijing(moment).strftime(FORMAT)


def clock_text(moment: datetime | None = None) -> str:
    """Status-bar text, e.g. ``北京时间 2026-11-28 22:51:03``."""
    return f"北京时间 {format_beijing(moment or now())}"


def from_epoch_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=BEIJING)


def hlc_wall_ms(stamp: str) -> int | None:
    """Wall-clock milliseconds of an HLC stamp (``0001732781234567-00003-node``)."""
    head = stamp.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def hlc_text(stamp: str) -> str:
    """Beijing time of an HLC stamp, or an empty string when it carries none."""
    ms = hlc_wall_ms(stamp)
    if not ms:
        return ""
    return format_beijing(from_epoch_ms(ms))
