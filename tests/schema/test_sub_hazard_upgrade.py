"""Upgrading a store from before sub-hazards (亚灾种) keeps every incident as it was.

The workstation (SQLite, from 0006) and the server (SQLite and PostgreSQL, from 0003) add
``incidents.sub_hazard`` in place with "" for the incidents they already hold: no other
value changes, rowids and the search index stay, and those incidents can then be edited
(given a sub-hazard) like new ones. On the workstation the sub-hazard becomes searchable.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from schema_db import insert_old_rows, old_incident, old_workstation, server_database
from sqlalchemy import Engine, text

from console.domain.ids import new_id
from console.domain.mutations import MutationContext, run_mutation
from console.store import search
from console.store.database import open_store
from console.store.writer import Writer

MATCH = "SELECT rowid FROM incident_search WHERE incident_search MATCH ?"


def _geological(incident_id: str, title: str) -> dict[str, Any]:
    return {**old_incident(incident_id, title), "subtype": "地质", "grade": "一般"}


def _rows(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT * FROM incidents")).mappings().all()
    return {row["id"]: dict(row) for row in found}


def _found(raw: sqlite3.Connection, query: str) -> list[int]:
    return sorted(r[0] for r in raw.execute(MATCH, (search.match_query(query),)))


def _kept(row: dict[str, Any], old: dict[str, Any]) -> bool:
    """The old values unchanged, an empty sub-hazard, and every other column added since
    (e.g. the grading numbers of 0007_grading) at its zero default."""
    added = {k: v for k, v in row.items() if k not in old and k != "sub_hazard"}
    return {k: row[k] for k in old} == old and row["sub_hazard"] == "" and not any(added.values())


def test_workstation_upgrade_adds_an_empty_sub_hazard_and_indexes_new_ones(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ws"
    fall, flood = new_id(), new_id()
    before = {
        5: _geological(fall, "北界镇苏村山体险情"),
        9: old_incident(flood, "王村口镇山洪暴发"),
    }
    path = old_workstation(folder, "0006_account_columns", before)

    store = open_store(folder)
    try:
        assert list(folder.glob("*.before-upgrade-from-0006_account_columns.bak"))
        rows = _rows(store.engine)
        for old in before.values():
            assert _kept(rows[old["id"]], old)
        raw = sqlite3.connect(path)
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert dict(raw.execute("SELECT id, rowid FROM incidents")) == {fall: 5, flood: 9}
        assert _found(raw, "山洪") == [9]
        assert _found(raw, "崩塌") == []
        raw.close()

        # The old incident is edited like a new one; its sub-hazard is found by search.
        writer = Writer(store)
        writer.apply(
            [("incident.update", {"id": fall, "fields": {"sub_hazard": "崩塌"}})], user="甲"
        )
        created = new_id()
        new = {
            "id": created,
            "received_at": "2026-11-28T15:00:00+08:00",
            "category": "自然灾害",
            "subtype": "地质",
            "sub_hazard": "泥石流",
            "title": "湖山乡险情",
        }
        writer.apply([("incident.create", new)], user="甲")
        assert _rows(store.engine)[fall]["sub_hazard"] == "崩塌"
        raw = sqlite3.connect(path)
        assert _found(raw, "崩塌") == [5]
        [(new_rowid,)] = raw.execute("SELECT rowid FROM incidents WHERE id = ?", (created,))
        assert _found(raw, "泥石流") == [new_rowid]
        raw.close()
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_server_upgrade_adds_an_empty_sub_hazard_and_keeps_rows(
    backend: str, tmp_path: Path
) -> None:
    from server.db import migrate as migrate_server

    fall, flood = new_id(), new_id()
    before = [_geological(fall, "北界镇苏村山体险情"), old_incident(flood, "王村口镇山洪暴发")]
    with server_database(backend, tmp_path, revision="0003_account_columns") as engine:
        with engine.begin() as conn:
            insert_old_rows(conn, "incidents", before)
        migrate_server(engine)
        rows = _rows(engine)
        for old in before:
            assert _kept(rows[old["id"]], old)

        ctx = MutationContext(
            user="甲", client_id=new_id(), hlc="0001732781234567-00001-t", version=7
        )
        with engine.begin() as conn:
            update = {"id": fall, "fields": {"sub_hazard": "崩塌", "title": "苏村崩塌"}}
            run_mutation(conn, "incident.update", update, ctx)
        assert _rows(engine)[fall]["sub_hazard"] == "崩塌"
        assert _kept(_rows(engine)[flood], before[1])
