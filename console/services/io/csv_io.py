"""CSV files: written as UTF-8 with a BOM (so Excel shows the Chinese), read as UTF-8 with or
without one; a GBK file (Excel's "CSV" on a Chinese Windows) is refused with what to do,
never read as mojibake."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from console.services.intake_json import JsonFormError, decode
from console.services.io.layout import ImportFileError, RawRow, Sheet, raw_row


def decode_csv(raw: bytes, name: str) -> str:
    try:
        return decode(raw)
    except JsonFormError as exc:
        # The JSON reader's wording, said of this CSV file and how Excel saves it.
        detail = str(exc).removeprefix("无法读取 JSON：")
        raise ImportFileError(
            f"无法读取 CSV 文件 {name}：{detail.split('。')[0]}。"
            "请在 Excel 中“另存为”时选择“CSV UTF-8（逗号分隔）”，"
            "或用记事本打开后“另存为”UTF-8 编码，再重试"
        ) from None


def read_csv(path: Path) -> Sheet:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"无法读取文件 {path}（{exc.strerror or exc}）") from None
    text = decode_csv(raw, path.name)
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines:
        raise ImportFileError(f"{path.name} 是空的：第 1 行应为表头")
    headers = tuple(h.strip() for h in lines[0])
    rows: list[RawRow] = []
    for number, values in enumerate(lines[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(raw_row(f"第 {number} 行", headers, values))
    return Sheet(headers, rows)


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(headers)
        for row in rows:
            out.writerow(["" if v is None else v for v in row])
