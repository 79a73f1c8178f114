"""Upgrading to 研判一张单 and threshold alerts (workstation 0014, server 0013): a store or
server database holding incidents gains the two tables, keeps its rows, and a sheet can link
one of the old incidents at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_db import insert_old_rows, old_incident, old_workstation, server_database
from sqlalchemy import text

from console.domain.assessment import build_sheet
from console.domain.ids import new_id
from console.domain.mutations import MutationContext, fetch, run_mutation
from console.services.assessments import AssessmentService
from console.store.database import open_store
from console.store.writer import Writer
from testkit.situations import flood_situation

INCIDENT = "0190a8a0-0000-7000-8000-0000000000aa"


def test_an_old_store_gains_the_tables_and_keeps_its_incidents(tmp_path: Path) -> None:
    # old_workstation writes client_state as it was before 0012: the store upgrades through
    # 0012_client_key, 0013_transfers and then 0014_assessments.
    old_workstation(tmp_path, "0011_people", {7: old_incident(INCIDENT, "北界镇山洪")})
    store = open_store(tmp_path)
    try:
        service = AssessmentService(Writer(store))
        sheet_id = service.generate(flood_situation(), user="张三", incident_id=INCIDENT)
        row = service.get(sheet_id)
        assert row is not None and row["incident_id"] == INCIDENT
        with store.engine.connect() as conn:
            title = conn.execute(text("SELECT title FROM incidents WHERE rowid = 7")).scalar_one()
        assert title == "北界镇山洪"
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_old_server_database_gains_the_tables(backend: str, tmp_path: Path) -> None:
    from server.db import migrate as migrate_server

    with server_database(backend, tmp_path, revision="0011_client_keys") as engine:
        with engine.begin() as conn:
            insert_old_rows(conn, "incidents", [old_incident(INCIDENT, "北界镇山洪")])
        migrate_server(engine)
        sheet = {
            "id": new_id(),
            "number": "研判〔2026〕1号",
            **build_sheet(flood_situation()).args(),
            "incident_id": INCIDENT,
        }
        ctx = MutationContext(user="zhang", client_id=new_id(), hlc="0001732781234567-00001-a")
        with engine.begin() as conn:
            run_mutation(conn, "assessment.create", sheet, ctx)
        with engine.connect() as conn:
            row = fetch(conn, "assessments", sheet["id"])
            assert row is not None and row["incident_id"] == INCIDENT
            assert conn.execute(text("SELECT count(*) FROM threshold_alerts")).scalar_one() == 0
