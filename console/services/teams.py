"""Teams in action (issue 14): the status board's rows, a team's members (with certificate
warnings) and equipment, suggestions for an incident, and the writes: dispatch, return,
status. Qt-free; every write is ONE ``Writer.apply`` of the shared mutations
(console/domain/mutations_teams), so a dispatch made offline reaches every replica whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from console.domain import beijing, catalog
from console.domain import teams as rules
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.schema import (
    Certificate,
    Dispatch,
    Incident,
    Person,
    Team,
    TeamEquipment,
    TeamMember,
    Township,
)
from console.services.map_data import live_rows, table_of
from console.store.changes import Changes
from console.store.database import Store
from console.store.writer import Writer

# The tables a view of teams reads: refresh when a change touches one of them.
TABLES = (
    "teams",
    "townships",
    "team_members",
    "team_equipment",
    "person_certificates",
    "people",
    "incident_dispatches",
)


@dataclass
class Board:
    """Everything the 队伍 tab shows, read in one go."""

    teams: list[dict[str, Any]]  # each with township, available, key_equipment, warnings
    equipment: dict[str, list[dict[str, Any]]]  # team id -> rows
    townships: list[dict[str, Any]]
    equipment_names: list[str] = field(default_factory=list)
    sample: bool = False

    def township(self, township_id: str | None) -> dict[str, Any] | None:
        return next((t for t in self.townships if t["id"] == township_id), None)

    def reach(self, reach: rules.Reach) -> list[tuple[dict[str, Any], float | None]]:
        """Teams matching the filter with their distance, nearest first."""
        found = []
        for team in self.teams:
            ok, km = reach.matches(team, self.equipment.get(team["id"], []))
            if ok:
                found.append((team, km))
        return sorted(found, key=lambda p: (p[1] is None, p[1] or 0.0, p[0]["name"]))


@dataclass
class TeamDetail:
    team: dict[str, Any]
    members: list[dict[str, Any]]  # name, mobile, role, skills, available, certificates
    equipment: list[dict[str, Any]]
    dispatches: list[dict[str, Any]]  # open ones, with the incident's title


def key_equipment_text(rows: list[dict[str, Any]]) -> str:
    """'风力灭火机 8台、高压细水雾灭火机 2台' for the key equipment a team holds."""
    parts = []
    for key in rules.KEY_EQUIPMENT:
        for row in rows:
            if row["name"] == key and row["count"] > 0:
                parts.append(f"{row['name']} {row['count']}{row['unit']}")
    return "、".join(parts)


class TeamService:
    """Reads from ``store``; writes through ``writer`` (None: read-only, e.g. the wall)."""

    def __init__(self, store: Store, writer: Writer | None = None) -> None:
        self.store = store
        self._writer = writer

    @classmethod
    def of(cls, writer: Writer) -> TeamService:
        return cls(writer.store, writer)

    @property
    def writable(self) -> bool:
        return self._writer is not None

    def _apply(self, calls: list[tuple[str, dict[str, Any]]], user: str) -> Changes:
        if self._writer is None:
            raise MutationRejected("read_only", "本机为只读，不能修改")
        return self._writer.apply(calls, user=user)

    # -- reads -----------------------------------------------------------------------------
    def board(self, today: date | None = None) -> Board:
        today = today or beijing.now().date()
        with self.store.engine.connect() as conn:
            teams = live_rows(conn, Team)
            towns = live_rows(conn, Township)
            members = live_rows(conn, TeamMember)
            gear = live_rows(conn, TeamEquipment)
            certs = live_rows(conn, Certificate)
            sample = any(t.get("is_sample") for t in towns)
        names = {t["id"]: t["name"] for t in towns}
        equipment: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in sorted(gear, key=lambda r: (-r["count"], r["name"])):
            equipment[row["team_id"]].append(row)
        warned = {c["person_id"] for c in certs if rules.certificate_state(c["expires_on"], today)}
        off: dict[str, int] = defaultdict(int)
        warnings: dict[str, int] = defaultdict(int)
        for m in members:
            if not m["available"]:
                off[m["team_id"]] += 1
            if m["person_id"] in warned:
                warnings[m["team_id"]] += 1
        for team in teams:
            team["township"] = names.get(team.get("township_id") or "", "")
            team["available"] = rules.available_people(team, off[team["id"]])
            team["key_equipment"] = key_equipment_text(equipment[team["id"]])
            team["warnings"] = warnings[team["id"]]
            team["has_equipment_rows"] = bool(equipment[team["id"]])
        teams.sort(key=lambda t: (t["kind"], t["township"], t["name"]))
        towns.sort(key=lambda t: t["name"])
        gear_names = sorted({g["name"] for g in gear})
        return Board(teams, dict(equipment), towns, gear_names, sample)

    def detail(self, team_id: str, today: date | None = None) -> TeamDetail | None:
        today = today or beijing.now().date()
        with self.store.engine.connect() as conn:
            found = live_rows(conn, Team, table_of(Team).c.id == team_id)
            if not found:
                return None
            members = live_rows(conn, TeamMember, table_of(TeamMember).c.team_id == team_id)
            person_ids = [m["person_id"] for m in members]
            people = {
                p["id"]: p for p in live_rows(conn, Person, table_of(Person).c.id.in_(person_ids))
            }
            certs = live_rows(conn, Certificate, table_of(Certificate).c.person_id.in_(person_ids))
            gear = live_rows(conn, TeamEquipment, table_of(TeamEquipment).c.team_id == team_id)
            open_ = self._open_dispatches(conn, team_id)
        by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in certs:
            c["state"] = rules.certificate_state(c["expires_on"], today)
            by_person[c["person_id"]].append(c)
        rows = []
        for m in members:
            person = people.get(m["person_id"], {})
            rows.append(
                {
                    **m,
                    "name": person.get("name", "（已删除）"),
                    "mobile": person.get("mobile", ""),
                    "certificates": sorted(by_person[m["person_id"]], key=lambda c: c["name"]),
                }
            )
        order = {r: i for i, r in enumerate(catalog.TEAM_MEMBER_ROLES)}
        rows.sort(key=lambda r: (order.get(r["role"], 99), r["name"]))
        gear.sort(key=lambda r: (-r["count"], r["name"]))
        return TeamDetail(found[0], rows, gear, open_)

    def _open_dispatches(self, conn: Any, team_id: str) -> list[dict[str, Any]]:
        d, i = table_of(Dispatch), table_of(Incident)
        stmt = (
            select(d, i.c.title.label("incident_title"))
            .join(i, i.c.id == d.c.incident_id)
            .where(d.c.team_id == team_id, d.c.returned_at.is_(None), d.c.deleted.is_(False))
            .order_by(d.c.dispatched_at)
        )
        return [dict(r) for r in conn.execute(stmt).mappings()]

    def dispatches(self, incident_id: str) -> list[dict[str, Any]]:
        """The incident's dispatches, out first, each with the team's name and status."""
        d, t = table_of(Dispatch), table_of(Team)
        stmt = (
            select(d, t.c.name.label("team_name"), t.c.status.label("team_status"))
            .join(t, t.c.id == d.c.team_id)
            .where(d.c.incident_id == incident_id, d.c.deleted.is_(False))
            .order_by(d.c.dispatched_at, t.c.name)
        )
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return sorted(rows, key=lambda r: r["returned_at"] is not None)

    def suggestions(self, incident: dict[str, Any]) -> list[rules.Suggestion]:
        """Every team for the incident, best first (standby, suited kind, nearest)."""
        with self.store.engine.connect() as conn:
            teams = live_rows(conn, Team)
            origin = None
            if incident.get("lon") is None and incident.get("township_id"):
                town = live_rows(conn, Township, table_of(Township).c.id == incident["township_id"])
                if town:
                    origin = (town[0]["lon"], town[0]["lat"])
        return rules.suggest(incident, teams, origin)

    # -- writes ----------------------------------------------------------------------------
    def dispatch(
        self,
        incident_id: str,
        team_ids: list[str],
        *,
        user: str,
        at: datetime | None = None,
        note: str = "",
    ) -> list[str]:
        """Send the teams (one transaction); returns the dispatch ids."""
        when = beijing.canonical(at or beijing.now())
        calls = []
        for team_id in team_ids:
            args = {
                "id": new_id(),
                "incident_id": incident_id,
                "team_id": team_id,
                "dispatched_at": when,
                "note": note,
                "timeline_id": new_id(),
            }
            calls.append(("dispatch.create", args))
        self._apply(calls, user)
        return [str(args["id"]) for _name, args in calls]

    def bring_back(
        self,
        dispatch_id: str,
        *,
        user: str,
        status: str = catalog.TEAM_STANDBY,
        at: datetime | None = None,
    ) -> Changes:
        args = {
            "id": dispatch_id,
            "status": status,
            "at": beijing.canonical(at or beijing.now()),
            "timeline_id": new_id(),
        }
        return self._apply([("dispatch.return", args)], user)

    def set_status(
        self, team_id: str, status: str, *, user: str, at: datetime | None = None
    ) -> Changes:
        args = {"id": team_id, "status": status, "at": beijing.canonical(at or beijing.now())}
        return self._apply([("team.set_status", args)], user)
