"""Local transactions of the sync: read the outbox, record push replies, apply pulls.

Invariant kept here: the cursor that covers a pulled page commits with the page's last rows,
never before them, so the cursor is never ahead of the data. A page applies in short
sub-transactions that step aside for an officer's save (``apply_pull``). Pending local
mutations stay visible: rows they changed keep the server's copy in ``sync_shadow``; after
the last page of a pull the engine restores those copies and re-runs every still-pending
mutation on top ("rebase").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, and_, delete, func, select, update
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
JOINED_KEY = "sync.joined"  # set once this workstation joined a server


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


def read_acked(conn: Connection) -> int:
    """The last mutation id the server acknowledged to this workstation."""
    return int(conn.execute(select(ClientState.last_acked_mutation_id)).scalar_one())


def pending_count(store: Store) -> int:
    """Pushable work waiting (待同步): local-only mutations (the sample county, standalone
    default rules) do not count."""
    acked = select(ClientState.last_acked_mutation_id).scalar_subquery()
    stmt = select(func.count()).where(
        OutboxEntry.mutation_id > acked, OutboxEntry.local_only.is_(False)
    )
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def pending_batch(
    store: Store, limit: int = 500, *, include_sample: bool = False
) -> list[dict[str, Any]]:
    """The next outbox rows the server has not acknowledged, oldest first, as push items.

    Without ``include_sample`` (given for a demo server only) the batch stops before the
    first local-only mutation: the sample never leaves the workstation, and mutation ids
    stay contiguous for the server (:func:`discard_sample` removes them before a push)."""
    acked = select(ClientState.last_acked_mutation_id).scalar_subquery()
    stmt = (
        select(OutboxEntry)
        .where(OutboxEntry.mutation_id > acked)
        .order_by(OutboxEntry.mutation_id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    if not include_sample:
        cut = next((i for i, r in enumerate(rows) if r["local_only"]), len(rows))
        rows = rows[:cut]
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


def last_recorded(store: Store) -> int:
    """The newest outbox mutation id (0 when none): what a push round sets out to send."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.max(OutboxEntry.mutation_id))).scalar() or 0)


def pending_sample(store: Store) -> int:
    """How many local-only mutations (the sample county, standalone default rules) wait in
    the outbox: never pushed to a county's server."""
    acked = select(ClientState.last_acked_mutation_id).scalar_subquery()
    stmt = select(func.count()).where(OutboxEntry.mutation_id > acked, OutboxEntry.local_only)
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def ever_connected(conn: Connection) -> bool:
    """This workstation has pulled from a server, or joined one (it then never autoloads
    the sample county, whatever its tables hold)."""
    joined = conn.execute(select(LocalMeta.value).where(LocalMeta.key == JOINED_KEY)).scalar()
    return joined is not None or read_cursor(conn) is not None


def discard_sample(store: Store) -> int:
    """Joining a server: drop the sample county (and the standalone default rules: the
    server has its own) locally, keep the officer's own work.

    One transaction, local only (no outbox rows: the same path as a reset pull's wipe).
    The pending local-only mutations leave the outbox and the remaining pending ones are
    renumbered without gaps (the server expects ``last + 1``); the synced tables are wiped,
    the officer's pending work is re-run on top ("rebase", which also shadows its rows), and
    the cursor is cleared, so the next pull brings the whole county from the server.
    Returns how many mutations were discarded (0: nothing done)."""
    if not pending_sample(store):  # the usual case: a read, no write transaction
        return 0
    with write_scope(store) as conn:
        acked = int(conn.execute(select(ClientState.last_acked_mutation_id)).scalar_one())
        dropped = _drop_pending(conn, acked, OutboxEntry.local_only)
        if not dropped:
            return 0
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        touched = [
            RowChange(m.__tablename__, record_id)
            for m in SYNCED_MODELS
            for record_id in conn.execute(select(_table(m.__tablename__).c.id)).scalars()
        ]
        _wipe(conn)
        conn.execute(delete(LocalMeta).where(LocalMeta.key == CURSOR_KEY))
        _mark_joined(conn)
        touched.extend(_rebase(store, conn, acked))
    store.announce(Changes(rows=tuple(touched), source="pull"))
    return int(dropped)


def _drop_pending(conn: Connection, acked: int, which: Any) -> int:
    """Delete the pending outbox rows matching ``which`` and renumber the rest without gaps
    (the server expects ``last + 1``); returns how many were dropped."""
    dropped = int(
        conn.execute(delete(OutboxEntry).where(OutboxEntry.mutation_id > acked, which)).rowcount
    )
    if not dropped:
        return 0
    kept = conn.execute(
        select(OutboxEntry.mutation_id)
        .where(OutboxEntry.mutation_id > acked)
        .order_by(OutboxEntry.mutation_id)
    ).scalars()
    # Ascending: every id moved into is free (discarded, or left by an earlier move).
    for new_id, old_id in enumerate(list(kept), start=acked + 1):
        if new_id != old_id:
            conn.execute(
                update(OutboxEntry)
                .where(OutboxEntry.mutation_id == old_id)
                .values(mutation_id=new_id)
            )
    count = conn.execute(select(func.count()).where(OutboxEntry.mutation_id > acked)).scalar_one()
    conn.execute(
        update(ClientState)
        .where(ClientState.id == 1)
        .values(next_mutation_id=acked + int(count) + 1)
    )
    return dropped


# The sample incidents' own mutations (incident.create with is_sample, their log, reports
# and status changes): the only local-only rows of these names.
SAMPLE_INCIDENT_MUTATIONS = (
    "incident.create",
    "timeline.append",
    "report.record_sent",
    "incident.set_status",
)
# The sample roster's (planned for the month of each load, so it clashes the same way; the
# leader's to write, so an officer's workstation could not push it anyway). Local-only
# rows of these names are only the sample's; the duty staff (person.upsert) do go.
SAMPLE_ROSTER_MUTATIONS = ("roster_entry.upsert", "holiday.upsert")
SAMPLE_ROSTER_TABLES = ("roster_entries", "holidays")


def discard_sample_incidents(store: Store) -> int:
    """Keeping the sample on a demo server: its incidents are dated from each load, so the
    server's copy (same ids, other times) and this one would clash. Drop this copy's pending
    mutations and rows; the pull brings the server's. The sample roster goes the same way.
    Returns how many were discarded."""
    names = (*SAMPLE_INCIDENT_MUTATIONS, *SAMPLE_ROSTER_MUTATIONS)
    which = and_(OutboxEntry.local_only, OutboxEntry.name.in_(names))
    acked_id = select(ClientState.last_acked_mutation_id).scalar_subquery()
    with store.engine.connect() as conn:  # the usual case: a read, no write transaction
        if not conn.execute(
            select(func.count()).where(OutboxEntry.mutation_id > acked_id, which)
        ).scalar_one():
            return 0
    with write_scope(store) as conn:
        acked = int(conn.execute(select(ClientState.last_acked_mutation_id)).scalar_one())
        dropped = _drop_pending(conn, acked, which)
        if not dropped:
            return 0
        incidents = _table("incidents")
        ids = list(conn.execute(select(incidents.c.id).where(incidents.c.is_sample)).scalars())
        touched = [RowChange("incidents", i) for i in ids]
        for child in ("incident_reports", "incident_timeline"):
            table = _table(child)
            gone = list(
                conn.execute(select(table.c.id).where(table.c.incident_id.in_(ids))).scalars()
            )
            conn.execute(delete(table).where(table.c.id.in_(gone)))
            touched += [RowChange(child, i) for i in gone]
        conn.execute(delete(incidents).where(incidents.c.id.in_(ids)))
        touched += _drop_sample_rows(conn, SAMPLE_ROSTER_TABLES)
    store.announce(Changes(rows=tuple(touched), source="pull"))
    return dropped


def _drop_sample_rows(conn: Connection, tables: tuple[str, ...]) -> list[RowChange]:
    """Delete the sample's rows of ``tables`` (swaps asked on a sample slot go with it)."""
    touched: list[RowChange] = []
    for name in tables:
        table = _table(name)
        ids = list(conn.execute(select(table.c.id).where(table.c.is_sample)).scalars())
        if name == "roster_entries" and ids:
            swaps = _table("roster_swaps")
            on_sample = swaps.c.entry_a_id.in_(ids) | swaps.c.entry_b_id.in_(ids)
            gone = list(conn.execute(select(swaps.c.id).where(on_sample)).scalars())
            conn.execute(delete(swaps).where(swaps.c.id.in_(gone)))
            touched += [RowChange("roster_swaps", i) for i in gone]
        conn.execute(delete(table).where(table.c.id.in_(ids)))
        touched += [RowChange(name, i) for i in ids]
    return touched


def _mark_joined(conn: Connection) -> None:
    stmt = sqlite_insert(LocalMeta).values(key=JOINED_KEY, value="1")
    conn.execute(stmt.on_conflict_do_nothing(index_elements=[LocalMeta.key]))


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
    with (
        store.gate.background(),  # a save waiting meanwhile goes first
        store.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
        conn.begin(),
    ):
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


# Rejections of work on a record the server does not hold: after a restore, the record may
# come back (its creator re-pushes it), so such a rejection stays open and the work is
# submitted again once the record is in this replica again (retry_returned).
RETRYABLE_CODES = frozenset({"not_found", "missing_ref"})
RETRIED = "retried"


def retry_returned(store: Store) -> int:
    """Re-submit rejected work whose record has come back; returns how many.

    Each open rejection with a code of :data:`RETRYABLE_CODES` is run again through the
    normal write path (a new outbox row, so it is pushed like any edit) when it now applies
    locally; its issue is marked ``retried`` in the same transaction. One that still does
    not apply stays open (the officer may acknowledge it)."""
    from console.store.writer import Writer

    stmt = select(SyncIssue.mutation_id, SyncIssue.name, SyncIssue.args, SyncIssue.user).where(
        SyncIssue.kind == "rejected",
        SyncIssue.resolved == "",
        SyncIssue.code.in_(RETRYABLE_CODES),
    )
    with store.engine.connect() as conn:
        open_issues = conn.execute(stmt.order_by(SyncIssue.mutation_id).limit(200)).all()
    writer = Writer(store)
    retried = 0
    for mutation_id, name, args, user in open_issues:

        def mark(conn: Connection, mutation_id: int = mutation_id) -> None:
            conn.execute(
                update(SyncIssue)
                .where(SyncIssue.mutation_id == mutation_id)
                .values(resolved=RETRIED)
            )

        try:
            writer.apply([(name, json.loads(args))], user=user, also=mark)
        except MutationRejected:
            continue  # the record is not back (yet)
        log.info("rejected mutation %s re-submitted: its record is back", mutation_id)
        retried += 1
    return retried


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


# Rows per executemany: small enough that a save waiting for the gate gets it within a few
# milliseconds (the batch being written is flushed before the sub-transaction commits),
# large enough that SQLite's own work dominates the call overhead.
FLUSH_ROWS = 64


def _self_referencing(table: Table) -> bool:
    return any(fk.column.table is table for fk in table.foreign_keys)


# A table whose rows may point at rows of the same table cannot be cut mid-table: its page
# rows come in version order, so a parent may follow its child, and the committed prefix
# would fail the (deferred) foreign-key check. Such a table yields only at its end.
_SPLITTABLE = {
    m.__tablename__: not _self_referencing(_table(m.__tablename__)) for m in SYNCED_MODELS
}


def apply_pull(store: Store, page: dict[str, Any]) -> PullResult:
    """Apply one pull page in short sub-transactions that step aside for waiting saves;
    the last one also rebases pending work and commits the page's cursor.

    Each sub-transaction holds the store's write gate as *background* work. Between rows it
    checks whether a save is waiting; if so it flushes, commits and lets the save go first,
    then continues in a new sub-transaction (re-reading the shadowed rows: the save may
    have changed rows this page still brings). Without a waiting save the whole page is
    one transaction, as fast as before. What a committed prefix leaves behind is safe:
    parents come before children (SYNCED_MODELS order), rows that pending local work
    changed only update ``sync_shadow`` (the officer's version stays visible), and the
    cursor and the acknowledgement move only with the last sub-transaction, so a crash in
    between re-pulls the page and applies it again (upserts of the server's rows: the same
    result, exactly once). Fault points (:mod:`console.faults`): ``mid_pull_apply`` half-way
    through the page's rows (inside a sub-transaction), ``pull_yield`` after each early
    commit, before the next sub-transaction begins.
    """
    run = _PageRun(store, page)
    try:
        while True:
            with write_scope(store, background=True) as conn:
                done = run.step(conn)
            run.committed()
            if done:
                break
            faults.reached("pull_yield")
    finally:
        changes = Changes(rows=tuple(run.announced), source="pull")
        if run.announced:
            store.announce(changes)
    return PullResult(changes=changes, cursor=page["cursor"], more=page["more"], rows=run.count)


class _PageRun:
    """Where a page's application stands across its sub-transactions."""

    def __init__(self, store: Store, page: dict[str, Any]) -> None:
        self.store = store
        self.page = page
        self.wipe = bool(page["reset"])
        self.tables = [
            (m.__tablename__, page["rows"].get(m.__tablename__, [])) for m in SYNCED_MODELS
        ]
        self.half = sum(len(rows) for _name, rows in self.tables) // 2
        self.table_index = 0
        self.row_index = 0
        self.count = 0
        self.latest = ""
        self.touched: list[RowChange] = []  # in the open sub-transaction
        self.announced: list[RowChange] = []  # committed
        # Known columns of each table's key layouts the server sent (normally one per table).
        self.layouts: dict[
            tuple[str, tuple[str, ...]], tuple[tuple[str, ...], Callable[..., Any]]
        ] = {}

    def committed(self) -> None:
        self.announced.extend(self.touched)
        self.touched = []

    def step(self, conn: Connection) -> bool:
        """One sub-transaction; True when it finished the page (rebase and cursor included)."""
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        if self.wipe:
            _wipe(conn)
            # What the server holds for us, at once rather than with the last page: later
            # pages of this reset (or a resumed run) must not tell the server that we hold
            # more than it acknowledged (the sign of a restore), and what it lost is pending.
            conn.execute(
                update(ClientState)
                .where(ClientState.id == 1)
                .values(last_acked_mutation_id=int(self.page["last_mutation_id"]))
            )
            self.wipe = False
        finished = self._rows(conn)
        if self.latest:  # HLC stamps order as text: observe the page's newest so far
            self.store.clock.observe(self.latest)
        if not finished:
            return False
        last = int(self.page["last_mutation_id"])
        if not self.page["more"]:
            self.touched.extend(_rebase(self.store, conn, last))
            conn.execute(
                update(ClientState).where(ClientState.id == 1).values(last_acked_mutation_id=last)
            )
        _save_cursor(conn, self.page["cursor"])
        return True

    def _rows(self, conn: Connection) -> bool:
        """Apply rows until the page ends (True) or a save waits (False, all flushed)."""
        gate = self.store.gate
        shadowed = {
            (t, i) for t, i in conn.execute(select(SyncShadow.table_name, SyncShadow.record_id))
        }
        columns = {name: {c.name for c in _table(name).columns} for name, _rows in self.tables}
        while self.table_index < len(self.tables):
            name, rows = self.tables[self.table_index]
            wanted = columns[name]
            splittable = _SPLITTABLE[name]
            batch: _Batch = {}
            pending = 0
            while self.row_index < len(rows):
                if pending >= FLUSH_ROWS or (gate.waiting and splittable):
                    _flush(conn, name, batch)
                    pending = 0
                    if gate.waiting and splittable:
                        return False
                if self.count == self.half:
                    _flush(conn, name, batch)  # the rows before the fault point
                    pending = 0
                    faults.reached("mid_pull_apply")
                raw = rows[self.row_index]
                layout = (name, tuple(raw))
                known = self.layouts.get(layout)
                if known is None:
                    keys = tuple(k for k in layout[1] if k in wanted)
                    known = self.layouts[layout] = (keys, itemgetter(*keys))
                keys, pick = known
                stamp = raw["updated_at"]
                if stamp > self.latest:
                    self.latest = stamp
                self.row_index += 1
                self.count += 1
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
                    pending += 1
                    self.touched.append(RowChange(name, record_id))
            _flush(conn, name, batch)
            self.table_index += 1
            self.row_index = 0
            if gate.waiting and self.table_index < len(self.tables):
                return False
        return True


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
