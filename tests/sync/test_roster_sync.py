"""排班 across workstations (the issue's "plans a month, swaps a shift", without the
screens): the leader fills a month on one workstation and sets the shift pattern; an officer
on another sees it, asks for a swap; the leader approves; the officer's workstation shows the
two shifts traded and the same person on duty, and both replicas converge."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sync_testkit import sync_once_cli

from console.domain import beijing, roster
from console.domain.digest import database_digest
from console.domain.ids import new_id
from console.services.context import open_workstation
from console.services.on_duty import on_duty
from console.services.roster import RosterService
from testkit.server import ServerProcess

APRIL = (2027, 4)


def test_a_month_planned_on_one_workstation_and_a_swap_approved_reach_the_other(
    server: ServerProcess, tmp_path: Path
) -> None:
    lead_dir, officer_dir = tmp_path / "leader", tmp_path / "officer"
    for d in (lead_dir, officer_dir):
        open_workstation(d, sample_incidents=False).close()
        assert sync_once_cli(server.url, d).returncode == 0  # joins: the sample stays out

    a = open_workstation(lead_dir, autoload=False)
    names = ("钱甲", "赵乙", "傅丙", "魏丁", "姜戊")
    a.writer.apply([("person.upsert", {"id": new_id(), "name": n}) for n in names], user="li")
    service = RosterService(a.store, a.writer)
    people = {p.name: p for p in service.people()}
    service.save_settings("08:30", 24, 48, "li")
    view = service.month(*APRIL)
    leaders = [people["钱甲"], people["赵乙"]]
    officers = [people["傅丙"], people["魏丁"], people["姜戊"]]
    service.apply_calls(service.fill_calls(view, leaders, officers), "li")
    planned = service.month(*APRIL)
    a.close()
    assert sync_once_cli(server.url, lead_dir, user="li").returncode == 0

    assert sync_once_cli(server.url, officer_dir).returncode == 0
    b = open_workstation(officer_dir, autoload=False)
    mine = RosterService(b.store, b.writer)
    seen = mine.month(*APRIL)
    assert seen.rules.min_rest_hours == 48
    assert sorted((x.id, x.person_id) for x in seen.plan) == sorted(
        (x.id, x.person_id) for x in planned.plan
    )
    first = next(x for x in seen.crew("2027-04-01#0") if x.role == roster.OFFICER)
    later = next(x for x in seen.crew("2027-04-05#0") if x.role == roster.OFFICER)
    assert first.person_id != later.person_id
    swap_id = mine.request_swap(first.id, later.id, "家中有事", "zhang")
    b.close()
    assert sync_once_cli(server.url, officer_dir).returncode == 0

    assert sync_once_cli(server.url, lead_dir, user="li").returncode == 0
    a = open_workstation(lead_dir, autoload=False)
    lead = RosterService(a.store, a.writer)
    [pending] = lead.swaps(roster.SWAP_PENDING)
    assert pending.id == swap_id and pending.requested_by == "zhang"
    lead.decide_swap(swap_id, True, "li", "同意")
    a.close()
    assert sync_once_cli(server.url, lead_dir, user="li").returncode == 0
    assert sync_once_cli(server.url, officer_dir).returncode == 0

    b = open_workstation(officer_dir, autoload=False)
    try:
        after = {x.id: x.person_id for x in RosterService(b.store).month(*APRIL).plan}
        assert (after[first.id], after[later.id]) == (later.person_id, first.person_id)
        noon = datetime(2027, 4, 1, 12, 0, tzinfo=beijing.BEIJING)
        assert on_duty(b.store, noon).now.officers == (later.name,)
        with b.store.engine.connect() as conn:
            theirs = database_digest(conn)[0]
    finally:
        b.close()
    a = open_workstation(lead_dir, autoload=False)
    try:
        with a.store.engine.connect() as conn:
            assert database_digest(conn)[0] == theirs
    finally:
        a.close()
