"""Push and pull, as ARCHITECTURE.md specifies; no HTTP here, so tests can drive it directly.

Push: one transaction per request holding the server_state row lock (the single serialised
global sequence); each mutation runs in a savepoint so a business rejection is recorded as a
result without blocking the queue; a mutation id at or below the client's last is answered
from the stored result (idempotent replay); one above last+1 is a gap: nothing is applied.
The reply is built only after commit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, update
from sqlalchemy.engine import Connection

from console.domain import roles
from console.domain.fields import MutationRejected
from console.domain.mutations import SCHEMA_VERSION, MutationContext, run_mutation
from console.domain.schema import SYNCED_MODELS
from server import audit
from server.auth import Principal
from server.db import is_sqlite
from server.notify import notify_in_transaction
from server.schema import PushResult, ServerState, SyncClient


@dataclass(frozen=True)
class PushedMutation:
    mutation_id: int
    name: str
    args: dict[str, Any]
    hlc: str
    schema_version: int


@dataclass(frozen=True)
class MutationResult:
    mutation_id: int
    status: str  # applied | rejected
    code: str = ""
    message: str = ""
    version: int | None = None


class PushError(Exception):
    """Refuses the whole push: ``status`` is the HTTP status, ``message`` Chinese."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _lock_state(conn: Connection) -> tuple[int, int, str]:
    stmt = select(ServerState.version, ServerState.audit_seq, ServerState.audit_head)
    if not is_sqlite(conn.engine):
        stmt = stmt.with_for_update()
    version, audit_seq, head = conn.execute(stmt.where(ServerState.id == 1)).one()
    return int(version), int(audit_seq), str(head)


def push(
    engine: Engine, who: Principal, client_id: str, mutations: list[PushedMutation]
) -> tuple[int, list[MutationResult]]:
    """Apply a push; returns (client's last_mutation_id, one result per mutation)."""
    if who.role == roles.READONLY:
        raise PushError(403, "readonly", "只读账号不能提交修改")
    with engine.begin() as conn:
        version, audit_seq, head = _lock_state(conn)
        client = conn.execute(
            select(SyncClient.username, SyncClient.last_mutation_id).where(
                SyncClient.client_id == client_id
            )
        ).first()
        if client is None:
            conn.execute(
                insert(SyncClient).values(
                    client_id=client_id, username=who.username, last_mutation_id=0, last_seen=_now()
                )
            )
            last = 0
        elif client[0] != who.username:
            raise PushError(403, "foreign_client", "该工作站编号属于其他账号，拒绝提交")
        else:
            last = int(client[1])
        results: list[MutationResult] = []
        for m in mutations:
            if m.mutation_id <= last:
                results.append(_stored_result(conn, client_id, m.mutation_id))
                continue
            if m.mutation_id != last + 1:
                raise PushError(
                    409,
                    "gap",
                    f"操作编号不连续：期望 {last + 1}，收到 {m.mutation_id}",
                    last_mutation_id=last,
                )
            result = _apply_one(conn, who, client_id, m, version + 1)
            if result.status == "applied":
                version += 1
            audit_seq += 1
            head = audit.append(
                conn,
                audit_seq,
                head,
                audit.AuditRecord(
                    at=_now(),
                    username=who.username,
                    client_id=client_id,
                    mutation_id=m.mutation_id,
                    name=m.name,
                    args=json.dumps(m.args, ensure_ascii=False, separators=(",", ":")),
                    result=result.status if not result.code else f"{result.status}:{result.code}",
                ),
            )
            conn.execute(insert(PushResult).values(client_id=client_id, **asdict(result)))
            last = m.mutation_id
            results.append(result)
        conn.execute(update(ServerState).where(ServerState.id == 1).values(version=version))
        notify_in_transaction(conn, version)
        conn.execute(
            update(SyncClient)
            .where(SyncClient.client_id == client_id)
            .values(last_mutation_id=last, last_seen=_now())
        )
    return last, results


def _stored_result(conn: Connection, client_id: str, mutation_id: int) -> MutationResult:
    row = conn.execute(
        select(PushResult.status, PushResult.code, PushResult.message, PushResult.version).where(
            PushResult.client_id == client_id, PushResult.mutation_id == mutation_id
        )
    ).first()
    if row is None:  # acknowledged before results were kept (cannot happen on a fresh db)
        return MutationResult(mutation_id, "applied")
    return MutationResult(mutation_id, row[0], row[1], row[2], row[3])


def _apply_one(
    conn: Connection, who: Principal, client_id: str, m: PushedMutation, version: int
) -> MutationResult:
    if m.schema_version > SCHEMA_VERSION:
        return MutationResult(
            m.mutation_id,
            "rejected",
            "schema_too_new",
            "该操作由更新版本的值班台记录，服务器需要升级",
        )
    if not roles.allowed(who.role, m.name):
        label = roles.ROLE_LABELS.get(who.role, who.role)
        return MutationResult(
            m.mutation_id, "rejected", "forbidden", f"“{label}”角色无权执行此操作"
        )
    ctx = MutationContext(user=who.username, client_id=client_id, hlc=m.hlc, version=version)
    savepoint = conn.begin_nested()
    try:
        run_mutation(conn, m.name, m.args, ctx)
    except MutationRejected as exc:
        savepoint.rollback()
        return MutationResult(m.mutation_id, "rejected", exc.code, exc.message)
    savepoint.commit()
    return MutationResult(m.mutation_id, "applied", version=version)


@dataclass(frozen=True)
class PullPage:
    epoch: str
    cursor: int  # everything up to and including this version is in this page or before
    server_version: int
    last_mutation_id: int
    reset: bool
    more: bool
    rows: dict[str, list[dict[str, Any]]]


def parse_cursor(text: str | None) -> tuple[str | None, int]:
    if not text:
        return None, 0
    epoch, _, seq = text.rpartition(":")
    if not epoch or not seq.isdigit():
        raise ValueError("cursor must look like EPOCH:SEQ")
    return epoch, int(seq)


def pull(engine: Engine, client_id: str, cursor: str | None, limit: int = 5000) -> PullPage:
    """All changes after ``cursor`` from one snapshot (at most about ``limit`` rows)."""
    epoch_seen, after = parse_cursor(cursor)
    conn_opts: dict[str, Any] = {"sqlite_begin": "DEFERRED"}
    if not is_sqlite(engine):
        conn_opts = {"isolation_level": "REPEATABLE READ"}
    with engine.connect().execution_options(**conn_opts) as conn, conn.begin():
        epoch, server_version = conn.execute(select(ServerState.epoch, ServerState.version)).one()
        reset = epoch_seen is not None and epoch_seen != epoch
        if reset or after > server_version:
            reset, after = True, 0
        last = conn.execute(
            select(SyncClient.last_mutation_id).where(SyncClient.client_id == client_id)
        ).scalar()
        fetched: dict[str, list[dict[str, Any]]] = {}
        upper = server_version
        for model in SYNCED_MODELS:
            table = model.__table__
            assert isinstance(table, Table)
            stmt = (
                select(table)
                .where(table.c.version > after, table.c.version <= upper)
                .order_by(table.c.version)
                .limit(limit)
            )
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
            if len(rows) == limit:
                # This table may hold more: stop the page before its last version, or at
                # that version when a single version alone fills the page.
                tail = rows[-1]["version"]
                cut = tail - 1 if tail - 1 > after else tail
                if cut == tail:
                    stmt = select(table).where(table.c.version == tail)
                    rows = [r for r in rows if r["version"] < tail]
                    rows += [dict(r) for r in conn.execute(stmt).mappings()]
                upper = min(upper, cut)
            fetched[table.name] = rows
        page = {name: [r for r in rows if r["version"] <= upper] for name, rows in fetched.items()}
        return PullPage(
            epoch=epoch,
            cursor=upper,
            server_version=server_version,
            last_mutation_id=int(last or 0),
            reset=reset,
            more=upper < server_version,
            rows=page,
        )


def current_version(engine: Engine) -> int:
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        return int(conn.execute(select(func.max(ServerState.version))).scalar() or 0)
