"""Rejected and conflicting changes (同步问题) for the 同步状态 page."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtCore import QObject

from console.domain import beijing
from console.models.record_table import Column, RecordTableModel
from console.services.sync_issues import Issue

KIND_LABELS = {"rejected": "被拒绝", "conflict": "修改冲突"}


def _value(value: object) -> str:
    return "（空）" if value in (None, "") else str(value)


def both_values(issue: Issue) -> str:
    """'事件标题：对方（li）“B的标题” / 本机“A的标题”' for each conflicting field."""
    return "；".join(
        f"{c['label']}：对方（{c['theirs_by']}）“{_value(c['theirs'])}” / 本机“{_value(c['mine'])}”"
        for c in issue.conflicts
    )


class SyncIssueTableModel(RecordTableModel[Issue]):
    """类型, 操作, 说明, 双方的值, 操作人, 记录时间."""

    columns = (
        Column[Issue]("类型", lambda i: KIND_LABELS.get(i.kind, i.kind)),
        Column[Issue]("操作", lambda i: i.action, tooltip=lambda i: f"编号 {i.mutation_id}"),
        Column[Issue]("说明", lambda i: i.message, tooltip=lambda i: i.message),
        Column[Issue]("双方的值", both_values, tooltip=both_values),
        Column[Issue]("操作人", lambda i: i.user),
        Column[Issue](
            "记录时间（北京时间）",
            lambda i: beijing.display(i.recorded_at),
            lambda i: i.recorded_at,
        ),
    )

    def __init__(self, issues: Sequence[Issue] = (), parent: QObject | None = None) -> None:
        super().__init__(issues, parent)

    def key(self, record: Issue) -> Hashable:
        return record.mutation_id
