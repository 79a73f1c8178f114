"""The flood situation at a moment (issue #11): the store's places and configuration plus
the readings, through the threshold engine, into a :class:`Situation`.

Qt-free. :func:`evaluate` reads the store once (:func:`load_inputs`: stations, townships,
villages, risk points, critical rainfall, the signal table, response triggers, forecasts,
responsible people) and then judges the readings in memory (:func:`assess`).

How places get their rain: a village or risk point uses its assigned station
(``station_id``); a risk point without one uses its village's; else (or when the station
assigned measures no rain) the stations near it that have rain readings (by lon/lat of the
place, else its village, else its township): the nearest and up to :data:`NEAR_MORE` others
within :data:`NEAR_KM`, the worst of them deciding (a storm cell between two gauges is not
missed because the other one is a little nearer; ties go to the nearest). An assigned level
station (a reservoir, a river gauge) also judges the place on its water lines
(:func:`console.domain.thresholds.line_level`). A township's area rain is the mean of its
stations' sums (the nearest station's when it has none). Rainfall tiers: a village's
rain_thresholds rows; a risk point's own 准备转移 / 立即转移 rain as 黄 / 红
(:func:`console.domain.thresholds.risk_point_tiers`), else its village's rows. A place with
no tiers is not judged on critical rainfall (the township's signal still covers it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from console.domain import beijing, catalog
from console.domain import thresholds as th
from console.domain.rain_catalog import FORECAST_HORIZONS
from console.domain.schema import (
    IssuedWarning,
    Person,
    PersonRole,
    RainForecast,
    RainSignalRule,
    RainThreshold,
    ResponseTrigger,
    RiskPoint,
    Station,
    SyncedRecord,
    Township,
    Village,
)
from console.domain.situation import (
    LEVEL_RANK,
    RAIN_WINDOWS,
    Endangered,
    Responsible,
    Situation,
    StationState,
    TownshipState,
    WarningInForce,
    higher,
)
from console.services.readings_source import ReadingsSource
from console.store.database import Store

HOUR = th.HOUR
DAY = 24 * HOUR
# A level reading older than this at ``at`` is not the level "now".
LEVEL_MAX_AGE_S = 6 * HOUR
NEAR_KM = 5.0  # an unassigned place is judged on the rain stations this close, too
NEAR_MORE = 3  # ... on at most this many besides the nearest (the nearest of them)
# Role importance: the catalog lists roles from the county leader down.
ROLE_RANK: dict[str, int] = {role: i for i, role in enumerate(catalog.PERSON_ROLES)}
FloatArray = th.FloatArray


@dataclass(frozen=True)
class SituationInputs:
    """What the engine reads from the store (live rows as dicts)."""

    townships: list[dict[str, Any]]
    stations: list[dict[str, Any]]
    villages: list[dict[str, Any]]
    risk_points: list[dict[str, Any]]
    village_tiers: dict[str, tuple[th.Tier, ...]] = field(default_factory=dict)
    signal_rules: tuple[th.SignalRule, ...] = th.DEFAULT_SIGNAL_RULES
    triggers: tuple[th.ResponseTrigger, ...] = th.DEFAULT_RESPONSE_TRIGGERS
    # township id -> the rows of its latest forecast issue at the moment
    forecasts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # ("village" | "risk_point", id) -> responsible people, most important first
    responsible: dict[tuple[str, str], tuple[Responsible, ...]] = field(default_factory=dict)
    warnings: tuple[WarningInForce, ...] = ()


def _table(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _live(conn: Connection, model: type[SyncedRecord]) -> list[dict[str, Any]]:
    t = _table(model)
    return [dict(r) for r in conn.execute(select(t).where(t.c.deleted.is_(False))).mappings()]


def _epoch(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp())
    except ValueError:
        return None


def load_inputs(store: Store, at: int) -> SituationInputs:
    """Everything :func:`assess` needs from the store, read in one transaction."""
    with store.engine.connect() as conn:
        townships = _live(conn, Township)
        stations = _live(conn, Station)
        villages = _live(conn, Village)
        risk_points = _live(conn, RiskPoint)
        tier_rows = _live(conn, RainThreshold)
        signal_rows = _live(conn, RainSignalRule)
        trigger_rows = _live(conn, ResponseTrigger)
        forecast_rows = _live(conn, RainForecast)
        warning_rows = _live(conn, IssuedWarning)
        pr, people = _table(PersonRole), _table(Person)
        role_rows = [
            dict(r)
            for r in conn.execute(
                select(
                    pr.c.person_id,
                    pr.c.role,
                    pr.c.village_id,
                    pr.c.risk_point_id,
                    pr.c.valid_from,
                    pr.c.valid_to,
                    people.c.name,
                    people.c.mobile,
                )
                .join(people, people.c.id == pr.c.person_id)
                .where(
                    pr.c.deleted.is_(False),
                    people.c.deleted.is_(False),
                    pr.c.village_id.is_not(None) | pr.c.risk_point_id.is_not(None),
                )
            ).mappings()
        ]
    return SituationInputs(
        townships=townships,
        stations=stations,
        villages=villages,
        risk_points=risk_points,
        village_tiers=village_tiers(tier_rows),
        signal_rules=signal_rules(signal_rows),
        triggers=response_triggers(trigger_rows),
        forecasts=latest_forecasts(forecast_rows, at),
        responsible=responsible_by_place(role_rows, at),
        warnings=warnings_in_force(warning_rows, at),
    )


def warnings_in_force(rows: Iterable[dict[str, Any]], at: int) -> tuple[WarningInForce, ...]:
    """Warnings issued at or before ``at`` and not lifted by then, highest colour first."""
    out = []
    for r in rows:
        issued, until = _epoch(r.get("issued_at")), _epoch(r.get("until"))
        if issued is None or issued > at or (until is not None and until <= at):
            continue
        out.append(
            WarningInForce(
                warning_id=r["id"],
                kind=r["kind"],
                level=r["level"],
                township_id=r.get("township_id"),
                area=r.get("area") or "",
                issued_at=issued,
                until=until,
                issuer=r.get("issuer") or "",
            )
        )
    out.sort(key=lambda w: (-LEVEL_RANK.get(w.level, 0), -w.issued_at))
    return tuple(out)


def village_tiers(rows: Iterable[dict[str, Any]]) -> dict[str, tuple[th.Tier, ...]]:
    by_village: dict[str, list[th.Tier]] = {}
    for r in rows:
        mm = {
            h: float(v)
            for h in (1, 3, 6, 24)
            if isinstance(v := r.get(f"rain_{h}h_mm"), int | float)
        }
        if mm:
            by_village.setdefault(r["village_id"], []).append(th.Tier(r["level"], mm))
    return {k: tuple(v) for k, v in by_village.items()}


def signal_rules(rows: list[dict[str, Any]]) -> tuple[th.SignalRule, ...]:
    """The county's signal table, or the national defaults while it has no row."""
    rules = tuple(
        th.SignalRule(r["level"], int(r["hours"]), float(r["mm"]), r.get("basis") or "")
        for r in rows
        if r.get("mm") is not None
    )
    return rules or th.DEFAULT_SIGNAL_RULES


def response_triggers(rows: list[dict[str, Any]]) -> tuple[th.ResponseTrigger, ...]:
    """The county's response triggers, or the defaults while it has no row."""
    triggers = tuple(
        th.ResponseTrigger(
            r["level"],
            r["metric"],
            float(r["low"]),
            None if r.get("high") is None else float(r["high"]),
            bool(r.get("with_forecast")),
            r.get("basis") or "",
        )
        for r in rows
        if r.get("low") is not None
    )
    return triggers or th.DEFAULT_RESPONSE_TRIGGERS


def latest_forecasts(rows: Iterable[dict[str, Any]], at: int) -> dict[str, list[dict[str, Any]]]:
    """Per township, the rows of the newest issue at ``at`` (issued at or before it) whose
    period has not yet ended."""
    newest: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    for r in rows:
        issued, start = _epoch(r.get("issued_at")), _epoch(r.get("valid_from"))
        if issued is None or start is None or issued > at or r.get("mm") is None:
            continue
        if start + int(r["horizon_h"]) * HOUR <= at:
            continue
        row = {**r, "_start": start}
        held = newest.get(r["township_id"])
        if held is None or issued > held[0]:
            newest[r["township_id"]] = (issued, [row])
        elif issued == held[0]:
            held[1].append(row)
    return {town: rows_ for town, (_issued, rows_) in newest.items()}


def forecast_ahead(rows: list[dict[str, Any]], at: int) -> dict[int, float]:
    """The mm expected over each of the next 1/3/6/12/24 h from ``at``, from one issue's
    rows (uniform rate within each of its horizons), for the hours the issue covers."""
    if not rows:
        return {}
    start = int(rows[0]["_start"])
    curve = th.forecast_curve({int(r["horizon_h"]): float(r["mm"]) for r in rows})
    last = max(int(r["horizon_h"]) for r in rows)
    done = (at - start) / HOUR
    out: dict[int, float] = {}
    for h in FORECAST_HORIZONS:
        if done + h > last + 1e-9:
            break
        got = curve(np.array([done + h, max(done, 0.0)]))
        out[h] = round(float(got[0] - got[1]), 1)
    return out


def responsible_by_place(
    rows: Iterable[dict[str, Any]], at: int
) -> dict[tuple[str, str], tuple[Responsible, ...]]:
    day = beijing.to_beijing(datetime.fromtimestamp(at, tz=beijing.BEIJING)).date().isoformat()
    out: dict[tuple[str, str], list[tuple[int, Responsible]]] = {}
    for r in rows:
        if (r["valid_from"] and r["valid_from"] > day) or (r["valid_to"] and r["valid_to"] < day):
            continue
        key = (
            ("risk_point", r["risk_point_id"])
            if r["risk_point_id"]
            else ("village", r["village_id"])
        )
        person = Responsible(r["person_id"], r["name"], r["role"], r["mobile"])
        out.setdefault(key, []).append((ROLE_RANK.get(r["role"], len(ROLE_RANK)), person))
    return {
        k: tuple(p for _rank, p in sorted(v, key=lambda x: (x[0], x[1].name)))
        for k, v in out.items()
    }


# ---------------------------------------------------------------- assessment


@dataclass
class _Rain:
    station: dict[str, Any]
    series: th.RainSeries
    sums: dict[int, th.WindowSum]
    peak_1h: float


def _peak_1h(ts: th.IntArray, mm: th.FloatArray, at: int) -> float:
    """The highest 1 h sum over the last 24 h (at each reading's end)."""
    inside = (ts > at - DAY) & (ts <= at)
    if not inside.any():
        return 0.0
    vals = np.where(np.isfinite(mm), mm, 0.0)
    csum = np.concatenate(([0.0], np.cumsum(vals)))
    ends = np.nonzero(inside)[0]
    starts = np.searchsorted(ts, ts[ends] - HOUR, side="right")
    return float(np.max(csum[ends + 1] - csum[starts]))


def _xy(lon: float, lat: float) -> tuple[float, float]:
    """Kilometres east/north (equirectangular at the county's latitude: a few km at most
    off at county scale, enough to pick the nearest gauge)."""
    return lon * 111.32 * math.cos(math.radians(28.6)), lat * 110.57


def _where(*rows: dict[str, Any] | None) -> tuple[float, float] | None:
    for row in rows:
        if row and row.get("lon") is not None and row.get("lat") is not None:
            return float(row["lon"]), float(row["lat"])
    return None


class _Nearest:
    """The nearest rain station with readings to a point (and those near it)."""

    def __init__(self, rains: list[_Rain]) -> None:
        placed = [r for r in rains if _where(r.station) is not None]
        self._ids = [r.station["id"] for r in placed]
        pts = [_xy(*_where(r.station)) for r in placed]  # type: ignore[misc]
        self._xy = np.asarray(pts, dtype=np.float64).reshape(-1, 2)

    def many(self, points: list[tuple[float, float] | None]) -> list[str | None]:
        out: list[str | None] = [None] * len(points)
        if not self._ids:
            return out
        idx = [i for i, p in enumerate(points) if p is not None]
        if not idx:
            return out
        q = np.asarray([_xy(*points[i]) for i in idx], dtype=np.float64)  # type: ignore[misc]
        # Chunks keep the distance matrix small (2,000 places x 1,000 stations is 16 MB).
        for lo in range(0, len(idx), 512):
            part = q[lo : lo + 512]
            d = ((part[:, None, :] - self._xy[None, :, :]) ** 2).sum(axis=2)
            for j, k in enumerate(np.argmin(d, axis=1)):
                out[idx[lo + j]] = self._ids[int(k)]
        return out

    def around(
        self, points: list[tuple[float, float] | None], km: float, more: int
    ) -> list[list[str]]:
        """Per point: the nearest station, then up to ``more`` others within ``km``, nearest
        first (empty for a point without a position or with no station)."""
        out: list[list[str]] = [[] for _ in points]
        idx = [i for i, p in enumerate(points) if p is not None]
        if not self._ids or not idx:
            return out
        q = np.asarray([_xy(*points[i]) for i in idx], dtype=np.float64)  # type: ignore[misc]
        for lo in range(0, len(idx), 512):
            part = q[lo : lo + 512]
            d = ((part[:, None, :] - self._xy[None, :, :]) ** 2).sum(axis=2)
            for j, row in enumerate(d):
                first = int(np.argmin(row))
                within = np.nonzero(row <= km * km)[0]
                within = within[np.argsort(row[within], kind="stable")]
                near = [first, *[int(k) for k in within if k != first][:more]]
                out[idx[lo + j]] = [self._ids[k] for k in near]
        return out


def _tail_of(series: list[th.RainSeries]) -> Callable[[FloatArray], FloatArray]:
    if len(series) == 1:
        return series[0].tails

    def tail(seconds: FloatArray) -> FloatArray:
        return np.asarray(np.mean([s.tails(seconds) for s in series], axis=0), dtype=np.float64)

    return tail


def assess(inputs: SituationInputs, readings: ReadingsSource, at: int) -> Situation:
    """The situation at ``at`` (epoch seconds) from the inputs and the readings."""
    start = at - DAY
    town_by_id = {t["id"]: t for t in inputs.townships}
    village_by_id = {v["id"]: v for v in inputs.villages}

    # Stations: rain sums, levels against their lines.
    rains: dict[str, _Rain] = {}
    states: list[StationState] = []
    any_simulated = False
    for st in sorted(inputs.stations, key=lambda s: s["code"]):
        sid = st["id"]
        ts, mm = readings.series(sid, "rain", start + 1, at)
        rain: dict[int, float] = {}
        signal = ""
        incomplete: tuple[int, ...] = ()
        if len(ts):
            series = th.RainSeries(ts, mm, at)
            sums = series.sums()
            rains[sid] = _Rain(st, series, sums, _peak_1h(ts, mm, at))
            rain = {h: w.mm for h, w in sums.items()}
            reached = th.rainstorm_signal(rain, inputs.signal_rules)
            signal = reached.level if reached else ""
            incomplete = tuple(h for h, w in sums.items() if not w.complete)
        level_m: float | None = None
        level_at: int | None = None
        lts, lv = readings.series(sid, "level", at - LEVEL_MAX_AGE_S, at)
        finite = np.nonzero(np.isfinite(lv))[0]
        if len(finite):
            level_m, level_at = float(lv[finite[-1]]), int(lts[finite[-1]])
        simulated = bool(len(ts) or level_at is not None) and readings.simulated(sid, start, at)
        any_simulated = any_simulated or simulated
        states.append(
            StationState(
                station_id=sid,
                code=st["code"],
                name=st["name"],
                kind=st["kind"],
                township_id=st.get("township_id"),
                rain=rain,
                level_m=level_m,
                level_at=level_at,
                over=th.lines_over(level_m, st),
                signal=signal,
                simulated=simulated,
                incomplete=incomplete,
            )
        )

    nearest = _Nearest(list(rains.values()))
    by_town: dict[str, list[_Rain]] = {}
    for r in rains.values():
        if r.station.get("township_id"):
            by_town.setdefault(r.station["township_id"], []).append(r)

    # Townships: area rain, forecast, signal now and expected.
    town_order = sorted(inputs.townships, key=lambda t: t["name"])
    lonely = [t for t in town_order if t["id"] not in by_town]
    for t, sid in zip(lonely, nearest.many([_where(t) for t in lonely]), strict=True):
        if sid is not None:
            by_town[t["id"]] = [rains[sid]]
    forecasts = {
        tid: forecast_ahead(rows, at) for tid, rows in inputs.forecasts.items() if tid in town_by_id
    }
    projections: dict[tuple[str, tuple[tuple[int, float], ...]], th.Projection] = {}

    def expected(
        key: str,
        town_id: str,
        series: list[th.RainSeries],
        now: dict[int, float],
        level: str,
        rules: tuple[th.SignalRule, ...],
    ) -> th.Expected | None:
        """The highest rule above ``level`` the forecast of ``town_id`` brings within its
        horizon, and when. Skipped (exactly) when no such rule can be reached: a window's
        future sum is at most its sum now plus all the rain forecast."""
        forecast = forecasts.get(town_id, {})
        more = max(forecast.values(), default=0.0)
        if more <= 0 or not any(
            LEVEL_RANK[r.level] > LEVEL_RANK[level] and now.get(r.hours, 0.0) + more >= r.mm
            for r in rules
        ):
            return None
        cache = (key, tuple(sorted(forecast.items())))
        held = projections.get(cache)
        if held is None:
            held = th.Projection(_tail_of(series), forecast)
            projections[cache] = held
        return held.expected(rules)

    # Places: villages, then risk points.
    endangered: list[Endangered] = []
    state_by_id = {st.station_id: st for st in states}
    places: list[tuple[str, dict[str, Any], tuple[th.Tier, ...], str | None]] = []
    for v in inputs.villages:
        tiers = inputs.village_tiers.get(v["id"], ())
        if tiers or v.get("station_id") in state_by_id:
            places.append(("village", v, tiers, v.get("station_id")))
    for rp in inputs.risk_points:
        tiers = th.risk_point_tiers(rp) or inputs.village_tiers.get(rp.get("village_id") or "", ())
        village = village_by_id.get(rp.get("village_id") or "")
        assigned = rp.get("station_id") or (village or {}).get("station_id")
        if tiers or assigned in state_by_id:
            places.append(("risk_point", rp, tiers, assigned))
    unassigned = [i for i, p in enumerate(places) if p[2] and p[3] not in rains]
    found = nearest.around(
        [
            _where(
                places[i][1],
                village_by_id.get(places[i][1].get("village_id") or ""),
                town_by_id.get(places[i][1].get("township_id") or ""),
            )
            for i in unassigned
        ],
        NEAR_KM,
        NEAR_MORE,
    )
    rain_of: dict[int, list[str]] = {i: [p[3]] if p[3] else [] for i, p in enumerate(places)}
    rain_of.update(zip(unassigned, found, strict=True))

    def judged(
        gauge: _Rain, town_id: str, tiers: tuple[th.Tier, ...]
    ) -> tuple[str, str, float | None, list[str]]:
        """The place's level, expected level and hours, and reasons, on one gauge's rain."""
        place_sums = {h: w.mm for h, w in gauge.sums.items()}
        rules = th.tier_rules(tiers)
        reached = th.rainstorm_signal(place_sums, rules)
        level = reached.level if reached else ""
        expected_level, expected_in = "", None
        key = gauge.station["id"]
        exp = expected(key, town_id, [gauge.series], place_sums, level, rules)
        if exp is not None and LEVEL_RANK[exp.threshold.level] > LEVEL_RANK[level]:
            expected_level, expected_in = exp.threshold.level, exp.in_h
        why: list[str] = []
        if reached is not None:
            why.append(th.reason_text(reached))
        if exp is not None and expected_level:
            why.append(f"预计{th.hours_text(exp.in_h)}达{expected_level}色临界雨量")
        gaps = th.incomplete_note(gauge.sums)
        if gaps and why:
            why[-1] += f"（{gaps}）"
        return level, expected_level, expected_in, why

    def worse(
        a: tuple[str, str, float | None, list[str]], b: tuple[str, str, float | None, list[str]]
    ) -> bool:
        """``a`` is worse than ``b``: a higher level, else a higher expected level, else the
        same expected level sooner."""
        soon_a = a[2] if a[2] is not None else math.inf
        soon_b = b[2] if b[2] is not None else math.inf
        return (LEVEL_RANK[a[0]], LEVEL_RANK[a[1]], -soon_a) > (
            LEVEL_RANK[b[0]],
            LEVEL_RANK[b[1]],
            -soon_b,
        )

    for i, (kind, row, tiers, assigned) in enumerate(places):
        town_id = row.get("township_id")
        level, expected_level, expected_in = "", "", None
        why: list[str] = []
        gauge: _Rain | None = None
        candidates = [rains[sid] for sid in rain_of[i] if sid in rains] if tiers else []
        if len(candidates) > 1:  # only those at the highest level now can be the worst
            rules = th.tier_rules(tiers)
            now = [
                th.rainstorm_signal({h: w.mm for h, w in g.sums.items()}, rules) for g in candidates
            ]
            ranks = [LEVEL_RANK[r.level] if r else 0 for r in now]
            candidates = [g for g, r in zip(candidates, ranks, strict=True) if r == max(ranks)]
        if candidates:
            for candidate in candidates:
                verdict = judged(candidate, town_id or "", tiers)
                if gauge is None or worse(verdict, (level, expected_level, expected_in, why)):
                    gauge = candidate
                    level, expected_level, expected_in, why = verdict
        # The water lines of an assigned level station (a reservoir, a river gauge).
        lines = state_by_id.get(assigned or "")
        line_level = th.line_level(lines.over) if lines is not None else ""
        if lines is not None and line_level:
            level = higher(level, line_level)
            why.append(th.line_reason(lines.name, lines.level_m, lines.over))
            if LEVEL_RANK[expected_level] <= LEVEL_RANK[level]:
                expected_level, expected_in = "", None
        if not level and not expected_level:
            continue
        village_id = row["id"] if kind == "village" else row.get("village_id")
        endangered.append(
            Endangered(
                kind=kind,
                place_id=row["id"],
                name=row["name"],
                township_id=town_id,
                village_id=village_id,
                level=level,
                expected_level=expected_level,
                expected_in_h=expected_in,
                reason="；".join(why),
                station_id=gauge.station["id"] if gauge is not None else assigned,
                households=row.get("households"),
                persons=row.get("persons") if kind == "risk_point" else row.get("population"),
                responsible=inputs.responsible.get((kind, row["id"]), ()),
            )
        )
    endangered.sort(key=lambda e: (-LEVEL_RANK[e.level], -LEVEL_RANK[e.expected_level], e.name))

    towns: list[TownshipState] = []
    for t in town_order:
        tid = t["id"]
        members = by_town.get(tid, [])
        forecast = forecasts.get(tid, {})
        observed: dict[int, float] = {}
        peak: float | None = None
        short: list[int] = []  # windows whose mean rests on incomplete readings
        for h in RAIN_WINDOWS if members else ():
            # A gauge silent for part of the window would pull the mean down: the complete
            # ones give it while there are any.
            whole = [m.sums[h].mm for m in members if m.sums[h].complete]
            if not whole:
                whole = [m.sums[h].mm for m in members]
                short.append(h)
            observed[h] = round(float(np.mean(whole)), 1)
        if members:
            peak = round(max(m.peak_1h for m in members), 1)
        reached = th.rainstorm_signal(observed, inputs.signal_rules) if observed else None
        signal = reached.level if reached else ""
        expected_signal, expected_in, note = "", None, ""
        if members and any(v > 0 for v in forecast.values()):
            key = "+".join(sorted(m.station["id"] for m in members))
            exp = expected(
                key, tid, [m.series for m in members], observed, signal, inputs.signal_rules
            )
            if exp is not None and LEVEL_RANK[exp.threshold.level] > LEVEL_RANK[signal]:
                expected_signal, expected_in = exp.threshold.level, exp.in_h
                note = th.expected_note(observed, forecast, exp)
        if not note and reached is not None:
            note = th.reason_text(reached, "暴雨预警信号标准")
        if short:
            gaps = "数据不全：" + "、".join(f"{h}小时" for h in short)
            note = f"{note}；{gaps}" if note else gaps
        if members and not any(m.station.get("township_id") == tid for m in members):
            proxy = f"本乡镇无雨量站，取最近站（{members[0].station['name']}）"
            note = f"{note}；{proxy}" if note else proxy
        proposed = signal
        for e in endangered:
            if e.township_id == tid:
                proposed = higher(proposed, e.level)
        towns.append(
            TownshipState(
                township_id=tid,
                name=t["name"],
                observed=observed,
                peak_1h=peak,
                forecast=forecast,
                signal=signal,
                expected_signal=expected_signal,
                expected_in_h=expected_in,
                proposed_warning=proposed,
                note=note,
            )
        )

    measures = _measures(states, towns, rains)
    response, reasons = th.propose_response(measures, inputs.triggers)
    return Situation(
        at=at,
        townships=tuple(towns),
        stations=tuple(states),
        endangered=tuple(endangered),
        proposed_response=response,
        response_reasons=reasons,
        simulated=any_simulated,
        warnings=inputs.warnings,
    )


def _measures(
    states: list[StationState], towns: list[TownshipState], rains: dict[str, _Rain]
) -> th.Measures:
    area = [t.observed[24] for t in towns if 24 in t.observed]
    return th.Measures(
        area_24h=round(float(np.mean(area)), 1) if area else 0.0,
        point_3h=max((r.sums[3].mm for r in rains.values()), default=0.0),
        point_24h=max((r.sums[24].mm for r in rains.values()), default=0.0),
        reservoirs_over=sum(
            1 for s in states if s.kind == catalog.RESERVOIR and "汛限水位" in s.over
        ),
        over_warning=sum(1 for s in states if "警戒水位" in s.over),
        over_guarantee=sum(1 for s in states if "保证水位" in s.over),
        more_forecast=any(v > 0 for t in towns for v in t.forecast.values()),
    )


def evaluate(store: Store, readings: ReadingsSource, at: int) -> Situation:
    """The situation at ``at``: :func:`load_inputs` then :func:`assess`."""
    return assess(load_inputs(store, at), readings, at)
