"""Local transactions of the sync: read the outbox, record push replies, apply pulls.

Invariant kept here: a pulled page and the cursor that covers it commit in ONE transaction,
so the cursor is never ahead of the data. Pending local mutations stay visible: rows they
changed keep the server's copy in ``sync_shadow``; after the last page of a pull the engine
restores those copies and re-runs every still-pending mutation on top ("rebase").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from console import faults
from console.domain.fields import MutationRejected
from console.domain.mutations import MutationContext, RowChange, run_mutation
from console.domain.schema import MODEL_BY_TABLE, SYNCED_MODELS
from console.store.changes import Changes
from console.store.database import Store
from console.store.records import ClientState, LocalMeta, OutboxEntry, SyncIssue, SyncShadow
from console.store.shadow import shadow_hook
from console.store.writer import write_scope

log = logging.getLogger(__name__)
CURSOR_KEY = "sync.cursor"


@dataclass(frozen=True)
class PullResult:
    changes: Changes
    cursor: str
    more: bool
    rows: int


def _table(name: str) -> Table:
    table = MODEL_BY_TABLE[name].__table__
    assert isinstance(table, Table)
    return table


def read_cursor(conn: Connection) -> str | None:
    return conn.execute(select(LocalMeta.value).where(LocalMeta.key == CURSOR_KEY)).scalar()


def pending_count(store: Store) -> int:
    with store.engine.connect() as conn:
        next_id, acked = conn.execute(
            select(ClientState.next_mutation_id, ClientState.last_acked_mutation_id)
        ).one()
    return int(next_id) - 1 - int(acked)


def pending_batch(store: Store, limit: int = 500) -> list[dict[str, Any]]:
    """The next outbox rows the server has not acknowledged, oldest first, as push items."""
    acked = select(ClientState.last_acked_mutation_id).scalar_subquery()
    stmt = (
        select(OutboxEntry)
        .where(OutboxEntry.mutation_id > acked)
        .order_by(OutboxEntry.mutation_id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [
        {
            "mutation_id": r["mutation_id"],
            "name": r["name"],
            "args": json.loads(r["args"]),
            "hlc": r["hlc"],
            "schema_version": r["schema_version"],
        }
        for r in rows
    ]


def _issue_kind(result: dict[str, Any]) -> str | None:
    if result.get("status") == "rejected":
        return "rejected"
    if result.get("code") == "conflict":
        return "conflict"
    return None


def record_push_reply(store: Store, last_mutation_id: int, results: list[dict[str, Any]]) -> int:
    """Store the acknowledgement, every rejection and every conflict; returns how many
    new issues the officer now has to look at."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        conn.execute(
            update(ClientState)
            .where(ClientState.id == 1)
            .values(last_acked_mutation_id=last_mutation_id)
        )
        fresh = 0
        for r in results:
            kind = _issue_kind(r)
            if kind is None:
                continue
            out = conn.execute(
                select(OutboxEntry.name, OutboxEntry.args, OutboxEntry.user).where(
                    OutboxEntry.mutation_id == r["mutation_id"]
                )
            ).first()
            if out is None:
                continue
            stmt = (
                sqlite_insert(SyncIssue)
                .values(
                    mutation_id=r["mutation_id"],
                    kind=kind,
                    name=out[0],
                    args=out[1],
                    user=out[2],
                    code=r.get("code", ""),
                    message=r.get("message", ""),
                    detail=r.get("detail", ""),
                    recorded_at=now,
                    resolved="",
                )
                .on_conflict_do_nothing()
            )
            fresh += conn.execute(stmt).rowcount
    return fresh


def _upsert_stmt(table: Table, keys: tuple[str, ...]) -> Any:
    """INSERT ... ON CONFLICT(id) DO UPDATE of exactly ``keys``, built once per key set."""
    stmt = _UPSERTS.get((table.name, keys))
    if stmt is None:
        ins = sqlite_insert(table)
        stmt = ins.on_conflict_do_update(
            index_elements=[table.c.id], set_={k: ins.excluded[k] for k in keys if k != "id"}
        )
        _UPSERTS[(table.name, keys)] = stmt
    return stmt


_UPSERTS: dict[tuple[str, tuple[str, ...]], Any] = {}


def _upsert(conn: Connection, table: Table, row: dict[str, Any]) -> None:
    conn.execute(_upsert_stmt(table, tuple(row)), row)


def _upsert_sql(table: str, keys: tuple[str, ...]) -> str:
    """The same upsert as plain SQL with positional parameters, for executemany."""
    sql = _UPSERT_SQL.get((table, keys))
    if sql is None:
        cols = ", ".join(f'"{k}"' for k in keys)
        marks = ", ".join("?" for _ in keys)
        sets = ", ".join(f'"{k}" = excluded."{k}"' for k in keys if k != "id")
        action = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) ON CONFLICT ("id") {action}'
        _UPSERT_SQL[(table, keys)] = sql
    return sql


_UPSERT_SQL: dict[tuple[str, tuple[str, ...]], str] = {}
_Batch = dict[tuple[str, ...], list[tuple[Any, ...]]]


def _flush(conn: Connection, table: str, batch: _Batch) -> None:
    """One executemany per distinct key set (normally exactly one per table and page).

    Plain DB-API parameters (JSON values: str, int, float, bool, None) straight to sqlite3:
    SQLAlchemy's per-row parameter processing cost more than SQLite's own work.
    """
    for keys, values in batch.items():
        if values:
            conn.exec_driver_sql(_upsert_sql(table, keys), values)
    batch.clear()


def apply_pull(store: Store, page: dict[str, Any]) -> PullResult:
    """Apply one pull page (and, on the last page, rebase pending work) in ONE transaction."""
    touched: list[RowChange] = []
    count = 0
    with write_scope(store) as conn:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        if page["reset"]:
            _wipe(conn)
        shadowed = {
            (t, i) for t, i in conn.execute(select(SyncShadow.table_name, SyncShadow.record_id))
        }
        columns = {
            m.__tablename__: {c.name for c in _table(m.__tablename__).columns}
            for m in SYNCED_MODELS
        }
        half = sum(len(v) for v in page["rows"].values()) // 2
        latest = ""
        for model in SYNCED_MODELS:
            name = model.__tablename__
            wanted = columns[name]
            batch: _Batch = {}
            # Known columns of each key layout the server sent (normally one layout per table).
            layouts: dict[tuple[str, ...], tuple[tuple[str, ...], Callable[..., Any]]] = {}
            for raw in page["rows"].get(name, []):
                if count == half:
                    _flush(conn, name, batch)  # the rows before the fault point
                    faults.reached("mid_pull_apply")
                layout = tuple(raw)
                known = layouts.get(layout)
                if known is None:
                    keys = tuple(k for k in layout if k in wanted)
                    known = layouts[layout] = (keys, itemgetter(*keys))
                keys, pick = known
                stamp = raw["updated_at"]
                if stamp > latest:  # HLC stamps order as text: observe the page's newest
                    latest = stamp
                count += 1
                record_id = raw["id"]
                if (name, record_id) in shadowed:
                    row = {k: raw[k] for k in keys}
                    conn.execute(
                        update(SyncShadow)
                        .where(SyncShadow.table_name == name, SyncShadow.record_id == record_id)
                        .values(row=json.dumps(row, ensure_ascii=False))
                    )
                else:
                    values = pick(raw)
                    batch.setdefault(keys, []).append(values if len(keys) > 1 else (values,))
                    touched.append(RowChange(name, record_id))
            _flush(conn, name, batch)
        if latest:
            store.clock.observe(latest)
        last = int(page["last_mutation_id"])
        if not page["more"]:
            touched.extend(_rebase(store, conn, last))
            conn.execute(
                update(ClientState).where(ClientState.id == 1).values(last_acked_mutation_id=last)
            )
        _save_cursor(conn, page["cursor"])
    changes = Changes(rows=tuple(touched), source="pull")
    if touched:
        store.announce(changes)
    return PullResult(changes=changes, cursor=page["cursor"], more=page["more"], rows=count)


def _save_cursor(conn: Connection, cursor: str) -> None:
    stmt = sqlite_insert(LocalMeta).values(key=CURSOR_KEY, value=cursor)
    conn.execute(stmt.on_conflict_do_update(index_elements=[LocalMeta.key], set_={"value": cursor}))


def _wipe(conn: Connection) -> None:
    """Server restored or new epoch: drop the replica; the reset pull refills it and the
    rebase re-applies every mutation the server no longer has."""
    for model in reversed(SYNCED_MODELS):
        conn.execute(delete(_table(model.__tablename__)))
    conn.execute(delete(SyncShadow))


def _rebase(store: Store, conn: Connection, last_applied: int) -> list[RowChange]:
    """Restore server copies of locally changed rows, then re-run pending mutations."""
    touched: list[RowChange] = []
    for name, record_id, row in conn.execute(
        select(SyncShadow.table_name, SyncShadow.record_id, SyncShadow.row)
    ).all():
        table = _table(name)
        if row is None:
            conn.execute(delete(table).where(table.c.id == record_id))
        else:
            _upsert(conn, table, json.loads(row))
        touched.append(RowChange(name, record_id))
    conn.execute(delete(SyncShadow))
    pending = (
        conn.execute(
            select(OutboxEntry)
            .where(OutboxEntry.mutation_id > last_applied)
            .order_by(OutboxEntry.mutation_id)
        )
        .mappings()
        .all()
    )
    hook = shadow_hook(conn)
    for entry in pending:
        ctx = MutationContext(
            user=entry["user"], client_id=entry["client_id"], hlc=entry["hlc"], on_touch=hook
        )
        savepoint = conn.begin_nested()
        try:
            touched.extend(run_mutation(conn, entry["name"], json.loads(entry["args"]), ctx))
        except MutationRejected as exc:
            # The server will most likely refuse it too; its answer is what the officer sees.
            savepoint.rollback()
            log.info(
                "pending mutation %s no longer applies locally: %s",
                entry["mutation_id"],
                exc.message,
            )
            continue
        savepoint.commit()
    return touched
