"""Reading a table from a Word document (.docx, python-docx): every table of the document,
each with the table's Chinese headers in its first row, as one sheet. A guide exported as
.docx (one table per hazard and level, see console/services/guide_export.py) reads back this
way; the paragraphs between the tables (headings, 启动条件) are for people and not read.

A row's place names its table ("表 2 第 3 行") and a cell its column ("E 列"), so refusals
point at the cell as they do in a workbook.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from console.domain import drill
from console.services.io.layout import ImportFileError, RawRow, Sheet, raw_row


def _open(path: Path) -> Any:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(
            f"无法读取 Word 文件 {path.name}：不是有效的 .docx 文档（{exc}）。"
            "旧版 .doc 请先在 Word 中“另存为” .docx"
        ) from None
    refused = drill.refuse_into_real(path.name, doc.core_properties.keywords == drill.MARK)
    if refused is not None:
        raise ImportFileError(refused)
    return doc


def _cells(row: Any) -> list[str]:
    return [cell.text.strip() for cell in row.cells]


def read_docx(path: Path) -> Sheet:
    """Every table of ``path`` as one sheet: the tables must share their header row."""
    doc = _open(path)
    headers: tuple[str, ...] | None = None
    rows: list[RawRow] = []
    for t, table in enumerate(doc.tables, start=1):
        lines = list(table.rows)
        if not lines:
            continue
        head = tuple(_cells(lines[0]))
        if headers is None:
            headers = head
        elif head != headers:
            raise ImportFileError(
                f"{path.name} 的表 {t} 的表头（{'、'.join(h for h in head if h)}）"
                f"与表 1 不同（{'、'.join(h for h in headers if h)}）："
                "每个表格的第一行应为相同的表头"
            )
        for number, line in enumerate(lines[1:], start=2):
            values = _cells(line)
            if not any(values):
                continue
            rows.append(raw_row(f"表 {t} 第 {number} 行", headers, values))
    if headers is None:
        raise ImportFileError(f"{path.name} 中没有表格：每个表格的第一行应为表头")
    return Sheet(headers, rows)
