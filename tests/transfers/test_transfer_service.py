"""管控一张表 through the write path: the circle's 应转 from the risk points, reports and
corrections as events, the refusals in Chinese (tests/sync/test_transfers_sync.py: reports
from two workstations on a third)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from console.domain import catalog
from console.domain.fields import MutationRejected
from console.domain.schema import RiskPoint, Shelter, Village
from console.services.context import Workstation, open_workstation
from console.services.transfers import TransferService
from console.store.errors import StoreError


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    w = open_workstation(tmp_path / "ws", sample_incidents=False)
    yield w
    w.close()


def _village_with_points(w: Workstation) -> tuple[str, str, list[dict[str, object]]]:
    """A sample village that has risk points with people at risk, its township, its points."""
    with w.store.engine.connect() as conn:
        points = [
            dict(r)
            for r in conn.execute(
                select(RiskPoint.__table__).where(
                    RiskPoint.persons > 0, RiskPoint.village_id.is_not(None)
                )
            ).mappings()
        ]
        village = str(points[0]["village_id"])
        township = conn.execute(
            select(Village.township_id).where(Village.id == village)
        ).scalar_one()
    return village, str(township), [p for p in points if p["village_id"] == village]


def _refusal(exc: BaseException) -> str:
    return str(getattr(exc, "message", exc))


def test_circle_reports_corrections_and_refusals(ws: Workstation) -> None:
    service = TransferService.of(ws.writer)
    village, township, points = _village_with_points(ws)
    evac = service.open("9·28 台风转移", user="zhang")
    area = service.add_area(evac, village, user="zhang", reason="研判：红色预警")
    up = service.roll_up(evac)
    at_risk = sum(int(p["persons"]) for p in points)  # type: ignore[call-overload]
    assert up.villages[village].planned_persons == at_risk > 0
    with ws.store.engine.connect() as conn:
        shelter = conn.execute(select(Shelter.id)).scalars().first()
    assert shelter is not None

    first = service.record(
        evac,
        village,
        catalog.MOVED,
        12,
        households=5,
        shelter_id=shelter,
        user="zhang",
        reported_by="村人员转移 电话",
    )
    service.record(evac, village, catalog.MOVED, 3, destination="投亲靠友", user="li")
    service.record(evac, village, catalog.REFUSED_MOVE, 1, user="zhang")
    service.correct(first, -2, user="zhang", note="重复统计 2 人")
    up = service.roll_up(evac)
    tally = up.villages[village]
    assert (tally.moved, tally.refused, tally.moved_households, tally.reports) == (13, 1, 5, 3)
    assert up.townships[township].moved == 13 and up.county.moved == 13
    assert up.shelters == {shelter: 10}
    service.set_planned(area, 10, 40, user="zhang")
    assert service.roll_up(evac).county.planned_persons == 40

    # Refused, each with its Chinese reason, nothing written.
    before = len(service.events(evac))
    with ws.store.engine.connect() as conn:
        other = conn.execute(select(Village.id).where(Village.id != village)).scalars().first()
    assert other is not None
    cases = [
        (lambda: service.record(evac, other, catalog.MOVED, 5, user="zhang"), "不在本次转移范围内"),
        (lambda: service.record(evac, village, catalog.MOVED, -5, user="zhang"), "不能为负数"),
        (
            lambda: service.correct(first, -20, user="zhang"),
            "更正后人数或户数将小于 0（原记录现为 10 人、5 户）",
        ),
        (
            lambda: service.record(
                evac, village, catalog.REFUSED_MOVE, 2, shelter_id=shelter, user="zhang"
            ),
            "拒转不填去向",
        ),
        (lambda: service.add_area(evac, village, user="zhang"), "已在本次转移范围内"),
    ]
    for call, text in cases:
        with pytest.raises((MutationRejected, StoreError)) as caught:
            call()
        assert text in _refusal(caught.value)
    assert len(service.events(evac)) == before

    # Closed, a late report still counts (a township phoning in late must not be lost).
    service.close(evac, user="zhang")
    service.record(evac, village, catalog.RETURNED, 4, shelter_id=shelter, user="zhang")
    up = service.roll_up(evac)
    assert up.villages[village].away == 9 and up.shelters[shelter] == 6
    assert service.evacuations()[0]["status"] == catalog.EVACUATION_CLOSED


def test_the_databases_sums_equal_the_domains_roll_up(ws: Workstation) -> None:
    """The store adds the events up in SQL; the pure roll-up over the same events must give
    the same figures (corrections, returns, shelters, several times a village)."""
    import random

    from console.domain.transfers import roll_up

    rng = random.Random(7)
    service = TransferService.of(ws.writer)
    villages = [v["id"] for v in ws.queries.villages()[:12]]
    shelters = [s["id"] for s in ws.queries.shelters()[:3]]
    evac = service.open("核对", user="zhang")
    service.add_areas(evac, villages, user="zhang")
    firsts: list[str] = []
    for i in range(150):
        kind = rng.choice(catalog.TRANSFER_KINDS)
        shelter = rng.choice([*shelters, None]) if kind != catalog.REFUSED_MOVE else None
        minute = rng.randint(0, 59)
        firsts.append(
            service.record(
                evac,
                rng.choice(villages),
                kind,
                rng.randint(1, 9),
                households=rng.randint(0, 3),
                shelter_id=shelter,
                user="zhang",
                reported_at=datetime(2026, 9, 28, 14, minute, tzinfo=UTC) if i % 3 else None,
            )
        )
    for event_id in rng.sample(firsts, 20):
        service.correct(event_id, -1, user="zhang")
    with ws.store.engine.connect() as conn:
        township_of = {
            str(v): str(t) for v, t in conn.execute(select(Village.id, Village.township_id))
        }
    areas = [
        {"village_id": v, "planned_households": h, "planned_persons": p, "added_at": a}
        for v, h, p, a in (
            (r["village_id"], r["planned_households"], r["planned_persons"], r["added_at"])
            for r in _areas(ws, evac)
        )
    ]
    expected = roll_up(areas, service.events(evac), township_of)
    got = service.roll_up(evac)
    assert got.villages == expected.villages
    assert got.townships == expected.townships
    assert got.county == expected.county
    assert got.shelters == expected.shelters


def _areas(w: Workstation, evacuation_id: str) -> list[dict[str, object]]:
    from console.domain.schema import EvacuationArea

    with w.store.engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(EvacuationArea.__table__).where(
                    EvacuationArea.evacuation_id == evacuation_id
                )
            ).mappings()
        ]
