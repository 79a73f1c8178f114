"""Repeat calls: does a new call look like an open incident (same category, nearby place,
within a configurable time window)? Then the form offers to attach it as a follow-up call."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import RowMapping

from console.domain import beijing
from console.domain.schema import Incident
from console.domain.workflow import CLOSED
from console.store.database import Store

DEFAULT_WINDOW = timedelta(hours=6)
NEARBY_KM = 3.0


@dataclass(frozen=True)
class Candidate:
    incident_id: str
    title: str
    received_at: str
    status: str
    reason: str  # why it matched, Chinese, shown in the offer


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


def find_candidates(
    store: Store, call: Mapping[str, Any], *, window: timedelta = DEFAULT_WINDOW, limit: int = 5
) -> list[Candidate]:
    """Open incidents of the same category near the call's place and time, best first."""
    category = call.get("category")
    if not category:
        return []
    received = beijing.parse(call.get("received_at") or beijing.canonical(beijing.now()))
    table = Incident.__table__
    assert isinstance(table, Table)
    stmt = (
        select(
            table.c.id,
            table.c.title,
            table.c.received_at,
            table.c.status,
            table.c.township_id,
            table.c.village_id,
            table.c.lon,
            table.c.lat,
        )
        .where(
            table.c.deleted.is_(False),
            table.c.status != CLOSED,
            table.c.category == category,
            table.c.received_at >= beijing.canonical(received - window),
            table.c.received_at <= beijing.canonical(received + window),
        )
        .order_by(table.c.received_at.desc())
        .limit(500)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    scored: list[tuple[int, datetime, Candidate]] = []
    for row in rows:
        reason, score = _match(call, row)
        if reason:
            at = beijing.parse(row["received_at"])
            scored.append(
                (
                    score,
                    at,
                    Candidate(row["id"], row["title"], row["received_at"], row["status"], reason),
                )
            )
    scored.sort(key=lambda t: (-t[0], -t[1].timestamp()))
    return [c for _, _, c in scored[:limit]]


def _match(call: Mapping[str, Any], row: RowMapping) -> tuple[str, int]:
    if call.get("village_id") and call["village_id"] == row["village_id"]:
        return "同一村、同类事件", 3
    lon, lat = call.get("lon"), call.get("lat")
    if lon is not None and lat is not None and row["lon"] is not None and row["lat"] is not None:
        km = _km(float(lon), float(lat), row["lon"], row["lat"])
        if km <= NEARBY_KM:
            return f"相距约 {km:.1f} 公里、同类事件", 2
    if call.get("township_id") and call["township_id"] == row["township_id"]:
        return "同一乡镇、同类事件", 1
    return "", 0
