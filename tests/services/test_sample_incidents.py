"""The sample county's incidents (issue 8 §5): about thirty over the last weeks, in every
state and category, some reported, some overdue; dated back from the load, never ahead of
it; marked as sample and kept out of every push."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from console.domain import beijing, catalog
from console.domain.sample import (
    SAMPLE_FILE,
    SAMPLE_INCIDENTS_FILE,
    SAMPLE_LABEL,
    build_incident_calls,
)
from console.domain.schema import Incident, IncidentReport
from console.resources import read_text
from console.services.context import open_workstation
from console.services.deadlines import status_text
from console.services.incident_list import IncidentFilter
from console.services.incident_source import IncidentSource
from console.store.records import OutboxEntry

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=beijing.BEIJING)


def test_a_newcomer_sees_incidents_in_every_state_and_category(tmp_path: Path) -> None:
    ws = open_workstation(tmp_path / "ws", demo=True)
    source = IncidentSource(ws.store)
    now = beijing.now()
    rows = list(source.rows(source.rowids(IncidentFilter(), "received_at", True), now).values())
    assert 25 <= len(rows) <= 40
    assert {r["status"] for r in rows} == set(catalog.INCIDENT_STATUSES)
    assert {r["category"] for r in rows} == set(catalog.EVENT_CATEGORIES)
    assert all(r["is_sample"] for r in rows)
    texts = [status_text(r["reporting"], now) for r in rows]
    assert "报送已完成" in texts
    assert any("超时" in t for t in texts) and any(" 剩 " in t for t in texts)
    received = [beijing.parse(r["received_at"]) for r in rows]
    assert max(received) <= now and min(received) >= now - timedelta(days=35)
    with ws.store.engine.connect() as conn:
        sent = conn.execute(select(func.count()).select_from(IncidentReport)).scalar_one()
        pushable = conn.execute(
            select(func.count()).where(OutboxEntry.local_only.is_(False))
        ).scalar_one()
    assert sent >= 30
    assert pushable == 0  # the sample, incidents included, never leaves the workstation
    # at least one incident whose figures call for a higher grade (定级标准), for the banner
    assert source.grade_alerts()
    ws.store.close()


def test_nothing_is_dated_after_the_load_and_states_follow_the_workflow() -> None:
    county = json.loads(read_text(*SAMPLE_FILE))
    incidents = json.loads(read_text(*SAMPLE_INCIDENTS_FILE))
    calls = build_incident_calls(incidents, county, NOW)
    stamps = [
        beijing.parse(args.get("at") or args.get("sent_at") or args["received_at"])
        for _name, args in calls
        if any(k in args for k in ("at", "sent_at", "received_at"))
    ]
    assert stamps and max(stamps) <= NOW
    created = {args["id"] for name, args in calls if name == "incident.create"}
    assert all(args.get("is_sample") for name, args in calls if name == "incident.create")
    # every other call is about a sample incident created before it
    seen: set[str] = set()
    for name, args in calls:
        if name == "incident.create":
            seen.add(args["id"])
        else:
            assert args.get("incident_id", args.get("id")) in seen & created
    # the same load twice gives the same records (ids from the file's keys)
    assert [a["id"] for _n, a in build_incident_calls(incidents, county, NOW)] == [
        a["id"] for _n, a in calls
    ]


def test_the_list_marks_sample_incidents(tmp_path: Path) -> None:
    ws = open_workstation(tmp_path / "ws", demo=True)
    with ws.store.engine.connect() as conn:
        titles = list(conn.execute(select(Incident.title).where(Incident.is_sample)).scalars())
    assert titles
    from console.models.incident_table_model import IncidentTableModel

    model = IncidentTableModel(IncidentSource(ws.store))
    model.refresh()
    from PySide6.QtCore import Qt

    # the page and the status bar carry the 样例数据 badge; each row says it on hover, the
    # detail in its title
    tips = [model.index(r, 1).data(Qt.ItemDataRole.ToolTipRole) for r in range(model.rowCount())]
    assert len(tips) == len(titles)
    assert all(str(t).endswith(SAMPLE_LABEL) for t in tips)
    ws.store.close()
