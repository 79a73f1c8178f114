"""The duty roster's rules (排班规则), checked as the leader plans. Pure Python (no Qt, no I/O).

A roster is a set of :class:`Assignment`: one person in one slot of one shift (the shift
named by its key, :attr:`console.domain.shifts.Shift.key`). Each shift has one 带班领导
slot and two 值班员 slots. :func:`check` judges a plan against the rules of issue #14:

- no double booking: one person twice in one shift, or in two shifts that overlap;
- a minimum rest between two shifts of the same person (hours, configurable);
- a 带班领导 on every shift;
- 1-2 值班员 on every shift.

A violation is advice, not a lock: the leader may save a plan that breaks a rule (a small
county office sometimes must), but never silently: the calendar paints the shift red with
the reason, the list under it names every violation, and a save that adds one asks first.
The mutations therefore do not refuse a plan for its violations; an offline workstation
sees only part of the month anyway.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from console.domain.ids import reference_id
from console.domain.shifts import (
    DEFAULT_PATTERN,
    Shift,
    ShiftPattern,
    ShiftPatternError,
    parse_key,
)

LEADER = "带班领导"
OFFICER = "值班员"
ROLES: tuple[str, ...] = (LEADER, OFFICER)
SLOTS: dict[str, int] = {LEADER: 1, OFFICER: 2}  # slots per shift
MIN_OFFICERS = 1
MAX_OFFICERS = 2
DEFAULT_MIN_REST_HOURS = 24  # with 24-hour shifts: never two days in a row

SWAP_PENDING = "待批"
SWAP_APPROVED = "已批准"
SWAP_REFUSED = "已拒绝"
SWAP_STATUSES: tuple[str, ...] = (SWAP_PENDING, SWAP_APPROVED, SWAP_REFUSED)

# The county's one roster settings record (shift pattern, rest): a fixed id, so every
# workstation edits the same record.
SETTINGS_ID = reference_id("roster_settings", "county")

# Kinds of violation, as the list shows them.
DOUBLE = "重复排班"
REST = "休息不足"
NO_LEADER = "缺带班领导"
OFFICERS = "值班员人数"
BAD_SHIFT = "班次无效"

_KEY = re.compile(r"^(\d{4}-\d{2}-\d{2})#([0-3])$")
WEEKDAYS = "一二三四五六日"


def entry_id(shift_key: str, role: str, slot: int) -> str:
    """A slot's record id: the same slot planned on two workstations is one record."""
    return reference_id("roster_entry", shift_key, role, str(slot))


def entry_problem(record: dict[str, Any]) -> str | None:
    """A roster entry's cross-field rule (the Chinese refusal, or None)."""
    key = record.get("shift_key") or ""
    match = _KEY.match(key)
    if match is None:
        return f"班次编号应为 日期#序号，如 2026-11-30#0（收到 {key[:20]!r}）"
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return f"班次日期无效：{match.group(1)}"
    role, slot = record.get("role"), record.get("slot", 0)
    if role in SLOTS and not 0 <= int(slot) < SLOTS[role]:
        return f"每班{role}最多 {SLOTS[role]} 人"
    return None


def holiday_problem(record: dict[str, Any]) -> str | None:
    if not record.get("day"):
        return "节假日须有日期"
    return None


def settings_problem(record: dict[str, Any]) -> str | None:
    try:
        ShiftPattern.parse(str(record.get("shift_start") or ""), int(record.get("shift_hours", 24)))
    except ShiftPatternError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class RosterRules:
    pattern: ShiftPattern = DEFAULT_PATTERN
    min_rest_hours: int = DEFAULT_MIN_REST_HOURS

    @classmethod
    def of(cls, settings: dict[str, Any] | None) -> RosterRules:
        """The rules of a roster settings record (None: the defaults)."""
        if not settings:
            return cls()
        pattern = ShiftPattern.parse(str(settings["shift_start"]), int(settings["shift_hours"]))
        return cls(pattern, int(settings["min_rest_hours"]))


@dataclass(frozen=True)
class Assignment:
    shift_key: str
    role: str
    slot: int
    person_id: str
    name: str = ""  # as shown in messages

    @property
    def id(self) -> str:
        return entry_id(self.shift_key, self.role, self.slot)


@dataclass(frozen=True)
class Violation:
    shift_key: str
    kind: str
    message: str  # Chinese, names the people and the shifts
    person_id: str | None = None

    @property
    def ident(self) -> tuple[str, str, str | None]:
        return (self.shift_key, self.kind, self.person_id)


def shift_label(shift: Shift) -> str:
    """``11月30日（一）`` and, for a pattern of several shifts a day, the start time."""
    text = f"{shift.day.month}月{shift.day.day}日（{WEEKDAYS[shift.day.weekday()]}）"
    if shift.end - shift.start < timedelta(hours=24):
        text += f" {shift.start:%H:%M}"
    return text


def _parse(key: str, pattern: ShiftPattern) -> Shift | None:
    try:
        return parse_key(key, pattern)
    except ShiftPatternError:
        return None


def check(
    assignments: Iterable[Assignment],
    shifts: Sequence[Shift],
    rules: RosterRules = RosterRules(),
) -> list[Violation]:
    """Every rule a plan breaks. ``shifts`` are the shifts being planned (a month): each
    must have a leader and 1-2 officers; ``assignments`` may reach beyond them (the days
    either side of the month), so rest and overlap are judged across its edges."""
    found: list[Violation] = []
    by_shift: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_shift[a.shift_key].append(a)
    planned = {s.key for s in shifts}
    days = {s.day for s in shifts}
    for key in by_shift:
        if _parse(key, rules.pattern) is None and key_day(key) in days:
            found.append(
                Violation(key, BAD_SHIFT, f"{key} 不属于当前班制（班制改过？），请重新安排")
            )
    for shift in shifts:
        found.extend(_coverage(shift, by_shift.get(shift.key, [])))
    found.extend(_per_person(by_shift, planned, rules))
    return found


def _coverage(shift: Shift, crew: list[Assignment]) -> list[Violation]:
    out: list[Violation] = []
    leaders = [a for a in crew if a.role == LEADER]
    officers = [a for a in crew if a.role == OFFICER]
    if not leaders:
        out.append(Violation(shift.key, NO_LEADER, f"{shift_label(shift)}没有带班领导"))
    if len(officers) < MIN_OFFICERS:
        out.append(Violation(shift.key, OFFICERS, f"{shift_label(shift)}没有值班员"))
    elif len(officers) > MAX_OFFICERS:
        out.append(
            Violation(
                shift.key, OFFICERS, f"{shift_label(shift)}值班员 {len(officers)} 人，最多 2 人"
            )
        )
    seen: dict[str, Assignment] = {}
    for a in crew:
        if a.person_id in seen:
            out.append(
                Violation(
                    shift.key,
                    DOUBLE,
                    f"{a.name or '同一人'}在{shift_label(shift)}排了两次",
                    a.person_id,
                )
            )
        seen[a.person_id] = a
    return out


def _per_person(
    by_shift: dict[str, list[Assignment]], planned: set[str], rules: RosterRules
) -> list[Violation]:
    """Overlapping shifts and too little rest, for each person in time order; reported on
    the later shift of the pair when it is a planned one (else on the earlier)."""
    spans: dict[str, list[tuple[Shift, str]]] = defaultdict(list)
    for key, crew in by_shift.items():
        shift = _parse(key, rules.pattern)
        if shift is None:
            continue
        for pid in dict.fromkeys(a.person_id for a in crew):
            name = next(a.name for a in crew if a.person_id == pid)
            spans[pid].append((shift, name))
    rest = timedelta(hours=rules.min_rest_hours)
    out: list[Violation] = []
    for pid, worked in spans.items():
        worked.sort(key=lambda s: s[0].start)
        for (prev, name), (cur, _n) in pairwise(worked):
            where = cur if cur.key in planned else prev
            if where.key not in planned:
                continue
            who = name or "同一人"
            if cur.start < prev.end:
                message = f"{who}的{shift_label(prev)}与{shift_label(cur)}班次时间重叠"
                out.append(Violation(where.key, DOUBLE, message, pid))
            elif cur.start - prev.end < rest:
                hours = (cur.start - prev.end) / timedelta(hours=1)
                message = (
                    f"{who}{shift_label(prev)}下班后仅休息 {hours:g} 小时即上{shift_label(cur)}"
                    f"（至少 {rules.min_rest_hours} 小时）"
                )
                out.append(Violation(where.key, REST, message, pid))
    return out


def by_shift(violations: Iterable[Violation]) -> dict[str, list[Violation]]:
    out: dict[str, list[Violation]] = defaultdict(list)
    for v in violations:
        out[v.shift_key].append(v)
    return dict(out)


def added(before: Iterable[Violation], after: Iterable[Violation]) -> list[Violation]:
    """The violations ``after`` has that ``before`` had not: what a change would cause."""
    known = {v.ident for v in before}
    return [v for v in after if v.ident not in known]


def swapped(plan: Sequence[Assignment], a_id: str, b_id: str) -> list[Assignment]:
    """The plan with the people of two entries exchanged (a swap as approved)."""
    a = next(x for x in plan if x.id == a_id)
    b = next(x for x in plan if x.id == b_id)
    out = []
    for x in plan:
        if x.id == a_id:
            x = replace(x, person_id=b.person_id, name=b.name)
        elif x.id == b_id:
            x = replace(x, person_id=a.person_id, name=a.name)
        out.append(x)
    return out


def swap_problem(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """Why two roster entries cannot be swapped (None: they can)."""
    if a["id"] == b["id"]:
        return "请选择两个不同的班次"
    if a["role"] != b["role"]:
        return f"只能与同一角色互换（{a['role']} 与 {b['role']}）"
    if a["person_id"] == b["person_id"]:
        return "两个班次是同一人，无需换班"
    return None


def rotation(
    shifts: Sequence[Shift],
    leaders: Sequence[tuple[str, str]],
    officers: Sequence[tuple[str, str]],
    *,
    per_shift: int = 1,
    start: int = 0,
) -> list[Assignment]:
    """Fill ``shifts`` in turn: the leaders one per shift, the officers ``per_shift`` per
    shift, each list cycling from its ``start``-th turn. People are (id, name) pairs."""
    if not 1 <= per_shift <= MAX_OFFICERS:
        raise ValueError("每班值班员 1 至 2 人")
    out: list[Assignment] = []
    for n, shift in enumerate(shifts):
        if leaders:
            pid, name = leaders[(start + n) % len(leaders)]
            out.append(Assignment(shift.key, LEADER, 0, pid, name))
        if officers:
            chosen: list[tuple[str, str]] = []
            turn = (start + n) * per_shift
            while len(chosen) < min(per_shift, len(officers)):
                person = officers[turn % len(officers)]
                turn += 1
                if person not in chosen:
                    chosen.append(person)
            for slot, (pid, name) in enumerate(chosen):
                out.append(Assignment(shift.key, OFFICER, slot, pid, name))
    return out


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first day of the month and of the next."""
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return first, nxt


def key_day(key: str) -> date:
    return date.fromisoformat(key.split("#", 1)[0])


def crew_text(crew: Iterable[Assignment], role: str) -> str:
    return "、".join(a.name for a in sorted(crew, key=lambda a: a.slot) if a.role == role)
