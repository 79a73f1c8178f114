"""The flood situation at one moment: what the threshold engine says about rain, water and
the places at risk.

This is the contract between the engine that computes it (``console/domain/thresholds.py``
and ``console/services/situation.py``) and everything that shows or records it: the
研判一张单, the map's warning colours, the alerts and the wall. Plain frozen data: no Qt, no
I/O, so the server, the CLI and the tests can build and read it.

Times are epoch seconds (UTC); rain in mm; levels in m. Warning levels use the four colours
of the Chinese warning system, lowest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Warning colours, lowest first ("" = none). Compare with LEVEL_RANK, never with strings.
WARNING_LEVELS: tuple[str, ...] = ("蓝", "黄", "橙", "红")
LEVEL_RANK: dict[str, int] = {"": 0, **{level: i + 1 for i, level in enumerate(WARNING_LEVELS)}}
# Emergency response levels, lowest first (IV is the lowest, I the highest).
RESPONSE_LEVELS: tuple[str, ...] = ("IV", "III", "II", "I")
RESPONSE_RANK: dict[str, int] = {
    "": 0,
    **{level: i + 1 for i, level in enumerate(RESPONSE_LEVELS)},
}
# The windows rain is summed over, in hours.
RAIN_WINDOWS: tuple[int, ...] = (1, 3, 6, 12, 24)


def higher(a: str, b: str) -> str:
    """The higher of two warning colours ("" is below 蓝)."""
    return a if LEVEL_RANK[a] >= LEVEL_RANK[b] else b


@dataclass(frozen=True)
class Responsible:
    """Someone to call about a place, from the person_roles table."""

    person_id: str
    name: str
    role: str
    mobile: str


@dataclass(frozen=True)
class StationState:
    """One station at the moment: rain sums, or its level against its lines."""

    station_id: str
    code: str
    name: str
    kind: str
    township_id: str | None
    rain: dict[int, float] = field(default_factory=dict)  # hours -> mm observed
    level_m: float | None = None
    level_at: int | None = None
    # Lines crossed by the level, e.g. ("警戒水位",) or ("汛限水位", "警戒水位").
    over: tuple[str, ...] = ()
    signal: str = ""  # rainstorm-signal colour the station's sums reach
    simulated: bool = False  # any reading behind it came from the simulator (模拟)
    # Windows (hours) its rain readings do not cover whole (a silent gauge): their sums are
    # what arrived, not the rain that fell.
    incomplete: tuple[int, ...] = ()


@dataclass(frozen=True)
class Endangered:
    """A village or risk point whose critical rainfall (or water line) is reached or
    expected to be."""

    kind: str  # "village" | "risk_point"
    place_id: str
    name: str
    township_id: str | None
    village_id: str | None
    level: str  # warning colour reached, one of WARNING_LEVELS
    expected_level: str  # colour expected with the forecast ("" when none beyond level)
    expected_in_h: float | None  # hours until expected_level at the forecast rate
    reason: str  # Chinese, e.g. "3小时雨量 62 毫米，已达橙色临界雨量 60 毫米"
    station_id: str | None  # the station whose rain was used
    households: int | None = None
    persons: int | None = None
    responsible: tuple[Responsible, ...] = ()


@dataclass(frozen=True)
class TownshipState:
    """Area rain for one township: observed sums and the forecast, and the warning the
    rainstorm-signal table proposes."""

    township_id: str
    name: str
    observed: dict[int, float] = field(default_factory=dict)  # hours -> mm (area mean)
    peak_1h: float | None = None
    forecast: dict[int, float] = field(default_factory=dict)  # hours ahead -> mm
    signal: str = ""  # from observed rain
    expected_signal: str = ""  # with the forecast added
    expected_in_h: float | None = None
    proposed_warning: str = ""  # the higher of signal and endangered places' levels
    # Chinese explanation, e.g. "已 62 毫米/3小时，预报再 40 毫米：约 2 小时后达红色"
    note: str = ""


@dataclass(frozen=True)
class WarningInForce:
    """A warning issued (the warnings table) and not yet lifted at the moment."""

    warning_id: str
    kind: str  # 暴雨 / 台风 / 山洪 / 地质灾害
    level: str  # one of WARNING_LEVELS
    township_id: str | None
    area: str  # the area as written ("" when the township says it)
    issued_at: int
    until: int | None
    issuer: str


@dataclass(frozen=True)
class Situation:
    """Everything the engine says at ``at``."""

    at: int
    townships: tuple[TownshipState, ...] = ()
    stations: tuple[StationState, ...] = ()
    endangered: tuple[Endangered, ...] = ()
    proposed_response: str = ""  # one of RESPONSE_LEVELS or ""
    response_reasons: tuple[str, ...] = ()  # Chinese, one per trigger met
    simulated: bool = False  # built (partly) from simulated readings: show 模拟
    # Warnings issued and not lifted at ``at``, highest first.
    warnings: tuple[WarningInForce, ...] = ()

    @property
    def highest_warning(self) -> str:
        level = ""
        for township in self.townships:
            level = higher(level, township.proposed_warning)
        return level

    def crossings(self) -> tuple[str, ...]:
        """Stable keys of every threshold crossed, for alerts that fire once per crossing:
        ``"place:<id>:<level>"``, ``"station:<id>:<line>"``, ``"township:<id>:<signal>"``."""
        keys = [f"place:{e.place_id}:{e.level}" for e in self.endangered if e.level]
        keys += [f"station:{s.station_id}:{line}" for s in self.stations for line in s.over]
        keys += [f"township:{t.township_id}:{t.signal}" for t in self.townships if t.signal]
        return tuple(keys)
