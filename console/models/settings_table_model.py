"""The settings registry as a table: key, Chinese description, current value."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject

from console.models.record_table import Column, RecordTableModel
from console.settings import REGISTRY, Setting, Settings


@dataclass(frozen=True)
class SettingRow:
    key: str
    description: str
    value: str
    changed: bool


def setting_rows(
    settings: Settings, registry: Sequence[Setting[Any]] = REGISTRY
) -> list[SettingRow]:
    return [
        SettingRow(s.key, s.description, settings.display_value(s), not settings.is_default(s))
        for s in registry
    ]


class SettingsTableModel(RecordTableModel[SettingRow]):
    """键, 说明, 当前值, 状态 (默认 / 已修改)."""

    columns = (
        Column[SettingRow]("键", lambda r: r.key),
        Column[SettingRow]("说明", lambda r: r.description, tooltip=lambda r: r.description),
        Column[SettingRow]("当前值", lambda r: r.value),
        Column[SettingRow]("状态", lambda r: "已修改" if r.changed else "默认"),
    )

    def __init__(self, rows: Sequence[SettingRow] = (), parent: QObject | None = None) -> None:
        super().__init__(rows, parent)

    def key(self, record: SettingRow) -> Hashable:
        return record.key
