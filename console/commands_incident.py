"""``duty-console incident new|list``: hotline integrations and tests use the same service
and write path as the intake form. Bad JSON or invalid fields: exit 2, nothing written."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from console.services.context import open_workstation
from console.services.incident_list import IncidentFilter, fetch_rows, query_rowids
from console.services.incidents import IncidentService
from console.services.intake import FormErrors
from console.services.intake_json import FIELD_LABELS, JsonFormError, decode, field_name, parse

__all__ = ["FIELD_LABELS", "incident_list", "incident_new"]


def _read(source: str) -> dict[str, Any]:
    """The call from a file or stdin, read as bytes so the encoding is ours to check."""
    if source == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise JsonFormError(f"无法读取 JSON 文件 {source}（{exc.strerror or exc}）") from None
    return parse(decode(raw))


def incident_new(data_dir: Path, source: str, user: str) -> int:
    try:
        form = _read(source)
    except JsonFormError as exc:
        print(f"错误：{exc}。未写入任何数据", file=sys.stderr)
        return 2
    ws = open_workstation(data_dir)
    try:
        incident_id = IncidentService(ws.writer).take_call(form, user=user)
    except FormErrors as exc:
        for key, message in exc.errors.items():
            print(f"错误：{field_name(key)}：{message}", file=sys.stderr)
        print("未写入任何数据", file=sys.stderr)
        return 2
    finally:
        ws.close()
    print(json.dumps({"id": incident_id}, ensure_ascii=False))
    return 0


def incident_list(data_dir: Path, statuses: set[str], search: str, limit: int) -> int:
    ws = open_workstation(data_dir)
    try:
        rowids = query_rowids(ws.store, IncidentFilter(statuses=frozenset(statuses), text=search))[
            :limit
        ]
        rows = fetch_rows(ws.store, rowids)
        names = {t["id"]: t["name"] for t in ws.queries.townships()}
        out = []
        for rowid in rowids:
            row = rows[rowid]
            row.pop("rowid", None)
            row["township"] = names.get(row.get("township_id") or "", "")
            out.append(row)
    finally:
        ws.close()
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0
