"""A save issued while a pull page is being applied does not wait for the whole page.

Real server process, real pages, real SQLite files. The pull runs on a thread with a fault
hook: half-way through the page it starts the officer's save on another thread and waits
until that save is queued at the store's write gate; when the pull steps aside ("pull_yield")
it waits until the save has returned. So the order is forced, not timed: if a page were
still one transaction, the save could not finish inside the page and the hooks would time
out.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sync_testkit import PASSWORDS, incident_call

from console import faults
from console.domain.schema import Incident
from console.services.context import Workstation, open_workstation
from console.store.records import SyncShadow
from console.sync import apply
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess

WAIT_S = 20.0


_create = incident_call


def _client(server: ServerProcess, user: str) -> SyncClient:
    client = SyncClient(server.url)
    client.login(user, PASSWORDS[user][1])
    return client


def _sync(ws: Workstation, server: ServerProcess, user: str) -> None:
    client = _client(server, user)
    try:
        SyncEngine(ws.store, client).sync_once()
    finally:
        client.close()


def _incident(ws: Workstation, incident_id: str) -> dict[str, Any]:
    with ws.store.engine.connect() as conn:
        row = conn.execute(select(Incident).where(Incident.id == incident_id)).mappings().one()
    return dict(row)


def _count(ws: Workstation) -> int:
    with ws.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Incident)).scalar_one())


def _wait(predicate: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.001)


def test_a_save_goes_in_between_the_sub_transactions_of_one_page(
    server: ServerProcess, tmp_path: Path
) -> None:
    b = open_workstation(tmp_path / "b")  # the sample county, pushed by B
    a = open_workstation(tmp_path / "a", autoload=False)  # joins the server: gets it by pulling
    try:
        name, shared = _create("B-共同关注的事件")
        b.writer.apply([(name, shared)], user="li")
        _sync(b, server, "li")
        _sync(a, server, "zhang")
        target = str(shared["id"])
        assert _incident(a, target)["title"] == "B-共同关注的事件"

        # B's next round: 400 new incidents, then an edit of the shared one, so A's next
        # page brings the shared incident AFTER its half-way point.
        for start in range(0, 400, 100):
            b.writer.apply([_create(f"B-新事件{start + i}") for i in range(100)], user="li")
        edit = {"id": target, "fields": {"title": "B-已核实的事件"}, "before": {}}
        b.writer.apply([("incident.update", edit)], user="li")
        _sync(b, server, "li")
        total = _count(b)

        client = _client(server, "zhang")
        try:
            with a.store.engine.connect() as conn:
                cursor = apply.read_cursor(conn)
            page = client.pull(a.store.client_id, cursor, 5000)
        finally:
            client.close()
        assert not page["more"] and len(page["rows"]["incidents"]) == 401
        assert page["rows"]["incidents"][-1]["id"] == target
        had = _count(a)

        saved = threading.Event()
        seen: dict[str, Any] = {}
        errors: list[BaseException] = []

        def officer_saves() -> None:
            try:
                local = {"id": target, "fields": {"address": "A-补充的地址"}, "before": {}}
                a.writer.apply([("incident.update", local)], user="zhang")
                seen["count"] = _count(a)
                seen["row"] = _incident(a, target)
            except BaseException as exc:  # surfaced by the main thread
                errors.append(exc)
            finally:
                saved.set()

        saver = threading.Thread(target=officer_saves, name="officer")

        def hook(point: str) -> None:
            seen.setdefault("points", []).append(point)
            if point == "mid_pull_apply":
                saver.start()
                _wait(lambda: a.store.gate.waiting > 0, "the save waits at the gate")
            elif point == "pull_yield" and not saved.is_set():
                assert saved.wait(WAIT_S), "the save did not finish while the pull stepped aside"

        with faults.armed("mid_pull_apply", hook), faults.armed("pull_yield", hook):
            result = apply.apply_pull(a.store, page)
        saver.join(WAIT_S)
        assert not errors, errors
        assert seen["points"][:2] == ["mid_pull_apply", "pull_yield"]

        # The save finished with the page only partly applied...
        assert had < seen["count"] < total
        assert seen["row"]["title"] == "B-共同关注的事件"  # B's edit not applied yet
        assert seen["row"]["address"] == "A-补充的地址"
        # ...and the rest of the page went to the shadow of the row the save changed: after
        # the rebase the officer's pending edit stands on B's newer copy, nothing lost.
        assert result.rows == sum(len(rows) for rows in page["rows"].values())
        assert _count(a) == total
        row = _incident(a, target)
        assert (row["title"], row["address"]) == ("B-已核实的事件", "A-补充的地址")
        with a.store.engine.connect() as conn:
            assert apply.read_cursor(conn) == page["cursor"]
            assert conn.execute(select(SyncShadow.record_id)).scalars().all() == [target]
        assert apply.pending_count(a.store) == 1

        _sync(a, server, "zhang")  # pushes the edit
        _sync(b, server, "li")
        assert _incident(b, target)["address"] == "A-补充的地址"
        assert _incident(b, target)["title"] == "B-已核实的事件"
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("background_first", [True, False])
def test_the_gate_lets_a_waiting_save_in_before_waiting_background_work(
    tmp_path: Path, background_first: bool
) -> None:
    """Whoever asked first, a save queued at the gate goes before queued pull work."""
    ws = open_workstation(tmp_path / "ws", autoload=False)
    gate = ws.store.gate
    order: list[str] = []
    try:
        with gate.background():
            pull = threading.Thread(target=lambda: _hold(gate.background, order, "pull"))
            save = threading.Thread(target=lambda: _hold(gate.urgent, order, "save"))
            first, second = (pull, save) if background_first else (save, pull)
            first.start()
            time.sleep(0.05)  # let the first one queue (order only; no timing asserted)
            second.start()
            _wait(lambda: gate.waiting == 1, "the save is queued")
        pull.join(WAIT_S)
        save.join(WAIT_S)
        assert order == ["save", "pull"]
    finally:
        ws.close()


def _hold(enter: Any, order: list[str], name: str) -> None:
    with enter():
        order.append(name)
