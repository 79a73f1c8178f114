"""排班 use cases (issue #14): read a month of the roster with its holidays and the rule
violations, find a person by name or pinyin initials, plan a shift's crew, fill a month
from a rotation, ask for / approve / refuse a swap, set the shift pattern and holidays.

Qt-free: the 排班 tab binds to this through the task runner; every write is one shared
mutation batch (console/domain/mutations_roster.py) through the workstation's writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from console.domain import beijing, roster
from console.domain.fields import MutationRejected
from console.domain.ids import new_id, reference_id
from console.domain.roster import Assignment, RosterRules, Violation
from console.domain.rows import MutationCall
from console.domain.schema import Holiday, Person, RosterEntry, RosterSettings, RosterSwap, Unit
from console.domain.shifts import Shift, shifts_in_month
from console.services.contacts import pinyin_keys
from console.store.database import Store
from console.store.writer import Writer

TABLES = ("roster_entries", "roster_swaps", "roster_settings", "holidays", "people")


def _t(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@dataclass(frozen=True)
class PersonChoice:
    """A person the roster can name: ``label`` adds the unit or post when the name alone
    is not unique (the sample county has eighteen 王某某)."""

    id: str
    name: str
    label: str
    is_sample: bool
    initials: tuple[str, ...] = ()
    full_pinyin: tuple[str, ...] = ()


def match_people(people: Sequence[PersonChoice], text: str, limit: int = 20) -> list[PersonChoice]:
    """People whose name, label, pinyin initials or full pinyin begin with (or, for the
    label, contain) ``text``: a name or the usual reading's initials first, then another
    reading's (潘 read fan), then the rest."""
    typed = text.strip().lower()
    if not typed:
        return list(people[:limit])
    ranked: list[list[PersonChoice]] = [[], [], []]
    for p in people:
        if p.name.startswith(typed) or (p.initials and p.initials[0].startswith(typed)):
            ranked[0].append(p)
        elif any(i.startswith(typed) for i in p.initials):
            ranked[1].append(p)
        elif typed in p.label.lower() or any(f.startswith(typed) for f in p.full_pinyin):
            ranked[2].append(p)
    return [p for rank in ranked for p in rank][:limit]


@dataclass
class MonthView:
    """One month of the roster as the calendar shows it."""

    year: int
    month: int
    rules: RosterRules
    shifts: list[Shift]
    plan: list[Assignment]  # the month and one day either side (rest across the edges)
    holidays: dict[date, tuple[str, bool]]  # day -> (name, 法定节假日)
    violations: list[Violation]
    pending_swaps: int = 0
    sample: bool = False
    settings_saved: bool = False
    by_shift: dict[str, list[Violation]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_shift = roster.by_shift(self.violations)

    def crew(self, shift_key: str) -> list[Assignment]:
        return [a for a in self.plan if a.shift_key == shift_key]

    def day_shifts(self, day: date) -> list[Shift]:
        return [s for s in self.shifts if s.day == day]


@dataclass(frozen=True)
class SwapView:
    id: str
    status: str
    reason: str
    requested_by: str
    requested_at: str
    a_key: str
    b_key: str
    role: str
    a_name: str  # the requester's side (as asked)
    b_name: str
    decided_by: str
    decision_note: str
    entry_a_id: str
    entry_b_id: str


class RosterService:
    """Reads from ``store``; writes through ``writer`` (None: read-only)."""

    def __init__(self, store: Store, writer: Writer | None = None) -> None:
        self.store = store
        self._writer = writer

    def _apply(self, calls: list[MutationCall], user: str) -> None:
        if self._writer is None:
            raise MutationRejected("read_only", "本机为只读，不能修改")
        if calls:
            self._writer.apply(calls, user=user)

    # -- reads --------------------------------------------------------------------------
    def settings(self, conn: Connection | None = None) -> dict[str, Any] | None:
        if conn is None:
            with self.store.engine.connect() as c:
                return self.settings(c)
        t = _t(RosterSettings)
        row = conn.execute(
            select(t).where(t.c.id == roster.SETTINGS_ID, t.c.deleted.is_(False))
        ).mappings()
        first = row.first()
        return dict(first) if first else None

    def rules(self, conn: Connection | None = None) -> RosterRules:
        return RosterRules.of(self.settings(conn))

    def people(self) -> list[PersonChoice]:
        p, u = _t(Person), _t(Unit)
        stmt = (
            select(p.c.id, p.c.name, p.c.post, p.c.is_sample, u.c.name.label("unit"))
            .select_from(p.outerjoin(u, p.c.unit_id == u.c.id))
            .where(p.c.deleted.is_(False))
            .order_by(p.c.name, p.c.id)
        )
        with self.store.engine.connect() as conn:
            rows = list(conn.execute(stmt).mappings())
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["name"]] = counts.get(r["name"], 0) + 1
        out = []
        for r in rows:
            label = r["name"]
            if counts[r["name"]] > 1:
                label += f"（{r['post'] or r['unit'] or r['id'][:8]}）"
            initials, full = pinyin_keys(r["name"])
            out.append(
                PersonChoice(r["id"], r["name"], label, bool(r["is_sample"]), initials, full)
            )
        return out

    def _entries(self, conn: Connection, first: date, last: date) -> list[dict[str, Any]]:
        e, p = _t(RosterEntry), _t(Person)
        stmt = (
            select(e, p.c.name.label("name"))
            .select_from(e.join(p, e.c.person_id == p.c.id))
            .where(
                e.c.deleted.is_(False),
                e.c.shift_key >= first.isoformat(),
                e.c.shift_key < (last + timedelta(days=1)).isoformat(),
            )
        )
        return [dict(r) for r in conn.execute(stmt).mappings()]

    def month(self, year: int, month: int) -> MonthView:
        first, nxt = roster.month_bounds(year, month)
        with self.store.engine.connect() as conn:
            rules = self.rules(conn)
            saved = self.settings(conn) is not None
            rows = self._entries(conn, first - timedelta(days=1), nxt)
            h = _t(Holiday)
            holidays = {
                date.fromisoformat(r.day): (r.name, bool(r.legal))
                for r in conn.execute(
                    select(h.c.day, h.c.name, h.c.legal).where(
                        h.c.deleted.is_(False),
                        h.c.day >= first.isoformat(),
                        h.c.day < nxt.isoformat(),
                    )
                )
                if r.day
            }
            s = _t(RosterSwap)
            pending = len(
                conn.execute(
                    select(s.c.id).where(s.c.deleted.is_(False), s.c.status == roster.SWAP_PENDING)
                ).all()
            )
        plan = [
            Assignment(r["shift_key"], r["role"], r["slot"], r["person_id"], r["name"])
            for r in rows
        ]
        shifts = shifts_in_month(year, month, rules.pattern)
        return MonthView(
            year,
            month,
            rules,
            shifts,
            plan,
            holidays,
            roster.check(plan, shifts, rules),
            pending_swaps=pending,
            sample=any(r["is_sample"] for r in rows),
            settings_saved=saved,
        )

    def swaps(self, status: str | None = None) -> list[SwapView]:
        s, a, b = _t(RosterSwap), _t(RosterEntry).alias("a"), _t(RosterEntry).alias("b")
        pa, pb = _t(Person).alias("pa"), _t(Person).alias("pb")
        stmt = (
            select(
                s,
                a.c.shift_key.label("a_key"),
                b.c.shift_key.label("b_key"),
                a.c.role.label("role"),
                pa.c.name.label("a_name"),
                pb.c.name.label("b_name"),
            )
            .select_from(
                s.join(a, s.c.entry_a_id == a.c.id)
                .join(b, s.c.entry_b_id == b.c.id)
                .join(pa, s.c.person_a_id == pa.c.id)
                .join(pb, s.c.person_b_id == pb.c.id)
            )
            .where(s.c.deleted.is_(False))
            .order_by(s.c.requested_at.desc())
        )
        if status:
            stmt = stmt.where(s.c.status == status)
        with self.store.engine.connect() as conn:
            rows = list(conn.execute(stmt).mappings())
        return [
            SwapView(
                r["id"],
                r["status"],
                r["reason"],
                r["author"],
                r["requested_at"],
                r["a_key"],
                r["b_key"],
                r["role"],
                r["a_name"],
                r["b_name"],
                r["decided_by"],
                r["decision_note"],
                r["entry_a_id"],
                r["entry_b_id"],
            )
            for r in rows
        ]

    def swap_effect(self, swap: SwapView) -> list[Violation]:
        """The violations approving ``swap`` would add (both months it touches)."""
        out: list[Violation] = []
        for key in dict.fromkeys((swap.a_key, swap.b_key)):
            day = roster.key_day(key)
            view = self.month(day.year, day.month)
            after = roster.check(
                roster.swapped(view.plan, swap.entry_a_id, swap.entry_b_id), view.shifts, view.rules
            )
            out += [v for v in roster.added(view.violations, after) if v not in out]
        return out

    # -- writes -------------------------------------------------------------------------
    def crew_calls(
        self,
        view: MonthView,
        shift_key: str,
        leader: PersonChoice | None,
        officers: Sequence[PersonChoice],
    ) -> list[MutationCall]:
        """The calls that make a shift's crew this (empty slots cleared)."""
        if len(officers) > roster.MAX_OFFICERS:
            raise MutationRejected("bad_args", "每班值班员最多 2 人")
        current = {a.id: a for a in view.crew(shift_key)}
        wanted: dict[str, PersonChoice] = {}
        if leader is not None:
            wanted[roster.entry_id(shift_key, roster.LEADER, 0)] = leader
        for slot, person in enumerate(officers):
            wanted[roster.entry_id(shift_key, roster.OFFICER, slot)] = person
        calls: list[MutationCall] = []
        for role, count in roster.SLOTS.items():
            for slot in range(count):
                rid = roster.entry_id(shift_key, role, slot)
                chosen = wanted.get(rid)
                if chosen is None:
                    if rid in current:
                        calls.append(("roster_entry.delete", {"id": rid}))
                    continue
                if rid in current and current[rid].person_id == chosen.id:
                    continue
                args = {
                    "id": rid,
                    "shift_key": shift_key,
                    "role": role,
                    "slot": slot,
                    "person_id": chosen.id,
                    "is_sample": chosen.is_sample,
                }
                calls.append(("roster_entry.upsert", args))
        return calls

    def set_crew(
        self,
        view: MonthView,
        shift_key: str,
        leader: PersonChoice | None,
        officers: Sequence[PersonChoice],
        user: str,
    ) -> None:
        self._apply(self.crew_calls(view, shift_key, leader, officers), user)

    def fill_calls(
        self,
        view: MonthView,
        leaders: Sequence[PersonChoice],
        officers: Sequence[PersonChoice],
        *,
        per_shift: int = 1,
        start: int = 0,
        overwrite: bool = False,
    ) -> list[MutationCall]:
        """A month from a rotation; shifts already planned are kept unless ``overwrite``."""
        by_id = {p.id: p for p in (*leaders, *officers)}
        planned = {a.shift_key for a in view.plan}
        shifts = [s for s in view.shifts if overwrite or s.key not in planned]
        made = roster.rotation(
            shifts,
            [(p.id, p.name) for p in leaders],
            [(p.id, p.name) for p in officers],
            per_shift=per_shift,
            start=start,
        )
        calls: list[MutationCall] = []
        for shift in shifts:
            crew = [a for a in made if a.shift_key == shift.key]
            lead = next((by_id[a.person_id] for a in crew if a.role == roster.LEADER), None)
            offs = [by_id[a.person_id] for a in crew if a.role == roster.OFFICER]
            calls += self.crew_calls(view, shift.key, lead, offs)
        return calls

    def apply_calls(self, calls: list[MutationCall], user: str) -> None:
        self._apply(calls, user)

    def request_swap(
        self, entry_a_id: str, entry_b_id: str, reason: str, user: str, at: datetime | None = None
    ) -> str:
        swap_id = new_id()
        args = {
            "id": swap_id,
            "entry_a_id": entry_a_id,
            "entry_b_id": entry_b_id,
            "reason": reason.strip(),
            "requested_at": beijing.canonical(at or beijing.now()),
        }
        self._apply([("roster_swap.request", args)], user)
        return swap_id

    def decide_swap(
        self, swap_id: str, approve: bool, user: str, note: str = "", at: datetime | None = None
    ) -> None:
        name = "roster_swap.approve" if approve else "roster_swap.refuse"
        args = {"id": swap_id, "at": beijing.canonical(at or beijing.now()), "note": note}
        self._apply([(name, args)], user)

    def save_settings(self, start: str, hours: int, min_rest: int, user: str) -> None:
        args = {
            "id": roster.SETTINGS_ID,
            "shift_start": start.strip(),
            "shift_hours": hours,
            "min_rest_hours": min_rest,
        }
        self._apply([("roster_setting.upsert", args)], user)

    def set_holiday(self, day: date, name: str, legal: bool, user: str) -> None:
        args = {
            "id": holiday_id(day),
            "day": day.isoformat(),
            "name": name.strip(),
            "legal": legal,
        }
        self._apply([("holiday.upsert", args)], user)

    def remove_holiday(self, day: date, user: str) -> None:
        self._apply([("holiday.delete", {"id": holiday_id(day)})], user)


def holiday_id(day: date) -> str:
    return reference_id("holiday", day.isoformat())
