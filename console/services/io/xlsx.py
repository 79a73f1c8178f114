"""Reading and writing .xlsx workbooks (openpyxl): one table per first worksheet, the first
row its Chinese headers."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from console.services.io.layout import ImportFileError, RawRow, Sheet

Progress = Callable[[int, int], None]


def read_xlsx(path: Path, progress: Progress | None = None) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(
            f"无法读取 Excel 文件 {path.name}：不是有效的 .xlsx 工作簿（{exc}）。"
            "旧版 .xls 请先在 Excel 中“另存为” .xlsx"
        ) from None
    try:
        ws = book.worksheets[0]
        total = max((ws.max_row or 1) - 1, 0)
        lines = ws.iter_rows(values_only=True)
        head = next(lines, None)
        if head is None:
            raise ImportFileError(f"{path.name} 的第一个工作表是空的：第 1 行应为表头")
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
            rows.append(RawRow(f"第 {number} 行", cells, refs))
            if progress is not None and (number - 1) % 500 == 0:
                progress(number - 1, total)  # lines read below the header
        return Sheet(headers, rows)
    finally:
        book.close()


def write_xlsx(
    path: Path,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    comments: Sequence[str] | None = None,
) -> None:
    """A workbook with one sheet: bold, frozen headers (with ``comments`` on them), rows."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(list(headers))
    bold = Font(bold=True)
    for i, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        if comments is not None and comments[i - 1]:
            comment = Comment(comments[i - 1], "duty-console")
            comment.width = 260
            comment.height = 120
            cell.comment = comment
        ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(header) + 4)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append(list(row))
    book.save(path)
