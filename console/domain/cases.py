"""案例一个库 (issue 13): which past cases are like the current situation, and why.

Pure scoring, no I/O: a case scores for the same hazard (or one of its family), the same
township, the same rain pattern and the same season; the reason is shown in Chinese beside
the case, part by part, so the officer sees why it was offered.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.domain import catalog

# Points per likeness (shown in the reason's order).
SAME_HAZARD = 40
SAME_FAMILY = 20
SAME_TOWNSHIP = 25
SAME_RAIN_PATTERN = 20
SAME_MONTH = 15
NEXT_MONTH = 10

# Hazards that go together: a landslide case teaches about a debris flow too.
HAZARD_FAMILIES: dict[str, tuple[str, ...]] = {
    "地质灾害": ("滑坡", "崩塌", "泥石流", "地面塌陷"),
    "洪水": ("山洪", "洪涝"),
    "气象灾害": ("台风", "暴雨"),
}
_FAMILY_OF = {h: family for family, hs in HAZARD_FAMILIES.items() for h in hs}


@dataclass(frozen=True)
class Situation:
    """What is happening now, as far as likeness goes ("" / None: unknown)."""

    hazard: str = ""
    township_id: str | None = None
    township_name: str = ""
    rain_pattern: str = ""
    month: int | None = None  # 1-12


@dataclass(frozen=True)
class Likeness:
    case_id: str
    score: int
    reason: str


def hazard_of_incident(category: str, subtype: str, sub_hazard: str, text: str = "") -> str:
    """The case hazard an incident is filed under ("" when none fits): its sub-hazard when
    the library knows it, 森林火灾 by subtype, 山洪 when the call says so."""
    if sub_hazard in catalog.CASE_HAZARDS and sub_hazard != catalog.OTHER:
        return sub_hazard
    if subtype == "森林火灾":
        return "森林火灾"
    if "山洪" in text:
        return "山洪"
    for hazard in ("泥石流", "滑坡", "崩塌", "洪涝", "台风", "暴雨"):
        if hazard in text:
            return hazard
    return ""


def rain_pattern_of(text: str, hazard: str = "") -> str:
    """The rain pattern a situation's words or hazard show ("" when they show none)."""
    if hazard == "台风" or "台风" in text:
        return "台风雨"
    if "梅雨" in text or "入梅" in text:
        return "梅雨"
    if "短时强降雨" in text or "雷阵雨" in text:
        return "短时强降雨"
    return ""


def _month_gap(a: int, b: int) -> int:
    gap = abs(a - b) % 12
    return gap if gap <= 6 else 12 - gap


def likeness(
    situation: Situation, case: Mapping[str, Any], township_names: Mapping[str, str]
) -> Likeness:
    """How like the situation a case is: its score and the reason, part by part."""
    score = 0
    parts: list[str] = []
    hazard = case.get("hazard") or ""
    if situation.hazard and hazard == situation.hazard:
        score += SAME_HAZARD
        parts.append(f"同为{hazard}")
    elif (
        situation.hazard
        and _FAMILY_OF.get(hazard)
        and (_FAMILY_OF.get(hazard) == _FAMILY_OF.get(situation.hazard))
    ):
        score += SAME_FAMILY
        parts.append(f"同属{_FAMILY_OF[hazard]}（{hazard}）")
    township = case.get("township_id")
    if situation.township_id and township == situation.township_id:
        score += SAME_TOWNSHIP
        name = township_names.get(township) or situation.township_name or "该乡镇"
        parts.append(f"同在{name}")
    pattern = case.get("rain_pattern") or ""
    if situation.rain_pattern and pattern == situation.rain_pattern:
        score += SAME_RAIN_PATTERN
        parts.append(f"同为{pattern}")
    day = case.get("occurred_on") or ""
    if situation.month is not None and len(day) >= 7 and day[5:7].isdigit():
        month = int(day[5:7])
        gap = _month_gap(month, situation.month)
        if gap == 0:
            score += SAME_MONTH
            parts.append(f"同为{month}月")
        elif gap == 1:
            score += NEXT_MONTH
            parts.append(f"季节相近（{month}月）")
    return Likeness(str(case["id"]), score, "；".join(parts))


def score(situation: Situation, case: Mapping[str, Any]) -> int:
    """The likeness score alone (what :func:`likeness` adds up, without the reason)."""
    total = 0
    hazard = case.get("hazard") or ""
    if situation.hazard:
        if hazard == situation.hazard:
            total += SAME_HAZARD
        elif _FAMILY_OF.get(hazard) and _FAMILY_OF.get(hazard) == _FAMILY_OF.get(situation.hazard):
            total += SAME_FAMILY
    if situation.township_id and case.get("township_id") == situation.township_id:
        total += SAME_TOWNSHIP
    if situation.rain_pattern and case.get("rain_pattern") == situation.rain_pattern:
        total += SAME_RAIN_PATTERN
    day = case.get("occurred_on") or ""
    if situation.month is not None and len(day) >= 7 and day[5:7].isdigit():
        gap = _month_gap(int(day[5:7]), situation.month)
        total += SAME_MONTH if gap == 0 else NEXT_MONTH if gap == 1 else 0
    return total


def similar(
    situation: Situation,
    cases: Iterable[Mapping[str, Any]],
    township_names: Mapping[str, str],
    limit: int = 10,
) -> list[Likeness]:
    """The cases like the situation, most alike first (then the most recent); a case with
    nothing in common is left out. Scored first; the reasons are written for the best."""
    scored = [(score(situation, c), c) for c in cases]
    best = heapq.nsmallest(
        limit,
        ((s, c) for s, c in scored if s > 0),
        key=lambda sc: (
            -sc[0],
            not sc[1].get("occurred_on"),
            _desc(sc[1].get("occurred_on") or ""),
            str(sc[1]["id"]),
        ),
    )
    return [likeness(situation, c, township_names) for _s, c in best]


def _desc(day: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in day)
