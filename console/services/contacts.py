"""通讯录 use cases: search people, "who is responsible here", log a call onto a timeline.

Qt-free. The people, their units and roles are read once into a :class:`ContactIndex`
(with each name's pinyin computed then), and kept while the tables do not change: a
keystroke searches the index in memory, never the database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice, product
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin
from sqlalchemy import ColumnElement, Table, func, select

from console.domain import beijing, catalog
from console.domain.schema import (
    Incident,
    Person,
    PersonRole,
    RiskPoint,
    Shelter,
    Station,
    SyncedRecord,
    Township,
    Unit,
    Village,
)
from console.services.incidents import IncidentService
from console.store.changes import Changes
from console.store.database import Store

# The tables a contact's text is built from: a change to any of them rebuilds the index.
TABLES: tuple[str, ...] = (
    "people",
    "units",
    "person_roles",
    "townships",
    "villages",
    "risk_points",
    "shelters",
    "stations",
)
# The places "who is responsible here" answers for: kind -> role column.
PLACE_KINDS: dict[str, str] = {
    "township": catalog.TOWNSHIP,
    "village": catalog.VILLAGE,
    "risk_point": catalog.RISK_POINT,
    "shelter": catalog.SHELTER,
    "station": catalog.STATION,
}
# A village's township leaders also answer for it.
TOWNSHIP_LEADERS: tuple[str, ...] = ("乡镇第一责任人", "县领导包乡")
# Role importance: the catalog lists roles from the county leader down.
ROLE_RANK: dict[str, int] = {role: i for i, role in enumerate(catalog.PERSON_ROLES)}
PINYIN_VARIANTS = 16  # readings kept per name (polyphonic characters multiply them)
SEARCH_LIMIT = 200  # rows a search returns (a name narrows it; the table stays light)


def _table(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _readings(name: str, style: Style) -> tuple[str, ...]:
    """Every reading of ``name`` in ``style`` (lower case, no spaces), the usual one first,
    at most PINYIN_VARIANTS: a surname such as 曾 (zeng, not the usual ceng) or 单 (shan)
    is found however the officer reads it."""
    usual = "".join(lazy_pinyin(name, style=style)).lower().replace(" ", "")
    per_char = [
        list(dict.fromkeys(r.lower() for r in readings))
        for readings in pinyin(name, style=style, heteronym=True)
    ]
    combos = ("".join(c).replace(" ", "") for c in islice(product(*per_char), PINYIN_VARIANTS))
    return tuple(dict.fromkeys((usual, *combos)))


def pinyin_keys(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(initials, full pinyin) readings of a name, the usual reading first: 张伟强 ->
    ((zwq, zwj), (zhangweiqiang, zhangweijiang)). Other characters are kept as they are."""
    return _readings(name, Style.FIRST_LETTER), _readings(name, Style.NORMAL)


@dataclass(frozen=True)
class RoleHolding:
    role: str
    place: str  # the object's name with its township/village ("" for a county-wide role)
    place_kind: str  # a PLACE_KINDS key, "" for a county-wide role
    place_id: str


@dataclass(frozen=True)
class Contact:
    """A person as the 通讯录 shows them."""

    id: str
    name: str
    unit: str
    post: str
    mobile: str
    landline: str
    zzd_id: str
    roles: tuple[RoleHolding, ...]
    is_sample: bool
    initials: tuple[str, ...] = ()  # every reading's initials, the usual one first
    full_pinyin: tuple[str, ...] = ()
    haystack: str = field(default="", repr=False)  # lower-case text every token is sought in

    @property
    def duties(self) -> str:
        """The roles as one line: 村监测预警（金竹镇竹坪村）；会商专家."""
        parts = [f"{r.role}（{r.place}）" if r.place else r.role for r in self.roles]
        return "；".join(parts)


@dataclass(frozen=True)
class Responsible:
    """One answer to "who is responsible here": a person in one role."""

    role: str
    place: str  # where the role is held (the village, or its township for its leaders)
    contact: Contact


@dataclass
class ContactIndex:
    contacts: list[Contact]
    places: dict[str, list[tuple[str, str, str]]]  # kind -> (id, name, township_id)
    stamp: tuple[Any, ...] = ()

    @property
    def sample(self) -> bool:
        return any(c.is_sample for c in self.contacts)

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[Contact]:
        """People matching every whitespace-separated token of ``text`` in their name, unit,
        post, roles, places, numbers, pinyin initials or full pinyin; best first (a name or
        initials that begin with the first token before the rest), then by name."""
        tokens = text.lower().split()
        if not tokens:
            return self.contacts[:limit]
        first = tokens[0]
        hits: list[tuple[int, Contact]] = []
        for c in self.contacts:
            if all(t in c.haystack for t in tokens):
                if c.name.startswith(first) or any(i.startswith(first) for i in c.initials):
                    rank = 0
                elif any(f.startswith(first) for f in c.full_pinyin):
                    rank = 1
                else:
                    rank = 2
                hits.append((rank, c))
        hits.sort(key=lambda h: h[0])  # stable: name order within a rank
        return [c for _rank, c in hits[:limit]]


class ContactsService:
    def __init__(self, store: Store, incidents: IncidentService | None = None) -> None:
        self._store = store
        self._incidents = incidents
        self._lock = threading.Lock()
        self._index: ContactIndex | None = None

    # -- reading ----------------------------------------------------------------------

    def _stamp(self, conn: Any) -> tuple[Any, ...]:
        """What changes when any table a contact is built from changes: per table the row
        count, the newest HLC (a local write is stamped later than anything this replica has
        seen; a delete is a tombstone update) and the newest server version (a pulled change
        may carry an older HLC, never an older version)."""
        parts: list[Any] = []
        for name in TABLES:
            t = _table(_MODELS[name])
            stmt = select(func.count(), func.max(t.c.updated_at), func.max(t.c.version))
            parts.extend(conn.execute(stmt).one())
        return tuple(parts)

    def index(self) -> ContactIndex:
        """The index, rebuilt only when the tables changed since it was built."""
        with self._lock:
            with self._store.engine.connect() as conn:
                stamp = self._stamp(conn)
                if self._index is not None and self._index.stamp == stamp:
                    return self._index
                self._index = _build(conn, stamp)
            return self._index

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[Contact]:
        return self.index().search(text, limit)

    def responsible(
        self, kind: str, place_id: str, *, today: date | None = None
    ) -> list[Responsible]:
        """Who answers for a township, village, risk point, shelter or station, most
        important role first; a village also gets its township's 第一责任人 and 包乡县领导.
        Roles whose period has ended (or not begun) are left out."""
        column = PLACE_KINDS[kind]
        day = (today or beijing.now().date()).isoformat()
        index = self.index()
        by_id = {c.id: c for c in index.contacts}
        township_id = ""
        if kind == "village":
            township_id = next((t for i, _n, t in index.places["village"] if i == place_id), "")
        pr = _table(PersonRole)
        if kind == "township":  # a village's roles name its township too: not the township's
            here: ColumnElement[bool] = (pr.c.township_id == place_id) & pr.c.village_id.is_(None)
        else:
            here = pr.c[column] == place_id
        if township_id:
            here = here | ((pr.c.township_id == township_id) & pr.c.role.in_(TOWNSHIP_LEADERS))
        stmt = select(pr).where(pr.c.deleted.is_(False), here)
        with self._store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        names = _place_names(index)
        out: list[Responsible] = []
        for row in rows:
            if (row["valid_from"] and row["valid_from"] > day) or (
                row["valid_to"] and row["valid_to"] < day
            ):
                continue
            contact = by_id.get(row["person_id"])
            if contact is None:
                continue
            _kind, _pid, place = _role_place(row, names)
            out.append(Responsible(row["role"], place, contact))
        out.sort(key=lambda r: (ROLE_RANK.get(r.role, len(ROLE_RANK)), r.contact.name))
        return out

    def open_incidents(self) -> list[dict[str, Any]]:
        """Incidents a call can be logged onto: not closed, newest first."""
        t = _table(Incident)
        stmt = (
            select(t.c.id, t.c.received_at, t.c.title, t.c.status)
            .where(t.c.deleted.is_(False), t.c.status != catalog.INCIDENT_STATUSES[-1])
            .order_by(t.c.received_at.desc())
        )
        with self._store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    # -- writing ----------------------------------------------------------------------

    def log_call(
        self,
        incident_id: str,
        contact: Contact,
        number: str,
        outcome: str,
        *,
        user: str,
        at: datetime | None = None,
        note: str = "",
    ) -> Changes:
        """Write a call made from the 通讯录 onto an incident's timeline (kind 通话), at
        ``at`` (the time it was made; now by default), through the incident write path."""
        if outcome not in catalog.CALL_OUTCOMES:
            raise ValueError(f"unknown call outcome {outcome!r}")
        if self._incidents is None:
            raise RuntimeError("no incident write path")
        where = " ".join(p for p in (contact.unit, contact.post) if p)
        who = f"{contact.name}（{where}）" if where else contact.name
        body = f"致电{who} {number}：{outcome}"
        if note.strip():
            body += f"。{note.strip()}"
        return self._incidents.log(incident_id, catalog.CALL_KIND, body, user=user, now=at)


_MODELS: dict[str, type[SyncedRecord]] = {
    "people": Person,
    "units": Unit,
    "person_roles": PersonRole,
    "townships": Township,
    "villages": Village,
    "risk_points": RiskPoint,
    "shelters": Shelter,
    "stations": Station,
}


def _live(conn: Any, model: type[SyncedRecord], *columns: str) -> list[dict[str, Any]]:
    t = _table(model)
    stmt = select(*(t.c[c] for c in columns)).where(t.c.deleted.is_(False))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _place_names(index: ContactIndex) -> dict[str, dict[str, str]]:
    """kind -> id -> name; and "village_township": village id -> its township id."""
    names = {kind: {i: n for i, n, _t in rows} for kind, rows in index.places.items()}
    names["village_township"] = {i: t for i, _n, t in index.places["village"]}
    return names


def _role_place(row: dict[str, Any], names: dict[str, dict[str, str]]) -> tuple[str, str, str]:
    """(kind, id, display name) of the object a role row is tied to."""
    township = names["township"].get(row.get("township_id") or "", "")
    for kind in ("risk_point", "shelter", "station", "village"):
        pid = row.get(PLACE_KINDS[kind])
        if pid:
            name = names[kind].get(pid, "")
            if kind == "village":  # the township it belongs to, named before it
                town_id = names["village_township"].get(pid, "")
                name = names["township"].get(town_id, township) + name
            return kind, pid, name
    if row.get("township_id"):
        return "township", row["township_id"], township
    return "", "", ""


def _build(conn: Any, stamp: tuple[Any, ...]) -> ContactIndex:
    places: dict[str, list[tuple[str, str, str]]] = {
        "township": [(r["id"], r["name"], r["id"]) for r in _live(conn, Township, "id", "name")],
        "village": [
            (r["id"], r["name"], r["township_id"] or "")
            for r in _live(conn, Village, "id", "name", "township_id")
        ],
    }
    for kind, model in (("risk_point", RiskPoint), ("shelter", Shelter), ("station", Station)):
        places[kind] = [
            (r["id"], r["name"], r["township_id"] or "")
            for r in _live(conn, model, "id", "name", "township_id")
        ]
    for rows in places.values():
        rows.sort(key=lambda p: p[1])
    index = ContactIndex([], places, stamp)
    names = _place_names(index)
    units = {r["id"]: r["name"] for r in _live(conn, Unit, "id", "name")}
    roles: dict[str, list[RoleHolding]] = {}
    for row in _live(conn, PersonRole, "person_id", "role", *catalog.ROLE_TARGETS):
        kind, pid, place = _role_place(row, names)
        roles.setdefault(row["person_id"], []).append(RoleHolding(row["role"], place, kind, pid))
    contacts = []
    people = _live(
        conn, Person, "id", "name", "unit_id", "post", "mobile", "landline", "zzd_id", "is_sample"
    )
    for p in sorted(people, key=lambda p: p["name"]):
        held = tuple(sorted(roles.get(p["id"], ()), key=lambda r: ROLE_RANK.get(r.role, 99)))
        initials, full = pinyin_keys(p["name"])
        unit = units.get(p["unit_id"] or "", "")
        text: Iterable[str] = (
            p["name"],
            unit,
            p["post"] or "",
            p["mobile"] or "",
            p["landline"] or "",
            *initials,
            *full,
            *(f"{r.role} {r.place}" for r in held),
        )
        contacts.append(
            Contact(
                id=p["id"],
                name=p["name"],
                unit=unit,
                post=p["post"] or "",
                mobile=p["mobile"] or "",
                landline=p["landline"] or "",
                zzd_id=p["zzd_id"] or "",
                roles=held,
                is_sample=bool(p["is_sample"]),
                initials=initials,
                full_pinyin=full,
                haystack="\n".join(text).lower(),
            )
        )
    index.contacts = contacts
    return index
