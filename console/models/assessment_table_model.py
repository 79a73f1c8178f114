"""研判一张单 as tables: the sheets (newest version of each) and one sheet's versions."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from console.domain import beijing
from console.domain.schema import ENTITY_FIELDS
from console.models.record_table import Column, RecordTableModel

SheetRecord = dict[str, Any]
_SHEET = ENTITY_FIELDS["assessments"]


def _when(value: object) -> str:
    return beijing.display(str(value)) if value else ""


def _marks(r: SheetRecord) -> str:
    marks = [m for m, on in (("模拟", r.get("simulated")), ("样例", r.get("is_sample"))) if on]
    return "、".join(marks)


class AssessmentTableModel(RecordTableModel[SheetRecord]):
    """The newest version of each sheet, as ``AssessmentService.latest_per_series`` gives."""

    columns = (
        Column[SheetRecord](_SHEET["number"].label, lambda r: str(r.get("number") or "")),
        Column[SheetRecord]("状态", lambda r: str(r.get("status") or "")),
        Column[SheetRecord](
            "版本", lambda r: f"第 {r.get('revision', 1)} 版", lambda r: r.get("revision", 1)
        ),
        Column[SheetRecord](
            _SHEET["highest_warning"].label,
            lambda r: f"{r['highest_warning']}色" if r.get("highest_warning") else "无",
        ),
        Column[SheetRecord](
            _SHEET["generated_at"].label,
            lambda r: _when(r.get("generated_at")),
            lambda r: str(r.get("generated_at") or ""),
        ),
        Column[SheetRecord]("签发人", lambda r: str(r.get("signed_by") or "")),
        Column[SheetRecord]("标记", _marks),
    )

    def key(self, record: SheetRecord) -> Hashable:
        return (record.get("id"), record.get("updated_at"))


class VersionTableModel(RecordTableModel[SheetRecord]):
    """The versions of one sheet, newest first (历史版本)."""

    columns = (
        Column[SheetRecord]("版本", lambda r: f"第 {r.get('revision', 1)} 版"),
        Column[SheetRecord]("状态", lambda r: str(r.get("status") or "")),
        Column[SheetRecord]("拟稿", lambda r: str(r.get("author") or "")),
        Column[SheetRecord]("签发人", lambda r: str(r.get("signed_by") or "")),
        Column[SheetRecord]("签发时间", lambda r: _when(r.get("signed_at"))),
    )

    def key(self, record: SheetRecord) -> Hashable:
        return (record.get("id"), record.get("updated_at"))
