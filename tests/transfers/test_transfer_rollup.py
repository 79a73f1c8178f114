"""The 管控一张表 roll-up and report rule, hand-computed (console/domain/transfers.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from console.domain import catalog
from console.domain.transfers import Tally, laggards, roll_up, transfer_problem

T0 = "2026-09-28T14:00:00+08:00"
OPEN = {"status": catalog.EVACUATION_OPEN}


def _event(village: str, kind: str, persons: int, **extra: Any) -> dict[str, Any]:
    return {
        "village_id": village,
        "kind": kind,
        "persons": persons,
        "households": extra.pop("households", 0),
        "shelter_id": extra.pop("shelter_id", None),
        "reported_at": extra.pop("reported_at", T0),
        "correction_of": extra.pop("correction_of", ""),
    }


def _area(village: str, persons: int, households: int = 0, at: str = T0) -> dict[str, Any]:
    return {
        "village_id": village,
        "planned_persons": persons,
        "planned_households": households,
        "added_at": at,
    }


def test_roll_up_village_township_county_and_shelters() -> None:
    areas = [_area("v1", 50, 20), _area("v1", 10, 3), _area("v2", 40), _area("v3", 30)]
    events = [
        _event("v1", "已转", 30, households=12, shelter_id="s1"),
        _event("v1", "已转", 20, shelter_id="s2", reported_at="2026-09-28T15:00:00+08:00"),
        _event("v1", "返回", 5, shelter_id="s1"),
        _event("v1", "拒转", 2),
        _event("v2", "已转", 40, shelter_id="s1"),
        _event("v2", "已转", -4, shelter_id="s1", correction_of="e5"),  # a correction
        _event("v3", "已转", 7),  # to relatives: no shelter
    ]
    up = roll_up(areas, events, {"v1": "t1", "v2": "t1", "v3": "t2"})
    v1 = up.villages["v1"]
    assert (v1.planned_persons, v1.planned_households) == (60, 23)
    assert (v1.moved, v1.moved_households, v1.returned, v1.refused) == (50, 12, 5, 2)
    assert v1.away == 45 and v1.progress == pytest.approx(50 / 60)
    assert v1.reports == 4 and v1.last_report_at == "2026-09-28T15:00:00+08:00"
    assert up.villages["v2"].moved == 36 and up.villages["v2"].reports == 1  # 40 - 4
    t1 = up.townships["t1"]
    assert (t1.planned_persons, t1.moved, t1.returned) == (100, 86, 5)
    assert up.townships["t2"].moved == 7
    assert (up.county.planned_persons, up.county.moved, up.county.away) == (130, 93, 88)
    assert up.shelters == {"s1": 30 - 5 + 40 - 4, "s2": 20}


def test_nothing_planned_has_no_progress_and_later_times_compare_as_times() -> None:
    assert Tally().progress is None
    tally = Tally(last_report_at="2026-09-28T07:00:00+00:00")  # 15:00 Beijing
    tally.add(Tally(last_report_at="2026-09-28T14:30:00+08:00"))
    assert tally.last_report_at == "2026-09-28T07:00:00+00:00"


def test_laggards_at_the_boundary() -> None:
    start = datetime.fromisoformat(T0)
    areas = [_area("quiet", 10), _area("late", 10), _area("done", 5), _area("new", 5)]
    areas[3]["added_at"] = "2026-09-28T14:20:00+08:00"
    events = [
        _event("late", "已转", 3, reported_at="2026-09-28T14:10:00+08:00"),
        _event("done", "已转", 5),
    ]
    up = roll_up(areas, events, {})
    # 30 minutes after the start: "quiet" has been silent exactly 30 min; "late" 20.
    assert laggards(up, start + timedelta(minutes=30), 30) == ["quiet"]
    assert set(laggards(up, start + timedelta(minutes=50), 30)) == {"quiet", "late", "new"}
    assert laggards(up, start + timedelta(minutes=29, seconds=59), 30) == []


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        ({"kind": "已转", "persons": 0}, {}, "人数和户数不能都为 0"),
        (
            {"kind": "已转", "persons": -3},
            {},
            "人数、户数不能为负数；更正已登记的数字请选择要更正的记录",
        ),
        (
            {"kind": "已转", "persons": 3},
            {"in_circle": False},
            "该村（风险点）不在本次转移范围内：请先“扩面转移”将其纳入",
        ),
        ({"kind": "拒转", "persons": 2, "destination": "投亲靠友"}, {}, "拒转不填去向和避灾场所"),
        (
            {"kind": "已转", "persons": 2, "shelter_id": "s", "destination": "投亲靠友"},
            {},
            "填了避灾场所时，去向应为“安置点”",
        ),
        ({"kind": "已转", "persons": -2, "correction_of": "e1"}, {}, "要更正的记录不存在"),
        (
            {"kind": "已转", "persons": -6, "correction_of": "e1", "village_id": "v"},
            {
                "original": {"kind": "已转", "village_id": "v", "correction_of": ""},
                "corrected_total": (5, 0),
            },
            "更正后人数或户数将小于 0（原记录现为 5 人、0 户）",
        ),
        (
            {"kind": "拒转", "persons": -1, "correction_of": "e1", "village_id": "v"},
            {
                "original": {"kind": "已转", "village_id": "v", "correction_of": ""},
                "corrected_total": (5, 0),
            },
            "更正须与原记录的转移行动、村、风险点和类别相同",
        ),
    ],
)
def test_each_refusal(values: dict[str, Any], kwargs: dict[str, Any], message: str) -> None:
    given = {"evacuation": OPEN, "in_circle": True, **kwargs}
    assert transfer_problem(values, **given) == message


def test_a_correction_to_exactly_zero_and_a_late_report_are_accepted() -> None:
    original = {"kind": "已转", "village_id": "v", "correction_of": ""}
    values = {"kind": "已转", "persons": -5, "correction_of": "e1", "village_id": "v"}
    assert (
        transfer_problem(
            values, evacuation=OPEN, in_circle=True, original=original, corrected_total=(5, 0)
        )
        is None
    )
    closed = {"status": catalog.EVACUATION_CLOSED}
    assert (
        transfer_problem({"kind": "已转", "persons": 3}, evacuation=closed, in_circle=True) is None
    )
