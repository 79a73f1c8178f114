"""Which upward reports (信息报送) an incident owes, when each is due, and which are met.

The matching rules (:func:`console.domain.reporting.matching_rules`) each give one or more
occurrences: once after receipt or after closure, every period or every day while the
incident is open, after each change of casualties within the rule's window. An occurrence is
met by a report of the same kind and channel sent in its window. Alerts: 5 minutes before the
deadline and at the deadline, until acknowledged.

Pure: the caller passes the rules, the reports, the times casualties changed and ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from console.domain import beijing, catalog
from console.domain import reporting as rp
from console.domain.spans import span_text
from console.domain.workflow import CLOSED

WARN_BEFORE = timedelta(minutes=5)
DUE_SOON, OVERDUE = "due_soon", "overdue"
# A rule repeating while an incident stays open for years must not make thousands of rows
# (the list computes them for every row it shows): only the newest this many occurrences
# are generated, about two months of daily reports.
MAX_OCCURRENCES = 62


@dataclass(frozen=True)
class Deadline:
    incident_id: str
    stage: str
    channel: str
    due: datetime
    basis: str
    sent_at: datetime | None
    schedule: str = rp.AFTER_RECEIPT
    source: str = rp.LOCAL

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
    def key(self) -> tuple[str, str, str, str]:
        """One occurrence: a daily 续报 is due again every day under the same rule."""
        return (self.incident_id, self.stage, self.channel, beijing.canonical(self.due))


@dataclass(frozen=True)
class Reporting:
    """An incident's reporting duties as of ``now``."""

    deadlines: tuple[Deadline, ...]
    rules: tuple[Mapping[str, Any], ...]
    # Kinds due once the incident is closed (终报/核报), while it is still open.
    after_close: tuple[str, ...] = ()
    ungraded: bool = False  # a graded category without a grade: more may be due once graded

    @property
    def unmet(self) -> tuple[Deadline, ...]:
        """The occurrences not yet met, earliest due first."""
        return tuple(d for d in self.deadlines if not d.met)

    @property
    def next_due(self) -> Deadline | None:
        return self.unmet[0] if self.unmet else None

    @property
    def complete(self) -> bool:
        """报送已完成: rules apply, every report they call for was sent, none is still to
        come after closure, and the grade is known."""
        return bool(self.rules) and not self.unmet and not self.after_close and not self.ungraded


def _times(reports: Iterable[Mapping[str, Any]], stage: str, channel: str) -> list[datetime]:
    return sorted(
        beijing.parse(r["sent_at"])
        for r in reports
        if r["stage"] == stage and r["channel"] == channel
    )


def _first_after(sent: Sequence[datetime], start: datetime | None) -> datetime | None:
    return next((t for t in sent if start is None or t > start), None)


def _recurring(
    dues: list[datetime], period: timedelta, sent: Sequence[datetime]
) -> list[tuple[datetime, datetime | None]]:
    """Each due with the report that met it: the first report nearest to that due (within
    half a period either side). Today's daily 续报 sent an hour late is today's, late; not
    tomorrow's, early; and a week of missed reports stays missed when today's is sent."""
    half = period / 2
    out: list[tuple[datetime, datetime | None]] = []
    for due in dues:
        met = next((t for t in sent if due - half < t <= due + half), None)
        out.append((due, met))
    return out


def _series(first: datetime, step: timedelta, until: datetime, open_: bool) -> list[datetime]:
    """``first``, ``first + step``...: up to ``until`` when closed, up to the first one after
    it when open; only the newest :data:`MAX_OCCURRENCES` are generated."""
    # up to until: passed + 1 dues, and one more while open
    skip = int((until - first) / step) + 2 - MAX_OCCURRENCES
    due = first + step * skip if skip > 0 else first
    dues: list[datetime] = []
    while due <= until or (open_ and (not dues or dues[-1] <= until)):
        dues.append(due)
        due += step
    return dues


def reporting_for(
    incident: Mapping[str, Any],
    rules: Iterable[Mapping[str, Any]],
    reports: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    casualty_changes: Sequence[datetime] = (),
) -> Reporting:
    matched = tuple(rp.matching_rules(rules, incident))
    received = beijing.parse(incident["received_at"])
    closed_text = incident.get("closed_at") if incident.get("status") == CLOSED else None
    closed = beijing.parse(closed_text) if closed_text else None
    first_sent = min((beijing.parse(r["sent_at"]) for r in reports), default=None)
    out: list[Deadline] = []
    after_close: list[str] = []
    for rule in matched:
        sent = _times(reports, rule["stage"], rule["channel"])
        minutes = timedelta(minutes=int(rule["minutes"]))
        schedule = rule.get("schedule") or rp.AFTER_RECEIPT

        def make(due: datetime, met: datetime | None, rule: Mapping[str, Any] = rule) -> Deadline:
            return Deadline(
                incident["id"],
                rule["stage"],
                rule["channel"],
                due,
                rule["basis"],
                met,
                rule.get("schedule") or rp.AFTER_RECEIPT,
                rule.get("source") or rp.LOCAL,
            )

        if schedule == rp.AFTER_RECEIPT:
            out.append(make(received + minutes, _first_after(sent, None)))
        elif schedule == rp.AFTER_CLOSED:
            if closed is None:
                after_close.append(rule["stage"])
            else:
                out.append(make(closed + minutes, _first_after(sent, None)))
        elif schedule in (rp.PERIODIC, rp.DAILY):
            until = closed if closed is not None else now
            if schedule == rp.PERIODIC:
                step, first = minutes, received + minutes
            else:
                # The first daily report covers the day of receipt, to 24:00: due the next day.
                day = beijing.to_beijing(received).replace(
                    hour=0, minute=0, second=0, microsecond=0
                )
                step = timedelta(days=1)
                first = day + timedelta(days=1, minutes=int(rule.get("daily_at") or 0))
            dues = _series(first, step, until, closed is None)
            for due, met in _recurring(dues, step, sent):
                out.append(make(due, met))
        elif schedule == rp.ON_CASUALTY_CHANGE and first_sent is not None:
            window_end = received + timedelta(days=int(rule.get("window_days") or 0))
            for changed in sorted(casualty_changes):
                if first_sent < changed <= window_end:
                    met = next((t for t in sent if t >= changed), None)
                    out.append(make(changed + minutes, met))
    out.sort(key=lambda d: d.due)
    ungraded = not incident.get("grade") and incident["category"] not in catalog.UNGRADED_CATEGORIES
    return Reporting(tuple(out), matched, tuple(after_close), ungraded)


def deadlines_for(
    incident: Mapping[str, Any],
    rules: Sequence[Mapping[str, Any]],
    reports: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    casualty_changes: Sequence[datetime] = (),
) -> list[Deadline]:
    return list(
        reporting_for(
            incident, rules, reports, now=now, casualty_changes=casualty_changes
        ).deadlines
    )


def next_due(deadlines: Sequence[Deadline]) -> Deadline | None:
    return next((d for d in sorted(deadlines, key=lambda d: d.due) if not d.met), None)


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


def status_text(reporting: Reporting | None, now: datetime) -> str:
    """What the list's 报送时限 and the detail say: the next report due, or why none is."""
    if reporting is None:
        return ""
    if reporting.next_due is not None:
        return countdown_text(reporting.next_due, now)
    if reporting.ungraded:
        return "待定级"
    if not reporting.rules:
        return "无适用报送规则"
    if reporting.after_close:
        return f"结案后{'、'.join(reporting.after_close)}"
    return "报送已完成"


__all__ = [
    "DUE_SOON",
    "OVERDUE",
    "Deadline",
    "Reporting",
    "countdown_text",
    "deadlines_for",
    "next_due",
    "reporting_for",
    "span_text",
    "status_text",
]


def duty_line(deadline: Deadline, now: datetime) -> str:
    """'初报(书面) 截止 11-30 10:05 已报送 09:12' / '… 超时 2 小时' for the detail."""
    head = f"{deadline.stage}({deadline.channel}) 截止 {beijing.display(deadline.due)[5:]}"
    if deadline.sent_at is not None:
        late = "（逾时）" if deadline.sent_at > deadline.due else ""
        return f"{head} 已报送 {beijing.display(deadline.sent_at)[5:]}{late}"
    return f"{head} " + countdown_text(deadline, now).split(" ", 1)[1]


MAX_DUTY_LINES = 6


def duties_text(reporting: Reporting, now: datetime) -> str:
    """The detail's 报送要求: the unmet occurrences first, then the last ones met; each
    rule's source is on the hover of the rules table in 设置, its label here."""
    if not reporting.rules:
        return "报送要求：无适用规则（可在“设置 > 信息报送规则”中添加）"
    shown = list(reporting.unmet[:MAX_DUTY_LINES])
    met = [d for d in reporting.deadlines if d.met]
    shown += met[-(MAX_DUTY_LINES - len(shown)) :] if len(shown) < MAX_DUTY_LINES else []
    lines = [f"{duty_line(d, now)}〔{d.source}〕" for d in sorted(shown, key=lambda d: d.due)]
    hidden = len(reporting.deadlines) - len(shown)
    if hidden > 0:
        lines.append(f"另有 {hidden} 项未列出")
    if reporting.after_close:
        lines.append(f"结案后须{'、'.join(reporting.after_close)}")
    if reporting.ungraded:
        lines.append("未定级，定级后可能还有报送要求")
    # One paragraph: the detail shares its height with the list.
    return "报送要求：" + "；".join(lines)
