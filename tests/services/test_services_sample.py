"""The Suichang sample county (样例数据): loaded through the write path, idempotent, complete.

Ids come from natural keys, so loading twice or on two workstations gives the same records.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.domain import beijing, catalog, sample_roster
from console.domain.ids import reference_id
from console.domain.sample import PUBLIC_CASES_FILE, camera_calls
from console.domain.sample_roster import roster_calls
from console.domain.sample_teams import team_calls, team_state_calls
from console.domain.schema import Township
from console.resources import read_text
from console.services.context import SYSTEM_USER, open_workstation
from console.services.queries import Queries
from console.services.sample_data import SAMPLE_ATTACHMENTS, load_sample, sample_loaded
from console.store.database import Store, open_store
from console.store.paths import DATABASE_FILE
from console.store.records import OutboxEntry
from console.store.writer import Writer

REFERENCE_TABLES = (
    "townships",
    "villages",
    "shelters",
    "risk_points",
    "teams",
    "stations",
    "units",
    "people",
    "person_roles",
    "special_households",
    "rain_thresholds",
)
JSON_KEYS = dict(zip(REFERENCE_TABLES, REFERENCE_TABLES, strict=True))
# Units and people the teams' members add to the file's (issue 14: sample_teams).
_GENERATED_TABLE = {"unit.upsert": "units", "person.upsert": "people"}


def generated(sample: dict[str, Any], table: str) -> int:
    return sum(1 for name, _args in team_calls(sample) if _GENERATED_TABLE.get(name) == table)


# DOMAIN.md: the county's 20 township-level units.
TOWNSHIPS = (
    "妙高街道",
    "云峰街道",
    "新路湾镇",
    "北界镇",
    "金竹镇",
    "大柘镇",
    "石练镇",
    "王村口镇",
    "黄沙腰镇",
    "三仁畲族乡",
    "濂竹乡",
    "应村乡",
    "高坪乡",
    "湖山乡",
    "蔡源乡",
    "焦滩乡",
    "龙洋乡",
    "柘岱口乡",
    "西畈乡",
    "垵口乡",
)


def table_rows(path: Path, table: str) -> dict[str, dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return {r["id"]: dict(r) for r in conn.execute(f"SELECT * FROM {table}")}
    finally:
        conn.close()


def outbox_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    finally:
        conn.close()


def content(row: dict[str, Any]) -> dict[str, Any]:
    """A row without who/when wrote it (differs between workstations)."""
    # A team's status time is dated from the load (sample_teams), as the incidents are.
    return {k: v for k, v in row.items() if k not in ("updated_at", "updated_by", "status_at")}


@pytest.fixture
def loaded(store: Store, writer: Writer, sample: dict[str, Any]) -> Store:
    changes = load_sample(writer, user=SYSTEM_USER, incidents=False)
    # the county's reference tables, the real public cases of the case library, and the
    # duty staff with this month's and next month's roster
    cases = len(json.loads(read_text(*PUBLIC_CASES_FILE))["cases"])
    duty = len(roster_calls(beijing.now().date()))
    # and the sample cameras (视频监控), generated from the townships
    cameras = len(camera_calls(sample))
    assert cameras == 20
    # and the teams' members, equipment, certificates and statuses (one row each)
    teams = len(team_calls(sample)) + len(team_state_calls(sample, beijing.now()))
    total = sum(len(sample[k]) for k in REFERENCE_TABLES) + cases + duty + cameras + teams
    total += len(SAMPLE_ATTACHMENTS)  # the 苏村 case's two sample files
    assert len(changes.rows) == total
    return store


def test_loading_twice_gives_the_same_records_and_changes_nothing(
    loaded: Store, writer: Writer, sample: dict[str, Any]
) -> None:
    first = {t: table_rows(loaded.path, t) for t in REFERENCE_TABLES}
    changes = load_sample(writer, user="另一位值班员", incidents=False)
    assert changes.rows == ()
    second = {t: table_rows(loaded.path, t) for t in REFERENCE_TABLES}
    assert second == first  # same ids, no duplicates, not even updated_at moved
    staff = len(sample_roster.LEADERS) + len(sample_roster.OFFICERS)  # the duty staff
    for table in REFERENCE_TABLES:
        extra = staff if table == "people" else 0
        expected = len(sample[JSON_KEYS[table]]) + generated(sample, table) + extra
        assert len(first[table]) == expected, table


def test_two_workstations_derive_the_same_records(
    loaded: Store, tmp_path: Path, sample: dict[str, Any]
) -> None:
    other = open_store(tmp_path / "other-workstation")
    try:
        assert other.client_id != loaded.client_id
        load_sample(Writer(other), user="乙")
        for table in REFERENCE_TABLES:
            mine, theirs = table_rows(loaded.path, table), table_rows(other.path, table)
            assert sorted(mine) == sorted(theirs), table
            assert {k: content(v) for k, v in mine.items()} == {
                k: content(v) for k, v in theirs.items()
            }
    finally:
        other.close()


def test_townships_are_the_twenty_of_the_county(loaded: Store) -> None:
    rows = table_rows(loaded.path, "townships")
    names = sorted(r["name"] for r in rows.values())
    assert names == sorted(TOWNSHIPS)
    for row in rows.values():
        assert row["id"] == reference_id("township", row["name"])
        suffix = "街道" if row["name"].endswith("街道") else row["name"][-1]
        assert row["kind"] == suffix


def test_forest_fire_teams(loaded: Store) -> None:
    kinds = Counter(r["kind"] for r in table_rows(loaded.path, "teams").values())
    assert kinds["乡镇森林消防队"] == 29
    assert kinds["村级森林消防队"] == 8


def test_every_risk_point_type_is_present(loaded: Store) -> None:
    types = {r["type"] for r in table_rows(loaded.path, "risk_points").values()}
    assert types == set(catalog.RISK_POINT_TYPES)


def test_every_sample_record_is_labelled(loaded: Store) -> None:
    for table in REFERENCE_TABLES:
        rows = table_rows(loaded.path, table)
        assert rows, table
        assert all(r["is_sample"] == 1 for r in rows.values()), table
    assert sample_loaded(Queries(loaded))


def test_sample_references_resolve(loaded: Store, sample: dict[str, Any]) -> None:
    towns = table_rows(loaded.path, "townships")
    villages = table_rows(loaded.path, "villages")
    shelters = table_rows(loaded.path, "shelters")
    assert all(v["township_id"] in towns for v in villages.values())
    risk_points = table_rows(loaded.path, "risk_points")
    for item in sample["risk_points"]:
        rid = reference_id("risk_point", item["township"], item["type"], item["name"])
        row = risk_points[rid]
        assert towns[row["township_id"]]["name"] == item["township"]
        if item.get("village"):
            assert villages[row["village_id"]]["name"] == item["village"]
        if item.get("shelter"):
            assert shelters[row["shelter_id"]]["name"] == item["shelter"]
        else:
            assert row["shelter_id"] is None


def test_sample_goes_through_the_outbox_in_one_transaction(
    loaded: Store, sample: dict[str, Any]
) -> None:
    queries = Queries(loaded)
    cases = len(json.loads(read_text(*PUBLIC_CASES_FILE))["cases"])
    duty = len(roster_calls(beijing.now().date()))
    total = sum(len(sample[k]) for k in REFERENCE_TABLES) + cases + duty
    total += len(camera_calls(sample))
    total += len(team_calls(sample)) + len(team_state_calls(sample, beijing.now()))
    total += len(SAMPLE_ATTACHMENTS)
    assert queries.sync_counters().next_mutation_id == total + 1
    with loaded.engine.connect() as conn:
        rows = conn.execute(select(OutboxEntry.user, OutboxEntry.local_only)).all()
    # Every row by 系统 and local-only: the sample never leaves the workstation.
    assert len(rows) == total and set(rows) == {(SYSTEM_USER, True)}
    assert queries.pending_mutations(limit=total) == [] and queries.sync_counters().pending == 0


# --- open_workstation: sample on first run only ----------------------------------------------


def test_first_run_loads_the_sample_once(tmp_path: Path, sample: dict[str, Any]) -> None:
    data_dir = tmp_path / "ws"
    ws = open_workstation(data_dir)
    try:
        assert ws.first_run
        assert ws.queries.count(Township) == 20
        assert ws.queries.sample_present()
        after_first = ws.queries.sync_counters().next_mutation_id
    finally:
        ws.close()

    ws = open_workstation(data_dir)
    try:
        assert not ws.first_run
        assert ws.queries.sync_counters().next_mutation_id == after_first
    finally:
        ws.close()


def test_sample_not_reloaded_after_the_officer_deleted_a_township(tmp_path: Path) -> None:
    data_dir = tmp_path / "ws"
    ws = open_workstation(data_dir)
    try:
        gone = reference_id("township", "垵口乡")
        ws.writer.apply([("township.delete", {"id": gone})], user="值班员")
        outbox_after_delete = outbox_count(ws.store.path)
    finally:
        ws.close()

    for _ in range(2):
        ws = open_workstation(data_dir)
        try:
            assert ws.queries.count(Township) == 19
            assert "垵口乡" not in {t["name"] for t in ws.queries.townships()}
        finally:
            ws.close()
    assert table_rows(data_dir / DATABASE_FILE, "townships")[gone]["deleted"] == 1
    assert outbox_count(data_dir / DATABASE_FILE) == outbox_after_delete


def test_sample_loaded_after_a_first_start_that_stopped_early(tmp_path: Path) -> None:
    """The file was created but the sample never loaded (crash): the next start loads it."""
    data_dir = tmp_path / "ws"
    open_store(data_dir).close()
    ws = open_workstation(data_dir)
    try:
        assert not ws.first_run
        assert ws.queries.count(Township) == 20
    finally:
        ws.close()


def test_demo_reload_adds_no_records(tmp_path: Path) -> None:
    data_dir = tmp_path / "ws"
    open_workstation(data_dir).close()
    before = {t: table_rows(data_dir / DATABASE_FILE, t) for t in REFERENCE_TABLES}
    open_workstation(data_dir, demo=True).close()
    after = {t: table_rows(data_dir / DATABASE_FILE, t) for t in REFERENCE_TABLES}
    assert after == before
