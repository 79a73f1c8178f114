"""Incident use cases: take a call, attach a follow-up call, move the status, log actions,
assign teams, record a report as sent. Each is ONE write-path call (one transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from console.domain import beijing, grading
from console.domain.ids import new_id
from console.domain.reporting import CASUALTY_FIELDS
from console.domain.rows import MutationCall
from console.domain.schema import GradingRule, Township, Village
from console.services.incident_list import fetch_incident
from console.services.intake import Places, call_summary, validate_call
from console.store.changes import Changes
from console.store.writer import Writer


def casualty_change(current: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    """'死亡 2→5；重伤 0→3' for the casualty figures ``fields`` change, "" when none."""
    parts = [
        f"{label} {current.get(key) or 0}→{fields[key] or 0}"
        for key, label in CASUALTY_FIELDS.items()
        if key in fields and (fields[key] or 0) != (current.get(key) or 0)
    ]
    return "；".join(parts)


class IncidentService:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    @property
    def writer(self) -> Writer:
        """The workstation's write path (the import dialog writes through it too)."""
        return self._writer

    def places(self) -> Places:
        engine = self._writer.store.engine
        with engine.connect() as conn:
            towns = {
                name: tid
                for tid, name in conn.execute(
                    select(Township.id, Township.name).where(Township.deleted.is_(False))
                )
            }
            villages = {
                (tid, name): vid
                for vid, tid, name in conn.execute(
                    select(Village.id, Village.township_id, Village.name).where(
                        Village.deleted.is_(False)
                    )
                )
            }
        return Places(townships=towns, villages=villages)

    def take_call(
        self,
        form: Mapping[str, Any],
        *,
        user: str,
        now: datetime | None = None,
        places: Places | None = None,
    ) -> str:
        """Create the incident and its first 来电 entry; returns the incident id.

        Raises FormErrors (nothing written) or a StoreError (nothing written)."""
        now = now or beijing.now()
        args = validate_call(form, now=now, places=places or self.places(), recorder=user)
        incident_id = new_id()
        self._writer.apply(
            [
                ("incident.create", {"id": incident_id, **args}),
                (
                    "timeline.append",
                    {
                        "id": new_id(),
                        "incident_id": incident_id,
                        "kind": "来电",
                        "body": call_summary(args),
                        "at": args["received_at"],
                    },
                ),
            ],
            user=user,
        )
        return incident_id

    def attach_call(
        self,
        incident_id: str,
        form: Mapping[str, Any],
        *,
        user: str,
        now: datetime | None = None,
        places: Places | None = None,
    ) -> Changes:
        """A repeat call about an open incident: logged on its timeline, no new incident."""
        now = now or beijing.now()
        args = validate_call(form, now=now, places=places or self.places(), recorder=user)
        return self._writer.apply(
            [
                (
                    "timeline.append",
                    {
                        "id": new_id(),
                        "incident_id": incident_id,
                        "kind": "来电",
                        "body": "（重复来电）" + call_summary(args),
                        "at": args["received_at"],
                    },
                ),
            ],
            user=user,
        )

    def set_status(
        self,
        incident_id: str,
        status: str,
        *,
        user: str,
        reason: str = "",
        now: datetime | None = None,
    ) -> Changes:
        at = beijing.canonical(now or beijing.now())
        return self._writer.apply(
            [
                (
                    "incident.set_status",
                    {
                        "id": incident_id,
                        "status": status,
                        "reason": reason,
                        "timeline_id": new_id(),
                        "at": at,
                    },
                )
            ],
            user=user,
        )

    def log(
        self, incident_id: str, kind: str, body: str, *, user: str, now: datetime | None = None
    ) -> Changes:
        at = beijing.canonical(now or beijing.now())
        return self._writer.apply(
            [
                (
                    "timeline.append",
                    {
                        "id": new_id(),
                        "incident_id": incident_id,
                        "kind": kind,
                        "body": body,
                        "at": at,
                    },
                )
            ],
            user=user,
        )

    def regrade(
        self,
        incident_id: str,
        grade: str,
        before: Mapping[str, Any],
        note: str,
        *,
        user: str,
        now: datetime,
    ) -> Changes:
        """The grade changed and why (a 备注 line in the log), in one transaction."""
        return self._writer.apply(
            [
                (
                    "incident.update",
                    {
                        "id": incident_id,
                        "fields": {"grade": grade},
                        "before": {"grade": before.get("grade")},
                    },
                ),
                (
                    "timeline.append",
                    {
                        "id": new_id(),
                        "incident_id": incident_id,
                        "kind": "备注",
                        "body": note,
                        "at": beijing.canonical(now),
                    },
                ),
            ],
            user=user,
        )

    def update(
        self,
        incident_id: str,
        fields: Mapping[str, Any],
        before: Mapping[str, Any],
        *,
        user: str,
        now: datetime | None = None,
    ) -> Changes:
        """Change some fields, in one transaction with the log lines the change calls for:
        a 伤亡变化 line when casualty figures change (the clock of a 补报, 493号令 Art. 13),
        and a 备注 when the numbers now cross a grading threshold (定级标准) above the
        incident's grade."""
        calls: list[MutationCall] = [
            (
                "incident.update",
                {
                    "id": incident_id,
                    "fields": dict(fields),
                    "before": {k: before[k] for k in fields if k in before},
                },
            )
        ]
        current = fetch_incident(self._writer.store, incident_id)
        at = beijing.canonical(now or beijing.now())
        if current is not None:
            for kind, body in (
                ("伤亡变化", casualty_change(current, fields)),
                ("备注", self._threshold_note(current, fields)),
            ):
                if body:
                    calls.append(
                        (
                            "timeline.append",
                            {
                                "id": new_id(),
                                "incident_id": incident_id,
                                "kind": kind,
                                "body": body,
                                "at": at,
                            },
                        )
                    )
        return self._writer.apply(calls, user=user)

    def _threshold_note(self, current: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
        if not set(fields) & set(grading.METRIC_FIELDS.values()):
            return ""
        t = GradingRule.__table__
        with self._writer.store.engine.connect() as conn:
            rules = [
                dict(r) for r in conn.execute(select(t).where(t.c.deleted.is_(False))).mappings()
            ]
        after = {**current, **fields}
        args = (after["category"], after["subtype"] or "")
        was = grading.implied_grade(*args, current, rules)
        now_implied = grading.suggestion(*args, after["grade"], after, rules)
        if now_implied is None or grading.severity(now_implied.grade) <= grading.severity(
            was.grade if was else None
        ):
            return ""
        reasons = "；".join(r.text() for r in now_implied.reasons)
        return f"伤亡或损失变化：按定级标准应定为“{now_implied.grade}”（{reasons}），请核定等级"[
            :2000
        ]

    def record_report_sent(
        self,
        incident_id: str,
        *,
        stage: str,
        channel: str,
        body: str,
        recipient: str,
        user: str,
        sent_at: datetime | None = None,
    ) -> Changes:
        return self._writer.apply(
            [
                (
                    "report.record_sent",
                    {
                        "id": new_id(),
                        "incident_id": incident_id,
                        "stage": stage,
                        "channel": channel,
                        "sent_at": beijing.canonical(sent_at or beijing.now()),
                        "recipient": recipient,
                        "body": body,
                        "timeline_id": new_id(),
                    },
                )
            ],
            user=user,
        )

    # -- the 信息报送 deadline table (设置; duty leaders and admins) -------------------------
    def set_report_rule(self, rule: Mapping[str, Any], *, user: str) -> Changes:
        """Add or change a rule stated whole (``id`` to edit one in place)."""
        from console.services.report_rules import set_rule

        return set_rule(self._writer, rule, user=user)

    def delete_report_rule(self, rule_id: str, *, user: str) -> Changes:
        return self._writer.apply([("report_rule.delete", {"id": rule_id})], user=user)

    # -- the grading table (定级标准; duty leaders and admins) -------------------------------
    def grading_rules(self) -> list[dict[str, Any]]:
        from console.services.grading_rules import list_grading_rules

        return list_grading_rules(self._writer)

    def set_grading_rule(self, row: Mapping[str, Any], *, user: str) -> Changes:
        """Add or change a grading row stated whole (``id`` to edit one in place)."""
        from console.services.grading_rules import set_grading_rule

        return set_grading_rule(self._writer, row, user=user)

    def delete_grading_rule(self, rule_id: str, *, user: str) -> Changes:
        from console.services.grading_rules import delete_grading_rule

        return delete_grading_rule(self._writer, rule_id, user=user)
