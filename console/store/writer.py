"""The one write path: one user action = one SQLite transaction = rows + outbox rows.

Nothing writes a synced table except :meth:`Writer.apply` (and, later, the sync engine's
pull, in its own scope); the engine's statement guard refuses anything else. The caller may
tell the officer "saved" only once ``apply`` has returned: by then the commit is on disk
(WAL, ``synchronous=FULL``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from console import faults
from console.domain.mutations import (
    REF_CACHE,
    SCHEMA_VERSION,
    MutationContext,
    RowChange,
    run_mutation,
)
from console.domain.rows import MutationCall
from console.domain.sample import sample_marked
from console.store import errors
from console.store.changes import Changes
from console.store.database import Store
from console.store.records import ClientState, OutboxEntry
from console.store.shadow import shadow_hook

_NEXT_ID = select(ClientState.next_mutation_id).where(ClientState.id == 1)
_INSERT_OUTBOX = insert(OutboxEntry)
_ADVANCE = (
    update(ClientState)
    .where(ClientState.id == 1)
    .values(next_mutation_id=bindparam("next_id"), last_hlc=bindparam("hlc"))
)


@contextmanager
def write_scope(store: Store, *, background: bool = False) -> Iterator[Connection]:
    """An IMMEDIATE transaction allowed to write synced tables; commits on clean exit.

    It holds the store's write gate first: a save (the default) goes ahead of waiting
    ``background`` work such as a pull page, which applies in short sub-transactions."""
    gate = store.gate.background() if background else store.gate.urgent()
    with gate, store.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
        conn.info["write_scope"] = True
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info.pop("write_scope", None)


class Writer:
    """Applies named mutations for one workstation. Thread-safe; one writer per store."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        return self._store

    def apply(
        self,
        calls: Sequence[MutationCall],
        *,
        user: str,
        local_only: bool = False,
        also: Callable[[Connection], None] | None = None,
    ) -> Changes:
        """Run the mutations in ONE transaction with their outbox rows, then announce.

        ``local_only`` (and any sample-record write) marks the outbox rows as staying on this
        workstation: never pushed to a county's server (console/sync/apply.py). ``also``
        runs in the same transaction (bookkeeping that must commit with the write)."""
        if not calls:
            return Changes(rows=())
        store = self._store
        try:
            with self._lock, write_scope(store) as conn:
                changes = self._apply_in(conn, calls, user, local_only)
                if also is not None:
                    also(conn)
        except errors.StoreError:
            raise
        except Exception as exc:
            translated = errors.translate(exc, store.path)
            if translated is exc:
                raise
            raise translated from exc
        store.announce(changes)
        return changes

    def _apply_in(
        self, conn: Connection, calls: Sequence[MutationCall], user: str, local_only: bool
    ) -> Changes:
        store = self._store
        next_id = conn.execute(_NEXT_ID).scalar_one()
        rows: list[RowChange] = []
        outbox: list[dict[str, Any]] = []
        hlc = ""
        on_touch = shadow_hook(conn)
        # Records known live are looked up once per batch (the sample county's 1,400 writes
        # point at the same few hundred parents). The batch is one transaction that fails
        # whole, so no entry outlives a rollback; the connection forgets them either way.
        conn.info[REF_CACHE] = set()
        try:
            for name, args in calls:
                hlc = store.clock.now()
                ctx = MutationContext(
                    user=user, client_id=store.client_id, hlc=hlc, on_touch=on_touch
                )
                rows.extend(run_mutation(conn, name, args, ctx))
                outbox.append(
                    {
                        "mutation_id": next_id + len(outbox),
                        "client_id": store.client_id,
                        "name": name,
                        "args": json.dumps(args, ensure_ascii=False, separators=(",", ":")),
                        "hlc": hlc,
                        "schema_version": SCHEMA_VERSION,
                        "user": user,
                        "local_only": local_only or sample_marked(args),
                    }
                )
                faults.reached("after_mutation")
        finally:
            conn.info.pop(REF_CACHE, None)
        conn.execute(_INSERT_OUTBOX, outbox)
        faults.reached("after_outbox")
        conn.execute(_ADVANCE, {"next_id": next_id + len(outbox), "hlc": hlc})
        faults.reached("before_commit")
        return Changes(rows=tuple(rows), mutation_ids=tuple(o["mutation_id"] for o in outbox))
