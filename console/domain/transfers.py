"""管控一张表: the rule of a transfer report, and the live roll-up village -> township ->
county, computed from the events (never from an overwritten total), so reports from several
workstations add up the same on every replica.

Pure: no Qt, no I/O. Rows are plain dicts as the store returns them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from console.domain import catalog


def transfer_problem(
    values: Mapping[str, Any],
    *,
    evacuation: Mapping[str, Any] | None,
    in_circle: bool,
    original: Mapping[str, Any] | None = None,
    corrected_total: tuple[int, int] = (0, 0),
) -> str | None:
    """Why a transfer report cannot be recorded as given (Chinese), None when it can.

    ``in_circle``: its village (and risk point) is in the evacuation's circle; ``original``:
    the event a correction corrects; ``corrected_total``: (persons, households) of the
    original with every correction made so far. The one wording: the shared mutation
    refuses with it on every replica, and the form shows it.

    A closed evacuation still takes reports: a township phoning in late, or a workstation
    that recorded offline before it learnt of the close, must not lose its counts."""
    persons, households = int(values.get("persons") or 0), int(values.get("households") or 0)
    kind = values.get("kind")
    if evacuation is None:
        return "转移行动不存在"
    if persons == 0 and households == 0:
        return "人数和户数不能都为 0"
    if not values.get("correction_of"):
        if persons < 0 or households < 0:
            return "人数、户数不能为负数；更正已登记的数字请选择要更正的记录"
        if not in_circle:
            return "该村（风险点）不在本次转移范围内：请先“扩面转移”将其纳入"
    else:
        if original is None:
            return "要更正的记录不存在"
        if original.get("correction_of"):
            return "只能更正原始记录，不能更正一条更正"
        same = ("evacuation_id", "village_id", "risk_point_id", "kind")
        if any(original.get(k) != values.get(k) for k in same):
            return "更正须与原记录的转移行动、村、风险点和类别相同"
        if corrected_total[0] + persons < 0 or corrected_total[1] + households < 0:
            return (
                f"更正后人数或户数将小于 0（原记录现为 {corrected_total[0]} 人、"
                f"{corrected_total[1]} 户）"
            )
    shelter, destination = values.get("shelter_id"), values.get("destination") or ""
    if kind == catalog.REFUSED_MOVE and (shelter or destination):
        return "拒转不填去向和避灾场所"
    if shelter and destination not in ("", catalog.TO_SHELTER):
        return f"填了避灾场所时，去向应为“{catalog.TO_SHELTER}”"
    return None


@dataclass
class Tally:
    """The counts of one village, township or the county."""

    planned_households: int = 0
    planned_persons: int = 0  # 应转
    moved: int = 0  # 已转 (persons)
    moved_households: int = 0
    refused: int = 0  # 拒转
    returned: int = 0  # 返回
    reports: int = 0
    last_report_at: str | None = None  # ISO text; compare as datetimes

    @property
    def away(self) -> int:
        """Out of their homes now: moved minus back home."""
        return self.moved - self.returned

    @property
    def progress(self) -> float | None:
        """已转 / 应转 (None when nothing is planned)."""
        return None if self.planned_persons <= 0 else self.moved / self.planned_persons

    def add(self, other: Tally) -> None:
        self.planned_households += other.planned_households
        self.planned_persons += other.planned_persons
        self.moved += other.moved
        self.moved_households += other.moved_households
        self.refused += other.refused
        self.returned += other.returned
        self.reports += other.reports
        self.last_report_at = later(self.last_report_at, other.last_report_at)


def later(a: str | None, b: str | None) -> str | None:
    """The later of two ISO times compared as times (their offsets may differ); either one
    when the other is None."""
    if a is None or b is None:
        return a or b
    return a if datetime.fromisoformat(a) >= datetime.fromisoformat(b) else b


@dataclass
class RollUp:
    villages: dict[str, Tally] = field(default_factory=dict)
    townships: dict[str, Tally] = field(default_factory=dict)
    county: Tally = field(default_factory=Tally)
    shelters: dict[str, int] = field(default_factory=dict)  # shelter id -> persons there now
    added_at: dict[str, str] = field(default_factory=dict)  # village id -> first in circle


@dataclass(frozen=True)
class VillageSum:
    """The events of one village and kind added up (what SQL's GROUP BY gives)."""

    village_id: str
    kind: str
    persons: int
    households: int
    reports: int  # first reports, not corrections
    last_report_at: str | None


def sum_events(
    events: Iterable[Mapping[str, Any]],
) -> tuple[list[VillageSum], dict[str, int]]:
    """Add the events up per village and kind, and the persons now in each shelter: the
    same figures the store's aggregate query returns (see TransferService.roll_up)."""
    sums: dict[tuple[str, str], list[Any]] = {}
    shelters: dict[str, int] = {}
    for event in events:
        key = (event["village_id"], event["kind"])
        acc = sums.setdefault(key, [0, 0, 0, None])
        acc[0] += int(event["persons"])
        acc[1] += int(event["households"] or 0)
        if not event.get("correction_of"):
            acc[2] += 1
            acc[3] = later(acc[3], event["reported_at"])
        shelter = event.get("shelter_id")
        if shelter and event["kind"] in (catalog.MOVED, catalog.RETURNED):
            sign = 1 if event["kind"] == catalog.MOVED else -1
            shelters[shelter] = shelters.get(shelter, 0) + sign * int(event["persons"])
    out = [VillageSum(v, k, a[0], a[1], a[2], a[3]) for (v, k), a in sums.items()]
    return out, shelters


def roll_up(
    areas: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]],
    township_of: Mapping[str, str],
) -> RollUp:
    """Sum the circle's planned counts and the events, village -> township -> county.
    ``township_of``: village id -> township id."""
    sums, shelters = sum_events(events)
    return roll_up_sums(areas, sums, shelters, township_of)


def roll_up_sums(
    areas: Iterable[Mapping[str, Any]],
    sums: Iterable[VillageSum],
    shelters: Mapping[str, int],
    township_of: Mapping[str, str],
) -> RollUp:
    """:func:`roll_up` from events already added up per village and kind."""
    out = RollUp(shelters={k: v for k, v in shelters.items() if v})
    for area in areas:
        village = area["village_id"]
        tally = out.villages.setdefault(village, Tally())
        tally.planned_households += int(area["planned_households"] or 0)
        tally.planned_persons += int(area["planned_persons"] or 0)
        first = out.added_at.get(village)
        added = str(area["added_at"])
        out.added_at[village] = added if first is None or later(first, added) == first else first
    for s in sums:
        tally = out.villages.setdefault(s.village_id, Tally())
        if s.kind == catalog.MOVED:
            tally.moved += s.persons
            tally.moved_households += s.households
        elif s.kind == catalog.REFUSED_MOVE:
            tally.refused += s.persons
        elif s.kind == catalog.RETURNED:
            tally.returned += s.persons
        tally.reports += s.reports
        tally.last_report_at = later(tally.last_report_at, s.last_report_at)
    for village, tally in out.villages.items():
        township = township_of.get(village, "")
        out.townships.setdefault(township, Tally()).add(tally)
        out.county.add(tally)
    return out


def laggards(rollup: RollUp, now: datetime, minutes: int) -> list[str]:
    """Villages of the circle with no report for ``minutes`` (counted from their last
    report, or from when they joined the circle) whose transfer is not complete."""
    limit = now - timedelta(minutes=minutes)
    out = []
    for village, tally in rollup.villages.items():
        progress = tally.progress
        if progress is not None and progress >= 1:
            continue
        since = tally.last_report_at or rollup.added_at.get(village)
        if since is not None and datetime.fromisoformat(since) <= limit:
            out.append(village)
    return out
