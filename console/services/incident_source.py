"""The read side the incident screens bind to: list rowids and rows, one incident with its
timeline and reports, deadlines, place names and repeat-call candidates.

Qt-free: it wraps the Store and the query functions of ``console.services`` so views never
hold a Store or write SQL themselves. Writes go through ``IncidentService``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Table, column, select

from console.domain import beijing
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

    def rows(self, rowids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """List rows keyed by rowid, each with ``next_due`` (a Deadline or None)."""
        rows = fetch_rows(self._store, rowids)
        ids = [r["id"] for r in rows.values()]
        reports = self.reports_for(ids)
        rules = self.rules()
        for row in rows.values():
            if row["status"] == CLOSED:
                row["next_due"] = None
                continue
            found = dl.deadlines_for(row, rules, reports.get(row["id"], []))
            row["next_due"] = dl.next_due(found)
        return rows

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

    def deadlines(self, incident: Mapping[str, Any]) -> list[dl.Deadline]:
        reports = self.reports_for([incident["id"]]).get(incident["id"], [])
        return dl.deadlines_for(incident, self.rules(), reports)

    def open_deadlines(
        self, since: datetime | None = None
    ) -> list[tuple[dict[str, Any], dl.Deadline]]:
        """Unmet deadlines of open incidents received at or after ``since`` (all when None),
        with their incident rows. The alert banner looks back ALERT_WINDOW only: deadlines
        run minutes to hours after a call, and a store holding years of calls must not be
        scanned every 30 s."""
        t = _table(Incident)
        cols = [t.c[c] for c in ("id", "title", "received_at", "category", "grade", "status")]
        stmt = select(*cols).where(t.c.deleted.is_(False), t.c.status != CLOSED)
        if since is not None:
            stmt = stmt.where(t.c.received_at >= beijing.canonical(since))
        with self._store.engine.connect() as conn:
            incidents = [dict(r) for r in conn.execute(stmt).mappings()]
        reports = self.reports_for([i["id"] for i in incidents])
        rules = self.rules()
        out: list[tuple[dict[str, Any], dl.Deadline]] = []
        for inc in incidents:
            for d in dl.deadlines_for(inc, rules, reports.get(inc["id"], [])):
                if not d.met:
                    out.append((inc, d))
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
