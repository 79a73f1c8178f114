"""Countdown to the next upward report (信息报送) of each open incident.

A rule (category, grade or any, stage, channel, minutes) makes a report due ``minutes``
after the call was received; it is met once a report of that stage and channel was sent.
Alerts: 5 minutes before the deadline and at the deadline, until acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from console.domain import beijing

WARN_BEFORE = timedelta(minutes=5)
DUE_SOON, OVERDUE = "due_soon", "overdue"


@dataclass(frozen=True)
class Deadline:
    incident_id: str
    stage: str
    channel: str
    due: datetime
    basis: str
    sent_at: datetime | None

    @property
    def met(self) -> bool:
        return self.sent_at is not None

    def remaining(self, now: datetime) -> timedelta:
        return self.due - now

    def alert(self, now: datetime) -> str | None:
        if self.met:
            return None
        if now >= self.due:
            return OVERDUE
        if now >= self.due - WARN_BEFORE:
            return DUE_SOON
        return None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.incident_id, self.stage, self.channel)


def applicable_rules(
    rules: Iterable[Mapping[str, Any]], category: str, grade: str | None
) -> list[Mapping[str, Any]]:
    """Rules for this category and grade; a grade-specific rule beats an any-grade one."""
    chosen: dict[tuple[str, str], Mapping[str, Any]] = {}
    for rule in rules:
        if rule["deleted"] or rule["category"] != category:
            continue
        if rule["grade"] not in ("", grade or ""):
            continue
        key = (rule["stage"], rule["channel"])
        if key not in chosen or (rule["grade"] and not chosen[key]["grade"]):
            chosen[key] = rule
    return list(chosen.values())


def deadlines_for(
    incident: Mapping[str, Any],
    rules: Sequence[Mapping[str, Any]],
    reports: Sequence[Mapping[str, Any]],
) -> list[Deadline]:
    received = beijing.parse(incident["received_at"])
    sent: dict[tuple[str, str], datetime] = {}
    for report in reports:
        at = beijing.parse(report["sent_at"])
        key = (report["stage"], report["channel"])
        sent[key] = min(at, sent.get(key, at))
    out = [
        Deadline(
            incident["id"],
            r["stage"],
            r["channel"],
            received + timedelta(minutes=int(r["minutes"])),
            r["basis"],
            sent.get((r["stage"], r["channel"])),
        )
        for r in applicable_rules(rules, incident["category"], incident["grade"])
    ]
    return sorted(out, key=lambda d: d.due)


def next_due(deadlines: Sequence[Deadline]) -> Deadline | None:
    return next((d for d in deadlines if not d.met), None)


def span_text(minutes: int) -> str:
    """A span as people say it: '12 分', '2 小时 5 分', '3 天 4 小时' (minutes dropped
    beyond a day, where they no longer matter)."""
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {mins} 分" if mins else f"{hours} 小时"
    return f"{mins} 分"


def countdown_text(deadline: Deadline | None, now: datetime) -> str:
    """'首报(书面) 剩 12 分' / '首报(电话) 超时 3 天 4 小时' / '' for the list, the detail and
    the banner (the one place a deadline's time left is worded)."""
    if deadline is None:
        return ""
    seconds = int(deadline.remaining(now).total_seconds())
    label = f"{deadline.stage}({deadline.channel})"
    if seconds >= 0:
        return f"{label} 剩 {span_text(seconds // 60)}"
    return f"{label} 超时 {span_text((-seconds + 59) // 60)}"
