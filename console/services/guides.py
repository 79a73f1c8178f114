"""应急一指南 use cases: the guide (defaults loaded once, browsed by hazard / level / role,
edited by the leader), responses started from an incident or an assessment sheet, their
checklist ticked from any workstation, the level raised or lowered with the reason.

Every write is ONE ``Writer.apply`` of a shared mutation (console/domain/mutations_guides),
so ticks recorded on two workstations both count on every replica. Qt-free.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select

from console.domain import beijing, catalog, guides
from console.domain.assessment_rules import SIGNED
from console.domain.fields import MutationRejected
from console.domain.guides import Duty, ItemState
from console.domain.ids import new_id
from console.domain.roles import SYSTEM_USER
from console.domain.schema import (
    Assessment,
    GuideItem,
    Incident,
    Person,
    PersonRole,
    Response,
    ResponseEvent,
    ResponseTrigger,
    RiskPoint,
    Shelter,
    SyncedRecord,
    Township,
    Village,
)
from console.store.changes import Changes
from console.store.database import Store
from console.store.writer import Writer


def _t(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


INCIDENT_SOURCE, SHEET_SOURCE = "事件", "研判单"
SAMPLE_MARK = "样例数据"
DRAFT_MARK = "指南为草稿，待县里确认"


def load_guides_if_never_set(writer: Writer) -> Changes | None:
    """Load the draft guides (山洪, 地质灾害) when the table has never held an item
    (tombstones count: a leader who deleted the drafts meant it). Local only, as the
    default report rules: a server seeds its own."""
    with writer.store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(_t(GuideItem))).scalar_one():
            return None
    return writer.apply(guides.default_guide_calls(), user=SYSTEM_USER, local_only=True)


@dataclass(frozen=True)
class ResponseView:
    """One response with its checklist at a moment."""

    response: dict[str, Any]
    items: list[ItemState]
    events: list[dict[str, Any]]
    source: str  # the incident's title or the sheet's, for the list
    marks: tuple[str, ...] = ()  # 样例数据, 指南草稿
    # Every item of the hazard's guide by id (the history names items of earlier levels).
    actions: dict[str, str] = field(default_factory=dict)

    @property
    def progress(self) -> tuple[int, int, int]:
        return guides.progress(self.items)


FLASH_FLOOD_POINT = "山洪危险区"


@dataclass(frozen=True)
class VillageDuties:
    """One village with 山洪危险区 points: its 六落实 and what its 明白卡 shows."""

    village_id: str
    village: str
    township: str
    duties: list[Duty]
    points: list[dict[str, Any]]  # name, persons, warning_signal, transfer_route, shelter
    is_sample: bool = False

    @property
    def filled(self) -> int:
        return sum(1 for d in self.duties if d.filled)


class GuideService:
    """Reads from ``store``; writes through ``writer`` (None: read-only)."""

    def __init__(self, store: Store, writer: Writer | None = None) -> None:
        self.store = store
        self._writer = writer

    @classmethod
    def of(cls, writer: Writer) -> GuideService:
        return cls(writer.store, writer)

    def _apply(self, calls: list[tuple[str, dict[str, Any]]], user: str) -> None:
        if self._writer is None:
            raise MutationRejected("read_only", "本机为只读，不能修改")
        self._writer.apply(calls, user=user)

    # -- the guide ------------------------------------------------------------------------
    def items(self, hazard: str | None = None, level: str | None = None) -> list[dict[str, Any]]:
        t = _t(GuideItem)
        stmt = select(t).where(t.c.deleted.is_(False))
        if hazard:
            stmt = stmt.where(t.c.hazard == hazard)
        if level:
            stmt = stmt.where(t.c.level == level)
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return sorted(rows, key=guides.sort_key)

    def hazards(self) -> list[str]:
        """The default hazards, then any other the county wrote guides for."""
        t = _t(GuideItem)
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(t.c.hazard).where(t.c.deleted.is_(False)).distinct()
            ).scalars()
            extra = sorted(set(found) - set(catalog.GUIDE_HAZARDS))
        return [*catalog.GUIDE_HAZARDS, *extra]

    def triggers(self, level: str) -> list[dict[str, Any]]:
        """The response triggers of a level (shared with the assessment sheet's proposals;
        the defaults while the county's table is empty)."""
        from console.domain.thresholds import DEFAULT_RESPONSE_TRIGGERS

        t = _t(ResponseTrigger)
        with self.store.engine.connect() as conn:
            rows = [
                dict(r) for r in conn.execute(select(t).where(t.c.deleted.is_(False))).mappings()
            ]
        if not rows:
            rows = [asdict(r) for r in DEFAULT_RESPONSE_TRIGGERS]
        return [r for r in rows if r["level"] == level]

    def export_guide(self, hazard: str, path: Path) -> Path:
        """The hazard's whole guide (every level, with its triggers) as .docx, in the layout
        the guide imports from."""
        from console.services.guide_export import export_guide_docx

        export_guide_docx(self.store, path, hazard)
        return path

    # -- responses ------------------------------------------------------------------------
    def activate(
        self,
        hazard: str,
        level: str,
        *,
        user: str,
        incident_id: str | None = None,
        assessment_id: str | None = None,
        reason: str = "",
        at: datetime | None = None,
    ) -> str:
        args = {
            "id": new_id(),
            "hazard": hazard,
            "level": level,
            "incident_id": incident_id,
            "assessment_id": assessment_id,
            "activated_at": beijing.canonical(at or beijing.now()),
            "reason": reason,
            "timeline_id": new_id(),
        }
        self._apply([("response.activate", args)], user)
        return str(args["id"])

    def _item_event(
        self, response_id: str, item_id: str, kind: str, user: str, note: str, at: datetime | None
    ) -> None:
        args = {
            "id": new_id(),
            "response_id": response_id,
            "guide_item_id": item_id,
            "kind": kind,
            "at": beijing.canonical(at or beijing.now()),
            "note": note,
        }
        self._apply([("response.record", args)], user)

    def tick(
        self,
        response_id: str,
        item_id: str,
        *,
        user: str,
        done: bool = True,
        at: datetime | None = None,
    ) -> None:
        kind = catalog.TICKED if done else catalog.UNTICKED
        self._item_event(response_id, item_id, kind, user, "", at)

    def note(
        self, response_id: str, item_id: str, text: str, *, user: str, at: datetime | None = None
    ) -> None:
        self._item_event(response_id, item_id, catalog.ITEM_NOTE, user, text, at)

    def change_level(
        self, response_id: str, level: str, reason: str, *, user: str, at: datetime | None = None
    ) -> None:
        args = {
            "id": response_id,
            "event_id": new_id(),
            "level": level,
            "reason": reason,
            "at": beijing.canonical(at or beijing.now()),
            "timeline_id": new_id(),
        }
        self._apply([("response.change_level", args)], user)

    def end(
        self, response_id: str, *, user: str, reason: str = "", at: datetime | None = None
    ) -> None:
        args = {
            "id": response_id,
            "event_id": new_id(),
            "reason": reason,
            "at": beijing.canonical(at or beijing.now()),
            "timeline_id": new_id(),
        }
        self._apply([("response.end", args)], user)

    def responses(self, *, active_only: bool = False) -> list[dict[str, Any]]:
        """Active ones first, the newest first."""
        t = _t(Response)
        stmt = select(t).where(t.c.deleted.is_(False)).order_by(t.c.activated_at.desc())
        if active_only:
            stmt = stmt.where(t.c.status == catalog.RESPONSE_ACTIVE)
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return sorted(rows, key=lambda r: r["status"] != catalog.RESPONSE_ACTIVE)

    def view(self, response_id: str, now: datetime | None = None) -> ResponseView:
        r, e = _t(Response), _t(ResponseEvent)
        with self.store.engine.connect() as conn:
            found = conn.execute(select(r).where(r.c.id == response_id)).mappings().first()
            if found is None:
                raise MutationRejected("not_found", "应急响应不存在")
            response = dict(found)
            events = [
                dict(x)
                for x in conn.execute(
                    select(e).where(e.c.response_id == response_id, e.c.deleted.is_(False))
                ).mappings()
            ]
            source, sample = self._source(conn, response)
        items = self.items(response["hazard"])
        states = guides.checklist(response, items, events, now or beijing.now())
        events.sort(key=lambda x: (x["at"], x["id"]))
        marks = []
        if sample:
            marks.append(SAMPLE_MARK)
        if any(i["is_draft"] and i["level"] == response["level"] for i in items):
            marks.append(DRAFT_MARK)
        actions = {str(i["id"]): str(i["action"]) for i in items}
        return ResponseView(response, states, events, source, tuple(marks), actions)

    @staticmethod
    def _source(conn: Any, response: dict[str, Any]) -> tuple[str, bool]:
        """(what it was started from, whether that is sample data)."""
        if response["incident_id"]:
            i = _t(Incident)
            row = conn.execute(
                select(i.c.title, i.c.is_sample).where(i.c.id == response["incident_id"])
            ).first()
            return (f"事件：{row[0]}", bool(row[1])) if row else ("事件", False)
        if response["assessment_id"]:
            a = _t(Assessment)
            title = conn.execute(
                select(a.c.title).where(a.c.id == response["assessment_id"])
            ).scalar()
            return f"研判单：{title or ''}", False
        return "", False

    def sources(self, limit: int = 200) -> list[dict[str, Any]]:
        """What a response may be started from: the open incidents (newest first), then the
        signed assessment sheets (newest first) with the level they propose. Each: kind
        (事件 / 研判单), id, label, level ("" when none is proposed)."""
        a = _t(Assessment)
        stmt = (
            select(a.c.id, a.c.title, a.c.number, a.c.proposed_response, a.c.signed_at)
            .where(a.c.deleted.is_(False), a.c.status == SIGNED)
            .order_by(a.c.signed_at.desc())
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            sheets = [dict(x) for x in conn.execute(stmt).mappings()]
        out = [
            {
                "kind": INCIDENT_SOURCE,
                "id": i["id"],
                "label": f"事件：{beijing.display(i['received_at'])[5:]} {i['title']}",
                "level": "",
            }
            for i in self.incidents(limit)
        ]
        out += [
            {
                "kind": SHEET_SOURCE,
                "id": x["id"],
                "label": f"研判单：{x['number']} {x['title']}",
                "level": x["proposed_response"] or "",
            }
            for x in sheets
        ]
        return out

    def incidents(self, limit: int = 200) -> list[dict[str, Any]]:
        """Recent open incidents, to start a response from."""
        i = _t(Incident)
        stmt = (
            select(i.c.id, i.c.title, i.c.received_at, i.c.status, i.c.subtype)
            .where(i.c.deleted.is_(False), i.c.status != "已结案")
            .order_by(i.c.received_at.desc())
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            return [dict(x) for x in conn.execute(stmt).mappings()]

    # -- 山洪 六落实 and 明白卡 ---------------------------------------------------------------
    def six_checks(self) -> list[VillageDuties]:
        """Every village with a 山洪危险区 point, by township then village, with its 六落实
        from the responsibility table and its points."""
        v, t, p, s = _t(Village), _t(Township), _t(RiskPoint), _t(Shelter)
        r, person = _t(PersonRole), _t(Person)
        wanted = {w for _, roles, _ in guides.SIX_DUTIES for w in roles}
        with self.store.engine.connect() as conn:
            points = [
                dict(x)
                for x in conn.execute(
                    select(
                        p.c.id,
                        p.c.name,
                        p.c.village_id,
                        p.c.persons,
                        p.c.households,
                        p.c.warning_signal,
                        p.c.transfer_route,
                        s.c.name.label("shelter"),
                    )
                    .select_from(
                        p.outerjoin(s, (s.c.id == p.c.shelter_id) & s.c.deleted.is_(False))
                    )
                    .where(
                        p.c.deleted.is_(False),
                        p.c.type == FLASH_FLOOD_POINT,
                        p.c.village_id.is_not(None),
                    )
                    .order_by(p.c.name)
                ).mappings()
            ]
            ids = sorted({str(x["village_id"]) for x in points})
            villages = [
                dict(x)
                for x in conn.execute(
                    select(
                        v.c.id,
                        v.c.name,
                        v.c.township_id,
                        v.c.is_sample,
                        t.c.name.label("township"),
                    )
                    .select_from(v.join(t, t.c.id == v.c.township_id))
                    .where(v.c.id.in_(ids), v.c.deleted.is_(False))
                    .order_by(t.c.name, v.c.name)
                ).mappings()
            ]
            roles = [
                dict(x)
                for x in conn.execute(
                    select(
                        r.c.role,
                        r.c.township_id,
                        r.c.village_id,
                        r.c.risk_point_id,
                        person.c.name,
                        person.c.mobile,
                    )
                    .select_from(r.join(person, person.c.id == r.c.person_id))
                    .where(
                        r.c.deleted.is_(False),
                        person.c.deleted.is_(False),
                        r.c.role.in_(sorted(wanted)),
                    )
                    .order_by(person.c.name)
                ).mappings()
            ]
        out = []
        for village in villages:
            mine = [x for x in points if x["village_id"] == village["id"]]
            point_ids = {x["id"] for x in mine}
            theirs = [
                x
                for x in roles
                if x["village_id"] == village["id"]
                or x["risk_point_id"] in point_ids
                or (x["role"] == "乡镇第一责任人" and x["township_id"] == village["township_id"])
            ]
            out.append(
                VillageDuties(
                    str(village["id"]),
                    str(village["name"]),
                    str(village["township"]),
                    guides.six_duties(theirs, mine),
                    mine,
                    bool(village["is_sample"]),
                )
            )
        return out
