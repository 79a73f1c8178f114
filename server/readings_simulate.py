"""``duty-server simulate-readings``: a scenario's readings (console/domain/scenarios.py)
ingested as the gauges would send them, for a drill or a demo. Every row is marked
simulated (source ``simulate``), so everything that shows it says 模拟.

The scenario runs from ``start`` (default: its length before now, so it ends now and no
reading is in the future) and is replayed ``speed`` times faster than real time: at 60,
each 5-minute step arrives every 5 seconds and a 24-hour storm takes 24 minutes; 0 sends
it all at once. Readings keep their scenario times; a workstation judges the situation as
of its newest reading (console/app.py), so the rain climbs on its charts and its map as
the steps arrive.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.engine import Engine

from console.domain import scenarios
from console.domain.schema import Station, Township
from server.readings import IngestResult, ingest_rows, reading


@dataclass
class SimulationReport:
    steps: int = 0
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)


def _stations(engine: Engine) -> list[scenarios.ScenarioStation]:
    with engine.connect() as conn:
        names = {
            str(i): str(n)
            for i, n in conn.execute(
                select(Township.id, Township.name).where(Township.deleted.is_(False))
            )
        }
        rows = [
            dict(r)
            for r in conn.execute(
                select(Station.__table__).where(Station.deleted.is_(False))
            ).mappings()
        ]
    return scenarios.stations_from_records(rows, names)


def steps(
    engine: Engine, name: str, start: int, interval_s: int
) -> Iterator[tuple[int, list[scenarios.Reading]]]:
    """The scenario's readings for the server's live stations, grouped by time."""
    found = _stations(engine)
    if not found:
        raise ValueError("服务器上没有测站：请先导入或同步水文雨量站")
    rows = sorted(scenarios.readings(name, found, start, interval_s=interval_s), key=lambda r: r.ts)
    for ts, group in groupby(rows, key=lambda r: r.ts):
        yield ts, list(group)


def simulate(
    engine: Engine,
    name: str,
    *,
    speed: float = 60.0,
    start: int | None = None,
    interval_s: int = scenarios.DEFAULT_INTERVAL_S,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, IngestResult], None] | None = None,
) -> SimulationReport:
    """Ingest scenario ``name`` step by step; KeyError for an unknown scenario."""
    scenario = scenarios.SCENARIOS.get(name)
    if scenario is None:
        raise KeyError(name)
    if speed < 0:
        raise ValueError("speed must be 0 or more")
    first = int(clock()) - scenario.hours * 3600 if start is None else start
    begun = clock()
    report = SimulationReport()
    for ts, group in steps(engine, name, first, interval_s):
        if speed > 0:
            wait = begun + (ts - first) / speed - clock()
            if wait > 0:
                sleep(wait)
        # A level is a moment, not an amount over an interval: ingest takes it with none.
        rows = [
            reading(
                r.station_code, r.kind, r.ts, r.value, r.interval_s if r.kind == "rain" else 0, True
            )
            for r in group
        ]
        with engine.begin() as conn:
            result = ingest_rows(conn, rows, "simulate")
        report.steps += 1
        report.accepted += result.accepted
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.refused += [f"{group[r.index].station_code}：{r.reason}" for r in result.refused]
        if progress is not None:
            progress(ts, result)
    return report
