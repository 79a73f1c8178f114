"""The append-only timeline of one incident: kind, Beijing time, author, body."""

from __future__ import annotations

from typing import Any

from console.domain import beijing
from console.models.record_table import Column, RecordTableModel

Entry = dict[str, Any]


class IncidentTimelineTableModel(RecordTableModel[Entry]):
    columns = (
        Column[Entry]("时间", lambda e: beijing.display(e["at"])[5:], sort=lambda e: e["at"]),
        Column[Entry]("类型", lambda e: e["kind"]),
        Column[Entry]("记录人", lambda e: e["author"]),
        Column[Entry]("内容", lambda e: e["body"], tooltip=lambda e: e["body"]),
    )

    def key(self, record: Entry) -> str:
        return str(record["id"])
