"""值班日志 (issue 14): the duty day's log, assembled when asked from every incident timeline
entry (reports sent and orders on an incident are timeline entries already), the orders
not tied to an incident, the handovers generated and signed, and the lines the officer
writes by hand (``duty_log_entries``), in time order to the minute.

Search filters the assembled day in memory: a duty day holds tens to a few thousand lines,
and a substring test over 5,000 of them takes under a millisecond (measured in
tests/services/test_handover_service.py). It finds two-character Chinese words (山洪, 滑坡)
that SQLite's trigram index cannot (TECH-NOTES). A persisted bigram index, as
console/store/search.py keeps for cases, would pay off only for searches across years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Table, select

from console.domain import beijing
from console.domain.ids import new_id
from console.domain.schema import DutyLogEntry, Incident, Order, SyncedRecord, TimelineEntry
from console.domain.shifts import DEFAULT_PATTERN, ShiftPattern, shift_of
from console.services.handover import HandoverService, shift_label
from console.services.shift_service import ShiftService

TABLES = ("incident_timeline", "incidents", "orders", "handovers", "duty_log_entries")
MANUAL = "值班记事"
HANDOVER = "交接班"
ORDER = "指令"


def _t(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@dataclass(frozen=True)
class LogLine:
    at: str  # canonical Beijing time
    kind: str  # 值班记事, 交接班, 指令, or the timeline entry's kind (来电, 报送, 处置...)
    text: str
    author: str
    ref: str = ""  # the record it comes from

    # Worked out once: a busy day's search tests thousands of lines per keystroke.
    minute: str = field(init=False, repr=False, compare=False)  # HH:MM, to the minute
    haystack: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        at = self.at
        minute = at[11:16] if at.endswith("+08:00") else beijing.display(at)[11:]
        object.__setattr__(self, "minute", minute)
        hay = f"{minute} {self.kind} {self.text} {self.author}".casefold()
        object.__setattr__(self, "haystack", hay)


def search(lines: list[LogLine], query: str) -> list[LogLine]:
    """The lines holding every whitespace-separated term of ``query`` (any case)."""
    found = list(lines)
    for term in query.casefold().split():
        found = [line for line in found if term in line.haystack]
    return found


def day_window(day: date, pattern: ShiftPattern = DEFAULT_PATTERN) -> tuple[datetime, datetime]:
    """The duty day: from its first shift's start to its last shift's end (08:30 to 08:30)."""
    return shift_of(day, 0, pattern).start, shift_of(day, pattern.per_day - 1, pattern).end


class DutyLogService(ShiftService):
    """Reads from ``store``; writes through ``writer`` (None: read-only)."""

    def duty_day(self, moment: datetime) -> date:
        return self.shift_at(moment).day

    def add(self, body: str, *, user: str, at: datetime | None = None) -> str:
        moment = (at or beijing.now()).replace(second=0, microsecond=0)
        args = {"id": new_id(), "at": beijing.canonical(moment), "body": body.strip()}
        self._write("duty_log.add", args, user)
        return str(args["id"])

    def lines(self, day: date) -> list[LogLine]:
        """The duty day's log, oldest first."""
        start, end = day_window(day, self.pattern)
        lo, hi = beijing.canonical(start), beijing.canonical(end)
        out: list[LogLine] = []
        tl, inc, o, d = _t(TimelineEntry), _t(Incident), _t(Order), _t(DutyLogEntry)
        with self.store.engine.connect() as conn:
            timeline = conn.execute(
                select(tl.c.id, tl.c.at, tl.c.kind, tl.c.body, tl.c.author, inc.c.title)
                .select_from(tl.join(inc, inc.c.id == tl.c.incident_id))
                .where(tl.c.deleted.is_(False), tl.c.at >= lo, tl.c.at < hi)
            ).all()
            for rid, at, kind, body, author, title in timeline:
                out.append(LogLine(at, kind, f"【{title}】{body}", author, rid))
            orders = conn.execute(
                select(o).where(
                    o.c.deleted.is_(False),
                    o.c.incident_id.is_(None),  # an incident's order is on its timeline
                    o.c.issued_at >= lo,
                    o.c.issued_at < hi,
                )
            ).mappings()
            for x in orders:
                text = f"下达{x['kind']}：{x['title']}"
                out.append(LogLine(x["issued_at"], ORDER, text, x["author"], x["id"]))
            manual = conn.execute(
                select(d).where(d.c.deleted.is_(False), d.c.at >= lo, d.c.at < hi)
            ).mappings()
            for x in manual:
                out.append(LogLine(x["at"], MANUAL, x["body"], x["author"], x["id"]))
        out += self._handover_lines(start, end)
        out.sort(key=lambda line: (line.at, line.ref))
        return out

    def _handover_lines(self, start: datetime, end: datetime) -> list[LogLine]:
        service = HandoverService(self.store, pattern=self.pattern)
        lo, hi = beijing.canonical(start), beijing.canonical(end)
        out = []
        for row in service.between(start, end):
            shift = service.shift_at(beijing.parse(row["shift_start"]))
            label = shift_label(shift)
            if lo <= row["generated_at"] < hi:
                text = f"生成班次 {label} 的交接单"
                out.append(LogLine(row["generated_at"], HANDOVER, text, row["author"], row["id"]))
            signed_at = row["signed_at"] or ""
            if lo <= signed_at < hi:
                text = f"签收 {row['author']} 交来的班次 {label} 交接单"
                if row["remarks"]:
                    text += f"。接班意见：{row['remarks']}"
                out.append(LogLine(signed_at, HANDOVER, text, row["signed_by"] or "", row["id"]))
        return out
