"""The sample county's teams in action (issue 14): each team's equipment as counted rows
(read from its free-text 主要装备), a unit and three named members per team, and, dated from
the load, the members' certificates and a few teams not on standby.

Ids come from natural keys (reference_tables): a member is team + person, equipment team +
name, a certificate person + name, so a second load converges on the same records.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from console.domain import beijing, catalog
from console.domain.ids import reference_id
from console.domain.rows import MutationCall

# "风力灭火机8台" -> (风力灭火机, 8, 台); "土工布2000平方米" -> (土工布, 2000, 平方米).
_ITEM = re.compile(r"^\s*(?P<name>\D+?)\s*(?P<count>\d+)\s*(?P<unit>\D{0,8})\s*$")
_SEPARATORS = re.compile(r"[、，,；;]")
# The second and third member of the sample teams (names as the sample writes them; not the
# surnames of the sample duty staff in sample_roster, whose names stay unique).
_MEMBER_NAMES = ("孙某某", "李某某", "周某某", "吴某某", "郑某某", "冯某某", "陈某某", "褚某某")
RESCUER_CERTIFICATE = "红十字救护员证"
# Sample teams that are not on standby when the sample loads: (team, status, hours ago).
_STATUSES: tuple[tuple[str, str, int], ...] = (
    ("北界镇森林消防应急二队", catalog.TEAM_RESTING, 5),
    ("金竹镇森林消防应急二队", catalog.TEAM_UNAVAILABLE, 30),
    ("遂昌飞鹰救援队", catalog.TEAM_RESTING, 2),
)


def equipment_items(text: str) -> list[tuple[str, int, str]]:
    """The (name, count, unit) items of a free-text equipment list; parts without a count
    are left out (the text stays on the team, readable)."""
    items: list[tuple[str, int, str]] = []
    for part in _SEPARATORS.split(text or ""):
        match = _ITEM.match(part)
        if match is not None:
            items.append((match["name"][:40], int(match["count"]), match["unit"]))
    return items


def _skills(kind: str) -> str:
    if "森林消防" in kind:
        return "扑火、风力灭火机操作"
    if kind == "专业抢险队伍":
        return "工程抢险、机械操作"
    return "水域救援、绳索救援"


def _mobile(index: int, seat: int) -> str:
    """The sample's fictitious numbers (1380000xxxx, as every sample person's): the
    teams' members from 13800001000 on, clear of the file's people."""
    return f"1380000{1000 + index * 3 + seat}"


def _rescuer_mobile(index: int) -> str:
    return _mobile(index, 2)


def team_calls(data: dict[str, Any]) -> list[MutationCall]:
    """Units, people, members and equipment of the sample teams (no clock: deterministic)."""
    calls: list[MutationCall] = []
    for index, team in enumerate(data["teams"]):
        team_id = reference_id("team", team["name"])
        township = team.get("township")
        unit_id = reference_id("unit", team["name"])
        calls.append(
            (
                "unit.upsert",
                {
                    "id": unit_id,
                    "name": team["name"],
                    "kind": "队伍",
                    "township_id": reference_id("township", township) if township else None,
                    "phone": team.get("phone") or "",
                    "is_sample": True,
                },
            )
        )
        people = (
            (team["leader"], team["phone"], "队长", _skills(team["kind"])),
            (_MEMBER_NAMES[index % 8], _mobile(index, 1), "副队长", _skills(team["kind"])),
            (_MEMBER_NAMES[(index + 3) % 8], _rescuer_mobile(index), "救护员", "现场急救"),
        )
        for name, mobile, role, skills in people:
            person_id = reference_id("person", mobile)
            calls.append(
                (
                    "person.upsert",
                    {
                        "id": person_id,
                        "name": name,
                        "unit_id": unit_id,
                        "post": role,
                        "mobile": mobile,
                        "is_sample": True,
                    },
                )
            )
            calls.append(
                (
                    "team_member.upsert",
                    {
                        "id": reference_id("team_member", team_id, person_id),
                        "team_id": team_id,
                        "person_id": person_id,
                        "role": role,
                        "skills": skills,
                        # One sample member is off, so the board's available count differs.
                        "available": not (role == "副队长" and index % 5 == 4),
                        "is_sample": True,
                    },
                )
            )
        for name, count, unit in equipment_items(team.get("equipment") or ""):
            calls.append(
                (
                    "team_equipment.upsert",
                    {
                        "id": reference_id("team_equipment", team_id, name),
                        "team_id": team_id,
                        "name": name,
                        "count": count,
                        "unit": unit,
                        "is_sample": True,
                    },
                )
            )
    return calls


def team_state_calls(data: dict[str, Any], now: datetime) -> list[MutationCall]:
    """The rescuers' certificates (one in seven lapsed, one in seven lapsing within the
    month) and the teams not on standby, dated from ``now``."""
    calls: list[MutationCall] = []
    today = now.date()
    for index, _team in enumerate(data["teams"]):
        person_id = reference_id("person", _rescuer_mobile(index))
        offset = (-20, 12, 400, 700, 900, 300, 500)[index % 7]
        calls.append(
            (
                "certificate.upsert",
                {
                    "id": reference_id("certificate", person_id, RESCUER_CERTIFICATE),
                    "person_id": person_id,
                    "name": RESCUER_CERTIFICATE,
                    "number": f"HSZ{index + 1:05d}",
                    "expires_on": (today + timedelta(days=offset)).isoformat(),
                    "is_sample": True,
                },
            )
        )
    names = {t["name"] for t in data["teams"]}
    for name, status, hours in _STATUSES:
        if name in names:
            at = beijing.canonical(now.replace(second=0, microsecond=0) - timedelta(hours=hours))
            calls.append(
                ("team.set_status", {"id": reference_id("team", name), "status": status, "at": at})
            )
    return calls
