"""管控一张表 use cases: open an evacuation (转移行动), put villages in its circle (扩面转移),
record what the villages report (已转 / 拒转 / 返回, and corrections), and read the live
roll-up village -> township -> county with shelter occupancy and the laggards.

Every write is ONE ``Writer.apply`` of a shared mutation (console/domain/mutations_transfers),
so a report recorded offline adds to the others on every replica. Qt-free.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, case, func, literal_column, select

from console.domain import beijing, catalog
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.schema import (
    Evacuation,
    EvacuationArea,
    RiskPoint,
    SyncedRecord,
    TransferEvent,
    Village,
)
from console.domain.transfers import RollUp, VillageSum, laggards, later, roll_up_sums
from console.store.database import Store
from console.store.writer import Writer

LAGGARD_MINUTES = 30  # default: no report for half an hour while a transfer is open


def _t(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


class TransferService:
    """Reads from ``store``; writes through ``writer`` (None: a read-only console, such as
    the wall, which must not change anything)."""

    def __init__(self, store: Store, writer: Writer | None = None) -> None:
        self.store = store
        self._writer = writer

    @classmethod
    def of(cls, writer: Writer) -> TransferService:
        return cls(writer.store, writer)

    @property
    def writable(self) -> bool:
        return self._writer is not None

    def _apply(self, name: str, args: dict[str, Any], user: str) -> str:
        self._apply_all([(name, args)], user)
        return str(args["id"])

    def _apply_all(self, calls: list[tuple[str, dict[str, Any]]], user: str) -> None:
        if self._writer is None:
            raise MutationRejected("read_only", "本机为只读，不能修改")
        self._writer.apply(calls, user=user)

    # -- evacuations ----------------------------------------------------------------------
    def open(
        self,
        title: str,
        *,
        user: str,
        started_at: datetime | None = None,
        incident_id: str | None = None,
        note: str = "",
    ) -> str:
        args = {
            "id": new_id(),
            "title": title,
            "started_at": beijing.canonical(started_at or beijing.now()),
            "incident_id": incident_id,
            "note": note,
        }
        return self._apply("evacuation.open", args, user)

    def close(self, evacuation_id: str, *, user: str, at: datetime | None = None) -> None:
        args = {"id": evacuation_id, "at": beijing.canonical(at or beijing.now())}
        self._apply("evacuation.close", args, user)

    def reopen(self, evacuation_id: str, *, user: str) -> None:
        self._apply("evacuation.reopen", {"id": evacuation_id}, user)

    def evacuations(self) -> list[dict[str, Any]]:
        """Open ones first, the newest first."""
        t = _t(Evacuation)
        stmt = select(t).where(t.c.deleted.is_(False)).order_by(t.c.started_at.desc())
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return sorted(rows, key=lambda r: r["status"] != catalog.EVACUATION_OPEN)

    # -- the circle -----------------------------------------------------------------------
    def at_risk(self, village_id: str, risk_point_id: str | None = None) -> tuple[int, int]:
        """(households, persons) at risk: the risk point's, or all of the village's points."""
        t = _t(RiskPoint)
        which = t.c.id == risk_point_id if risk_point_id else t.c.village_id == village_id
        stmt = select(
            func.coalesce(func.sum(t.c.households), 0), func.coalesce(func.sum(t.c.persons), 0)
        ).where(t.c.deleted.is_(False), which)
        with self.store.engine.connect() as conn:
            households, persons = conn.execute(stmt).one()
        return int(households), int(persons)

    def add_area(
        self,
        evacuation_id: str,
        village_id: str,
        *,
        user: str,
        risk_point_id: str | None = None,
        planned_households: int | None = None,
        planned_persons: int | None = None,
        reason: str = "",
        at: datetime | None = None,
    ) -> str:
        """Put a village (or one of its risk points) in the circle; 应转 defaults to the
        households and persons at risk recorded for it."""
        households, persons = self.at_risk(village_id, risk_point_id)
        args = {
            "id": new_id(),
            "evacuation_id": evacuation_id,
            "village_id": village_id,
            "risk_point_id": risk_point_id,
            "planned_households": households if planned_households is None else planned_households,
            "planned_persons": persons if planned_persons is None else planned_persons,
            "added_at": beijing.canonical(at or beijing.now()),
            "reason": reason,
        }
        return self._apply("evacuation.add_area", args, user)

    def add_areas(
        self,
        evacuation_id: str,
        villages: list[str],
        *,
        user: str,
        reason: str = "",
        at: datetime | None = None,
        points: Sequence[tuple[str, str]] = (),
    ) -> list[str]:
        """扩面转移: several villages (whole) and risk points ``points`` ((village, point))
        at once, in one write (all or none), each with its people at risk as 应转."""
        when = beijing.canonical(at or beijing.now())
        calls = self.area_calls(evacuation_id, villages, reason=reason, when=when, points=points)
        self._apply_all(calls, user)
        return [str(args["id"]) for _name, args in calls]

    def area_calls(
        self,
        evacuation_id: str,
        villages: list[str],
        *,
        reason: str,
        when: str,
        points: Sequence[tuple[str, str]] = (),
    ) -> list[tuple[str, dict[str, Any]]]:
        """The ``evacuation.add_area`` mutations putting ``villages`` (each once, whole) and
        the risk points ``points`` ((village, point), each once) in the circle, each with its
        people at risk as 应转: for the caller's own write (a 转移指令 opening its evacuation
        writes them with the order)."""
        villages = list(dict.fromkeys(villages))
        points = list(dict.fromkeys(points))
        at_risk = self.at_risk_of(villages)
        at_point = self.at_risk_of_points([p for _v, p in points])
        areas: list[tuple[str, str | None, tuple[int, int]]]
        areas = [(v, None, at_risk.get(v, (0, 0))) for v in villages]
        areas += [(v, p, at_point.get(p, (0, 0))) for v, p in points]
        return [
            (
                "evacuation.add_area",
                {
                    "id": new_id(),
                    "evacuation_id": evacuation_id,
                    "village_id": village,
                    "risk_point_id": point,
                    "planned_households": counts[0],
                    "planned_persons": counts[1],
                    "added_at": when,
                    "reason": reason,
                },
            )
            for village, point, counts in areas
        ]

    def at_risk_of_points(self, points: list[str]) -> dict[str, tuple[int, int]]:
        """(households, persons) at risk per risk point, in one read."""
        if not points:
            return {}
        t = _t(RiskPoint)
        stmt = select(t.c.id, t.c.households, t.c.persons).where(
            t.c.deleted.is_(False), t.c.id.in_(points)
        )
        with self.store.engine.connect() as conn:
            return {p: (int(h or 0), int(n or 0)) for p, h, n in conn.execute(stmt)}

    def circle(self, evacuation_id: str) -> dict[str, dict[str | None, str]]:
        """What is in the circle per village: {risk point id (None: the whole village):
        its name ("" for the whole village)}."""
        a, r = _t(EvacuationArea), _t(RiskPoint)
        stmt = (
            select(a.c.village_id, a.c.risk_point_id, r.c.name)
            .select_from(a.outerjoin(r, r.c.id == a.c.risk_point_id))
            .where(a.c.evacuation_id == evacuation_id, a.c.deleted.is_(False))
        )
        out: dict[str, dict[str | None, str]] = {}
        with self.store.engine.connect() as conn:
            for village, point, name in conn.execute(stmt):
                out.setdefault(str(village), {})[point] = str(name or "")
        return out

    def at_risk_of(self, villages: list[str]) -> dict[str, tuple[int, int]]:
        """(households, persons) at risk per village (all its risk points), in one read."""
        if not villages:
            return {}
        t = _t(RiskPoint)
        stmt = (
            select(t.c.village_id, func.sum(t.c.households), func.sum(t.c.persons))
            .where(t.c.deleted.is_(False), t.c.village_id.in_(villages))
            .group_by(t.c.village_id)
        )
        with self.store.engine.connect() as conn:
            return {v: (int(h or 0), int(p or 0)) for v, h, p in conn.execute(stmt)}

    def set_planned(self, area_id: str, households: int, persons: int, *, user: str) -> None:
        args = {"id": area_id, "planned_households": households, "planned_persons": persons}
        self._apply("evacuation.set_planned", args, user)

    # -- reports --------------------------------------------------------------------------
    def record(
        self,
        evacuation_id: str,
        village_id: str,
        kind: str,
        persons: int,
        *,
        user: str,
        households: int = 0,
        risk_point_id: str | None = None,
        destination: str = "",
        shelter_id: str | None = None,
        reported_by: str = "",
        reported_at: datetime | None = None,
        note: str = "",
    ) -> str:
        args = {
            "id": new_id(),
            "evacuation_id": evacuation_id,
            "village_id": village_id,
            "risk_point_id": risk_point_id,
            "kind": kind,
            "persons": persons,
            "households": households,
            "destination": destination,
            "shelter_id": shelter_id,
            "reported_by": reported_by,
            "reported_at": beijing.canonical(reported_at or beijing.now()),
            "correction_of": "",
            "note": note,
        }
        return self._apply("transfer.record", args, user)

    def correct(
        self,
        event_id: str,
        persons: int,
        *,
        user: str,
        households: int = 0,
        note: str = "",
        at: datetime | None = None,
    ) -> str:
        """A correction of a recorded report: another event with the difference (a
        negative count takes people off), never an overwrite."""
        t = _t(TransferEvent)
        with self.store.engine.connect() as conn:
            original = conn.execute(select(t).where(t.c.id == event_id)).mappings().first()
        if original is None:
            raise MutationRejected("not_found", "要更正的记录不存在")
        args = {
            "id": new_id(),
            **{
                k: original[k]
                for k in ("evacuation_id", "village_id", "risk_point_id", "kind", "shelter_id")
            },
            "destination": original["destination"],
            "persons": persons,
            "households": households,
            "reported_by": original["reported_by"],
            "reported_at": beijing.canonical(at or beijing.now()),
            "correction_of": event_id,
            "note": note,
        }
        return self._apply("transfer.record", args, user)

    def events(self, evacuation_id: str) -> list[dict[str, Any]]:
        t = _t(TransferEvent)
        stmt = (
            select(t)
            .where(t.c.evacuation_id == evacuation_id, t.c.deleted.is_(False))
            .order_by(t.c.reported_at)
        )
        with self.store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    # -- the roll-up ----------------------------------------------------------------------
    def roll_up(self, evacuation_id: str) -> RollUp:
        """The counts, added up by the database (GROUP BY village, kind): 20,000 events are
        summed in a few milliseconds (bench/transfer_rollup.py). The same figures as the
        domain's :func:`roll_up` over the events (tests/transfers check both agree). A page
        that reads again after every change keeps a :class:`LiveRollUp` instead."""
        with self.store.engine.connect() as conn:
            area_list, township_of = _circle(conn, evacuation_id)
            sums = [
                VillageSum(str(v), str(k), int(p), int(h), int(n), last)
                for v, k, p, h, n, last, _count in conn.execute(_sums_stmt(evacuation_id))
            ]
            shelters = {str(s): int(n) for s, n in conn.execute(_shelters_stmt(evacuation_id))}
        return roll_up_sums(area_list, sums, shelters, township_of)

    def village_events(self, evacuation_id: str, village_id: str) -> list[dict[str, Any]]:
        """One village's reports, oldest first (the page's list for the selected village)."""
        t = _t(TransferEvent)
        stmt = (
            select(t)
            .where(
                t.c.evacuation_id == evacuation_id,
                t.c.village_id == village_id,
                t.c.deleted.is_(False),
            )
            .order_by(t.c.reported_at)
        )
        with self.store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def laggards(
        self, evacuation_id: str, *, now: datetime | None = None, minutes: int = LAGGARD_MINUTES
    ) -> list[str]:
        return laggards(self.roll_up(evacuation_id), now or beijing.now(), minutes)


def _rowid() -> Any:
    """SQLite's rowid of transfer_events: it grows with every event stored (rows are never
    removed, a deletion is a flag); the check below catches the rare case it does not."""
    return literal_column(f"{_t(TransferEvent).name}.rowid")


def _live_events(evacuation_id: str) -> Any:
    events = _t(TransferEvent)
    return (events.c.evacuation_id == evacuation_id, events.c.deleted.is_(False))


def _sums_stmt(evacuation_id: str) -> Any:
    """Per village and kind (and time offset: ISO texts of one offset sort as times; the
    offsets, all +08:00 when written by the console, are compared as times in Python):
    persons, households, first reports, the latest first report, and the events."""
    events = _t(TransferEvent)
    first = events.c.correction_of == ""
    offset = func.substr(events.c.reported_at, func.length(events.c.reported_at) - 5)
    return (
        select(
            events.c.village_id,
            events.c.kind,
            func.sum(events.c.persons),
            func.sum(events.c.households),
            func.sum(case((first, 1), else_=0)),
            func.max(case((first, events.c.reported_at), else_=None)),
            func.count(),
        )
        .where(*_live_events(evacuation_id))
        .group_by(events.c.village_id, events.c.kind, offset)
    )


def _shelters_stmt(evacuation_id: str) -> Any:
    """The persons in each shelter now: moved in minus returned home."""
    events = _t(TransferEvent)
    signed = case(
        (events.c.kind == catalog.MOVED, events.c.persons),
        (events.c.kind == catalog.RETURNED, -events.c.persons),
        else_=0,
    )
    return (
        select(events.c.shelter_id, func.sum(signed))
        .where(*_live_events(evacuation_id), events.c.shelter_id.is_not(None))
        .group_by(events.c.shelter_id)
    )


def _circle(conn: Connection, evacuation_id: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The evacuation's areas (应转 and when each joined) and every village's township."""
    areas, villages = _t(EvacuationArea), _t(Village)
    area_list = [
        dict(r)
        for r in conn.execute(
            select(
                areas.c.village_id,
                areas.c.planned_households,
                areas.c.planned_persons,
                areas.c.added_at,
            ).where(areas.c.evacuation_id == evacuation_id, areas.c.deleted.is_(False))
        ).mappings()
    ]
    township_of = {
        str(v): str(t) for v, t in conn.execute(select(villages.c.id, villages.c.township_id))
    }
    return area_list, township_of


class LiveRollUp:
    """:meth:`TransferService.roll_up` for a page that reads again after every change: the
    first read of an evacuation adds all its events up in SQL; each later read folds in only
    the events stored since (SQLite rowids above the highest one read; events are append-only,
    a correction is another event) and checks the totals it holds (events, persons,
    households) against the database's, over the covering index. Any difference (a row
    changed or deleted by a pull, a rewritten file) reads everything again. One read
    transaction each time, so the rows, the mark and the check agree.

    Thread-safe: the page may read on two pool threads at once."""

    def __init__(self, transfers: TransferService) -> None:
        self.transfers = transfers
        self.full_reads = 0  # how often everything was read (tests, the bench)
        self._lock = threading.Lock()
        self._evacuation: str | None = None
        self._mark = 0  # the highest transfer_events rowid folded in
        self._sums: dict[tuple[str, str], list[Any]] = {}  # persons, households, reports, last
        self._counts = [0, 0, 0]  # events, persons, households
        self._shelters: dict[str, int] = {}
        # The circle last read: evacuation id, its areas, every village's township.
        self._circle: tuple[str, list[dict[str, Any]], dict[str, str]] | None = None

    def roll_up(self, evacuation_id: str, *, same_circle: bool = False) -> RollUp:
        """``same_circle``: the caller knows the circle (evacuation_areas) and the villages
        have not changed since the last call, so they are not read again."""
        events = _t(TransferEvent)
        check = select(
            func.count(), func.total(events.c.persons), func.total(events.c.households)
        ).where(*_live_events(evacuation_id))
        with self._lock, self.transfers.store.engine.connect() as conn:
            mark = int(conn.execute(select(func.max(_rowid())).select_from(events)).scalar() or 0)
            totals = [int(n) for n in conn.execute(check).one()]
            if evacuation_id == self._evacuation and mark >= self._mark:
                self._fold_since(conn, evacuation_id, mark)
            renumbered = mark < self._mark  # rows wiped and pulled again (a rejoin)
            if evacuation_id != self._evacuation or renumbered or self._counts != totals:
                self._read_all(conn, evacuation_id, mark)
            if not same_circle or self._circle is None or self._circle[0] != evacuation_id:
                self._circle = (evacuation_id, *_circle(conn, evacuation_id))
            _id, area_list, township_of = self._circle
            sums = [
                VillageSum(village, kind, p, h, n, last)
                for (village, kind), (p, h, n, last) in self._sums.items()
            ]
            shelters = dict(self._shelters)
        return roll_up_sums(area_list, sums, shelters, township_of)

    def _read_all(self, conn: Connection, evacuation_id: str, mark: int) -> None:
        self.full_reads += 1
        self._evacuation, self._mark = evacuation_id, mark
        self._sums, self._counts = {}, [0, 0, 0]
        for village, kind, p, h, n, last, count in conn.execute(_sums_stmt(evacuation_id)):
            self._add(str(village), str(kind), int(p), int(h), int(n), last, int(count))
        self._shelters = {str(s): int(n) for s, n in conn.execute(_shelters_stmt(evacuation_id))}

    def _fold_since(self, conn: Connection, evacuation_id: str, mark: int) -> None:
        events = _t(TransferEvent)
        stmt = select(
            events.c.village_id,
            events.c.kind,
            events.c.persons,
            events.c.households,
            events.c.correction_of,
            events.c.reported_at,
            events.c.shelter_id,
        ).where(_rowid() > self._mark, _rowid() <= mark, *_live_events(evacuation_id))
        for village, kind, persons, households, correction_of, at, shelter in conn.execute(stmt):
            first = not correction_of
            self._add(
                str(village),
                str(kind),
                int(persons),
                int(households),
                int(first),
                at if first else None,
                1,
            )
            if shelter and kind in (catalog.MOVED, catalog.RETURNED):
                sign = 1 if kind == catalog.MOVED else -1
                self._shelters[shelter] = self._shelters.get(shelter, 0) + sign * int(persons)
        self._mark = mark

    def _add(
        self,
        village: str,
        kind: str,
        persons: int,
        households: int,
        reports: int,
        last: str | None,
        count: int,
    ) -> None:
        acc = self._sums.setdefault((village, kind), [0, 0, 0, None])
        acc[0] += persons
        acc[1] += households
        acc[2] += reports
        acc[3] = later(acc[3], last)
        self._counts[0] += count
        self._counts[1] += persons
        self._counts[2] += households
