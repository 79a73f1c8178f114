"""The append-only timeline of one incident: kind, Beijing time, author, body."""

from __future__ import annotations

from typing import Any

from console.domain import beijing
from console.domain.schema import ENTITY_FIELDS
from console.models.record_table import Column, RecordTableModel

Entry = dict[str, Any]
_ENTRY = ENTITY_FIELDS["incident_timeline"]  # headers: the declared labels


class IncidentTimelineTableModel(RecordTableModel[Entry]):
    columns = (
        Column[Entry](
            _ENTRY["at"].label, lambda e: beijing.display(e["at"])[5:], sort=lambda e: e["at"]
        ),
        Column[Entry](_ENTRY["kind"].label, lambda e: e["kind"]),
        Column[Entry]("记录人", lambda e: e["author"]),  # the account (record machinery)
        Column[Entry](_ENTRY["body"].label, lambda e: e["body"], tooltip=lambda e: e["body"]),
    )

    def key(self, record: Entry) -> str:
        return str(record["id"])
