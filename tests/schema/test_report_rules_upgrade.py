"""Upgrading a store from before the rules as written (workstation 0009, server 0006).

Closed incidents get the time they were closed (their last status change), so 终报/核报
deadlines run from it; rules of the first table keep their meaning (any subtype, after
receipt); the first default table's rows nobody edited give way to the current defaults,
an edited one stays.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from schema_db import insert_old_rows, old_incident, old_workstation, server_database
from sqlalchemy import Engine, text

from console.domain import reporting as rp
from console.domain.default_rules import DEFAULT_RULE_IDS, rule_id
from console.domain.grading import DEFAULT_GRADING
from console.domain.ids import new_id
from console.domain.roles import SYSTEM_USER
from console.services.report_rules import load_defaults_if_never_set
from console.store.writer import Writer

CLOSING, CLOSED_AT = "2026-11-28T15:00:00+08:00", "2026-11-28T18:30:00+08:00"


def _v1_rules(version: int | None) -> list[dict[str, Any]]:
    rows = [
        {
            "id": rule_id(category, grade, stage, channel),
            "category": category,
            "grade": grade,
            "stage": stage,
            "channel": channel,
            "minutes": minutes,
            "basis": basis,
            "version": version,
            "updated_at": "h1",
            "updated_by": SYSTEM_USER,
            "deleted": False,
        }
        for category, grade, stage, channel, minutes, basis in rp.V1_RULES
    ]
    # the county changed one of them: it is theirs now
    rows[0] = {**rows[0], "minutes": 25, "updated_by": "王局长", "basis": "县防指规定"}
    return rows


def _timeline(incident_id: str) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id(),
            "incident_id": incident_id,
            "kind": "状态变更",
            "body": body,
            "at": at,
            "author": "甲",
            "version": None,
            "updated_at": "h1",
            "updated_by": "甲",
            "deleted": False,
        }
        for body, at in (
            ("状态变更：接报 → 处置中", CLOSING),
            ("状态变更：处置中 → 已结案", CLOSED_AT),
        )
    ]


def _closed(incident_id: str) -> dict[str, Any]:
    return {**old_incident(incident_id, "大柘镇民房火灾"), "status": "已结案"}


def _check_rows(engine: Engine, closed: str, open_: str) -> None:
    with engine.connect() as conn:
        rows = {
            r["id"]: dict(r)
            for r in conn.execute(text("SELECT id, closed_at, is_sample FROM incidents")).mappings()
        }
        rules = [dict(r) for r in conn.execute(text("SELECT * FROM report_rules")).mappings()]
    assert rows[closed]["closed_at"] == CLOSED_AT
    assert rows[open_]["closed_at"] is None
    assert not rows[closed]["is_sample"] and not rows[open_]["is_sample"]
    for rule in rules:  # the first table's meaning
        assert (rule["subtype"], rule["sub_hazard"], rule["schedule"]) == ("", "", rp.AFTER_RECEIPT)
        assert rule["enabled"] and rule["source"] == rp.LOCAL


def test_workstation_upgrade_dates_closures_and_replaces_untouched_default_rules(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ws"
    closed, open_ = new_id(), new_id()
    path = old_workstation(
        folder, "0009_outbox_local_only", {3: _closed(closed), 4: old_incident(open_, "山洪")}
    )
    raw = sqlite3.connect(path)
    with raw:
        for table, rows in (
            ("incident_timeline", _timeline(closed)),
            ("report_rules", _v1_rules(None)),
        ):
            for row in rows:
                names = ", ".join(row)
                marks = ", ".join(f":{k}" for k in row)
                raw.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", row)
    raw.close()

    from console.store.database import open_store

    store = open_store(folder)
    try:
        _check_rows(store.engine, closed, open_)
        # what a standalone start does (load_standalone_defaults)
        assert load_defaults_if_never_set(Writer(store)) is not None
        with store.engine.connect() as conn:
            live = {
                r["id"]: dict(r)
                for r in conn.execute(
                    text("SELECT * FROM report_rules WHERE NOT deleted")
                ).mappings()
            }
        edited = _v1_rules(None)[0]
        assert live[edited["id"]]["minutes"] == 25  # the county's rule stays
        assert set(live) == DEFAULT_RULE_IDS | {edited["id"]}
        assert load_defaults_if_never_set(Writer(store)) is None  # once
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_server_upgrade_dates_closures_and_replaces_untouched_default_rules(
    backend: str, tmp_path: Path
) -> None:
    from console.domain.guides import default_guide_calls
    from server.db import migrate as migrate_server
    from server.seed import seed_defaults

    closed, open_ = new_id(), new_id()
    with server_database(backend, tmp_path, revision="0006_demo_flag") as engine:
        with engine.begin() as conn:
            insert_old_rows(conn, "incidents", [_closed(closed), old_incident(open_, "山洪")])
            insert_old_rows(conn, "incident_timeline", _timeline(closed))
            insert_old_rows(conn, "report_rules", _v1_rules(1))
        migrate_server(engine)
        _check_rows(engine, closed, open_)
        rules = len(rp.V1_RULES) - 1 + len(rp.DEFAULT_RULES)
        # grading and guides: empty tables
        guides = len(default_guide_calls())
        assert seed_defaults(engine) == rules + len(DEFAULT_GRADING) + guides
        with engine.connect() as conn:
            live = set(
                conn.execute(text("SELECT id FROM report_rules WHERE NOT deleted")).scalars()
            )
        assert live == DEFAULT_RULE_IDS | {_v1_rules(1)[0]["id"]}
        assert seed_defaults(engine) == 0  # once
