"""管控一张表 across workstations: transfers reported offline on two workstations for the
same village add up exactly on a third after sync (events, never overwritten totals)."""

from __future__ import annotations

from pathlib import Path

from sync_testkit import sync_once_cli

from console.domain import catalog
from console.domain.ids import new_id
from console.services.context import open_workstation
from console.services.transfers import TransferService
from testkit.server import ServerProcess


def test_two_workstations_offline_add_up_exactly_on_a_third(
    server: ServerProcess, tmp_path: Path
) -> None:
    dirs = [tmp_path / name for name in ("a", "b", "c")]
    for d in dirs:  # each joins the (empty) server: the sample county stays local
        open_workstation(d, sample_incidents=False).close()
    a = open_workstation(dirs[0], autoload=False)
    # The county's data comes from workstation a (its own villages, not the sample's).
    town, vil = new_id(), new_id()
    a.writer.apply(
        [
            ("township.upsert", {"id": town, "name": "云峰镇", "kind": "镇"}),
            ("village.upsert", {"id": vil, "township_id": town, "name": "溪口村"}),
        ],
        user="zhang",
    )
    evac = TransferService.of(a.writer).open("演练转移", user="zhang")
    TransferService.of(a.writer).add_area(evac, vil, planned_persons=200, user="zhang")
    a.close()
    for d in dirs:
        assert sync_once_cli(server.url, d).returncode == 0
    assert sync_once_cli(server.url, dirs[0]).returncode == 0
    # a and b record offline, concurrently, for the same village.
    for d, counts in ((dirs[0], (30, 12, 5)), (dirs[1], (25, 8))):
        w = open_workstation(d, autoload=False)
        service = TransferService.of(w.writer)
        for n in counts:
            service.record(evac, vil, catalog.MOVED, n, user="zhang")
        w.close()
    for d in dirs[:2]:
        assert sync_once_cli(server.url, d).returncode == 0
    assert sync_once_cli(server.url, dirs[2]).returncode == 0
    c = open_workstation(dirs[2], autoload=False)
    try:
        up = TransferService.of(c.writer).roll_up(evac)
        assert (up.county.planned_persons, up.county.moved, up.county.reports) == (200, 80, 5)
    finally:
        c.close()
