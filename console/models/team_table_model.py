"""Rescue teams (救援队伍) as a status board: name, kind, township, status and its time,
available people of the headcount, key equipment, certificate warnings, leader, phone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from console.domain import beijing, catalog
from console.domain.schema import ENTITY_FIELDS, Team
from console.models.record_table import Column, RecordTableModel

TeamRecord = dict[str, Any]
_TEAM = ENTITY_FIELDS["teams"]
STATUS_LABEL = Team.__table__.c.status.info["field"].label
# Status colours: the board's status column and the map's team symbols.
STATUS_COLORS: dict[str, str] = {
    catalog.TEAM_STANDBY: "#52c41a",
    catalog.TEAM_OUT: "#fa541c",
    catalog.TEAM_RESTING: "#faad14",
    catalog.TEAM_UNAVAILABLE: "#8c8c8c",
}
AVAILABLE = "可用人数"
KEY_EQUIPMENT = "关键装备"
WARNINGS = "证书提醒"


def _since(record: TeamRecord) -> str:
    at = record.get("status_at")
    return f"（{beijing.display(at)[5:]}起）" if at else ""


def _equipment(record: TeamRecord) -> str:
    # Teams recorded before equipment rows existed show their old free text.
    return str(record.get("key_equipment") or record.get("equipment") or "")


class TeamTableModel(RecordTableModel[TeamRecord]):
    """Board rows from ``TeamService.board()`` (township names resolved there)."""

    columns = (
        Column[TeamRecord](_TEAM["name"].label, lambda r: str(r.get("name") or "")),
        Column[TeamRecord](_TEAM["kind"].label, lambda r: str(r.get("kind") or "")),
        Column[TeamRecord](_TEAM["township_id"].label, lambda r: str(r.get("township") or "县级")),
        Column[TeamRecord](
            STATUS_LABEL,
            lambda r: f"{r.get('status') or catalog.TEAM_STANDBY}{_since(r)}",
            lambda r: catalog.TEAM_STATUSES.index(r.get("status") or catalog.TEAM_STANDBY),
        ),
        Column[TeamRecord](
            AVAILABLE,
            lambda r: f"{r.get('available', 0)} / {r.get('members') or 0}",
            lambda r: int(r.get("available") or 0),
            True,
        ),
        Column[TeamRecord](KEY_EQUIPMENT, _equipment, tooltip=_equipment),
        Column[TeamRecord](
            WARNINGS,
            lambda r: f"{r['warnings']} 人证书到期" if r.get("warnings") else "",
            lambda r: int(r.get("warnings") or 0),
        ),
        Column[TeamRecord](_TEAM["leader"].label, lambda r: str(r.get("leader") or "")),
        Column[TeamRecord](_TEAM["phone"].label, lambda r: str(r.get("phone") or "")),
    )
    STATUS_COLUMN = 3

    def __init__(self, teams: Sequence[Mapping[str, Any]] = (), parent: QObject | None = None):
        super().__init__((), parent)
        self.set_teams(teams)

    def key(self, record: TeamRecord) -> Hashable:
        return record.get("id")

    def set_teams(self, teams: Sequence[Mapping[str, Any]]) -> None:
        self.set_records([dict(t) for t in teams])

    def record_at(self, row: int) -> TeamRecord | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.STATUS_COLUMN:
            record = self.record_at(index.row())
            if record is not None:
                return QColor(STATUS_COLORS.get(record.get("status") or "", "#8c8c8c"))
        return super().data(index, role)

    def counts_by_kind(self) -> list[tuple[str, int]]:
        """(kind, number of teams), most numerous first."""
        counts = Counter(str(r.get("kind") or "未分类") for r in self._records)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def counts_by_status(self) -> list[tuple[str, int]]:
        counts = Counter(str(r.get("status") or catalog.TEAM_STANDBY) for r in self._records)
        return [(s, counts[s]) for s in catalog.TEAM_STATUSES if counts[s]]

    def total_members(self) -> int:
        return sum(int(r.get("members") or 0) for r in self._records)

    def total_available(self) -> int:
        return sum(int(r.get("available") or 0) for r in self._records)
