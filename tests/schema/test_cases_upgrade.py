"""Upgrading to 案例一个库 and the 预案 library (workstation 0018/0019, server 0017/0018): a
store holding incidents gains the tables and their search indexes, keeps its incidents and
their search, and an old closed incident becomes a case draft found by 滑坡; a server
database gains the tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_db import insert_old_rows, old_incident, old_workstation, server_database

from console.domain.ids import new_id
from console.domain.mutations import MutationContext, fetch, run_mutation
from console.services.cases import CaseFilter, CaseService, draft_id, search_cases
from console.services.incident_list import IncidentFilter, query_rowids
from console.services.plans import PlanService, search_plans
from console.store.database import open_store
from console.store.writer import Writer

INCIDENT = "0190a8a0-0000-7000-8000-0000000000ab"


def test_an_old_store_gains_the_library_and_keeps_its_incidents(tmp_path: Path) -> None:
    old = old_incident(INCIDENT, "北界镇后山滑坡")
    old_workstation(tmp_path, "0017_orders", {9: {**old, "status": "已结案"}})
    store = open_store(tmp_path)
    try:
        assert query_rowids(store, IncidentFilter(text="滑坡")) == [9]
        writer = Writer(store)
        case_id = CaseService(writer).draft_from_incident(INCIDENT, user="张三")
        assert case_id == draft_id(INCIDENT)
        assert [r["id"] for r in search_cases(store, CaseFilter(text="滑坡"))] == [case_id]
        plan_id = PlanService(writer, tmp_path).save(
            {"title": "地质灾害应急预案", "kind": "专项预案", "level": "县级"}, user="张三"
        )
        assert [p["id"] for p in search_plans(store, "地质")] == [plan_id]
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_old_server_database_gains_the_tables(backend: str, tmp_path: Path) -> None:
    from server.db import migrate as migrate_server

    with server_database(backend, tmp_path, revision="0016_orders") as engine:
        with engine.begin() as conn:
            insert_old_rows(conn, "incidents", [old_incident(INCIDENT, "北界镇后山滑坡")])
        migrate_server(engine)
        case = {"id": new_id(), "title": "案例", "hazard": "滑坡", "incident_id": INCIDENT}
        plan = {"id": new_id(), "title": "预案", "kind": "专项预案", "level": "县级"}
        ctx = MutationContext(user="zhang", client_id=new_id(), hlc="0001732781234567-00001-a")
        with engine.begin() as conn:
            run_mutation(conn, "case.create", case, ctx)
            run_mutation(conn, "plan.upsert", plan, ctx)
        with engine.connect() as conn:
            row = fetch(conn, "cases", case["id"])
            assert row is not None and row["incident_id"] == INCIDENT
            assert fetch(conn, "plans", plan["id"]) is not None
