"""The read side the incident screens bind to: list rowids and rows, one incident with its
timeline and reports, deadlines, place names and repeat-call candidates.

Qt-free: it wraps the Store and the query functions of ``console.services`` so views never
hold a Store or write SQL themselves. Writes go through ``IncidentService``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Table, and_, column, or_, select

from console.domain import beijing, grading
from console.domain.catalog import CASUALTY_CHANGE
from console.domain.schema import Incident, IncidentReport, TimelineEntry, Township, Village
from console.domain.workflow import CLOSED
from console.services import deadlines as dl
from console.services.duplicates import Candidate, find_candidates
from console.services.incident_list import (
    IncidentFilter,
    fetch_incident,
    fetch_rows,
    query_rowids,
)
from console.store.database import Store


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


class IncidentSource:
    """Plain records for the incident list, detail, report dialog and deadline banner."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- list ------------------------------------------------------------------------------
    def rowids(self, flt: IncidentFilter, sort: str, descending: bool) -> list[int]:
        return query_rowids(self._store, flt, sort, descending)

    def rows(self, rowids: Sequence[int], now: datetime | None = None) -> dict[int, dict[str, Any]]:
        """List rows keyed by rowid, each with ``reporting`` (its duties as of ``now``) and
        ``next_due`` (the first unmet deadline or None)."""
        rows = fetch_rows(self._store, rowids)
        self._attach_reporting(list(rows.values()), now or beijing.now())
        return rows

    def _attach_reporting(self, incidents: list[dict[str, Any]], now: datetime) -> None:
        ids = [r["id"] for r in incidents]
        reports = self.reports_for(ids)
        changes = self.casualty_changes_for(ids)
        rules = self.rules()
        for row in incidents:
            found = dl.reporting_for(
                row,
                rules,
                reports.get(row["id"], []),
                now=now,
                casualty_changes=changes.get(row["id"], []),
            )
            row["reporting"] = found
            row["next_due"] = found.next_due

    def rowid_of(self, incident_id: str) -> int | None:
        """The incident's rowid (what the list holds), or None when there is none."""
        t = _table(Incident)
        stmt = select(column("rowid", Integer)).select_from(t).where(t.c.id == incident_id)
        with self._store.engine.connect() as conn:
            found = conn.execute(stmt).scalar()
        return int(found) if found is not None else None

    # -- one incident ----------------------------------------------------------------------
    def incident(self, incident_id: str) -> dict[str, Any] | None:
        return fetch_incident(self._store, incident_id)

    def timeline(self, incident_id: str) -> list[dict[str, Any]]:
        t = _table(TimelineEntry)
        stmt = (
            select(t)
            .where(t.c.incident_id == incident_id, t.c.deleted.is_(False))
            .order_by(t.c.at, t.c.id)
        )
        with self._store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def reports_for(self, incident_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        if not incident_ids:
            return out
        t = _table(IncidentReport)
        stmt = select(t).where(t.c.incident_id.in_(list(incident_ids)), t.c.deleted.is_(False))
        with self._store.engine.connect() as conn:
            for r in conn.execute(stmt).mappings():
                out.setdefault(r["incident_id"], []).append(dict(r))
        return out

    def rules(self) -> list[dict[str, Any]]:
        from console.domain.schema import ReportRule

        t = _table(ReportRule)
        with self._store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(t)).mappings()]

    def grading_rules(self) -> list[dict[str, Any]]:
        """The grading table (定级标准), live rows."""
        from console.domain.schema import GradingRule

        t = _table(GradingRule)
        with self._store.engine.connect() as conn:
            return [
                dict(r) for r in conn.execute(select(t).where(t.c.deleted.is_(False))).mappings()
            ]

    def casualty_changes_for(self, incident_ids: Sequence[str]) -> dict[str, list[datetime]]:
        """When each incident's casualty figures changed (its 伤亡变化 log lines)."""
        out: dict[str, list[datetime]] = {}
        if not incident_ids:
            return out
        t = _table(TimelineEntry)
        stmt = select(t.c.incident_id, t.c.at).where(
            t.c.incident_id.in_(list(incident_ids)),
            t.c.kind == CASUALTY_CHANGE,
            t.c.deleted.is_(False),
        )
        with self._store.engine.connect() as conn:
            for incident_id, at in conn.execute(stmt):
                out.setdefault(incident_id, []).append(beijing.parse(at))
        return out

    def reporting(
        self,
        incident: Mapping[str, Any],
        now: datetime | None = None,
        reports: Sequence[Mapping[str, Any]] | None = None,
    ) -> dl.Reporting:
        """The incident's reporting duties as of ``now``; ``reports``: its sent reports when
        the caller has read them already."""
        incident_id = incident["id"]
        if reports is None:
            reports = self.reports_for([incident_id]).get(incident_id, [])
        return dl.reporting_for(
            incident,
            self.rules(),
            reports,
            now=now or beijing.now(),
            casualty_changes=self.casualty_changes_for([incident_id]).get(incident_id, []),
        )

    def deadlines(
        self, incident: Mapping[str, Any], now: datetime | None = None
    ) -> list[dl.Deadline]:
        return list(self.reporting(incident, now).deadlines)

    def open_deadlines(
        self,
        since: datetime | None = None,
        now: datetime | None = None,
        open_since: datetime | None = None,
    ) -> list[tuple[dict[str, Any], dl.Deadline]]:
        """Unmet deadlines, with their incident rows: of the open incidents received at or
        after ``open_since`` and of those closed at or after ``since`` (all when None:
        终报/核报 run from the closure). For each kind and channel only the earliest unmet
        occurrence: a daily 续报 missed for a week is one alert, not seven. A store holding
        years of calls (some never closed) is not scanned every few seconds."""
        t = _table(Incident)
        cols = [
            t.c[c]
            for c in (
                "id",
                "title",
                "received_at",
                "category",
                "subtype",
                "sub_hazard",
                "grade",
                "status",
                "closed_at",
            )
        ]
        recent = t.c.status != CLOSED
        if open_since is not None:
            recent = and_(recent, t.c.received_at >= beijing.canonical(open_since))
        if since is not None:
            recent = or_(recent, t.c.closed_at >= beijing.canonical(since))
        stmt = select(*cols).where(t.c.deleted.is_(False), recent)
        with self._store.engine.connect() as conn:
            incidents = [dict(r) for r in conn.execute(stmt).mappings()]
        self._attach_reporting(incidents, now or beijing.now())
        out: list[tuple[dict[str, Any], dl.Deadline]] = []
        for inc in incidents:
            seen: set[tuple[str, str]] = set()
            for d in inc["reporting"].unmet:
                if (d.stage, d.channel) not in seen:
                    seen.add((d.stage, d.channel))
                    out.append((inc, d))
        return out

    def grade_alerts(
        self, since: datetime | None = None
    ) -> list[tuple[dict[str, Any], grading.Finding]]:
        """Open incidents (received at or after ``since``) whose numbers now imply a more
        severe grade than the one they carry (定级标准): the banner asks to regrade them."""
        t = _table(Incident)
        stmt = select(t).where(t.c.deleted.is_(False), t.c.status != CLOSED)
        if since is not None:
            stmt = stmt.where(t.c.received_at >= beijing.canonical(since))
        with self._store.engine.connect() as conn:
            incidents = [dict(r) for r in conn.execute(stmt).mappings()]
        rules = self.grading_rules() if incidents else []
        out: list[tuple[dict[str, Any], grading.Finding]] = []
        for inc in incidents:
            found = grading.suggestion(
                inc["category"], inc["subtype"] or "", inc["grade"], inc, rules
            )
            if found is not None:
                out.append((inc, found))
        return out

    # -- places ----------------------------------------------------------------------------
    def place_names(self) -> dict[str, str]:
        """Township and village id -> name."""
        names: dict[str, str] = {}
        with self._store.engine.connect() as conn:
            for model in (Township, Village):
                t = _table(model)
                for rid, name in conn.execute(select(t.c.id, t.c.name)):
                    names[rid] = name
        return names

    def townships(self) -> list[tuple[str, str]]:
        """(id, name) of the townships, in name order."""
        t = _table(Township)
        with self._store.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.id, t.c.name).where(t.c.deleted.is_(False)).order_by(t.c.name)
            )
            return [(r[0], r[1]) for r in rows]

    # -- repeat calls ----------------------------------------------------------------------
    def candidates(self, call: Mapping[str, Any]) -> list[Candidate]:
        return find_candidates(self._store, call)
