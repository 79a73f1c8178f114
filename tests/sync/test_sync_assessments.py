"""研判一张单 and threshold alerts between two workstations through a real server: the sheet
proposed on one is signed by the leader on the other, the acknowledgement of an alert made
on one shows on the other, and every replica ends with the same digest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sync_testkit import PASSWORDS

from console.domain import beijing
from console.domain.digest import database_digest
from console.domain.mutations import alert_id
from console.services.assessments import AssessmentService
from console.services.context import Workstation, open_workstation
from console.services.threshold_alerts import ThresholdAlerts
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess
from testkit.situations import POINT, flood_situation

NOW = datetime(2026, 7, 1, 6, 10, tzinfo=beijing.BEIJING)


def _sync(ws: Workstation, server: ServerProcess, user: str) -> None:
    client = SyncClient(server.url)
    client.login(user, PASSWORDS[user][1])
    report = SyncEngine(ws.store, client).sync_once()
    assert ws.queries.sync_counters().pending == 0, report


def _digest(ws: Workstation) -> str:
    with ws.store.engine.connect() as conn:
        return database_digest(conn)[0]


def test_a_sheet_signed_and_an_alert_acknowledged_on_one_workstation_show_on_the_other(
    server: ServerProcess, tmp_path: Path
) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    b = open_workstation(tmp_path / "b", autoload=False)
    try:
        # Both engines see the crossing: one alert between them.
        for ws in (a, b):
            ThresholdAlerts(ws.writer, clock=lambda: NOW).observe(flood_situation(), user="x")
        proposal = AssessmentService(a.writer, clock=lambda: NOW).propose(
            flood_situation(), user="zhang"
        )
        assert proposal.created and proposal.sheet_id is not None
        _sync(a, server, "zhang")
        _sync(b, server, "li")

        sheets_b = AssessmentService(b.writer, clock=lambda: NOW)
        seen = sheets_b.get(proposal.sheet_id)
        assert seen is not None and seen["status"] == "草稿"
        sheets_b.sign(proposal.sheet_id, user="li", role="leader")
        alerts_b = ThresholdAlerts(b.writer, clock=lambda: NOW)
        alerts_b.acknowledge([alert_id(f"place:{POINT}:红")], user="li")
        _sync(b, server, "li")
        _sync(a, server, "zhang")

        signed = AssessmentService(a.writer).get(proposal.sheet_id)
        assert signed is not None
        assert (signed["status"], signed["signed_by"]) == ("已签发", "li")
        alerts_a = ThresholdAlerts(a.writer, clock=lambda: NOW)
        acked = alerts_a.get(f"place:{POINT}:红")
        assert acked is not None
        assert (acked["acked_by"], acked["acked_at"]) == ("li", "2026-07-01T06:10:00+08:00")
        assert len(alerts_a.unacknowledged()) == len(flood_situation().crossings()) - 1
        assert _digest(a) == _digest(b) == server.cli("digest").stdout.strip()
    finally:
        a.close()
        b.close()


def test_two_workstations_proposing_for_the_same_crossings_make_one_sheet(
    server: ServerProcess, tmp_path: Path
) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    b = open_workstation(tmp_path / "b", autoload=False)
    try:
        proposals = [
            AssessmentService(ws.writer, clock=lambda: NOW).propose(flood_situation(), user=u)
            for ws, u in ((a, "zhang"), (b, "li"))
        ]
        assert all(p.created for p in proposals)
        assert proposals[0].sheet_id == proposals[1].sheet_id
        for ws, user in ((a, "zhang"), (b, "li"), (a, "zhang")):
            _sync(ws, server, user)
        for ws in (a, b):
            [sheet] = AssessmentService(ws.writer).sheets()
            assert sheet["author"] == "zhang"  # the first to reach the server stands
            assert ws.queries.sync_counters().pending == 0
        assert _digest(a) == _digest(b) == server.cli("digest").stdout.strip()
        # Discarded, it is not proposed again the same day.
        service = AssessmentService(a.writer, clock=lambda: NOW)
        assert proposals[0].sheet_id is not None
        service.discard(proposals[0].sheet_id, user="zhang")
        assert not service.propose(flood_situation(), user="zhang").created
    finally:
        a.close()
        b.close()
