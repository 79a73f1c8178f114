"""指挥一平台 across workstations: an order issued on one, acknowledged offline on two for
the same person and fed back, shows both events on a third after sync, and every replica
converges on the server's digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sync_testkit import sync_once_cli

from console.domain import beijing
from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.services.context import open_workstation
from console.services.orders import OrderService
from testkit.server import ServerProcess

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=beijing.BEIJING)


def test_acks_from_two_workstations_both_land_on_a_third(
    server: ServerProcess, tmp_path: Path
) -> None:
    dirs = [tmp_path / name for name in ("a", "b", "c")]
    for d in dirs:
        open_workstation(d, sample_incidents=False).close()
    a = open_workstation(dirs[0], autoload=False)
    town, person = new_id(), new_id()
    a.writer.apply(
        [
            ("township.upsert", {"id": town, "name": "云峰镇", "kind": "镇"}),
            ("person.upsert", {"id": person, "name": "周镇长", "mobile": "13900000000"}),
            (
                "person_role.upsert",
                {
                    "id": new_id(),
                    "person_id": person,
                    "role": "乡镇第一责任人",
                    "township_id": town,
                },
            ),
        ],
        user="zhang",
    )
    service = OrderService.of(a.writer)
    order = service.issue("转移指令", service.chain([town]), user="zhang", now=T0)
    [recipient] = service.board(order, now=T0).rows
    a.close()
    for d in dirs:
        assert sync_once_cli(server.url, d).returncode == 0
    for i, d in enumerate(dirs[:2]):  # offline, concurrently, the same person
        w = open_workstation(d, autoload=False)
        s = OrderService.of(w.writer)
        s.acknowledge(order, recipient.id, user=f"officer{i}", at=T0 + timedelta(minutes=2 + i))
        if i == 1:
            s.feedback(order, recipient.id, value=42, user="officer1", at=T0 + timedelta(minutes=9))
        w.close()
    for d in (*dirs[:2], *dirs):
        assert sync_once_cli(server.url, d).returncode == 0
    c = open_workstation(dirs[2], autoload=False)
    try:
        [row] = OrderService(c.store).board(order, now=T0 + timedelta(minutes=30)).rows
        assert (row.state.state, row.state.value) == ("已反馈", 42.0)
        assert row.state.acked_at == beijing.canonical(T0 + timedelta(minutes=2))
        with c.store.engine.connect() as conn:
            mine = database_digest(conn)[0]
    finally:
        c.close()
    for d in dirs[:2]:
        w = open_workstation(d, autoload=False)
        try:
            with w.store.engine.connect() as conn:
                assert database_digest(conn)[0] == mine
        finally:
            w.close()
