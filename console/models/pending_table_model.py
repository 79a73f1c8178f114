"""Changes waiting to sync (待同步): one row per outbox entry not yet acknowledged."""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import QObject

from console.domain.beijing import hlc_text, hlc_wall_ms
from console.domain.mutations import REGISTRY
from console.models.record_table import Column, RecordTableModel
from console.services.queries import PendingMutation


def mutation_label(name: str) -> str:
    """Chinese label of a mutation name, e.g. ``team.upsert`` -> 新增或修改救援队伍."""
    mutation = REGISTRY.get(name)
    return mutation.description if mutation else name


def mutation_subject(args: str) -> str:
    """What the change was about, from its JSON arguments (a name or a title), if any."""
    try:
        data = json.loads(args)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    nested = data.get("fields")
    fields: dict[str, Any] = nested if isinstance(nested, dict) else {}
    for source in (data, fields):
        for key in ("name", "title", "code", "category", "body"):
            value = source.get(key)
            if isinstance(value, str) and value:
                return value if len(value) <= 40 else value[:39] + "…"
    return ""


class PendingMutationTableModel(RecordTableModel[PendingMutation]):
    """编号, 操作, 内容, 时间 (Beijing, from the HLC), 操作人."""

    columns = (
        Column[PendingMutation](
            "编号", lambda m: str(m.mutation_id), lambda m: m.mutation_id, True
        ),
        Column[PendingMutation]("操作", lambda m: mutation_label(m.name), tooltip=lambda m: m.name),
        Column[PendingMutation]("内容", lambda m: mutation_subject(m.args)),
        Column[PendingMutation](
            "时间（北京时间）", lambda m: hlc_text(m.hlc), lambda m: hlc_wall_ms(m.hlc) or 0
        ),
        Column[PendingMutation]("操作人", lambda m: m.user),
    )

    def __init__(
        self, pending: Sequence[PendingMutation] = (), parent: QObject | None = None
    ) -> None:
        super().__init__(pending, parent)

    def key(self, record: PendingMutation) -> Hashable:
        return record.mutation_id
