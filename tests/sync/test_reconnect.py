"""After the server comes back, a workstation is back within 5 s (issue 8, section 6), and a
server that answers with errors is not hammered.

The outage lasts 16 s: long enough that the old doubling back-off (1, 2, 4, 8, 16 s) would
next try some 15 s after the restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sync_testkit import PASSWORDS

from console.domain.ids import new_id
from console.domain.schema import Incident
from console.services.context import Workstation, open_workstation
from console.sync.backoff import Backoff, no_answer
from console.sync.client import SyncClient, SyncHttpError, Unreachable, Untrusted
from console.sync.engine import OFFLINE, ONLINE, SyncEngine
from testkit.server import ServerProcess

OUTAGE_S = 16.0
RECONNECT_S = 5.0


def _wait(predicate: Callable[[], bool], timeout: float) -> float | None:
    """Seconds until ``predicate()`` held, or None if it did not within ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def _engine(ws: Workstation, server: ServerProcess) -> SyncEngine:
    client = SyncClient(server.url)
    client.login("zhang", PASSWORDS["zhang"][1])
    return SyncEngine(ws.store, client, credentials=("zhang", PASSWORDS["zhang"][1]))


def _has(ws: Workstation, incident_id: str) -> bool:
    with ws.store.engine.connect() as conn:
        found = conn.execute(select(Incident.id).where(Incident.id == incident_id)).first()
    return found is not None


@pytest.mark.timeout(180)
def test_workstation_reconnects_within_5_s_of_the_server(
    server: ServerProcess, tmp_path: Path
) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    b = open_workstation(tmp_path / "b", autoload=False)
    engine = _engine(a, server)
    try:
        engine.start()
        assert _wait(lambda: engine.status.state == ONLINE, 30) is not None
        server.stop()
        assert _wait(lambda: engine.status.state == OFFLINE, 15) is not None
        time.sleep(OUTAGE_S)
        server.start()  # returns once /health answers, on the same port
        back = _wait(
            lambda: engine.status.state == ONLINE and engine.status.error == "", RECONNECT_S
        )
        assert back is not None, f"not back within {RECONNECT_S} s: {engine.status}"
        # The event stream is back too: an edit elsewhere arrives by a poke, not by the next
        # 30 s round.
        incident_id = new_id()
        b.writer.apply(
            [
                (
                    "incident.create",
                    {
                        "id": incident_id,
                        "received_at": "2026-11-28T10:00:00+08:00",
                        "category": "事故灾难",
                        "subtype": "火灾",
                        "title": "重连后实时同步",
                    },
                )
            ],
            user="zhang",
        )
        other = _engine(b, server)
        other.sync_once()
        other._client.close()
        assert _wait(lambda: _has(a, incident_id), RECONNECT_S) is not None
    finally:
        engine.stop()
        a.close()
        b.close()


def test_backoff_short_after_contact_long_after_an_outage_or_server_errors() -> None:
    policy = Backoff()
    unreachable = Unreachable("refused", "refused")
    assert no_answer(unreachable) and no_answer(SyncHttpError(503, {}))
    assert not no_answer(SyncHttpError(500, {})) and not no_answer(Untrusted("bad certificate"))
    recent = [policy.delay(n, 30.0, no_answer(unreachable)) for n in range(1, 40)]
    assert max(recent) <= policy.fast_cap_s * 1.25  # a restarted server: back in seconds
    long_ago = [policy.delay(n, 3600.0, True) for n in range(1, 12)]
    assert max(long_ago[8:]) >= policy.slow_cap_s * 0.75  # a long outage: back off
    busy = [policy.delay(n, 1.0, no_answer(SyncHttpError(500, {}))) for n in range(1, 12)]
    assert busy[0] <= 1.25 and min(busy[8:]) >= policy.slow_cap_s * 0.75  # not hammered
    jittered = {round(policy.delay(5, 30.0, True), 6) for _ in range(20)}
    assert len(jittered) > 1
