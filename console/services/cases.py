"""案例一个库 (issue 13) use cases: search the library (bigram full text that finds
two-character queries such as 滑坡, with hazard / township / year filters), read a case,
offer the cases like an incident with the reason, and make a closed incident a case draft
(its timeline, reports and figures filled in) in ONE write.

Qt-free: the page binds to this through a task runner; writes are shared mutations
(console/domain/mutations_cases.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Table, column, select, text

from console.domain import beijing, catalog
from console.domain.cases import (
    Likeness,
    Situation,
    hazard_of_incident,
    rain_pattern_of,
    similar,
)
from console.domain.ids import new_id, reference_id
from console.domain.sample import PUBLIC_CASES_FILE, build_case_calls
from console.domain.schema import Case, Incident, IncidentReport, TimelineEntry, Township, Village
from console.domain.workflow import CLOSED
from console.resources import read_text
from console.store.changes import Changes
from console.store.database import Store
from console.store.search import match_query
from console.store.writer import Writer

# The list's columns (besides id): what the officer scans before opening a case.
LIST_KEYS = (
    "title",
    "occurred_on",
    "hazard",
    "township_id",
    "place",
    "rain_pattern",
    "dead",
    "missing",
    "status",
    "is_sample",
)
NOT_CLOSED = "只有已结案的事件才能生成案例草稿"


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@dataclass(frozen=True)
class CaseFilter:
    text: str = ""
    hazard: str = ""
    township_id: str | None = None
    year: int | None = None


def _township_names(conn: Any) -> dict[str, str]:
    t = _table(Township)
    return {r.id: r.name for r in conn.execute(select(t.c.id, t.c.name))}


def search_cases(
    store: Store, flt: CaseFilter, ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The live cases matching the filter (and among ``ids`` if given), most recent first,
    each with ``township`` (its name); the text is matched as the incident search does (two
    characters are a token)."""
    t = _table(Case)
    rowid = column("rowid", Integer)
    stmt = select(t.c.id, *(t.c[k] for k in LIST_KEYS)).where(t.c.deleted.is_(False))
    if ids is not None:
        stmt = stmt.where(t.c.id.in_(list(ids)))
    if flt.hazard:
        stmt = stmt.where(t.c.hazard == flt.hazard)
    if flt.township_id:
        stmt = stmt.where(t.c.township_id == flt.township_id)
    if flt.year:
        stmt = stmt.where(t.c.occurred_on.like(f"{int(flt.year):04d}-%"))
    query = match_query(flt.text) if flt.text.strip() else None
    if flt.text.strip() and query is None:
        return []  # only punctuation typed: nothing searchable matches
    if query:
        stmt = stmt.where(
            rowid.in_(
                select(column("rowid"))
                .select_from(text("case_search"))
                .where(text("case_search MATCH :q").bindparams(q=query))
            )
        )
    stmt = stmt.order_by(t.c.occurred_on.desc().nulls_last(), t.c.title)
    with store.engine.connect() as conn:
        names = _township_names(conn)
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    for row in rows:
        row["township"] = names.get(row["township_id"] or "", "")
    return rows


def read_case(store: Store, case_id: str) -> dict[str, Any] | None:
    """One live case with ``township`` (its name), or None."""
    t = _table(Case)
    with store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.id == case_id)).mappings().first()
        if row is None or row["deleted"]:
            return None
        names = _township_names(conn)
    found = dict(row)
    found["township"] = names.get(found["township_id"] or "", "")
    return found


def case_years(store: Store) -> list[int]:
    """The years the library holds cases of, most recent first (the year filter's items)."""
    t = _table(Case)
    stmt = select(t.c.occurred_on).where(t.c.deleted.is_(False), t.c.occurred_on.is_not(None))
    with store.engine.connect() as conn:
        days = conn.execute(stmt).scalars().all()
    return sorted({int(d[:4]) for d in days if d[:4].isdigit()}, reverse=True)


def situation_of_incident(incident: Mapping[str, Any], township_name: str = "") -> Situation:
    """The likeness keys of an incident: hazard, township, rain pattern (from its words),
    month (Beijing time of the call)."""
    words = f"{incident.get('title') or ''} {incident.get('description') or ''}"
    hazard = hazard_of_incident(
        incident.get("category") or "",
        incident.get("subtype") or "",
        incident.get("sub_hazard") or "",
        words,
    )
    received = incident.get("received_at")
    month = beijing.parse(received).month if received else None
    return Situation(
        hazard=hazard,
        township_id=incident.get("township_id"),
        township_name=township_name,
        rain_pattern=rain_pattern_of(words, incident.get("sub_hazard") or ""),
        month=month,
    )


def similar_cases(
    store: Store, situation: Situation, limit: int = 10
) -> list[tuple[dict[str, Any], Likeness]]:
    """The library's cases like the situation, most alike first, each with its likeness
    (score and Chinese reason). Drafts are offered too: a lesson is a lesson. Scored on
    the likeness keys alone; only the best are read whole."""
    t = _table(Case)
    keys = (t.c.id, t.c.hazard, t.c.township_id, t.c.rain_pattern, t.c.occurred_on)
    with store.engine.connect() as conn:
        names = _township_names(conn)
        cases = [r._asdict() for r in conn.execute(select(*keys).where(t.c.deleted.is_(False)))]
    found = similar(situation, cases, names, limit)
    rows = {r["id"]: r for r in search_cases(store, CaseFilter(), ids=[f.case_id for f in found])}
    return [(rows[f.case_id], f) for f in found if f.case_id in rows]


def similar_to_incident(
    store: Store, incident_id: str, limit: int = 10
) -> list[tuple[dict[str, Any], Likeness]]:
    incident = _incident(store, incident_id)
    if incident is None:
        return []
    with store.engine.connect() as conn:
        names = _township_names(conn)
    situation = situation_of_incident(incident, names.get(incident["township_id"] or "", ""))
    return similar_cases(store, situation, limit)


def _incident(store: Store, incident_id: str) -> dict[str, Any] | None:
    t = _table(Incident)
    with store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.id == incident_id)).mappings().first()
    return dict(row) if row is not None and not row["deleted"] else None


def draft_id(incident_id: str) -> str:
    """The id of an incident's case draft: the same on every workstation, so two officers
    drafting the case of one incident make one case."""
    return reference_id("case", "incident", incident_id)


def _place(incident: Mapping[str, Any], names: Mapping[str, str]) -> str:
    parts = (
        names.get(incident.get("township_id") or "", ""),
        names.get(incident.get("village_id") or "", ""),
        incident.get("address") or "",
    )
    return "".join(parts)


def _figures(incident: Mapping[str, Any]) -> str:
    counted = [
        (label, incident.get(key) or 0)
        for key, label in (
            ("dead", "死亡"),
            ("missing", "失踪"),
            ("injured", "受伤"),
            ("trapped", "被困"),
            ("evacuated", "转移"),
        )
    ]
    people = "、".join(f"{label}{n}人" for label, n in counted if n) or "无人员伤亡报告"
    loss = incident.get("economic_loss") or 0
    money = f"；直接经济损失{loss:g}万元" if loss else ""
    area = incident.get("area_burned") or 0
    burned = f"；过火面积{area:g}公顷" if area else ""
    return f"{people}{money}{burned}。"


def draft_from_incident(
    incident: Mapping[str, Any],
    timeline: Sequence[Mapping[str, Any]],
    reports: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
) -> dict[str, Any]:
    """The case.create arguments of a closed incident's draft (pure): course from the
    description and the timeline, response from the teams, actions and reports sent, the
    figures as recorded."""
    words = f"{incident.get('title') or ''} {incident.get('description') or ''}"
    category, subtype = incident["category"], incident.get("subtype") or ""
    sub_hazard = incident.get("sub_hazard") or ""
    hazard = hazard_of_incident(category, subtype, sub_hazard, words) or catalog.OTHER
    received = beijing.parse(incident["received_at"])
    ordered = sorted(timeline, key=lambda e: (e["at"], e["id"]))
    log = [f"{beijing.display(e['at'])} 〔{e['kind']}〕{e['body']}" for e in ordered]
    course = "\n".join(
        [
            f"{beijing.display(received)} 接报：{incident['title']}。",
            incident.get("description") or "",
            *(["", "事件记录：", *log] if log else []),
        ]
    ).strip()
    sent = sorted(reports, key=lambda r: (r["sent_at"], r["id"]))
    report_lines = [
        f"{beijing.display(r['sent_at'])} {r['stage']}（{r['channel']}）报{r['recipient']}"
        for r in sent
    ]
    teams = incident.get("teams_assigned") or ""
    response = "\n".join(
        [
            *([f"处置队伍：{teams}"] if teams else []),
            *(["信息报送：", *report_lines] if report_lines else []),
        ]
    )
    closed = incident.get("closed_at")
    closed_text = f"，{beijing.display(closed)}结案" if closed else ""
    return {
        "id": draft_id(incident["id"]),
        "title": incident["title"][:120],
        "occurred_on": received.date().isoformat(),
        "hazard": hazard,
        "township_id": incident.get("township_id"),
        "place": _place(incident, names)[:200],
        "rain_pattern": rain_pattern_of(words, incident.get("sub_hazard") or ""),
        "course": course[:20_000],
        "response": response[:20_000],
        "dead": incident.get("dead") or 0,
        "missing": incident.get("missing") or 0,
        "injured": incident.get("injured") or 0,
        "evacuated": incident.get("evacuated") or 0,
        "economic_loss": incident.get("economic_loss") or 0.0,
        "losses": _figures(incident),
        "source": f"本中心事件记录（{beijing.display(received)}接报{closed_text}）",
        "incident_id": incident["id"],
        "is_sample": bool(incident.get("is_sample")),
    }


class CaseError(Exception):
    """A use-case refusal, in Chinese."""


class CaseService:
    """Writes of the case library: each ONE ``Writer.apply`` of a shared mutation."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    @property
    def store(self) -> Store:
        return self._writer.store

    def create(self, fields: Mapping[str, Any], *, user: str) -> str:
        case_id = new_id()
        self._writer.apply([("case.create", {"id": case_id, **fields})], user=user)
        return case_id

    def load_public_cases(self, *, user: str) -> int:
        """载入公开案例: the bundled real public cases (苏村 first), with their sources, as the
        county's own records (they sync), placed in the county's townships by name. Cases
        already in the library (as sample data too) are left alone; returns how many were
        added."""
        t, c = _table(Township), _table(Case)
        with self.store.engine.connect() as conn:
            towns = {
                str(r.name): str(r.id)
                for r in conn.execute(select(t.c.name, t.c.id).where(t.c.deleted.is_(False)))
            }
            present = set(conn.execute(select(c.c.id)).scalars())
        calls = build_case_calls(json.loads(read_text(*PUBLIC_CASES_FILE)), towns)
        fresh = [call for call in calls if call[1]["id"] not in present]
        if fresh:
            self._writer.apply(fresh, user=user)
        return len(fresh)

    def update(self, case_id: str, fields: Mapping[str, Any], *, user: str) -> Changes:
        return self._writer.apply(
            [("case.update", {"id": case_id, "fields": dict(fields)})], user=user
        )

    def publish(self, case_id: str, *, user: str) -> Changes:
        return self._writer.apply([("case.publish", {"id": case_id})], user=user)

    def draft_from_incident(self, incident_id: str, *, user: str) -> str:
        """Make the closed incident's case draft (or find the one made already); its id."""
        store = self.store
        incident = _incident(store, incident_id)
        if incident is None:
            raise CaseError("事件不存在")
        if incident["status"] != CLOSED:
            raise CaseError(NOT_CLOSED)
        case_id = draft_id(incident_id)
        if read_case(store, case_id) is not None:
            return case_id
        tl, rp = _table(TimelineEntry), _table(IncidentReport)
        with store.engine.connect() as conn:
            timeline = [
                dict(r)
                for r in conn.execute(
                    select(tl).where(tl.c.incident_id == incident_id, tl.c.deleted.is_(False))
                ).mappings()
            ]
            reports = [
                dict(r)
                for r in conn.execute(
                    select(rp).where(rp.c.incident_id == incident_id, rp.c.deleted.is_(False))
                ).mappings()
            ]
            names = _township_names(conn)
            v = _table(Village)
            names.update({r.id: r.name for r in conn.execute(select(v.c.id, v.c.name))})
        args = draft_from_incident(incident, timeline, reports, names)
        self._writer.apply([("case.create", args)], user=user)
        return case_id


@dataclass(frozen=True)
class LibraryChoices:
    """What the page's filters and pickers offer: (id, label) pairs."""

    townships: tuple[tuple[str, str], ...] = ()
    years: tuple[int, ...] = ()
    incidents: tuple[tuple[str, str], ...] = ()  # the most recent, for "similar cases"
    closed: tuple[tuple[str, str], ...] = ()  # closed incidents, for "生成案例草稿"


RECENT_INCIDENTS = 200


def library_choices(store: Store) -> LibraryChoices:
    t, i = _table(Township), _table(Incident)
    stmt = (
        select(i.c.id, i.c.title, i.c.received_at, i.c.status)
        .where(i.c.deleted.is_(False))
        .order_by(i.c.received_at.desc())
        .limit(RECENT_INCIDENTS)
    )
    with store.engine.connect() as conn:
        towns = tuple(
            (r.id, r.name)
            for r in conn.execute(select(t.c.id, t.c.name).where(t.c.deleted.is_(False)))
        )
        incidents = list(conn.execute(stmt))
    years = tuple(case_years(store))
    labelled = tuple(
        (r.id, f"{beijing.display(r.received_at)[:10]} {r.title}（{r.status}）") for r in incidents
    )
    closed = tuple(
        (r.id, f"{beijing.display(r.received_at)[:10]} {r.title}")
        for r in incidents
        if r.status == CLOSED
    )
    return LibraryChoices(towns, years, labelled, closed)
