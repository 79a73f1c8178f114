"""The default 信息报送 deadline table as mutation calls, for the workstation and the server.

A workstation working standalone and the server both load exactly these (as
:data:`~console.domain.roles.SYSTEM_USER`); the ids come from the rule's key, so the two
copies are the same records and never duplicate.
"""

from __future__ import annotations

from console.domain.ids import reference_id
from console.domain.reporting import DEFAULT_RULES
from console.domain.rows import MutationCall


def rule_id(category: str, grade: str, stage: str, channel: str) -> str:
    return reference_id("report_rule", category, grade, stage, channel)


def default_rule_calls() -> list[MutationCall]:
    return [
        (
            "report_rule.upsert",
            {
                "id": rule_id(r.category, r.grade, r.stage, r.channel),
                "category": r.category,
                "grade": r.grade,
                "stage": r.stage,
                "channel": r.channel,
                "minutes": r.minutes,
                "basis": r.basis,
            },
        )
        for r in DEFAULT_RULES
    ]
