"""Reading and writing .xlsx workbooks (openpyxl): a table per worksheet, the first row its
Chinese headers. A one-table file uses its first worksheet; a county's workbook holds one
worksheet per table, named by the table (see :mod:`console.services.io.workbook`)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.domain import drill
from console.services.io.layout import ImportFileError, RawRow, Sheet

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SheetOut:
    """One worksheet to write: its title, headers (with their comments) and rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    comments: Sequence[str] | None = None


@contextmanager
def _open(path: Path) -> Iterator[Any]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(
            f"无法读取 Excel 文件 {path.name}：不是有效的 .xlsx 工作簿（{exc}）。"
            "旧版 .xls 请先在 Excel 中“另存为” .xlsx"
        ) from None
    try:
        refused = drill.refuse_into_real(path.name, book.properties.keywords == drill.MARK)
        if refused is not None:
            raise ImportFileError(refused)
        yield book
    finally:
        book.close()


def _read_sheet(ws: Any, what: str, prefix: str, progress: Progress | None) -> Sheet:
    from openpyxl.utils import get_column_letter

    total = max((ws.max_row or 1) - 1, 0)
    lines = ws.iter_rows(values_only=True)
    head = next(lines, None)
    if head is None:
        raise ImportFileError(f"{what}是空的：第 1 行应为表头")
    headers = tuple("" if h is None else str(h).strip() for h in head)
    letters = [get_column_letter(i + 1) for i in range(len(headers))]
    rows: list[RawRow] = []
    for number, values in enumerate(lines, start=2):
        if values is None or all(
            v is None or (isinstance(v, str) and not v.strip()) for v in values
        ):
            continue  # blank lines between blocks are common in hand-kept sheets
        cells: dict[str, Any] = {}
        refs: dict[str, str] = {}
        for i, header in enumerate(headers):
            if not header:
                continue
            cells[header] = values[i] if i < len(values) else None
            refs[header] = f"{letters[i]} 列"
        rows.append(RawRow(f"{prefix}第 {number} 行", cells, refs))
        if progress is not None and (number - 1) % 500 == 0:
            progress(number - 1, total)  # lines read below the header
    return Sheet(headers, rows)


def read_xlsx(path: Path, progress: Progress | None = None) -> Sheet:
    """The first worksheet of ``path``."""
    with _open(path) as book:
        return _read_sheet(book.worksheets[0], f"{path.name} 的第一个工作表", "", progress)


def read_xlsx_sheets(path: Path, progress: Progress | None = None) -> list[tuple[str, Sheet]]:
    """Every worksheet of ``path`` as (title, sheet), in the workbook's order; a row's place
    names its worksheet ("风险点 第 3 行"). Empty worksheets (a 说明 page) are left out."""
    out: list[tuple[str, Sheet]] = []
    with _open(path) as book:
        for ws in book.worksheets:
            title = str(ws.title).strip()
            if (ws.max_row or 0) < 1 or next(ws.iter_rows(values_only=True), None) is None:
                continue
            out.append((title, _read_sheet(ws, f"工作表“{title}”", f"{title} ", progress)))
    if not out:
        raise ImportFileError(f"{path.name} 中没有任何有内容的工作表")
    return out


def write_xlsx_book(path: Path, sheets: Sequence[SheetOut]) -> None:
    """A workbook with one worksheet per entry: bold, frozen headers (with their comments).

    In drill mode (演练) the workbook says so without touching the table (it still imports):
    its title and keywords, an orange tab and the printed page header of every sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append(list(sheet.headers))
        for i, header in enumerate(sheet.headers, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = bold
            if sheet.comments is not None and sheet.comments[i - 1]:
                comment = Comment(sheet.comments[i - 1], "duty-console")
                comment.width = 260
                comment.height = 120
                cell.comment = comment
            ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(header) + 4)
        ws.freeze_panes = "A2"
        if drill.mark() is not None:
            ws.sheet_properties.tabColor = "C2410C"
            ws.oddHeader.center.text = drill.DOCUMENT_MARK
            ws.oddHeader.center.color = "C2410C"
        for row in sheet.rows:
            ws.append(list(row))
    if drill.mark() is not None:
        book.properties.title = drill.document_title(sheets[0].title if sheets else "")
        book.properties.keywords = drill.MARK
        book.properties.subject = drill.DOCUMENT_MARK
    book.save(path)


def write_xlsx(
    path: Path,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    comments: Sequence[str] | None = None,
) -> None:
    """A workbook with one sheet: bold, frozen headers (with ``comments`` on them), rows."""
    write_xlsx_book(path, [SheetOut(title, headers, rows, comments)])
