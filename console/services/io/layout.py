"""Per-table column layouts of the import/export files, derived from the one registry.

Each layout comes from a :data:`~console.domain.reference_tables.REFERENCE_TABLES` entry:
the table, its record kind (the mutation prefix and the kind of
:func:`~console.domain.ids.reference_id`), the natural key and the duty room's column order.
Headers, types, limits and choices all come from :data:`~console.domain.schema.ENTITY_FIELDS`;
a field a later schema adds and the entry does not list is appended at the end, so a new
table needs one small registry entry and a new column none.

References are written as names: ``township_id`` as the township's name, ``village_id`` as
the village's name within the row's township. A reference cell holds the LAST component of
the target's natural key; the other components come from the row's own cells of the same
field (a village is found by the row's 所属乡镇 and the cell's 村名).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from console.domain.fields import Field
from console.domain.reference_tables import REFERENCE_TABLES, ReferenceTable
from console.domain.schema import ENTITY_FIELDS, MODEL_BY_TABLE

# Columns never read from or written to a file: the sample marker is the workstation's
# business (an imported record is the county's own; a matched sample record keeps its flag).
NOT_IN_FILES = frozenset({"is_sample"})

TRUE_TEXT = "是"
FALSE_TEXT = "否"


@dataclass(frozen=True)
class Column:
    field: str
    spec: Field

    @property
    def header(self) -> str:
        return self.spec.label


@dataclass(frozen=True)
class Layout:
    table: str
    entity: str  # mutation prefix ("village" -> village.upsert) and reference_id kind
    title: str  # Chinese name of the table
    key: tuple[str, ...]  # natural key fields, in reference_id order
    columns: tuple[Column, ...]
    fallback_key: tuple[str, ...] = ()  # the key when every key cell is empty
    key_by_id: bool = False  # the key holds the referred records' ids (roles)
    file_only: tuple[str, ...] = ()  # columns locating a referred record, not stored
    # Old free-text columns (ReferenceTable.legacy): read from a file that has them, never
    # written; ``legacy_hint`` says where their content belongs now.
    legacy: tuple[Column, ...] = ()
    legacy_hint: str = ""
    # The area (范围, GeoJSON Polygon/MultiPolygon text): a .geojson feature's geometry, in
    # no spreadsheet column (a boundary is no cell a duty room types).
    area: Column | None = None

    @property
    def required_key(self) -> tuple[str, ...]:
        """The key fields a row must fill (a role's object columns are optional)."""
        if not self.key_by_id:
            return self.key
        return tuple(f for f in self.key if self.column(f).spec.required)

    def key_fields(self, parts: tuple[str, ...]) -> tuple[str, ...]:
        """The key fields naming a record whose natural-key parts are ``parts``."""
        return self.fallback_key if self.fallback_key and not any(parts) else self.key

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def area_columns(self) -> tuple[Column, ...]:
        return () if self.area is None else (self.area,)

    def column(self, field: str) -> Column:
        return next(
            c for c in (*self.columns, *self.legacy, *self.area_columns) if c.field == field
        )

    def legacy_note(self, headers: tuple[str, ...]) -> str | None:
        """What the preview says of a file with old free-text columns (None: it has none)."""
        found = [f"“{c.header}”" for c in self.legacy if c.header in headers]
        if not found:
            return None
        return (
            f"{self.title}：{'、'.join(found)}是旧格式的自由文本列，照旧保存为参考信息"
            f"（不再出现在表单和导出中）；{self.legacy_hint}。"
        )

    @property
    def key_headers(self) -> tuple[str, ...]:
        return tuple(self.column(f).header for f in self.required_key)

    def default(self, field: str) -> Any:
        """The value an empty cell stands for: the column's scalar default, else None."""
        table = MODEL_BY_TABLE[self.table].__table__
        assert isinstance(table, Table)
        if field not in table.c:
            return None  # a file-only column
        default = table.c[field].default
        arg = getattr(default, "arg", None)
        return None if callable(arg) else arg


def _layout(spec: ReferenceTable) -> Layout:
    specs = {**ENTITY_FIELDS[spec.table], **dict(spec.file_only)}
    names = [f for f in spec.file_order if f in specs]
    names += [f for f in specs if f not in names and f not in NOT_IN_FILES | set(spec.legacy)]
    area = next((f for f in names if specs[f].area), None)
    names = [f for f in names if f != area]
    return Layout(
        spec.table,
        spec.entity,
        spec.sheet_title,
        spec.natural_key,
        tuple(Column(f, specs[f]) for f in names),
        spec.fallback_key,
        spec.key_by_id,
        tuple(f for f, _ in spec.file_only),
        tuple(Column(f, specs[f]) for f in spec.legacy),
        spec.legacy_hint,
        None if area is None else Column(area, specs[area]),
    )


# The one registry (console/domain/reference_tables.py) names each table's title, key and
# column order; the tables edited on the page only (in_files=False) have no layout.
LAYOUTS: dict[str, Layout] = {t.table: _layout(t) for t in REFERENCE_TABLES if t.in_files}


def layout(table: str) -> Layout:
    """The layout of ``table``, named by its table name or its Chinese title (风险点)."""
    try:
        return LAYOUTS[table]
    except KeyError:
        for lay in LAYOUTS.values():
            if lay.title == table.strip():
                return lay
        names = "、".join(f"{t}（{lay.title}）" for t, lay in LAYOUTS.items())
        raise ImportFileError(f"没有名为 {table} 的数据表。可导入的表：{names}") from None


class ImportFileError(Exception):
    """The file cannot be read as the table at all; ``str(exc)`` is the Chinese message."""


# What a role's person and locating columns hold (the role layout keys by id).
_ROLE_HINTS: dict[str, str] = {
    "person_id": "填人员姓名；同名的人用人员单位或人员手机区分",
    "person_unit": "人员所属单位名称，区分同名人员（不保存到角色）",
    "person_mobile": "人员手机，确定人员（不保存到角色）",
    "township_id": "填乡镇名称；也用来确定村、风险点、避灾场所（此时不保存）",
}


def describe(column: Column, lay: Layout) -> str:
    """What a cell of this column holds, in Chinese (template comments, README)."""
    spec = column.spec
    parts: list[str] = []
    if column.field in lay.key or column.field in lay.fallback_key:
        parts.append("匹配键")
    if spec.required or column.field in lay.required_key:
        parts.append("必填")
    hint = _ROLE_HINTS.get(column.field) if lay.key_by_id else None
    if hint is not None:
        parts.append(hint)
    elif spec.ref is not None and lay.key_by_id and spec.ref == "risk_points":
        parts.append("填风险点名称（与所属乡镇一起确定风险点）")
    elif spec.ref is not None:
        target = LAYOUTS.get(spec.ref)
        if target is not None and target.key[-1] != "name":  # a station by its code
            parts.append(f"填{target.title}{target.column(target.key[-1]).header}")
            return "；".join(parts)
        within = (
            "（所属乡镇下的）" if target is not None and "township_id" in target.key[:-1] else ""
        )
        parts.append(f"填{target.title if target else spec.ref}名称{within}")
    elif spec.choices:
        parts.append("可选值：" + "、".join(c for c in spec.choices if c))
    elif spec.kind is bool:
        parts.append(f"{TRUE_TEXT}/{FALSE_TEXT}")
    elif spec.date:
        parts.append("日期，如 2026-05-01")
    elif spec.kind is int:
        low, high = spec.minimum, spec.maximum
        parts.append(f"整数 {low:.0f} 至 {high:.0f}" if low is not None and high else "整数")
    elif spec.kind is float:
        if spec.minimum is not None and spec.maximum is not None:
            parts.append(f"数值 {spec.minimum:g} 至 {spec.maximum:g}")
        else:
            parts.append("数值")
    elif spec.max_len is not None:
        parts.append(f"文本，最多 {spec.max_len} 字")
    return "；".join(parts)


def layout_markdown() -> str:
    """Every table's columns as Markdown, for the README (tools/readme_tables.py)."""
    out: list[str] = []
    for table, lay in LAYOUTS.items():
        keys = "+".join(lay.key_headers)
        if lay.fallback_key:
            keys += f"（为空时：{'+'.join(lay.column(f).header for f in lay.fallback_key)}）"
        out.append(f"**{lay.title}**（`--table {table}`；匹配键：{keys}）")
        out.append("")
        out.append("| 列 | 说明 |")
        out.append("| --- | --- |")
        out.extend(f"| {c.header} | {describe(c, lay)} |" for c in lay.columns)
        out.append("")
    return "\n".join(out).rstrip("\n")


@dataclass(frozen=True)
class RawRow:
    """One row of a file as read: where it is, and its cells by header.

    ``place`` names the row for messages ("第 12 行", "第 3 个要素"); ``cell_refs`` names a
    header's cell within it ("C 列"), empty where a format has no columns (GeoJSON)."""

    place: str
    cells: dict[str, Any]
    cell_refs: dict[str, str]


def column_letters(index: int) -> str:
    """A column's letters as Excel names it: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def raw_row(place: str, headers: tuple[str, ...], values: list[Any]) -> RawRow:
    """A row of a file with columns (CSV, a Word table): its cells by header, each cell
    named by its column letter; a short row's missing cells are None."""
    cells: dict[str, Any] = {}
    refs: dict[str, str] = {}
    for i, header in enumerate(headers):
        if header:
            cells[header] = values[i] if i < len(values) else None
            refs[header] = f"{column_letters(i)} 列"
    return RawRow(place, cells, refs)


@dataclass(frozen=True)
class Sheet:
    headers: tuple[str, ...]
    rows: list[RawRow]
