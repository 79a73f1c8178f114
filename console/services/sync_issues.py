"""Rejections and conflicts from the server, as the 同步状态 page shows and resolves them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from console.domain.mutations import REGISTRY
from console.store.changes import Changes
from console.store.records import SyncIssue
from console.store.writer import Writer

KEEP_MINE = "keep_mine"
TAKE_THEIRS = "take_theirs"
ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class Issue:
    mutation_id: int
    kind: str  # rejected | conflict
    action: str  # human label of the mutation
    code: str
    message: str
    user: str
    recorded_at: str
    args: dict[str, Any]
    conflicts: list[dict[str, Any]]
    resolved: str


class SyncIssues:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._engine = writer.store.engine

    def list(self, include_resolved: bool = False) -> list[Issue]:
        stmt = select(SyncIssue).order_by(SyncIssue.mutation_id.desc())
        if not include_resolved:
            stmt = stmt.where(SyncIssue.resolved == "")
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
        return [
            Issue(
                mutation_id=r["mutation_id"],
                kind=r["kind"],
                action=REGISTRY[r["name"]].description if r["name"] in REGISTRY else r["name"],
                code=r["code"],
                message=r["message"],
                user=r["user"],
                recorded_at=r["recorded_at"],
                args=json.loads(r["args"]),
                conflicts=json.loads(r["detail"]) if r["detail"] else [],
                resolved=r["resolved"],
            )
            for r in rows
        ]

    def _mark(self, mutation_id: int, how: str) -> None:
        with (
            self._writer.store.gate.urgent(),  # an officer's action: before pull work
            self._engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
            conn.begin(),
        ):
            conn.execute(
                update(SyncIssue).where(SyncIssue.mutation_id == mutation_id).values(resolved=how)
            )

    def acknowledge(self, mutation_id: int) -> None:
        """The officer has seen a rejection (the change was not applied anywhere)."""
        self._mark(mutation_id, ACKNOWLEDGED)

    def resolve_conflict(self, issue: Issue, choice: str, *, user: str) -> Changes:
        """KEEP_MINE: the saved value stays. TAKE_THEIRS: write the other officer's values
        back through the normal write path (so it syncs like any edit)."""
        if issue.kind != "conflict":
            raise ValueError("not a conflict")
        changes = Changes(rows=())
        if choice == TAKE_THEIRS:
            fields = {c["field"]: c["theirs"] for c in issue.conflicts}
            before = {c["field"]: c["mine"] for c in issue.conflicts}
            changes = self._writer.apply(
                [("incident.update", {"id": issue.args["id"], "fields": fields, "before": before})],
                user=user,
            )
        elif choice != KEEP_MINE:
            raise ValueError(f"unknown choice {choice!r}")
        self._mark(issue.mutation_id, choice)
        return changes
