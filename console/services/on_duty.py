"""Who is on duty now and next (当前值班 / 下一班): read from the roster for the shift a
moment falls in and the one after it, with the county's shift pattern.

One function, :func:`on_duty`, for every screen that says it: the status bar today, the wall
display later. Qt-free; the caller refreshes at :attr:`OnDuty.changes_at` (the shift change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, select

from console.domain import roster
from console.domain.roster import RosterRules
from console.domain.schema import Person, RosterEntry, RosterSettings
from console.domain.shifts import Shift, ShiftPattern, next_shift, shift_at
from console.store.database import Store


@dataclass(frozen=True)
class Crew:
    shift: Shift
    leader: str  # "" when the slot is empty
    officers: tuple[str, ...]

    @property
    def planned(self) -> bool:
        return bool(self.leader or self.officers)

    def text(self) -> str:
        if not self.planned:
            return "未排班"
        parts = [f"带班 {self.leader or '未排'}", f"值班 {'、'.join(self.officers) or '未排'}"]
        return " · ".join(parts)


@dataclass(frozen=True)
class OnDuty:
    now: Crew
    next: Crew

    @property
    def changes_at(self) -> datetime:
        return self.now.shift.end

    def text(self) -> str:
        nxt = self.next.shift.start
        return f"当班：{self.now.text()}　下一班（{nxt:%m-%d %H:%M}）：{self.next.text()}"


def _t(model: object) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _pattern(conn: Connection) -> ShiftPattern:
    s = _t(RosterSettings)
    setting = (
        conn.execute(select(s).where(s.c.id == roster.SETTINGS_ID, s.c.deleted.is_(False)))
        .mappings()
        .first()
    )
    return RosterRules.of(dict(setting) if setting else None).pattern


def county_pattern(store: Store) -> ShiftPattern:
    """The county's shift pattern (班制设置, synced), the default 08:30 / 24 h without one:
    what the roster, the handover and the duty log all cut time with."""
    with store.engine.connect() as conn:
        return _pattern(conn)


def on_duty(store: Store, moment: datetime) -> OnDuty:
    """The crews of the shift ``moment`` falls in and of the next shift."""
    e, p = _t(RosterEntry), _t(Person)
    with store.engine.connect() as conn:
        pattern = _pattern(conn)
        current = shift_at(moment, pattern)
        following = next_shift(current, pattern)
        rows = conn.execute(
            select(e.c.shift_key, e.c.role, e.c.slot, p.c.name)
            .select_from(e.join(p, e.c.person_id == p.c.id))
            .where(e.c.deleted.is_(False), e.c.shift_key.in_([current.key, following.key]))
            .order_by(e.c.slot)
        ).all()

    def crew(shift: Shift) -> Crew:
        mine = [r for r in rows if r.shift_key == shift.key]
        leader = next((r.name for r in mine if r.role == roster.LEADER), "")
        officers = tuple(r.name for r in mine if r.role == roster.OFFICER)
        return Crew(shift, leader, officers)

    return OnDuty(crew(current), crew(following))
