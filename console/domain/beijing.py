"""Beijing time (Asia/Shanghai): the one module for every time the officer reads or types.

The servers and CI run on UTC, the officers never do. Pure Python (no Qt), so the store,
services, models and the server can all use it.

**The rule for naive values.** A datetime without ``tzinfo``, or an ISO text without an
offset, is *Beijing wall-clock time*: that is the only zone an officer types, reads or sees
on a form. Code holding a UTC instant must make it aware (``datetime.now(UTC)``,
``datetime.fromtimestamp(s, UTC)``) before handing it here. Every function below follows
the rule; nothing here guesses UTC.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
SECONDS = "%Y-%m-%d %H:%M:%S"  # status bar, sync tables
MINUTES = "%Y-%m-%d %H:%M"  # incident lists, reports


def now() -> datetime:
    """The current instant, aware, in Beijing time."""
    return datetime.now(BEIJING)


def to_beijing(moment: datetime) -> datetime:
    """The same instant in Beijing time; a naive value is Beijing wall-clock time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)


def canonical(moment: datetime) -> str:
    """Stored form: ISO 8601 to the second with +08:00, so text order is time order."""
    return to_beijing(moment).isoformat(timespec="seconds")


def parse(text: str) -> datetime:
    """An ISO 8601 text as an aware Beijing datetime (no offset: Beijing wall-clock time)."""
    return to_beijing(datetime.fromisoformat(text))


def typed_time(text: str) -> str:
    """A time as an officer types it: without an offset it is Beijing time ("2016-09-28
    08:00" -> "2016-09-28T08:00:00+08:00"); anything else is returned as typed, for the
    field check to judge."""
    stripped = text.strip()
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        return text
    return canonical(moment) if moment.tzinfo is None else stripped


def display(text_or_moment: str | datetime) -> str:
    """``2026-11-28 22:51`` in Beijing time."""
    moment = parse(text_or_moment) if isinstance(text_or_moment, str) else text_or_moment
    return to_beijing(moment).strftime(MINUTES)


def display_seconds(moment: datetime) -> str:
    """``2026-11-28 22:51:03`` in Beijing time."""
    return to_beijing(moment).strftime(SECONDS)


def clock_text(moment: datetime | None = None) -> str:
    """Status-bar text, e.g. ``北京时间 2026-11-28 22:51:03``."""
    return f"北京时间 {display_seconds(moment or now())}"


def from_epoch_ms(ms: int) -> datetime:
    """A Unix time in milliseconds (an instant, zone-free) as an aware Beijing datetime."""
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
    return display_seconds(from_epoch_ms(ms))
