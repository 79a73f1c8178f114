"""What the 管控一张表 page shows for one evacuation, read in one go on the task runner:
the rows county -> township -> village with their counts, the laggards, the shelters with
occupancy against capacity, and the villages that may still be put in the circle.

Qt-free; built from :class:`TransferService` reads and the domain roll-up.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select

from console.domain import beijing
from console.domain.schema import (
    Person,
    RiskPoint,
    Shelter,
    SpecialHousehold,
    SyncedRecord,
    Township,
    Village,
)
from console.domain.transfers import Tally, laggards
from console.services.transfers import LAGGARD_MINUTES, LiveRollUp, TransferService

COUNTY, TOWNSHIP, VILLAGE = "county", "township", "village"
# A snapshot after changes to these tables only reads the new events.
EVENTS_ONLY = frozenset({"transfer_events"})


@dataclass(frozen=True)
class ControlRow:
    level: str  # COUNTY | TOWNSHIP | VILLAGE
    id: str
    name: str
    township_id: str
    tally: Tally
    laggard: bool = False
    laggards: int = 0  # villages lagging below a township or the county


@dataclass(frozen=True)
class ShelterRow:
    id: str
    name: str
    township: str
    capacity: int
    present: int

    @property
    def over(self) -> bool:
        return self.capacity > 0 and self.present > self.capacity


@dataclass(frozen=True)
class ControlSnapshot:
    evacuations: list[dict[str, Any]] = field(default_factory=list)
    evacuation: dict[str, Any] | None = None
    rows: list[ControlRow] = field(default_factory=list)
    shelters: list[ShelterRow] = field(default_factory=list)
    at: datetime | None = None
    shelter_choices: list[dict[str, Any]] = field(default_factory=list)  # id, name, township

    @property
    def county(self) -> Tally:
        return self.rows[0].tally if self.rows else Tally()


_Kept = tuple[list[dict[str, Any]], dict[str, dict[str, str]], list[dict[str, Any]]]


def _t(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


class ControlTable:
    def __init__(self, transfers: TransferService) -> None:
        self.transfers = transfers
        # Read after every change: only the events stored since the last read are added.
        self.live = LiveRollUp(transfers)
        self._lock = threading.Lock()  # the page and an export may read at once
        # What the last snapshot read besides the events: evacuations, names, shelters.
        self._kept: _Kept | None = None

    @property
    def _engine(self) -> Any:
        return self.transfers.store.engine

    def snapshot(
        self,
        evacuation_id: str | None,
        *,
        now: datetime | None = None,
        minutes: int = LAGGARD_MINUTES,
        since: Collection[str] | None = None,
    ) -> ControlSnapshot:
        """The rows of ``evacuation_id`` (the newest open one when None or gone).

        ``since``: the tables changed since the previous snapshot (None: not known). When
        only transfer events were added, the evacuations, the circle, the names and the
        shelters are those of the previous snapshot and only the new events are read: the
        page's roll-up after a report stays well inside its 100 ms."""
        now = now or beijing.now()
        with self._lock:
            reuse = since is not None and set(since) <= EVENTS_ONLY and self._kept is not None
            if not reuse or self._kept is None:
                self._kept = (self.transfers.evacuations(), self._names(), self._shelters())
            evacuations, names, shelter_list = self._kept
            chosen = next((e for e in evacuations if e["id"] == evacuation_id), None)
            if chosen is None and evacuations:
                chosen = evacuations[0]
            if chosen is None:
                return ControlSnapshot(evacuations, at=now)
            up = self.live.roll_up(chosen["id"], same_circle=reuse)
        late = set(laggards(up, now, minutes)) if chosen["status"] == "进行中" else set()
        rows = [ControlRow(COUNTY, "", "全县合计", "", up.county, laggards=len(late))]
        by_township: dict[str, list[str]] = {}
        for village in up.villages:
            by_township.setdefault(names["village_township"].get(village, ""), []).append(village)
        for township in sorted(by_township, key=lambda t: names["townships"].get(t, "")):
            villages = sorted(by_township[township], key=lambda v: names["villages"].get(v, ""))
            rows.append(
                ControlRow(
                    TOWNSHIP,
                    township,
                    names["townships"].get(township, "（未知乡镇）"),
                    township,
                    up.townships.get(township, Tally()),
                    laggards=sum(1 for v in villages if v in late),
                )
            )
            rows += [
                ControlRow(
                    VILLAGE,
                    v,
                    names["villages"].get(v, "（未知村）"),
                    township,
                    up.villages[v],
                    laggard=v in late,
                )
                for v in villages
            ]
        shelters = [
            ShelterRow(
                str(s["id"]),
                str(s["name"]),
                names["townships"].get(s["township_id"] or "", ""),
                int(s["capacity"] or 0),
                present,
            )
            for s in shelter_list
            if (present := up.shelters.get(s["id"], 0))
        ]
        shelters.sort(key=lambda s: (-s.present, s.name))
        return ControlSnapshot(evacuations, chosen, rows, shelters, now, shelter_list)

    def _names(self) -> dict[str, dict[str, str]]:
        townships, villages = _t(Township), _t(Village)
        with self._engine.connect() as conn:
            t_names = {
                str(i): str(n) for i, n in conn.execute(select(townships.c.id, townships.c.name))
            }
            v_rows = conn.execute(
                select(villages.c.id, villages.c.name, villages.c.township_id)
            ).all()
        return {
            "townships": t_names,
            "villages": {str(i): str(n) for i, n, _t in v_rows},
            "village_township": {str(i): str(t) for i, _n, t in v_rows},
        }

    def _shelters(self) -> list[dict[str, Any]]:
        """The live shelters."""
        shelters = _t(Shelter)
        stmt = select(
            shelters.c.id, shelters.c.name, shelters.c.township_id, shelters.c.capacity
        ).where(shelters.c.deleted.is_(False))
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def households(self, village_id: str) -> list[dict[str, Any]]:
        """The village's 一户一策 households with their helper's name and mobile."""
        homes, people = _t(SpecialHousehold), _t(Person)
        stmt = (
            select(
                homes, people.c.name.label("helper_name"), people.c.mobile.label("helper_mobile")
            )
            .outerjoin(people, people.c.id == homes.c.helper_id)
            .where(homes.c.village_id == village_id, homes.c.deleted.is_(False))
            .order_by(homes.c.head_name)
        )
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def candidates(self, township_id: str) -> list[dict[str, Any]]:
        """The township's villages with the people at risk in them, for 扩面转移."""
        villages = _t(Village)
        with self._engine.connect() as conn:
            rows = [
                dict(r)
                for r in conn.execute(
                    select(villages.c.id, villages.c.name)
                    .where(villages.c.township_id == township_id, villages.c.deleted.is_(False))
                    .order_by(villages.c.name)
                ).mappings()
            ]
        points: dict[str, list[dict[str, Any]]] = {}
        r = _t(RiskPoint)
        with self._engine.connect() as conn:
            for p in conn.execute(
                select(r.c.id, r.c.name, r.c.village_id, r.c.households, r.c.persons)
                .where(r.c.deleted.is_(False), r.c.village_id.in_([v["id"] for v in rows]))
                .order_by(r.c.name)
            ).mappings():
                points.setdefault(str(p["village_id"]), []).append(dict(p))
        for row in rows:
            row["points"] = points.get(str(row["id"]), [])
            row["households"] = sum(int(p["households"] or 0) for p in row["points"])
            row["persons"] = sum(int(p["persons"] or 0) for p in row["points"])
        return rows
