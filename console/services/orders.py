"""指挥一平台 use cases: issue an order from a template to a call list built down the
responsibility chain, read the call board of an order (recipients in chain order, their
state, how long each has been silent), record 已叫应 / 已反馈 / 完成, find the recipients
silent past their order's time and escalate them to the next person up the chain.

Every write is ONE ``Writer.apply`` of a shared mutation (console/domain/mutations_orders),
each answer an event, so two workstations recording the same call add up. Qt-free.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select

from console.domain import beijing, catalog, drill
from console.domain.assessment_rules import parse_content
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.orders import (
    ADDED,
    CHAIN_RANK,
    ORDER_TEMPLATES,
    RANK_LABELS,
    ROLE_ORDER,
    VILLAGE_GROUP,
    ChainEntry,
    OrderTemplate,
    RecipientState,
    RoleRow,
    call_list,
    next_up,
    overdue,
    place_role,
    recipient_state,
    silent_minutes,
    templates_from_json,
)
from console.domain.schema import (
    Assessment,
    Evacuation,
    Incident,
    IssuedWarning,
    Order,
    OrderEvent,
    OrderRecipient,
    Person,
    PersonRole,
    RiskPoint,
    Shelter,
    SyncedRecord,
    Team,
    Township,
    Unit,
    Village,
)
from console.services.contacts import ContactIndex, ContactsService, pinyin_keys
from console.services.transfers import TransferService
from console.store.database import Store
from console.store.writer import Writer

log = logging.getLogger(__name__)
TEMPLATES_FILE = "order_templates.json"


def load_order_templates(data_dir: Path) -> dict[str, OrderTemplate]:
    """The county's order templates from ``<data_dir>/order_templates.json`` over the
    defaults (:func:`console.domain.orders.templates_from_json`); a file that cannot be used
    is logged and the defaults are used."""
    path = drill.config_file(data_dir, TEMPLATES_FILE)
    if not path.is_file():
        return dict(ORDER_TEMPLATES)
    try:
        return templates_from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.error("order templates %s not used: %s", path, exc)
        return dict(ORDER_TEMPLATES)


# Open orders older than this raise no escalation alarm (an order nobody closed is not
# scanned every half minute for ever); its board still shows who is silent.
ALARM_WINDOW = timedelta(days=3)

# The tables the board is read from: a change to any refreshes it.
TABLES: tuple[str, ...] = ("orders", "order_recipients", "order_events")


def _t(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@dataclass(frozen=True)
class CallEntry:
    """One line of a call list: a person in the chain, with what the board shows."""

    person_id: str
    name: str
    role: str
    rank: int
    phone: str
    township_id: str
    village_id: str
    place: str  # 北界镇 / 北界镇苏村

    def recipient(self, sent_at: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": new_id(),
            "name": self.name,
            "person_id": self.person_id,
            "township_id": self.township_id or None,
            "village_id": self.village_id or None,
            "role": self.role,
            "phone": self.phone,
            "rank": self.rank,
            "sent_at": sent_at,
            **extra,
        }


@dataclass(frozen=True)
class BoardRow:
    """One recipient on the call board."""

    id: str
    name: str
    role: str
    rank: int
    place: str
    phone: str
    person_id: str | None
    township_id: str | None
    village_id: str | None
    sent_at: str
    escalated_from: str
    state: RecipientState
    silent_minutes: int
    overdue: bool
    unit_id: str | None = None

    @property
    def level(self) -> str:
        if self.rank == ADDED:  # added by hand: what it is
            if self.person_id:
                return "另加人员"
            return "另加单位" if self.unit_id else "另加队伍"
        return RANK_LABELS.get(self.rank, "")


@dataclass
class Board:
    order: dict[str, Any] | None = None
    rows: list[BoardRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"接收人": len(self.rows), "未叫应": 0, "已叫应": 0, "已反馈": 0, "完成": 0}
        for r in self.rows:
            key = "未叫应" if r.state.silent else r.state.state
            out[key] = out.get(key, 0) + 1
        out["超时"] = sum(r.overdue for r in self.rows)
        return out

    def total_value(self) -> float:
        return sum(r.state.value or 0 for r in self.rows)


@dataclass(frozen=True)
class WarningCall:
    """A 预警叫应 for an issued warning (基础数据 > 预警信号): the order's text and the call
    list down the chain of the warned township, for the officer to confirm."""

    warning_id: str
    township: str  # its name
    values: dict[str, Any]  # kind, title, content, warning_level for OrderService.issue
    recipients: list[CallEntry | dict[str, Any]]
    already: int  # open 预警叫应 orders already issued under the same title


@dataclass(frozen=True)
class SheetOrder:
    """An order linked to an assessment sheet, as the sheet lists it."""

    order: dict[str, Any]
    counts: dict[str, int]

    @property
    def answered(self) -> int:
        """Recipients who answered (叫应, fed back or done)."""
        return self.counts["接收人"] - self.counts["未叫应"]

    @property
    def progress(self) -> str:
        """叫应 3/5, with the overdue ones when there are."""
        text = f"{self.answered}/{self.counts['接收人']}"
        late = self.counts.get("超时", 0)
        return f"{text}（{late} 超时）" if late else text


@dataclass(frozen=True)
class Overdue:
    """A silent recipient past the order's time: what the escalation alarm shows."""

    order_id: str
    order_title: str
    row: BoardRow
    proposal: CallEntry | None  # the next person up the chain, None when there is none


@dataclass(frozen=True)
class Addressing:
    """Whom a new order goes to: an area (whole townships, single villages) down the chain
    to a depth (``ranks``, a :data:`console.domain.orders.DEPTHS` value; None: all), and
    people, units and teams added by hand (ids)."""

    townships: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    ranks: tuple[int, ...] | None = None
    people: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.townships or self.villages or self.people or self.units or self.teams)


ADDRESSEE_KINDS = {"person": "人员", "unit": "单位", "team": "队伍"}


@dataclass(frozen=True)
class Addressee:
    """One search hit of 新建指令's 另加接收人: a person, a unit or a team."""

    kind: str  # an ADDRESSEE_KINDS key
    id: str
    name: str
    detail: str  # unit and post, or township and kind
    haystack: str = field(default="", repr=False)

    @property
    def text(self) -> str:
        detail = f"（{self.detail}）" if self.detail else ""
        return f"{ADDRESSEE_KINDS[self.kind]}｜{self.name}{detail}"


@lru_cache(maxsize=8192)  # pinyin of a few hundred names: 50 ms on every refresh otherwise
def _addressee(kind: str, record_id: str, name: str, detail: str) -> Addressee:
    initials, full = pinyin_keys(name)
    haystack = "\n".join((name, detail, *initials, *full)).lower()
    return Addressee(kind, record_id, name, detail, haystack)


@dataclass
class RecipientDirectory:
    """People (the 通讯录's index: name, unit, role, pinyin initials) and units and teams
    (name, township, kind, pinyin), searched in memory on each keystroke."""

    contacts: ContactIndex | None = None
    others: list[Addressee] = field(default_factory=list)

    def search(self, text: str, limit: int = 30) -> list[Addressee]:
        """Hits for every whitespace-separated token: units and teams whose name (or its
        initials) begins with the first token, then people (best first, as the 通讯录
        ranks them), then the other units and teams; a third of ``limit`` is kept for units
        and teams, so people never crowd them out. Nothing for an empty text."""
        tokens = text.lower().split()
        if not tokens:
            return []
        first = tokens[0]
        hits = [a for a in self.others if all(t in a.haystack for t in tokens)]
        leading = [a for a in hits if a.name.startswith(first) or a.haystack.startswith(first)]
        rest = [a for a in hits if a not in leading]
        room = limit - min(len(hits), limit // 3)
        people: list[Addressee] = []
        if self.contacts is not None:
            for c in self.contacts.search(text, room):
                detail = " ".join(p for p in (c.unit, c.post) if p)
                people.append(Addressee("person", c.id, c.name, detail))
        return (leading + people + rest)[:limit]


@dataclass(frozen=True)
class _Chain:
    placed: list[RoleRow]
    people: dict[str, Any]  # id -> row (name, mobile, landline, unit, unit_township, ...)
    towns: dict[str, str]
    villages: dict[str, str]
    village_township: dict[str, str]

    def entry(self, e: ChainEntry) -> CallEntry:
        person = self.people[e.person_id]
        place = self.towns.get(e.township_id, "") + self.villages.get(e.village_id, "")
        phone = person.mobile or person.landline or ""
        return CallEntry(
            e.person_id, person.name, e.role, e.rank, phone, e.township_id, e.village_id, place
        )


def _joined(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _added(
    name: str,
    phone: str | None,
    township_id: str | None,
    village_id: str | None,
    *,
    unit_id: str | None = None,
) -> dict[str, Any]:
    """A unit or a team as a recipient (no person: answered by whoever picks up)."""
    return {
        "name": name[:80],
        "unit_id": unit_id,
        "township_id": township_id,
        "village_id": village_id,
        "role": "",
        "phone": (phone or "")[:32],
        "rank": ADDED,
    }


class OrderService:
    """Reads from ``store``; writes through ``writer`` (None: read-only)."""

    def __init__(
        self,
        store: Store,
        writer: Writer | None = None,
        templates: dict[str, OrderTemplate] | None = None,
    ) -> None:
        self.store = store
        self._writer = writer
        self.templates = dict(templates or ORDER_TEMPLATES)
        self._contacts = ContactsService(store)

    @classmethod
    def of(cls, writer: Writer) -> OrderService:
        return cls(writer.store, writer)

    @property
    def writable(self) -> bool:
        return self._writer is not None

    def _apply(self, name: str, args: dict[str, Any], user: str) -> str:
        if self._writer is None:
            raise MutationRejected("read_only", "本机为只读，不能修改")
        self._writer.apply([(name, args)], user=user)
        return str(args["id"])

    # -- places and the chain -----------------------------------------------------------
    def places(self) -> list[dict[str, Any]]:
        """Townships (by name) each with its villages (by name): the area picker."""
        t, v = _t(Township), _t(Village)
        with self.store.engine.connect() as conn:
            towns = [
                dict(r)
                for r in conn.execute(
                    select(t.c.id, t.c.name).where(t.c.deleted.is_(False)).order_by(t.c.name)
                ).mappings()
            ]
            villages = conn.execute(
                select(v.c.id, v.c.name, v.c.township_id)
                .where(v.c.deleted.is_(False))
                .order_by(v.c.name)
            ).all()
        by_town: dict[str, list[dict[str, Any]]] = {}
        for vid, name, town in villages:
            by_town.setdefault(town, []).append({"id": vid, "name": name})
        for town in towns:
            town["villages"] = by_town.get(town["id"], [])
        return towns

    def _roles_today(self, day: str) -> _Chain:
        """The chain's raw material: every person_roles row of a chain role in force on
        ``day``, placed (village, township), with the people and place names."""
        pr, v, rp, sh = _t(PersonRole), _t(Village), _t(RiskPoint), _t(Shelter)
        p, u, t = _t(Person), _t(Unit), _t(Township)
        with self.store.engine.connect() as conn:
            village_rows = conn.execute(
                select(v.c.id, v.c.name, v.c.township_id).where(v.c.deleted.is_(False))
            ).all()
            objects: dict[str, str] = {}
            for table in (rp, sh):
                for oid, vid in conn.execute(
                    select(table.c.id, table.c.village_id).where(
                        table.c.deleted.is_(False), table.c.village_id.is_not(None)
                    )
                ):
                    objects[oid] = vid
            roles = [
                dict(r)
                for r in conn.execute(
                    select(pr).where(pr.c.deleted.is_(False), pr.c.role.in_(tuple(CHAIN_RANK)))
                ).mappings()
            ]
            people = {
                r.id: r
                for r in conn.execute(
                    select(
                        p.c.id, p.c.name, p.c.mobile, p.c.landline, u.c.name.label("unit"),
                        u.c.township_id.label("unit_township"),
                        u.c.village_id.label("unit_village"),
                    )
                    .select_from(p.outerjoin(u, u.c.id == p.c.unit_id))
                    .where(p.c.deleted.is_(False))
                )
            }  # fmt: skip
            towns = dict(conn.execute(select(t.c.id, t.c.name).where(t.c.deleted.is_(False))).all())
        village_township = {vid: town for vid, _n, town in village_rows}
        placed = [
            place_role(r, village_township, objects)
            for r in roles
            if r["person_id"] in people
            and not (r["valid_from"] and r["valid_from"] > day)
            and not (r["valid_to"] and r["valid_to"] < day)
        ]
        villages = {vid: name for vid, name, _t2 in village_rows}
        return _Chain(placed, people, towns, villages, village_township)

    def chain(
        self,
        townships: list[str] | tuple[str, ...] = (),
        villages: list[str] | tuple[str, ...] = (),
        *,
        today: str | None = None,
        ranks: tuple[int, ...] | None = None,
    ) -> list[CallEntry]:
        """The call list down the chain for the area (whole townships and single villages),
        from the person_roles in force today: county -> 乡镇第一责任人 -> village work
        group -> grid roles; ``ranks`` (a :data:`DEPTHS` value): only those levels."""
        data = self._roles_today(today or beijing.now().date().isoformat())
        order_of = {**data.towns, **data.villages, **{i: r.name for i, r in data.people.items()}}
        entries = call_list(
            data.placed,
            townships=list(townships),
            villages=list(villages),
            village_township=data.village_township,
            order_of=order_of,
            ranks=ranks,
        )
        return [data.entry(e) for e in entries]

    def recipients(
        self, addressing: Addressing, *, today: str | None = None
    ) -> list[CallEntry | dict[str, Any]]:
        """Who an order goes to: the chain of its area down to its depth, then the people,
        units and teams added by hand (each once; a person already on the chain is not
        added again). A person added by hand who holds a chain role is placed by it (so a
        silence escalates up their chain), anyone else by their unit."""
        day = today or beijing.now().date().isoformat()
        out: list[CallEntry | dict[str, Any]] = []
        if addressing.townships or addressing.villages:
            out += self.chain(
                addressing.townships, addressing.villages, today=day, ranks=addressing.ranks
            )
        on_list = {e.person_id for e in out if isinstance(e, CallEntry)}
        if addressing.people:
            data = self._roles_today(day)
            best: dict[str, RoleRow] = {}
            for row in data.placed:
                rank = CHAIN_RANK[row.role]
                held = best.get(row.person_id)
                if held is None or (rank, ROLE_ORDER.get(row.role, 99)) < (
                    CHAIN_RANK[held.role],
                    ROLE_ORDER.get(held.role, 99),
                ):
                    best[row.person_id] = row
            for pid in dict.fromkeys(addressing.people):
                person = data.people.get(pid)
                if person is None or pid in on_list:
                    continue
                on_list.add(pid)
                role = best.get(pid)
                if role is not None:
                    rank = CHAIN_RANK[role.role]
                    village = role.village_id if rank >= VILLAGE_GROUP else ""
                    entry = ChainEntry(pid, role.role, rank, role.township_id, village)
                else:
                    entry = ChainEntry(
                        pid, "", ADDED, person.unit_township or "", person.unit_village or ""
                    )
                out.append(data.entry(entry))
        u, tm = _t(Unit), _t(Team)
        with self.store.engine.connect() as conn:
            units = conn.execute(
                select(u.c.id, u.c.name, u.c.phone, u.c.township_id, u.c.village_id).where(
                    u.c.deleted.is_(False), u.c.id.in_(addressing.units)
                )
            ).all() if addressing.units else []  # fmt: skip
            teams = conn.execute(
                select(tm.c.id, tm.c.name, tm.c.phone, tm.c.township_id).where(
                    tm.c.deleted.is_(False), tm.c.id.in_(addressing.teams)
                )
            ).all() if addressing.teams else []  # fmt: skip
        by_unit = {x.id: x for x in units}
        for uid in dict.fromkeys(addressing.units):
            x = by_unit.get(uid)
            if x is not None:
                out.append(_added(x.name, x.phone, x.township_id, x.village_id, unit_id=x.id))
        by_team = {x.id: x for x in teams}
        for tid in dict.fromkeys(addressing.teams):
            team = by_team.get(tid)
            if team is not None:
                out.append(_added(team.name, team.phone, team.township_id, None))
        return out

    def area_villages(
        self, townships: list[str] | tuple[str, ...], villages: list[str] | tuple[str, ...]
    ) -> list[str]:
        """The villages of an area (every village of the whole townships, and the single
        ones), in name order: the circle of the evacuation a 转移指令 opens."""
        if not townships and not villages:
            return []
        v = _t(Village)
        stmt = (
            select(v.c.id)
            .where(
                v.c.deleted.is_(False),
                v.c.township_id.in_(list(townships)) | v.c.id.in_(list(villages)),
            )
            .order_by(v.c.township_id, v.c.name)
        )
        with self.store.engine.connect() as conn:
            return [str(x) for x in conn.execute(stmt).scalars()]

    def directory(self) -> RecipientDirectory:
        """Whom 新建指令 can add by hand: people (searched as in 通讯录, pinyin initials
        too), units and teams."""
        u, tm, t = _t(Unit), _t(Team), _t(Township)
        with self.store.engine.connect() as conn:
            towns = dict(conn.execute(select(t.c.id, t.c.name)).all())
            units = conn.execute(
                select(u.c.id, u.c.name, u.c.kind, u.c.township_id)
                .where(u.c.deleted.is_(False))
                .order_by(u.c.name)
            ).all()
            teams = conn.execute(
                select(tm.c.id, tm.c.name, tm.c.kind, tm.c.township_id)
                .where(tm.c.deleted.is_(False))
                .order_by(tm.c.name)
            ).all()
        others = [
            _addressee(kind, x.id, x.name, _joined(towns.get(x.township_id or "", ""), x.kind))
            for kind, rows in (("unit", units), ("team", teams))
            for x in rows
        ]  # fmt: skip
        return RecipientDirectory(self._contacts.index(), others)

    def links(self) -> dict[str, list[dict[str, Any]]]:
        """What a new order may be linked to: open incidents, assessment sheets and open
        evacuations, newest first (id, text)."""
        i, a, e = _t(Incident), _t(Assessment), _t(Evacuation)
        with self.store.engine.connect() as conn:
            incidents = conn.execute(
                select(i.c.id, i.c.title)
                .where(i.c.deleted.is_(False), i.c.status != catalog.INCIDENT_STATUSES[-1])
                .order_by(i.c.received_at.desc())
                .limit(200)
            ).all()
            sheets = conn.execute(
                select(a.c.id, a.c.number, a.c.title, a.c.highest_warning, a.c.content)
                .where(a.c.deleted.is_(False))
                .order_by(a.c.generated_at.desc())
                .limit(50)
            ).all()
            evacuations = conn.execute(
                select(e.c.id, e.c.title)
                .where(e.c.deleted.is_(False), e.c.status == catalog.EVACUATION_OPEN)
                .order_by(e.c.started_at.desc())
            ).all()
        return {
            "incident": [{"id": x, "text": t} for x, t in incidents],
            "assessment": [
                {
                    "id": x,
                    "text": f"{n} {t}",
                    "level": level,
                    "townships": _warned_townships(content),
                }
                for x, n, t, level, content in sheets
            ],
            "evacuation": [{"id": x, "text": t} for x, t in evacuations],
        }

    # -- orders -------------------------------------------------------------------------
    def issue(
        self,
        kind: str,
        recipients: Sequence[CallEntry | dict[str, Any]],
        *,
        user: str,
        title: str | None = None,
        content: str | None = None,
        action: str | None = None,
        feedback_kind: str | None = None,
        feedback_label: str | None = None,
        escalate_minutes: int | None = None,
        deadline: datetime | None = None,
        warning_level: str = "",
        incident_id: str | None = None,
        assessment_id: str | None = None,
        evacuation_id: str | None = None,
        open_evacuation: bool = False,
        circle: list[str] | tuple[str, ...] = (),
        now: datetime | None = None,
    ) -> str:
        """Issue an order of ``kind`` (its template fills what is not given) to the
        recipients (call-list entries, or recipient dicts such as a unit). With
        ``open_evacuation`` (a 转移指令), a new evacuation (管控一张表) is opened under the
        order's title and linked, its circle the villages of ``circle`` (the order's area,
        each with its people at risk as 应转), all in the same local transaction."""
        template = self.templates[kind]
        at = now or beijing.now()
        sent = beijing.canonical(at)
        rows = [r.recipient(sent) if isinstance(r, CallEntry) else {"sent_at": sent, **r}
                for r in recipients]  # fmt: skip
        for row in rows:
            row.setdefault("id", new_id())
        args: dict[str, Any] = {
            "id": new_id(),
            "kind": kind,
            "title": title if title is not None else template.title,
            "content": content if content is not None else template.content,
            "action": action if action is not None else template.action,
            "issued_at": sent,
            "deadline": beijing.canonical(
                deadline or at + timedelta(minutes=template.deadline_minutes)
            ),
            "feedback_kind": feedback_kind or template.feedback_kind,
            "feedback_label": (
                feedback_label if feedback_label is not None else template.feedback_label
            ),
            "escalate_minutes": escalate_minutes or template.escalate_minutes,
            "warning_level": warning_level,
            "incident_id": incident_id,
            "assessment_id": assessment_id,
            "evacuation_id": evacuation_id,
            "recipients": rows,
        }
        calls: list[tuple[str, dict[str, Any]]] = []
        if open_evacuation and evacuation_id is None:
            args["evacuation_id"] = new_id()
            evacuation = {
                "id": args["evacuation_id"],
                "title": args["title"][:80],
                "started_at": sent,
                "incident_id": incident_id,
                "note": f"由{kind}开启",
            }
            calls.append(("evacuation.open", evacuation))
            calls += TransferService(self.store).area_calls(
                args["evacuation_id"], list(circle), reason=f"{kind}下达范围", when=sent
            )
        calls.append(("order.issue", args))
        if self._writer is None:
            raise MutationRejected("read_only", "本机为只读，不能修改")
        self._writer.apply(calls, user=user)
        return str(args["id"])

    def orders(self) -> list[dict[str, Any]]:
        """Open orders first, newest first; each with its recipient count."""
        o, r = _t(Order), _t(OrderRecipient)
        counts = (
            select(r.c.order_id, func.count().label("recipients"))
            .where(r.c.deleted.is_(False))
            .group_by(r.c.order_id)
            .subquery()
        )
        stmt = (
            select(o, func.coalesce(counts.c.recipients, 0).label("recipients"))
            .select_from(o.outerjoin(counts, counts.c.order_id == o.c.id))
            .where(o.c.deleted.is_(False))
            .order_by(o.c.issued_at.desc())
        )
        with self.store.engine.connect() as conn:
            rows = [dict(x) for x in conn.execute(stmt).mappings()]
        return sorted(rows, key=lambda x: x["status"] != catalog.ORDER_OPEN)

    def warning_call(self, warning_id: str, *, now: datetime | None = None) -> WarningCall:
        """What a 预警叫应 for the warning ``warning_id`` would be: the 预警叫应 template
        with the warning's text, its level, and the chain of its township. Raises
        ValueError (Chinese) when there is nobody to call: a warning deleted, lifted, without
        a township, or a township without responsible people."""
        w, t, o = _t(IssuedWarning), _t(Township), _t(Order)
        at = now or beijing.now()
        with self.store.engine.connect() as conn:
            warning = conn.execute(
                select(w).where(w.c.id == warning_id, w.c.deleted.is_(False))
            ).mappings().first()  # fmt: skip
            town = (
                conn.execute(select(t.c.name).where(t.c.id == warning["township_id"])).scalar()
                if warning is not None and warning["township_id"]
                else None
            )
        if warning is None:
            raise ValueError("该预警已删除")
        if warning["until"] and datetime.fromisoformat(warning["until"]) <= at:
            raise ValueError(f"该预警已于 {beijing.display(warning['until'])} 解除，无需叫应")
        if not town:
            raise ValueError("该预警未指定预警乡镇：请在指挥一平台“新建指令…”中勾选叫应范围")
        template = self.templates["预警叫应"]
        signal = f"{warning['kind']}{warning['level']}色预警"
        issued = beijing.display(warning["issued_at"]) if warning["issued_at"] else ""
        said = f"{warning['issuer'] or ''}{issued}发布{warning['area'] or town}{signal}。"
        content = "\n".join(x for x in (said, warning["body"] or "", template.content) if x)
        title = f"{town}{signal}叫应"[:120]
        recipients = self.recipients(Addressing((str(warning["township_id"]),)),
                                     today=at.date().isoformat())  # fmt: skip
        if not recipients:
            raise ValueError(f"{town}没有登记责任人，请先在通讯录或基础数据中登记")
        with self.store.engine.connect() as conn:
            already = conn.execute(
                select(func.count()).where(
                    o.c.deleted.is_(False),
                    o.c.kind == "预警叫应",
                    o.c.title == title,
                    o.c.status == catalog.ORDER_OPEN,
                )
            ).scalar_one()
        values = {
            "kind": "预警叫应",
            "title": title,
            "content": content[:5000],
            "warning_level": warning["level"],
        }
        return WarningCall(warning_id, str(town), values, recipients, int(already))

    def issue_warning_call(
        self, call: WarningCall, *, user: str, now: datetime | None = None
    ) -> str:
        """下达 the 预警叫应 ``call`` (as :meth:`warning_call` built it)."""
        return self.issue(recipients=call.recipients, user=user, now=now, **call.values)

    def sheet_orders(
        self, assessment_ids: Sequence[str], *, now: datetime | None = None
    ) -> list[SheetOrder]:
        """The orders linked to an assessment sheet (any of its versions ``assessment_ids``),
        newest first, each with its 叫应 progress."""
        o = _t(Order)
        if not assessment_ids:
            return []
        with self.store.engine.connect() as conn:
            ids = conn.execute(
                select(o.c.id)
                .where(o.c.assessment_id.in_(list(assessment_ids)), o.c.deleted.is_(False))
                .order_by(o.c.issued_at.desc())
                .limit(100)
            ).scalars()
            order_ids = [str(x) for x in ids]
        at = now or beijing.now()
        out = []
        for order_id in order_ids:
            board = self.board(order_id, now=at)
            if board.order is not None:
                out.append(SheetOrder(board.order, board.counts()))
        return out

    def board(self, order_id: str, *, now: datetime | None = None) -> Board:
        """The call board of one order: every recipient in chain order (escalated ones
        right after the one they replace), its state and silent minutes."""
        o, r, e = _t(Order), _t(OrderRecipient), _t(OrderEvent)
        t, v = _t(Township), _t(Village)
        at = now or beijing.now()
        with self.store.engine.connect() as conn:
            order = conn.execute(select(o).where(o.c.id == order_id)).mappings().first()
            if order is None:
                return Board()
            recipients = [
                dict(x)
                for x in conn.execute(
                    select(r).where(r.c.order_id == order_id, r.c.deleted.is_(False))
                ).mappings()
            ]
            events: dict[str, list[dict[str, Any]]] = {}
            for ev in conn.execute(
                select(
                    e.c.id, e.c.recipient_id, e.c.kind, e.c.channel, e.c.answered_by,
                    e.c.at, e.c.value, e.c.note, e.c.to_recipient_id,
                ).where(e.c.order_id == order_id, e.c.deleted.is_(False))
            ).mappings():  # fmt: skip
                events.setdefault(ev["recipient_id"], []).append(dict(ev))
            towns = dict(conn.execute(select(t.c.id, t.c.name)).all())
            villages = dict(conn.execute(select(v.c.id, v.c.name)).all())
        minutes = int(order["escalate_minutes"])
        live = order["status"] == catalog.ORDER_OPEN
        rows: dict[str, BoardRow] = {}
        for x in recipients:
            state = recipient_state(events.get(x["id"], ()))
            sent = datetime.fromisoformat(x["sent_at"])
            place = towns.get(x["township_id"] or "", "") + villages.get(x["village_id"] or "", "")
            rows[x["id"]] = BoardRow(
                id=x["id"],
                name=x["name"],
                role=x["role"],
                rank=x["rank"],
                place=place,
                phone=x["phone"],
                person_id=x["person_id"],
                township_id=x["township_id"],
                village_id=x["village_id"],
                sent_at=x["sent_at"],
                escalated_from=x["escalated_from"],
                state=state,
                silent_minutes=silent_minutes(sent, at) if state.silent else 0,
                overdue=live and overdue(state, sent, at, minutes),
                unit_id=x["unit_id"],
            )
        return Board(dict(order), _chain_order(rows, order_of={**towns, **villages}))

    # -- answers ------------------------------------------------------------------------
    def _event(
        self, order_id: str, recipient_id: str, kind: str, user: str, at: datetime | None,
        **fields: Any,
    ) -> str:  # fmt: skip
        args = {
            "id": new_id(),
            "order_id": order_id,
            "recipient_id": recipient_id,
            "kind": kind,
            "at": beijing.canonical(at or beijing.now()),
            **fields,
        }
        return self._apply("order.record", args, user)

    def acknowledge(
        self,
        order_id: str,
        recipient_id: str,
        *,
        user: str,
        channel: str = "电话",
        answered_by: str = "",
        at: datetime | None = None,
    ) -> str:
        """已叫应: who answered, how and when (the officer's phone call: one key)."""
        return self._event(
            order_id, recipient_id, catalog.ACKED, user, at,
            channel=channel, answered_by=answered_by,
        )  # fmt: skip

    def feedback(
        self,
        order_id: str,
        recipient_id: str,
        *,
        user: str,
        value: float | None = None,
        note: str = "",
        at: datetime | None = None,
    ) -> str:
        return self._event(
            order_id, recipient_id, catalog.FED_BACK, user, at, value=value, note=note
        )

    def complete(
        self, order_id: str, recipient_id: str, *, user: str, at: datetime | None = None
    ) -> str:
        return self._event(order_id, recipient_id, catalog.COMPLETED, user, at)

    def close(self, order_id: str, *, user: str, at: datetime | None = None) -> None:
        args = {"id": order_id, "at": beijing.canonical(at or beijing.now())}
        self._apply("order.close", args, user)

    def cancel(self, order_id: str, *, user: str, at: datetime | None = None) -> None:
        args = {"id": order_id, "at": beijing.canonical(at or beijing.now())}
        self._apply("order.cancel", args, user)

    # -- escalation ---------------------------------------------------------------------
    def propose(
        self,
        board: Board,
        row: BoardRow,
        *,
        chain: list[CallEntry] | None = None,
        taken: set[str] | None = None,
        on_order: set[str] | None = None,
    ) -> CallEntry | None:
        """The next person up the chain from a silent recipient, passing over everybody
        already on the order (``on_order``, from the board when not given) and those in
        ``taken`` (proposed already in this scan, so one person is added once). ``chain``:
        a call list covering the row's township (read when not given)."""
        if row.person_id is None or not row.township_id:
            return None
        if chain is None:
            chain = self.chain([row.township_id])
        me = ChainEntry(row.person_id, row.role, row.rank, row.township_id, row.village_id or "")
        entries = [ChainEntry(c.person_id, c.role, c.rank, c.township_id, c.village_id)
                   for c in chain if c.township_id == row.township_id]  # fmt: skip
        if on_order is None:
            on_order = {r.person_id for r in board.rows if r.person_id}
        skip = on_order | taken if taken else on_order
        found = next_up(me, entries, skip=skip)
        if found is None:
            return None
        return next(c for c in chain if c.person_id == found.person_id)

    def overdue(self, *, now: datetime | None = None) -> list[Overdue]:
        """Every recipient of an open order (issued within ALARM_WINDOW) silent past the
        order's time, not escalated, each with the next person up not yet on the order (each
        proposed once per order)."""
        at = now or beijing.now()
        o = _t(Order)
        with self.store.engine.connect() as conn:
            ids = conn.execute(
                select(o.c.id).where(
                    o.c.deleted.is_(False),
                    o.c.status == catalog.ORDER_OPEN,
                    o.c.issued_at >= beijing.canonical(at - ALARM_WINDOW),
                )
            ).scalars().all()  # fmt: skip
        boards = [self.board(order_id, now=at) for order_id in ids]
        towns = sorted({r.township_id for b in boards for r in b.rows
                        if r.overdue and r.township_id})  # fmt: skip
        by_town: dict[str, list[CallEntry]] = {}
        for entry in self.chain(towns) if towns else []:
            by_town.setdefault(entry.township_id, []).append(entry)
        out: list[Overdue] = []
        for board in boards:
            assert board.order is not None
            taken: set[str] = set()
            on_order = {r.person_id for r in board.rows if r.person_id}
            for row in board.rows:
                if not row.overdue:
                    continue
                chain = by_town.get(row.township_id or "", [])
                up = self.propose(board, row, chain=chain, taken=taken, on_order=on_order)
                if up is not None:
                    taken.add(up.person_id)
                out.append(Overdue(board.order["id"], board.order["title"], row, up))
        return out

    def escalate(
        self,
        order_id: str,
        row: BoardRow,
        to: CallEntry,
        *,
        user: str,
        at: datetime | None = None,
    ) -> str:
        """升级: record the silence and add the next person up as a recipient."""
        when = beijing.canonical(at or beijing.now())
        target = to.recipient(when)
        args = {
            "id": new_id(),
            "order_id": order_id,
            "recipient_id": row.id,
            "at": when,
            "note": f"{row.silent_minutes} 分钟未叫应，升级至{to.role}{to.name}",
            "to": target,
        }
        self._apply("order.escalate", args, user)
        return str(target["id"])


def _warned_townships(content: str) -> list[str]:
    """The townships a sheet warns (its warnings with a level): the area a 预警叫应 calls."""
    try:
        warnings = parse_content(content).get("warnings", [])
    except (ValueError, AssertionError):
        return []
    return [
        str(w["township_id"])
        for w in warnings
        if isinstance(w, dict) and w.get("level") and w.get("township_id")
    ]


def _chain_order(rows: dict[str, BoardRow], order_of: dict[str, str]) -> list[BoardRow]:
    """Recipients in chain order: township by name, the township's leaders before its
    villages, rank; those added by hand after the chain; one escalated to comes right after
    the one who stayed silent."""

    def key(r: BoardRow) -> tuple[Any, ...]:
        return (
            r.rank == ADDED,
            r.township_id is None,
            order_of.get(r.township_id or "", ""),
            r.rank > 1,
            order_of.get(r.village_id or "", ""),
            r.rank,
            ROLE_ORDER.get(r.role, 99),
            r.name,
        )

    top = sorted((r for r in rows.values() if not r.escalated_from), key=key)
    below: dict[str, list[BoardRow]] = {}
    for r in rows.values():
        if r.escalated_from:
            below.setdefault(r.escalated_from, []).append(r)
    out: list[BoardRow] = []

    def put(r: BoardRow) -> None:
        out.append(r)
        for child in sorted(below.pop(r.id, ()), key=lambda c: c.sent_at):
            put(child)

    for r in top:
        put(r)
    for rest in below.values():  # an escalation whose source is gone: still shown
        out.extend(rest)
    return out
