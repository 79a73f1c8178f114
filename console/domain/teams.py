"""Teams in action (issue 14), the pure rules: certificate warnings, distances, which teams
suit an incident, and the board's filter "what can reach 北界镇 with 风力灭火机".

No clock, no I/O: callers pass today and the records (plain dicts).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from console.domain import catalog

WARN_DAYS = 30  # a certificate is flagged this many days before it lapses
LAPSED = "已过期"
LAPSING = "即将到期"
# The equipment the board counts per team (the first of these a team holds are shown).
KEY_EQUIPMENT: tuple[str, ...] = (
    "风力灭火机",
    "高压细水雾灭火机",
    "冲锋舟",
    "橡皮艇",
    "无人机",
    "挖掘机",
    "抽水泵",
    "发电机",
)
# Team kinds suited to an incident, by (category, subtype); a subtype not listed falls back
# to its category's, then to the default. The first kinds suit best.
_FOREST = ("乡镇森林消防队", "村级森林消防队", "综合性应急救援队")
_WATER = ("综合性应急救援队", "社会救援力量", "专业抢险队伍")
SUITED_KINDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("自然灾害", "森林火灾"): _FOREST,
    ("自然灾害", "水旱"): _WATER,
    ("自然灾害", "气象"): _WATER,
    ("自然灾害", "地质"): ("专业抢险队伍", "综合性应急救援队", "社会救援力量"),
    ("事故灾难", "交通运输"): ("综合性应急救援队", "专业抢险队伍"),
    ("事故灾难", "火灾"): ("综合性应急救援队", "乡镇森林消防队"),
    ("事故灾难", "公共设施设备"): ("专业抢险队伍", "综合性应急救援队"),
    ("自然灾害", ""): ("综合性应急救援队", "社会救援力量", "专业抢险队伍"),
    ("事故灾难", ""): ("综合性应急救援队", "专业抢险队伍"),
}
DEFAULT_KINDS: tuple[str, ...] = ("综合性应急救援队", "社会救援力量")


def certificate_state(expires_on: str | None, today: date) -> str:
    """已过期, 即将到期 (within :data:`WARN_DAYS`), or "" (valid, or no expiry)."""
    if not expires_on:
        return ""
    try:
        expiry = date.fromisoformat(expires_on)
    except ValueError:
        return ""
    if expiry < today:
        return LAPSED
    if (expiry - today).days <= WARN_DAYS:
        return LAPSING
    return ""


def distance_km(a_lon: Any, a_lat: Any, b_lon: Any, b_lat: Any) -> float | None:
    """Great-circle distance in km; None when a position is missing."""
    if None in (a_lon, a_lat, b_lon, b_lat):
        return None
    lat1, lat2 = math.radians(float(a_lat)), math.radians(float(b_lat))
    dlat = lat2 - lat1
    dlon = math.radians(float(b_lon) - float(a_lon))
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def suited_kinds(category: str, subtype: str) -> tuple[str, ...]:
    return SUITED_KINDS.get((category, subtype), SUITED_KINDS.get((category, ""), DEFAULT_KINDS))


def available_people(team: Mapping[str, Any], unavailable_members: int) -> int:
    """The team's headcount less the members recorded as off; 0 unless on standby."""
    if team.get("status", catalog.TEAM_STANDBY) != catalog.TEAM_STANDBY:
        return 0
    return max(0, int(team.get("members") or 0) - unavailable_members)


@dataclass(frozen=True)
class Suggestion:
    team: dict[str, Any]
    distance_km: float | None
    suited: bool  # its kind suits the incident
    standby: bool

    def reason(self) -> str:
        parts = [self.team.get("status") or catalog.TEAM_STANDBY]
        if self.suited:
            parts.append("类型对口")
        if self.distance_km is not None:
            parts.append(f"约 {self.distance_km:.1f} 公里")
        return "，".join(parts)


def suggest(
    incident: Mapping[str, Any],
    teams: Iterable[dict[str, Any]],
    origin: tuple[Any, Any] | None = None,
) -> list[Suggestion]:
    """Every team, best first: on standby, then of a kind suited to the incident (in the
    order of :func:`suited_kinds`), then nearest to ``origin`` (the incident's position, or
    its township's when it has none). Teams without a position come last among equals."""
    kinds = suited_kinds(str(incident.get("category") or ""), str(incident.get("subtype") or ""))
    lon, lat = origin if origin is not None else (incident.get("lon"), incident.get("lat"))
    found = [
        Suggestion(
            team,
            distance_km(lon, lat, team.get("lon"), team.get("lat")),
            team.get("kind") in kinds,
            team.get("status", catalog.TEAM_STANDBY) == catalog.TEAM_STANDBY,
        )
        for team in teams
    ]

    def order(s: Suggestion) -> tuple[int, int, float, str]:
        rank = kinds.index(s.team["kind"]) if s.suited else len(kinds)
        far = s.distance_km if s.distance_km is not None else math.inf
        return (0 if s.standby else 1, rank, far, str(s.team.get("name") or ""))

    return sorted(found, key=order)


@dataclass(frozen=True)
class Reach:
    """The board's filter: teams holding ``equipment`` (name contains it, count > 0) within
    ``max_km`` of ``origin`` (or in ``township_id``), on standby if ``standby_only``."""

    equipment: str = ""
    township_id: str | None = None
    origin: tuple[Any, Any] | None = None
    max_km: float | None = None
    standby_only: bool = False

    def matches(
        self, team: Mapping[str, Any], equipment: Iterable[Mapping[str, Any]]
    ) -> tuple[bool, float | None]:
        """(matches, distance from the origin in km)."""
        if self.standby_only and team.get("status") != catalog.TEAM_STANDBY:
            return False, None
        wanted = self.equipment.strip()
        if wanted and not any(
            wanted in str(e.get("name") or "") and int(e.get("count") or 0) > 0 for e in equipment
        ):
            return False, None
        km = None
        if self.origin is not None:
            km = distance_km(*self.origin, team.get("lon"), team.get("lat"))
        if self.max_km is not None and self.township_id is not None:
            in_township = team.get("township_id") == self.township_id
            if not in_township and (km is None or km > self.max_km):
                return False, km
        return True, km
