"""A county's workbook: one worksheet per reference table, named by the table (乡镇, 村（社区）,
风险点, ...), imported together as ONE batch and exported in the same shape.

The worksheets are checked in the tables' dependency order inside one write transaction
that is rolled back, each sheet's rows tried before the next sheet is matched: a village on
the 村 sheet finds the township that the 乡镇 sheet of the same workbook adds. Applying
replays the same calls in the same order in one :meth:`Writer.apply`, so the ids and
references the preview showed are the ones written (a new record's id comes from its
natural key). Worksheets whose name is not a table (a 说明 page) are listed as ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from console.services.io.exporter import comments, table_rows
from console.services.io.importer import (
    NEW,
    REFUSED,
    UNCHANGED,
    UPDATED,
    Preview,
    Progress,
    RolledBack,
    run_trial,
    validate_rows,
)
from console.services.io.layout import LAYOUTS, ImportFileError, Sheet, layout
from console.services.io.xlsx import SheetOut, read_xlsx_sheets, write_xlsx_book
from console.store.database import Store
from console.store.writer import write_scope

# The table chooser's entry (and ReferenceIO's table name) for a whole workbook.
BOOK = "*"
BOOK_TITLE = "整个工作簿（每个工作表一张表）"
ORDER: dict[str, int] = {table: i for i, table in enumerate(LAYOUTS)}


@dataclass
class BookPreview(Preview):
    """The preview of every matched worksheet; ``rows`` are theirs in import order."""

    sheets: list[Preview] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # worksheet titles that are no table

    def summary(self) -> str:
        counts = "，".join(f"{o} {self.count(o)} 行" for o in (NEW, UPDATED, UNCHANGED, REFUSED))
        lines = [f"{self.source}（{len(self.sheets)} 个工作表，共 {len(self.rows)} 行）：{counts}"]
        changed = []
        for sheet in self.sheets:
            parts = [f"{o} {sheet.count(o)}" for o in (NEW, UPDATED, REFUSED) if sheet.count(o)]
            if parts:
                changed.append(f"{LAYOUTS[sheet.table].title}（{'，'.join(parts)}）")
        lines.append(
            f"有变化的工作表：{'；'.join(changed)}" if changed else "各工作表与现有数据一致"
        )
        if self.ignored:
            lines.append(f"未导入的工作表（名称不是数据表）：{'、'.join(self.ignored)}")
        lines.extend(note for sheet in self.sheets for note in sheet.notes)
        return "\n".join(lines)


def _matched(
    path: Path, progress: Progress | None
) -> tuple[list[tuple[str, str, Sheet]], list[str]]:
    relay = None if progress is None else (lambda d, t: progress("读取", d, t))
    matched: list[tuple[str, str, Sheet]] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for title, sheet in read_xlsx_sheets(path, relay):
        try:
            table = layout(title).table
        except ImportFileError:
            ignored.append(title)
            continue
        if table in seen:
            raise ImportFileError(
                f"工作表“{seen[table]}”和“{title}”是同一张表（{LAYOUTS[table].title}），请合并为一个工作表"
            )
        seen[table] = title
        matched.append((table, title, sheet))
    if not matched:
        names = "、".join(lay.title for lay in LAYOUTS.values())
        raise ImportFileError(f"{path.name} 中没有可导入的工作表：工作表应以数据表命名（{names}）")
    matched.sort(key=lambda m: ORDER[m[0]])
    return matched, ignored


def preview_book(
    store: Store, path: Path, *, user: str = "导入", progress: Progress | None = None
) -> BookPreview:
    """Read and check every table worksheet of ``path``; writes nothing."""
    if path.suffix.lower() != ".xlsx":
        raise ImportFileError("整个工作簿导入只接受 .xlsx；.csv 和 .geojson 文件请选择对应的数据表")
    matched, ignored = _matched(path, progress)
    sheets: list[Preview] = []
    try:
        with write_scope(store) as conn:
            for table, title, sheet in matched:
                source = f"{path.name}“{title}”"
                rows = validate_rows(conn, table, sheet, source, progress)
                note = LAYOUTS[table].legacy_note(sheet.headers)
                trial = run_trial(conn, store, rows, user)
                sheets.append(Preview(table, source, trial, notes=[note] if note else []))
            raise RolledBack
    except RolledBack:
        pass
    rows = [row for sheet in sheets for row in sheet.rows]
    return BookPreview(BOOK, path.name, rows, sheets=sheets, ignored=ignored)


def export_book(store: Store, path: Path, *, township: str | None = None) -> int:
    """Every table to one .xlsx, a worksheet each in dependency order; the records written."""
    if path.suffix.lower() != ".xlsx":
        raise ImportFileError("整个工作簿只能导出为 .xlsx")
    out: list[SheetOut] = []
    total = 0
    for table, lay in LAYOUTS.items():
        rows = table_rows(store, table, township=township)
        total += len(rows)
        out.append(SheetOut(lay.title, lay.headers, rows, comments(lay)))
    write_xlsx_book(path, out)
    return total


def write_book_template(path: Path) -> None:
    """A blank workbook of every table's layout; each header's comment says what it takes."""
    if path.suffix.lower() != ".xlsx":
        raise ImportFileError("模板只能保存为 .xlsx")
    write_xlsx_book(
        path, [SheetOut(lay.title, lay.headers, [], comments(lay)) for lay in LAYOUTS.values()]
    )
