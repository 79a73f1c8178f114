"""The 管控一张表 page's roll-up kept between reads (LiveRollUp): after each batch of reports
and corrections it equals the database's full sums while reading only the new events; a
changed or removed event, or another evacuation, makes it read everything again."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.domain import catalog
from console.domain.transfers import RollUp
from console.services.context import Workstation, open_workstation
from console.services.transfers import LiveRollUp, TransferService
from console.store.paths import DATABASE_FILE


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    w = open_workstation(tmp_path / "ws", sample_incidents=False)
    yield w
    w.close()


def _same(got: RollUp, expected: RollUp) -> None:
    assert got.villages == expected.villages
    assert got.townships == expected.townships
    assert got.county == expected.county
    assert got.shelters == expected.shelters
    assert got.added_at == expected.added_at


def _report(
    service: TransferService,
    evac: str,
    villages: list[str],
    shelters: list[str],
    rng: random.Random,
) -> str:
    kind = rng.choice(catalog.TRANSFER_KINDS)
    return service.record(
        evac,
        rng.choice(villages),
        kind,
        rng.randint(1, 9),
        households=rng.randint(0, 3),
        shelter_id=rng.choice([*shelters, None]) if kind != catalog.REFUSED_MOVE else None,
        user="zhang",
        reported_at=datetime(2026, 9, 28, 6, rng.randint(0, 59), tzinfo=UTC)
        if rng.random() < 0.3
        else None,  # another offset now and then: compared as times
    )


def test_new_events_are_folded_in_and_equal_the_full_sums(ws: Workstation) -> None:
    rng = random.Random(12)
    service = TransferService.of(ws.writer)
    villages = [v["id"] for v in ws.queries.villages()[:10]]
    shelters = [s["id"] for s in ws.queries.shelters()[:3]]
    evac = service.open("核对", user="zhang")
    service.add_areas(evac, villages[:6], user="zhang")
    live = LiveRollUp(service)
    _same(live.roll_up(evac), service.roll_up(evac))  # nothing reported yet
    firsts: list[str] = []
    for round_ in range(6):
        firsts += [
            _report(service, evac, villages[:6], shelters, rng) for _ in range(rng.randint(1, 12))
        ]
        for event_id in rng.sample(firsts, 2):
            service.correct(event_id, -1, user="zhang")
        if round_ == 3:  # 扩面转移 meanwhile: the circle is read each time
            service.add_areas(evac, villages[6:], user="zhang")
        _same(live.roll_up(evac), service.roll_up(evac))
    assert live.full_reads == 1  # only the new events were read after the first time


def test_a_changed_event_or_another_evacuation_reads_everything_again(
    ws: Workstation, tmp_path: Path
) -> None:
    rng = random.Random(3)
    service = TransferService.of(ws.writer)
    villages = [v["id"] for v in ws.queries.villages()[:4]]
    shelters = [s["id"] for s in ws.queries.shelters()[:3]]
    evac, other = service.open("甲", user="zhang"), service.open("乙", user="zhang")
    service.add_areas(evac, villages, user="zhang")
    service.add_areas(other, villages, user="zhang")
    events = [_report(service, evac, villages, shelters, rng) for _ in range(20)]
    live = LiveRollUp(service)
    _same(live.roll_up(evac), service.roll_up(evac))

    # An event already counted changes behind the page's back (as a rewritten file would):
    # the totals no longer agree, so everything is read again.
    with sqlite3.connect(tmp_path / "ws" / DATABASE_FILE) as raw:
        raw.execute("UPDATE transfer_events SET deleted = 1 WHERE id = ?", (events[5],))
    _report(service, evac, villages, shelters, rng)
    got = live.roll_up(evac)
    _same(got, service.roll_up(evac))
    assert live.full_reads == 2

    # Reports of another evacuation are not this one's; switching reads that one in full.
    _report(service, other, villages, shelters, rng)
    _same(live.roll_up(evac), service.roll_up(evac))
    assert live.full_reads == 2
    _same(live.roll_up(other), service.roll_up(other))
    assert live.full_reads == 3
    _same(live.roll_up(evac), service.roll_up(evac))
    assert live.full_reads == 4
