"""Export a table (optionally one township's records) in its import layout, and blank
templates whose header comments say what each column takes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.domain.references import TOWNSHIP_VIA, township_of
from console.services.io.layout import (
    FALSE_TEXT,
    TRUE_TEXT,
    ImportFileError,
    Layout,
    describe,
    layout,
)
from console.services.io.records import Records
from console.store.database import Store

FORMATS = (".xlsx", ".csv", ".geojson", ".docx")
# Tables that export as a Word document (a table per group, see guide_export).
DOCX_TABLES = ("guide_items",)


def _cell(records: Records, lay: Layout, field: str, value: Any) -> Any:
    spec = lay.column(field).spec
    if spec.ref == "people" and value is not None:  # a person: by name (and mobile)
        person = records.rows.get("people", {}).get(value)
        return None if person is None else person["name"]
    if spec.ref is not None:
        return records.name_of(spec.ref, value) or None
    if isinstance(value, bool):
        return TRUE_TEXT if value else FALSE_TEXT
    if value == "" or value is None:
        return None
    return value


def table_rows(
    store: Store, table: str, *, township: str | None = None, with_area: bool = False
) -> list[list[Any]]:
    """The table's live records as rows of the layout, in natural-key order; ``with_area``
    adds the area (范围) as the last cell where the table has one (GeoJSON)."""
    lay = layout(table)
    table = lay.table
    with store.engine.connect() as conn:
        records = Records(conn, table)
        town = _township(Records(conn, "townships"), township) if township else None
    rows = [_person_cells(records, lay, r) for r in records.rows[table].values()]
    if lay.key_by_id:  # a role: with the township locating its object (kept by the filter)
        rows = [_role_cells(records, r) for r in rows]
    located = {"township_id", *(c for c, _t in TOWNSHIP_VIA)} & {c.field for c in lay.columns}
    if town is not None and (table == "townships" or located):
        # One township's records: its own, or those of the place or unit they point at. A
        # table of the whole county (warnings, the signal table) has no township: all rows.
        lookup = records.rows
        rows = [
            r
            for r in rows
            if township_of(table, r, lambda t, id_: lookup.get(t, {}).get(id_)) == town
        ]
    if lay.key_by_id:
        rows.sort(key=lambda r: tuple(_sort_text(r.get(c.field)) for c in lay.columns))
    else:
        rows.sort(key=lambda r: records.key_of(table, r))
    columns = (*lay.columns, *lay.area_columns) if with_area else lay.columns
    return [[_cell(records, lay, c.field, r.get(c.field)) for c in columns] for r in rows]


def _township(towns: Records, name: str) -> str:
    """The id of the township named ``name``; an unknown name is refused (Chinese)."""
    found = towns.find("townships", (name.strip(),))
    if found is None:
        known = "、".join(
            sorted(towns.key_of("townships", r)[0] for r in towns.rows["townships"].values())
        )
        raise ImportFileError(
            f"没有名为“{name}”的乡镇，未导出任何记录（本机的乡镇：{known or '无'}）"
        )
    return str(found["id"])


def _sort_text(value: Any) -> str:
    return "" if value is None else str(value)


def _person_cells(records: Records, lay: Layout, row: dict[str, Any]) -> dict[str, Any]:
    """A person named in a row (a role's person, a household's helper) is written by name,
    with the unit and mobile columns that find them again (``person_unit``/``person_mobile``
    for ``person_id``, ``helper_mobile`` for ``helper_id``) where the layout has them."""
    out = dict(row)
    fields = {c.field for c in lay.columns}
    for column in lay.columns:
        if column.spec.ref != "people":
            continue
        prefix = column.field.removesuffix("_id")
        person = records.rows.get("people", {}).get(row.get(column.field) or "")
        if person is None:
            continue
        if f"{prefix}_unit" in fields:
            out[f"{prefix}_unit"] = records.name_of("units", person.get("unit_id")) or None
        if f"{prefix}_mobile" in fields:
            out[f"{prefix}_mobile"] = person.get("mobile") or None
    return out


def _role_cells(records: Records, row: dict[str, Any]) -> dict[str, Any]:
    """A role as its file writes it: the object with the township that locates it (the
    import drops it again)."""
    out = dict(row)
    if not row.get("township_id"):
        for target in ("village_id", "risk_point_id", "shelter_id"):
            table = records.rows.get(target.removesuffix("_id") + "s", {})
            located = table.get(row.get(target) or "")
            if located is not None and located.get("township_id"):
                out["township_id"] = located["township_id"]
                break
    return out


def export_table(
    store: Store,
    table: str,
    path: Path,
    *,
    township: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> int:
    """Write the table to ``path`` (.xlsx, .csv, .geojson; the guide also .docx); the number
    of records."""
    lay = layout(table)
    table = lay.table
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ImportFileError(f"不支持的导出类型“{path.suffix}”：请使用 .xlsx、.csv 或 .geojson")
    if suffix == ".docx":
        if table not in DOCX_TABLES:
            raise ImportFileError(f"{lay.title}不能导出为 Word：请使用 .xlsx、.csv 或 .geojson")
        from console.services.guide_export import export_guide_docx

        count = export_guide_docx(store, path)
        if progress is not None:
            progress("导出", count, count)
        return count
    rows = table_rows(store, table, township=township, with_area=suffix == ".geojson")
    if suffix == ".xlsx":
        from console.services.io.xlsx import write_xlsx

        write_xlsx(path, lay.title, lay.headers, rows, comments=comments(lay))
    elif suffix == ".csv":
        from console.services.io.csv_io import write_csv

        write_csv(path, lay.headers, rows)
    else:
        from console.services.io.geojson import write_geojson

        write_geojson(path, (*lay.headers, *(c.header for c in lay.area_columns)), rows)
    if progress is not None:
        progress("导出", len(rows), len(rows))
    return len(rows)


def comments(lay: Layout) -> list[str]:
    return [f"{c.header}：{describe(c, lay)}" for c in lay.columns]


def write_template(table: str, path: Path) -> None:
    """A blank .xlsx of the table's layout; each header's comment says what it takes."""
    from console.services.io.xlsx import write_xlsx

    lay = layout(table)
    if path.suffix.lower() != ".xlsx":
        raise ImportFileError("模板只能保存为 .xlsx")
    write_xlsx(path, lay.title, lay.headers, [], comments=comments(lay))
