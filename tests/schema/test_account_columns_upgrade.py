"""Upgrading to the revision that widens the account columns keeps everything in place.

On SQLite only the declared type changes (no copy of the table), so rowids, the search index
keyed on them, its triggers and the rows referencing incidents must all survive; on
PostgreSQL the columns are altered. Both end at head with the data intact.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from schema_db import insert_old_rows, old_incident, old_workstation, server_database
from sqlalchemy import Engine, inspect, text

from console.domain.fields import ACCOUNT_MAX_LEN
from console.domain.ids import new_id
from console.store import search
from console.store.database import open_store
from console.store.writer import Writer

LONG_NAME = "值" * ACCOUNT_MAX_LEN
ACCOUNT_COLUMNS = (
    ("incidents", "recorder"),
    ("incident_timeline", "author"),
    ("incident_reports", "author"),
)


def _declared(engine: Engine, table: str, column: str) -> int | None:
    found = {c["name"]: c["type"] for c in inspect(engine).get_columns(table)}
    return getattr(found[column], "length", None)


def test_workstation_upgrade_keeps_rowids_search_and_references(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    landslide, flood = new_id(), new_id()
    incidents = {
        5: old_incident(landslide, "北界镇山体滑坡"),
        9: old_incident(flood, "王村口镇山洪暴发"),
    }
    path = old_workstation(folder, "0005_list_indexes", incidents)
    raw = sqlite3.connect(path)
    with raw:
        raw.execute(
            "INSERT INTO incident_timeline (id, incident_id, kind, body, at, author, version,"
            " updated_at, updated_by, deleted) VALUES (?, ?, '来电', '来电', "
            "'2026-11-28T14:05:00+08:00', '甲', NULL, 'h1', '甲', 0)",
            (new_id(), flood),
        )
    raw.close()

    store = open_store(folder)
    try:
        assert list(folder.glob("*.before-upgrade-from-0005_list_indexes.bak"))
        for table, column in ACCOUNT_COLUMNS:
            assert _declared(store.engine, table, column) == ACCOUNT_MAX_LEN
        raw = sqlite3.connect(path)
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert dict(raw.execute("SELECT id, rowid FROM incidents")) == {landslide: 5, flood: 9}
        match = "SELECT rowid FROM incident_search WHERE incident_search MATCH ?"
        assert raw.execute(match, (search.match_query("山洪"),)).fetchall() == [(9,)]
        raw.close()

        # The triggers still index new incidents, and a 64-character account can write.
        writer = Writer(store)
        created = new_id()
        writer.apply(
            [
                (
                    "incident.create",
                    {
                        "id": created,
                        "received_at": "2026-11-28T15:00:00+08:00",
                        "category": "自然灾害",
                        "title": "湖山乡泥石流",
                        "recorder": LONG_NAME,
                    },
                ),
                (
                    "timeline.append",
                    {
                        "id": new_id(),
                        "incident_id": created,
                        "kind": "处置",
                        "body": "队伍出发",
                        "at": "2026-11-28T15:01:00+08:00",
                    },
                ),
            ],
            user=LONG_NAME,
        )
        raw = sqlite3.connect(path)
        found = raw.execute(match, (search.match_query("泥石流"),)).fetchall()
        assert (
            found == raw.execute("SELECT rowid FROM incidents WHERE id = ?", (created,)).fetchall()
        )
        assert raw.execute("SELECT DISTINCT user FROM outbox").fetchall() == [(LONG_NAME,)]
        raw.close()
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_server_upgrade_widens_account_columns_and_keeps_rows(backend: str, tmp_path: Path) -> None:
    from server.db import migrate as migrate_server

    incident = new_id()
    with server_database(backend, tmp_path, revision="0002_reporting") as engine:
        with engine.begin() as conn:
            insert_old_rows(conn, "incidents", [old_incident(incident, "北界镇山体滑坡")])
        migrate_server(engine)
        for table, column in ACCOUNT_COLUMNS:
            assert _declared(engine, table, column) == ACCOUNT_MAX_LEN
        indexes = {i["name"] for i in inspect(engine).get_indexes("incidents")}
        assert "ix_incidents_received_at" not in indexes
        with engine.begin() as conn:
            conn.execute(text("UPDATE incidents SET recorder = :r"), {"r": LONG_NAME})
            rows = conn.execute(text("SELECT id, title, recorder FROM incidents")).all()
        assert [tuple(r) for r in rows] == [(incident, "北界镇山体滑坡", LONG_NAME)]
