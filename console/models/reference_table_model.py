"""The records of one reference table (基础数据), with columns built from its field
declarations: references shown by name, flags as 是/否, sample records tagged 〔样例〕."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from PySide6.QtCore import QObject

from console.domain.fields import Field
from console.domain.reference_tables import ReferenceTable
from console.domain.sample import SAMPLE_TAG
from console.models.record_table import Column, RecordTableModel

Record = dict[str, Any]


def display(spec: Field, value: Any, names: Mapping[str, str] | None = None) -> str:
    """A field's value as the list shows it."""
    if value is None:
        return ""
    if spec.ref is not None:
        return (names or {}).get(value, "（已删除）")
    if spec.kind is bool:
        return "是" if value else "否"
    if spec.kind is float:
        return f"{value:g}"
    return str(value)


def _sort_value(spec: Field, value: Any, names: Mapping[str, str]) -> Any:
    if spec.kind in (int, float) and spec.ref is None:
        # None sorts first; (flag, value) keeps numbers comparable with each other
        return (value is not None, value if value is not None else 0)
    return display(spec, value, names)


class ReferenceTableModel(RecordTableModel[Record]):
    """Rows of the table ``set_table`` chose; ``names`` maps referred ids to names per table."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent=parent)
        self.spec: ReferenceTable | None = None
        self.columns: list[Column[Record]] = []
        self._names: dict[str, dict[str, str]] = {}

    def key(self, record: Record) -> Hashable:
        return record["id"]

    def set_table(
        self,
        spec: ReferenceTable,
        records: list[Record],
        names: dict[str, dict[str, str]],
    ) -> None:
        """Show ``records`` of ``spec``; a different table resets the columns."""
        if spec != self.spec:
            self.beginResetModel()
            self.spec = spec
            self._names = names
            self.columns = [self._column(spec, c) for c in spec.list_columns()]
            self._records = list(records)
            self.endResetModel()
            return
        self._names = names
        self.set_records(records)

    def _column(self, spec: ReferenceTable, column: str) -> Column[Record]:
        field = spec.fields[column]
        numeric = field.kind in (int, float) and field.ref is None

        def names() -> Mapping[str, str]:
            return self._names.get(field.ref or "", {})

        def text(record: Record) -> str:
            shown = display(field, record.get(column), names())
            if column == spec.name_column and record.get("is_sample"):
                return f"{SAMPLE_TAG}{shown}"
            return shown

        return Column(
            field.label,
            text,
            sort=lambda r: _sort_value(field, r.get(column), names()),
            numeric=numeric,
            tooltip=text,  # the whole value where the column cuts it short
        )
