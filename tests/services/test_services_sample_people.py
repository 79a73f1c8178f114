"""The sample county's people and roles (issue 10), loaded through the write path: every
township, village work group, risk point, shelter and station has someone responsible, the
people are fictitious (姓 + 某某, 1380000xxxx) and labelled sample, and the file is what the
generator makes (an unchanged generator gives an identical file)."""

from __future__ import annotations

import re
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from console.domain import catalog
from console.services.context import SYSTEM_USER
from console.services.sample_data import load_sample
from console.store.database import Store
from console.store.writer import Writer

REPO = Path(__file__).resolve().parents[2]


def _rows(store: Store, sql: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(store.path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@pytest.fixture
def loaded(store: Store, writer: Writer) -> Store:
    load_sample(writer, user=SYSTEM_USER, incidents=False)
    return store


def test_everything_that_needs_someone_has_someone(loaded: Store) -> None:
    held: dict[str, set[str]] = defaultdict(set)  # object id -> roles held for it
    for r in _rows(loaded, "SELECT * FROM person_roles WHERE NOT deleted"):
        assert catalog.role_problem(r) is None
        target = next((r[t] for t in catalog.ROLE_TARGETS if r[t]), "county")
        held[target].add(r["role"])
    for t in _rows(loaded, "SELECT id, name FROM townships"):
        assert {"县领导包乡", "乡镇第一责任人", "乡镇灾害信息员"} <= held[t["id"]], t["name"]
    villages = _rows(loaded, "SELECT id, name FROM villages")
    assert len(villages) == 80
    for v in villages:
        assert {*catalog.VILLAGE_WORK_GROUP, "村级灾害信息员"} <= held[v["id"]], v["name"]
    for table in ("risk_points", "shelters", "stations"):
        for row in _rows(loaded, f"SELECT id, name FROM {table}"):
            assert held[row["id"]], (table, row["name"])
    assert {"会商专家", "县级灾害信息员"} <= held["county"]


def test_the_sample_people_are_fictitious_and_labelled(loaded: Store) -> None:
    people = _rows(loaded, "SELECT * FROM people")
    assert len(people) > 400
    assert all(p["is_sample"] for p in people)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]某某", p["name"]) for p in people)
    assert all(re.fullmatch(r"1380000\d{4}", p["mobile"]) for p in people)
    units = {u["id"]: u for u in _rows(loaded, "SELECT * FROM units")}
    assert all(u["is_sample"] for u in units.values())
    assert all(p["unit_id"] in units for p in people)
    experts = [p for p in people if p["expert_field"]]
    assert experts and all(p["expert_title"] for p in experts)
    # a shelter's manager is the person its (older) free-text fields name
    managers = _rows(
        loaded,
        "SELECT s.manager, s.phone, p.name, p.mobile FROM person_roles r "
        "JOIN shelters s ON s.id = r.shelter_id JOIN people p ON p.id = r.person_id",
    )
    assert len(managers) == 30
    assert all((m["manager"], m["phone"]) == (m["name"], m["mobile"]) for m in managers)


def test_the_sample_file_is_what_the_generator_makes() -> None:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_sample_data
    finally:
        sys.path.remove(str(REPO / "tools"))
    assert build_sample_data.main(["--check"]) == 0
