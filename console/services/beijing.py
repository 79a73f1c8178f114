"""Beijing time (Asia/Shanghai) for everything the officer reads or types, whatever the
machine's zone (the servers and CI run on UTC)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(BEIJING)


def canonical(moment: datetime) -> str:
    """Stored form: ISO 8601 to the second with +08:00, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)


def display(text_or_moment: str | datetime) -> str:
    moment = parse(text_or_moment) if isinstance(text_or_moment, str) else text_or_moment
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
