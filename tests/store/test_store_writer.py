"""The one write path: one transaction per action, outbox ids gap-free, the statement guard.

Every check reads the file back with plain sqlite3 (the ``raw`` fixture), so a passing test
means the state is on disk, not only in a connection's view.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.engine import Connection

from console import faults
from console.domain.hlc import HlcStamp
from console.domain.ids import new_id, reference_id
from console.domain.mutations import SCHEMA_VERSION, MutationRejected
from console.domain.schema import Incident, Township
from console.store import errors
from console.store.changes import Changes
from console.store.database import Store, open_store
from console.store.records import LocalMeta
from console.store.writer import Writer, write_scope


class Injected(Exception):
    pass


def raising(*, on_call: int = 1, exc: type[BaseException] = Injected) -> faults.Action:
    """A fault action raising the ``on_call``-th time its point is reached."""
    seen = {"n": 0}

    def action(at: str) -> None:
        seen["n"] += 1
        if seen["n"] == on_call:
            raise exc(at)

    return action


def timeline(incident_id: str, body: str = "续报：积水已退") -> dict[str, Any]:
    return {
        "id": new_id(),
        "incident_id": incident_id,
        "kind": "报送",
        "body": body,
        "at": "2026-11-28T10:00:00+08:00",
    }


# --- (a) failures inside the transaction leave nothing behind -------------------------------


@pytest.mark.parametrize(
    ("point", "on_call", "exc"),
    [
        ("after_mutation", 1, Injected),
        ("after_mutation", 2, Injected),
        ("after_mutation", 3, Injected),
        ("after_outbox", 1, Injected),
        ("before_commit", 1, Injected),
        ("before_commit", 1, KeyboardInterrupt),
    ],
)
def test_failure_mid_transaction_leaves_neither_change_nor_outbox_row(
    store: Store,
    raw: Any,
    new_incident: Any,
    point: str,
    on_call: int,
    exc: type[BaseException],
) -> None:
    committed = new_incident(title="先前已保存的事件")
    Writer(store).apply([("incident.create", committed)], user="甲")
    before_rows = raw.rows("incidents")
    before_outbox = raw.outbox()
    before_next, before_hlc = raw.next_mutation_id(), raw.last_hlc()
    assert before_next == 2

    announced: list[Changes] = []
    store.subscribe(announced.append)
    inc = new_incident(title="注定失败的事件")
    calls = [
        ("incident.create", inc),
        ("timeline.append", timeline(inc["id"])),
        ("timeline.append", timeline(inc["id"], "第二条")),
    ]
    with pytest.raises(exc), faults.armed(point, raising(on_call=on_call, exc=exc)):
        Writer(store).apply(calls, user="甲")

    assert raw.rows("incidents") == before_rows
    assert raw.rows("incident_timeline") == {}
    assert raw.outbox() == before_outbox
    assert (raw.next_mutation_id(), raw.last_hlc()) == (before_next, before_hlc)
    assert announced == []

    # The writer (and its lock) is usable again; the next write takes the very next id.
    changes = Writer(store).apply(calls, user="甲")
    assert changes.mutation_ids == (2, 3, 4)
    assert raw.outbox_ids() == [1, 2, 3, 4]
    assert set(raw.rows("incident_timeline")) == {calls[1][1]["id"], calls[2][1]["id"]}
    assert announced == [changes]


def test_rejected_mutation_in_a_batch_rolls_back_the_whole_batch(
    writer: Writer, raw: Any, new_incident: Any
) -> None:
    good = new_incident()
    calls = [("incident.create", good), ("incident.create", new_incident(grade="最高"))]
    with pytest.raises(MutationRejected):
        writer.apply(calls, user="甲")
    assert raw.rows("incidents") == {}
    assert raw.outbox() == []
    assert raw.next_mutation_id() == 1


def test_commit_is_durable_before_apply_returns(
    writer: Writer, raw: Any, new_incident: Any
) -> None:
    args = new_incident()
    changes = writer.apply([("incident.create", args)], user="甲")
    # Another connection (another process after a crash would be the same) sees it at once.
    stored = raw.rows("incidents")[args["id"]]
    assert {k: stored[k] for k in args} == args
    [entry] = raw.outbox()
    assert entry["mutation_id"] == changes.mutation_ids[0] == 1
    assert entry["name"] == "incident.create"
    assert entry["args"] == args
    assert entry["user"] == "甲"
    assert entry["hlc"] == stored["updated_at"] == raw.last_hlc()
    assert entry["client_id"] == writer.store.client_id
    assert entry["schema_version"] == SCHEMA_VERSION


# --- (b) gap-free ids across restarts --------------------------------------------------------


def test_mutation_ids_are_gap_free_across_restarts(
    store_dir: Path, raw: Any, new_incident: Any
) -> None:
    rng = random.Random(20261128)
    expected_next = 1
    client_ids = set()
    accepted_ids: list[str] = []
    for _cycle in range(6):
        store = open_store(store_dir)
        client_ids.add(store.client_id)
        writer = Writer(store)
        try:
            for _ in range(12):
                kind = rng.choice(["ok", "ok", "batch", "bad_choice", "dup", "unknown", "fault"])
                if kind == "ok":
                    args = new_incident()
                    changes = writer.apply([("incident.create", args)], user="甲")
                    assert changes.mutation_ids == (expected_next,)
                    accepted_ids.append(args["id"])
                    expected_next += 1
                elif kind == "batch":
                    size = rng.randint(2, 5)
                    batch = [new_incident() for _ in range(size)]
                    changes = writer.apply([("incident.create", a) for a in batch], user="甲")
                    assert changes.mutation_ids == tuple(range(expected_next, expected_next + size))
                    accepted_ids.extend(a["id"] for a in batch)
                    expected_next += size
                elif kind == "fault":
                    with pytest.raises(Injected), faults.armed("before_commit", raising()):
                        writer.apply([("incident.create", new_incident())], user="甲")
                else:
                    if kind == "bad_choice":
                        call = ("incident.create", new_incident(category="其他"))
                    elif kind == "dup" and accepted_ids:
                        call = ("incident.create", new_incident(id=accepted_ids[0], title="别的"))
                    else:
                        call = ("incident.teleport", {"id": new_id()})
                    with pytest.raises(MutationRejected):
                        writer.apply([("incident.create", new_incident()), call], user="甲")
        finally:
            store.close()
        assert raw.next_mutation_id() == expected_next

    assert len(client_ids) == 1, "the workstation keeps its client id across restarts"
    assert raw.outbox_ids() == list(range(1, expected_next))
    assert expected_next > 20
    assert sorted(raw.rows("incidents")) == sorted(accepted_ids)
    assert raw.integrity() == "ok"


def test_clock_never_goes_back_across_a_restart(
    store_dir: Path, raw: Any, new_incident: Any
) -> None:
    """The wall clock was ahead last session (or went back since): stamps still increase."""
    store = open_store(store_dir)
    Writer(store).apply([("incident.create", new_incident())], user="甲")
    store.close()
    future = str(HlcStamp(HlcStamp.parse(raw.last_hlc()).wall_ms + 3_600_000, 7, "x"))
    conn = sqlite3.connect(raw.path)
    with conn:
        conn.execute("UPDATE client_state SET last_hlc = ?", (future,))
    conn.close()

    store = open_store(store_dir)
    try:
        args = new_incident()
        Writer(store).apply([("incident.create", args)], user="甲")
    finally:
        store.close()
    hlcs = [r["hlc"] for r in raw.outbox()]
    assert hlcs[-1] > future
    assert raw.rows("incidents")[args["id"]]["updated_at"] == hlcs[-1]


# --- (d) statement guard ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE townships SET name = 'x'",
        "update incidents set dead = 99",
        "DELETE FROM incident_timeline",
        "INSERT INTO villages (id) VALUES ('v')",
        "INSERT OR REPLACE INTO townships (id) VALUES ('t')",
        "REPLACE INTO stations (id) VALUES ('s')",
        'UPDATE "incidents" SET dead = 1',
        "\n    UPDATE incidents\n    SET dead = 1\n",
        "  DELETE FROM teams",
        "-- fix data\nUPDATE risk_points SET persons = 0",
        "/* bulk */ DELETE FROM shelters",
        "UPDATE main.townships SET name = 'x'",
        'DELETE FROM "main"."incidents"',
        "WITH gone AS (SELECT id FROM incidents) DELETE FROM incidents WHERE id IN gone",
        "UPDATE OR IGNORE incidents SET dead = 1",
    ],
)
def test_raw_writes_to_synced_tables_are_forbidden(
    store: Store, writer: Writer, raw: Any, new_incident: Any, sql: str
) -> None:
    writer.apply([("incident.create", new_incident())], user="甲")
    before = raw.rows("incidents")
    with store.engine.connect() as conn:
        with pytest.raises(errors.ForbiddenWriteError):
            conn.execute(text(sql))
        conn.rollback()
    assert raw.rows("incidents") == before


def test_orm_core_writes_to_synced_tables_are_forbidden(store: Store) -> None:
    with store.engine.connect() as conn:
        stmt = insert(Township).values(
            id=new_id(), name="x", kind="镇", updated_at="0", updated_by="x", deleted=False
        )
        with pytest.raises(errors.ForbiddenWriteError):
            conn.execute(stmt)
        with pytest.raises(errors.ForbiddenWriteError):
            conn.execute(update(Incident).values(dead=1))
        with pytest.raises(errors.ForbiddenWriteError):
            conn.exec_driver_sql("DELETE FROM incidents")
        conn.rollback()


def test_writes_to_local_tables_are_allowed(store: Store, raw: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(LocalMeta).values(key="theme", value="dark"))
        conn.execute(text("UPDATE local_meta SET value = 'light' WHERE key = 'theme'"))
        conn.execute(text("INSERT INTO local_meta (key, value) VALUES ('updated_at', 'x')"))
        conn.execute(text("UPDATE client_state SET last_acked_mutation_id = 0"))
    assert raw.query("SELECT key, value FROM local_meta ORDER BY key") == [
        ("theme", "light"),
        ("updated_at", "x"),
    ]


def test_reads_are_not_mistaken_for_writes(store: Store) -> None:
    with store.engine.connect() as conn:
        conn.execute(text("SELECT 'update townships set x' AS note FROM townships"))
        conn.execute(text("WITH t AS (SELECT id FROM incidents) SELECT count(*) FROM t"))
        conn.execute(text("\n  SELECT * FROM incident_timeline -- delete from x\n"))


def test_write_scope_allows_and_the_permission_does_not_leak(
    store: Store, writer: Writer, raw: Any
) -> None:
    tid = reference_id("township", "北界镇")
    with write_scope(store) as conn:  # the sync engine's pull path
        conn.execute(
            insert(Township).values(
                id=tid, name="北界镇", kind="镇", updated_at="1", updated_by="sync", deleted=False
            )
        )
    assert tid in raw.rows("townships")
    writer.apply([("township.upsert", {"id": tid, "name": "北界镇", "kind": "乡"})], user="甲")
    # Every pooled connection has been through a write scope by now; none keeps the right.
    conns: list[Connection] = [store.engine.connect() for _ in range(3)]
    try:
        for conn in conns:
            with pytest.raises(errors.ForbiddenWriteError):
                conn.execute(text("DELETE FROM townships"))
            conn.rollback()
    finally:
        for conn in conns:
            conn.close()
    assert raw.rows("townships")[tid]["kind"] == "乡"


# --- (e) pragmas on the writer's connection --------------------------------------------------


def test_writer_connection_pragmas(store: Store, writer: Writer, new_incident: Any) -> None:
    from sqlalchemy import event

    seen: list[Any] = []

    @event.listens_for(store.engine, "begin")
    def _capture(conn: Connection) -> None:
        if conn.info.get("write_scope"):
            seen.append(conn.connection.dbapi_connection)

    writer.apply([("incident.create", new_incident())], user="甲")
    assert seen, "the writer did not begin a transaction"
    dbapi = seen[-1]
    pragmas = {
        name: dbapi.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    }
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["synchronous"] == 2  # FULL
    assert pragmas["foreign_keys"] == 1
    assert pragmas["busy_timeout"] > 0


def test_foreign_keys_are_enforced_by_sqlite(store: Store) -> None:
    """Even if a mutation forgot a reference check, SQLite refuses the dangling row."""
    with write_scope(store) as conn, pytest.raises(Exception, match="FOREIGN KEY"):
        conn.execute(
            text(
                "INSERT INTO villages (id, township_id, name, is_sample, updated_at,"
                " updated_by, deleted) VALUES ('v', 'missing', 'x', 0, '1', 'x', 0)"
            )
        )
