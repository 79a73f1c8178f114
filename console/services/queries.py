"""Read side: plain records for views and models (views never query the database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select

from console.domain.schema import (
    Camera,
    GradingRule,
    Incident,
    RiskPoint,
    Shelter,
    Station,
    SyncedRecord,
    Team,
    Township,
    Village,
)
from console.store.database import Store
from console.store.records import ClientState, OutboxEntry


@dataclass(frozen=True)
class PendingMutation:
    mutation_id: int
    name: str
    hlc: str
    user: str
    args: str


@dataclass(frozen=True)
class SyncCounters:
    client_id: str
    next_mutation_id: int
    last_acked_mutation_id: int
    sample_pending: int = 0  # the sample county's mutations: never pushed, not 待同步

    @property
    def pending(self) -> int:
        """Pushable work waiting for the server (待同步)."""
        return self.next_mutation_id - 1 - self.last_acked_mutation_id - self.sample_pending


class Queries:
    """Read-only queries; each returns plain dicts/dataclasses, never live ORM objects."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        """The store read (services built over it by a page, e.g. the 通讯录)."""
        return self._store

    def _rows(self, model: type[SyncedRecord], order: Sequence[Any] = ()) -> list[dict[str, Any]]:
        table = model.__table__
        assert isinstance(table, Table)
        stmt = select(table).where(table.c.deleted.is_(False)).order_by(*order)
        with self._store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def townships(self) -> list[dict[str, Any]]:
        return self._rows(Township, (Township.name,))

    def villages(self) -> list[dict[str, Any]]:
        return self._rows(Village, (Village.township_id, Village.name))

    def risk_points(self) -> list[dict[str, Any]]:
        return self._rows(RiskPoint, (RiskPoint.type, RiskPoint.name))

    def shelters(self) -> list[dict[str, Any]]:
        return self._rows(Shelter, (Shelter.name,))

    def teams(self) -> list[dict[str, Any]]:
        return self._rows(Team, (Team.kind, Team.name))

    def stations(self) -> list[dict[str, Any]]:
        return self._rows(Station, (Station.code,))

    def cameras(self) -> list[dict[str, Any]]:
        """The live cameras (视频监控), by name."""
        return self._rows(Camera, (Camera.name,))

    def grading_rules(self) -> list[dict[str, Any]]:
        """The live rows of the grading table (定级标准)."""
        return self._rows(GradingRule, (GradingRule.category, GradingRule.subtype))

    def count(self, model: type[SyncedRecord]) -> int:
        stmt = select(func.count()).select_from(model).where(model.deleted.is_(False))
        with self._store.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def incident_count(self) -> int:
        return self.count(Incident)

    def sync_counters(self) -> SyncCounters:
        sample = (
            select(func.count())
            .where(
                OutboxEntry.mutation_id > ClientState.last_acked_mutation_id,
                OutboxEntry.local_only,
            )
            .scalar_subquery()
        )
        stmt = select(
            ClientState.client_id,
            ClientState.next_mutation_id,
            ClientState.last_acked_mutation_id,
            sample,
        )
        with self._store.engine.connect() as conn:
            row = conn.execute(stmt).one()
        return SyncCounters(row[0], row[1], row[2], row[3])

    def pending_mutations(self, limit: int = 500) -> list[PendingMutation]:
        """Pushable work waiting (待同步), newest first; local-only rows are not listed."""
        acked = select(ClientState.last_acked_mutation_id).scalar_subquery()
        stmt = (
            select(
                OutboxEntry.mutation_id,
                OutboxEntry.name,
                OutboxEntry.hlc,
                OutboxEntry.user,
                OutboxEntry.args,
            )
            .where(OutboxEntry.mutation_id > acked, OutboxEntry.local_only.is_(False))
            .order_by(OutboxEntry.mutation_id.desc())
            .limit(limit)
        )
        with self._store.engine.connect() as conn:
            return [PendingMutation(*r) for r in conn.execute(stmt)]

    def sample_present(self) -> bool:
        """Any live sample record in the reference tables (they are loaded together)."""
        stmt = select(Township.id).where(Township.is_sample.is_(True), Township.deleted.is_(False))
        with self._store.engine.connect() as conn:
            return conn.execute(stmt.limit(1)).first() is not None
