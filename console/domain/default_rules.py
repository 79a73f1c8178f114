"""The default 信息报送 rules as mutation calls, for the workstation and the server.

A workstation working standalone and the server both load exactly these (as
:data:`~console.domain.roles.SYSTEM_USER`); the ids come from the rule's key, so the two
copies are the same records and never duplicate.

Stores made before the rules knew subtypes, schedules and sources hold the first default
table; :func:`upgrade_calls` replaces the rows of it the county never edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from console.domain.ids import reference_id
from console.domain.reporting import DEFAULT_RULES, V1_RULES, DefaultRule
from console.domain.roles import SYSTEM_USER
from console.domain.rows import MutationCall


def rule_id(
    category: str,
    grade: str,
    stage: str,
    channel: str,
    *,
    subtype: str = "",
    sub_hazard: str = "",
    schedule: str = "",
) -> str:
    """A rule's id from its key. Rules of the first table (no subtype, sub-hazard or
    schedule in the key) keep the ids they were created with."""
    if not (subtype or sub_hazard or schedule):
        return reference_id("report_rule", category, grade, stage, channel)
    return reference_id(
        "report_rule", category, subtype, sub_hazard, grade, stage, channel, schedule
    )


def _args(r: DefaultRule) -> dict[str, Any]:
    return {
        "id": rule_id(
            r.category,
            r.grade,
            r.stage,
            r.channel,
            subtype=r.subtype,
            sub_hazard=r.sub_hazard,
            schedule=r.schedule,
        ),
        "category": r.category,
        "subtype": r.subtype,
        "sub_hazard": r.sub_hazard,
        "grade": r.grade,
        "stage": r.stage,
        "channel": r.channel,
        "schedule": r.schedule,
        "minutes": r.minutes,
        "daily_at": r.daily_at,
        "window_days": r.window_days,
        "enabled": True,
        "source": r.source,
        "basis": r.basis,
    }


def default_rule_calls() -> list[MutationCall]:
    return [("report_rule.upsert", _args(r)) for r in DEFAULT_RULES]


DEFAULT_RULE_IDS: frozenset[str] = frozenset(_args(r)["id"] for r in DEFAULT_RULES)


_V1: frozenset[tuple[str, str, str, str, int, str]] = frozenset(V1_RULES)


def _untouched_v1(row: Mapping[str, Any]) -> bool:
    key = (row["category"], row["grade"], row["stage"], row["channel"], row["minutes"])
    return (
        not row["deleted"]
        and row["updated_by"] == SYSTEM_USER
        and (*key, row["basis"]) in _V1
        and row["id"] == rule_id(row["category"], row["grade"], row["stage"], row["channel"])
        and not row.get("subtype")
    )


def upgrade_calls(rows: Iterable[Mapping[str, Any]]) -> list[MutationCall]:
    """Calls that bring a table loaded with the first defaults to the current ones: the first
    table's rows nobody edited are deleted and the current defaults added. Nothing when the
    current defaults were ever loaded (a rule the leader deleted stays deleted) or when the
    table never held the first defaults (an empty table loads :func:`default_rule_calls`)."""
    rows = list(rows)
    if any(r["id"] in DEFAULT_RULE_IDS for r in rows):
        return []
    stale = [r for r in rows if _untouched_v1(r)]
    if not stale:
        return []
    return [("report_rule.delete", {"id": r["id"]}) for r in stale] + default_rule_calls()
