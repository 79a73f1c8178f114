"""Per-table column layouts of the import/export files, derived from the field declarations.

A layout entry names the table, its record kind (the mutation prefix and the kind of
:func:`~console.domain.ids.reference_id`), the natural key and the duty room's column order.
Headers, types, limits and choices all come from :data:`~console.domain.schema.ENTITY_FIELDS`;
a field a later schema adds and the entry does not list is appended at the end, so a new
table needs one small entry here and a new column none.

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

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    @property
    def key_headers(self) -> tuple[str, ...]:
        return tuple(self.column(f).header for f in self.key)

    def default(self, field: str) -> Any:
        """The value an empty cell stands for: the column's scalar default, else None."""
        table = MODEL_BY_TABLE[self.table].__table__
        assert isinstance(table, Table)
        default = table.c[field].default
        arg = getattr(default, "arg", None)
        return None if callable(arg) else arg


def _layout(
    table: str, entity: str, title: str, key: tuple[str, ...], order: tuple[str, ...]
) -> Layout:
    specs = ENTITY_FIELDS[table]
    names = [f for f in order if f in specs]
    names += [f for f in specs if f not in names and f not in NOT_IN_FILES]
    return Layout(table, entity, title, key, tuple(Column(f, specs[f]) for f in names))


# The natural keys are those of the sample county's ids (console/domain/sample.py), so an
# imported record and the sample's (or another workstation's import) are one record.
LAYOUTS: dict[str, Layout] = {
    lay.table: lay
    for lay in (
        _layout(
            "townships",
            "township",
            "乡镇",
            ("name",),
            ("name", "kind", "lon", "lat", "position_approximate"),
        ),
        _layout(
            "villages",
            "village",
            "村（社区）",
            ("township_id", "name"),
            ("township_id", "name", "lon", "lat"),
        ),
        _layout(
            "shelters",
            "shelter",
            "避灾安置场所",
            ("township_id", "name"),
            (
                "township_id",
                "village_id",
                "name",
                "kind",
                "capacity",
                "manager",
                "phone",
                "lon",
                "lat",
            ),
        ),
        _layout(
            "risk_points",
            "risk_point",
            "风险点",
            ("township_id", "type", "name"),
            (
                "township_id",
                "village_id",
                "type",
                "name",
                "households",
                "persons",
                "responsible_person",
                "responsible_phone",
                "shelter_id",
                "transfer_route",
                "lon",
                "lat",
                "note",
            ),
        ),
        # The sample's team ids are by name alone (a county team need not belong to a
        # township), so the name is the key.
        _layout(
            "teams",
            "team",
            "救援队伍",
            ("name",),
            (
                "name",
                "kind",
                "township_id",
                "members",
                "leader",
                "phone",
                "equipment",
                "lon",
                "lat",
            ),
        ),
        _layout(
            "stations",
            "station",
            "水文雨量站",
            ("code",),
            (
                "code",
                "name",
                "kind",
                "township_id",
                "lon",
                "lat",
                "warning_level_m",
                "guarantee_level_m",
            ),
        ),
    )
}


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


def describe(column: Column, lay: Layout) -> str:
    """What a cell of this column holds, in Chinese (template comments, README)."""
    spec = column.spec
    parts: list[str] = []
    if column.field in lay.key:
        parts.append("匹配键")
    if spec.required or column.field in lay.key:
        parts.append("必填")
    if spec.ref is not None:
        target = LAYOUTS.get(spec.ref)
        within = (
            "（所属乡镇下的）" if target is not None and "township_id" in target.key[:-1] else ""
        )
        parts.append(f"填{target.title if target else spec.ref}名称{within}")
    elif spec.choices:
        parts.append("可选值：" + "、".join(c for c in spec.choices if c))
    elif spec.kind is bool:
        parts.append(f"{TRUE_TEXT}/{FALSE_TEXT}")
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
        out.append(f"**{lay.title}**（`--table {table}`；匹配键：{'+'.join(lay.key_headers)}）")
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


@dataclass(frozen=True)
class Sheet:
    headers: tuple[str, ...]
    rows: list[RawRow]
