"""Rescue teams (救援队伍) as a table: name, kind, township, members, leader, phone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject

from console.domain.schema import ENTITY_FIELDS
from console.models.record_table import Column, RecordTableModel

TeamRecord = dict[str, Any]
_TEAM = ENTITY_FIELDS["teams"]


class TeamTableModel(RecordTableModel[TeamRecord]):
    """Teams from ``Queries.teams()`` with township ids resolved to names."""

    columns = (  # headers: the fields' declared labels
        Column[TeamRecord](_TEAM["name"].label, lambda r: str(r.get("name") or "")),
        Column[TeamRecord](_TEAM["kind"].label, lambda r: str(r.get("kind") or "")),
        Column[TeamRecord](
            _TEAM["township_id"].label, lambda r: str(r.get("township_name") or "县级")
        ),
        Column[TeamRecord](
            _TEAM["members"].label,
            lambda r: str(r.get("members") or 0),
            lambda r: int(r.get("members") or 0),
            True,
        ),
        Column[TeamRecord](_TEAM["leader"].label, lambda r: str(r.get("leader") or "")),
        Column[TeamRecord](_TEAM["phone"].label, lambda r: str(r.get("phone") or "")),
        Column[TeamRecord](
            _TEAM["equipment"].label,
            lambda r: str(r.get("equipment") or ""),
            tooltip=lambda r: str(r.get("equipment") or ""),
        ),
    )

    def __init__(
        self,
        teams: Sequence[Mapping[str, Any]] = (),
        township_names: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__((), parent)
        self.set_teams(teams, township_names or {})

    def key(self, record: TeamRecord) -> Hashable:
        return record.get("id")

    def set_teams(
        self, teams: Sequence[Mapping[str, Any]], township_names: Mapping[str, str]
    ) -> None:
        resolved = []
        for team in teams:
            row = dict(team)
            tid = row.get("township_id")
            row["township_name"] = township_names.get(tid, "") if tid else ""
            resolved.append(row)
        self.set_records(resolved)

    def counts_by_kind(self) -> list[tuple[str, int]]:
        """(kind, number of teams), most numerous first."""
        counts = Counter(str(r.get("kind") or "未分类") for r in self._records)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def total_members(self) -> int:
        return sum(int(r.get("members") or 0) for r in self._records)
