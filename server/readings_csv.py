"""``duty-server import-readings FILE.csv``: a file of readings through :func:`ingest_rows`.

Headers (Chinese, any order): 站码, 时间, 类型, 数值 and optionally 时段(分钟).
- 时间: Beijing time ``2026-09-28 14:05`` (seconds optional), or ISO 8601 with an offset.
- 类型: 雨量 or 水位 (rain / level are taken too).
- 时段(分钟): rain's interval, 5 or 60 (default 5); empty or 0 for levels.
Rows are refused one by one (with the file's line number and the reason); the others are
stored, in transactions of :data:`CHUNK` rows. UTF-8 (with or without BOM) or GB18030 (what
Excel saves on a Chinese Windows).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from console.domain.beijing import BEIJING
from console.domain.readings import LEVEL, RAIN
from server.readings import Refusal, ingest_rows

CHUNK = 10_000
HEADERS = ("站码", "时间", "类型", "数值")
INTERVAL = "时段(分钟)"
_KINDS = {"雨量": RAIN, "水位": LEVEL, RAIN: RAIN, LEVEL: LEVEL}


class CsvError(Exception):
    """The file as a whole cannot be read (Chinese message)."""


@dataclass
class ImportReport:
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)  # index = the file's line number


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvError("文件编码无法识别（应为 UTF-8 或 GB18030）")


def parse_time(text: str) -> int:
    """Epoch seconds of a Beijing wall-clock time or of an ISO time with an offset."""
    value = text.strip().replace("/", "-")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("时间格式应为 2026-09-28 14:05（北京时间）或带时区的 ISO 时间") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return int(moment.timestamp())


def _row(cells: dict[str, str]) -> dict[str, Any] | str:
    """A row for ingest_rows, or the Chinese reason it is not one."""
    kind = _KINDS.get(cells.get("类型", "").strip())
    if kind is None:
        return "类型应为“雨量”或“水位”"
    try:
        ts = parse_time(cells.get("时间", ""))
    except ValueError as exc:
        return str(exc)
    try:
        value = float(cells.get("数值", "").strip())
    except ValueError:
        return "数值应为数字"
    minutes = (cells.get(INTERVAL) or "").strip()
    try:
        interval = int(minutes) * 60 if minutes else (300 if kind == RAIN else 0)
    except ValueError:
        return "时段(分钟)应为整数"
    return {
        "station": cells.get("站码", "").strip(),
        "kind": kind,
        "ts": ts,
        "value": value,
        "interval_s": interval,
    }


def import_file(engine: Engine, path: Path) -> ImportReport:
    reader = csv.DictReader(io.StringIO(_text(path)))
    headers = [h.strip() for h in reader.fieldnames or []]
    missing = [h for h in HEADERS if h not in headers]
    if missing:
        raise CsvError(f"缺少列：{'、'.join(missing)}（应有 站码,时间,类型,数值[,{INTERVAL}]）")
    report = ImportReport()
    batch: list[dict[str, Any]] = []
    lines: list[int] = []  # the file's line number of each batch row

    def flush() -> None:
        with engine.begin() as conn:
            result = ingest_rows(conn, batch, "import")
        report.accepted += result.accepted
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.refused += [Refusal(lines[r.index], r.reason) for r in result.refused]
        batch.clear()
        lines.clear()

    for number, raw in enumerate(reader, start=2):
        cells = {(k or "").strip(): (v if isinstance(v, str) else "") for k, v in raw.items()}
        row = _row(cells)
        if isinstance(row, str):
            report.refused.append(Refusal(number, row))
            continue
        batch.append(row)
        lines.append(number)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    report.refused.sort(key=lambda r: r.index)
    return report
