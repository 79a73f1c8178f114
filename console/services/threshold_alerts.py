"""Threshold alerts: one per crossing (``Situation.crossings()`` key), raised when a
Situation shows it for the first time, cleared when a later Situation no longer does, and
acknowledged by whoever is on duty (who, when).

The alerts are synced records (``threshold_alerts``, id from the crossing key), so an
acknowledgement survives a restart and shows on every workstation, and two workstations that
see the same crossing raise one alert. Qt-free: the watcher and the banner call these on the
task runner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select

from console.domain import beijing
from console.domain.mutations import alert_id
from console.domain.roles import allowed
from console.domain.rows import MutationCall
from console.domain.schema import ThresholdAlert
from console.domain.situation import Situation
from console.store.writer import Writer

MESSAGE_MAX = 500


def _table() -> Table:
    return cast(Table, ThresholdAlert.__table__)


@dataclass(frozen=True)
class Crossing:
    key: str
    level: str
    message: str


def describe(situation: Situation) -> list[Crossing]:
    """Every crossing of ``situation`` with its colour and a Chinese line for the banner,
    in the order of ``Situation.crossings()``."""
    names = {t.township_id: t.name for t in situation.townships}
    found: list[Crossing] = []
    for e in situation.endangered:
        if e.level:
            where = names.get(e.township_id or "", "")
            persons = f"，涉及 {e.persons} 人" if e.persons else ""
            text = f"{where}{e.name}达到{e.level}色预警{persons}：{e.reason}"
            found.append(Crossing(f"place:{e.place_id}:{e.level}", e.level, text))
    for s in situation.stations:
        for line in s.over:
            level = f"，{s.level_m:g} 米" if s.level_m is not None else ""
            found.append(
                Crossing(f"station:{s.station_id}:{line}", "", f"{s.name}超过{line}{level}")
            )
    for t in situation.townships:
        if t.signal:
            note = f"：{t.note}" if t.note else ""
            found.append(
                Crossing(
                    f"township:{t.township_id}:{t.signal}",
                    t.signal,
                    f"{t.name}雨量达到{t.signal}色预警标准{note}",
                )
            )
    return found


class ThresholdAlerts:
    def __init__(self, writer: Writer, *, clock: Callable[[], datetime] = beijing.now) -> None:
        self._writer = writer
        self._clock = clock

    def _now(self) -> str:
        return beijing.canonical(self._clock())

    def active(self) -> list[dict[str, Any]]:
        """Alerts whose crossing is on (not cleared), newest first."""
        t = _table()
        with self._writer.store.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(t)
                    .where(t.c.deleted.is_(False), t.c.cleared_at.is_(None))
                    .order_by(t.c.raised_at.desc(), t.c.key)
                ).mappings()
            ]

    def unacknowledged(self) -> list[dict[str, Any]]:
        """What the banner shows: alerts on and not yet acknowledged by anybody."""
        return [a for a in self.active() if a["acked_by"] is None]

    def get(self, key: str) -> dict[str, Any] | None:
        t = _table()
        with self._writer.store.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.id == alert_id(key))).mappings().first()
        return None if row is None else dict(row)

    def observe(self, situation: Situation, *, user: str, role: str | None = None) -> list[str]:
        """Raise the alerts of new crossings and clear those that ended; the keys raised.
        A role that may not write (只读) records nothing."""
        if role is not None and not allowed(role, "alert.raise"):
            return []
        on = {a["key"] for a in self.active()}
        crossings = describe(situation)
        now = self._now()
        calls: list[MutationCall] = []
        raised: list[str] = []
        for c in crossings:
            if c.key in on or c.key in raised:
                continue
            raised.append(c.key)
            calls.append(
                (
                    "alert.raise",
                    {
                        "id": alert_id(c.key),
                        "key": c.key,
                        "level": c.level,
                        "message": c.message[:MESSAGE_MAX],
                        "raised_at": now,
                        "simulated": situation.simulated,
                    },
                )
            )
        current = {c.key for c in crossings}
        for key in sorted(on - current):
            calls.append(("alert.clear", {"id": alert_id(key), "at": now}))
        if calls:
            self._writer.apply(calls, user=user)
        return raised

    def acknowledge(self, ids: Sequence[str], *, user: str) -> None:
        """确认: recorded with who and when (the first acknowledgement stands)."""
        now = self._now()
        calls: list[MutationCall] = [
            ("alert.acknowledge", {"id": alert, "at": now}) for alert in ids
        ]
        if calls:
            self._writer.apply(calls, user=user)
