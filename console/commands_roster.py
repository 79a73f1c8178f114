"""``duty-console import|export --table 排班``: the month's duty roster as the Excel sheet
posted on the wall (console/services/roster_xlsx.py), through the same preview as the
排班 tab's import.

import: exit 0 imported (or nothing to change, or previewed with --dry-run), 2 refused rows
(nothing written), 1 any other error. export: ``--month YYYY-MM`` (default: this month).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from console.domain.fields import MutationRejected
from console.store.errors import StoreError

ROSTER_TABLES = frozenset({"排班", "值班表", "roster"})
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def import_roster(data_dir: Path, source: Path, *, dry_run: bool, user: str) -> int:
    from console.services.context import open_workstation
    from console.services.roster import RosterService
    from console.services.roster_xlsx import read_month

    if not source.is_file():
        _err(f"错误：找不到文件：{source}")
        return 1
    ws = open_workstation(data_dir, autoload=False)
    try:
        service = RosterService(ws.store, ws.writer)
        preview = read_month(source, service)
        if preview.year == 0:
            for refusal in preview.refusals:
                _err(f"错误：{refusal}")
            return 1
        print(f"{preview.year}年{preview.month}月：读到 {len(preview.rows)} 个班次")
        for refusal in preview.refusals:
            _err(f"  拒绝 {refusal}")
        if preview.refusals:
            _err(f"有 {len(preview.refusals)} 处问题，未写入任何数据")
            return 2
        if not preview.calls:
            print("与本机排班一致，无需写入")
            return 0
        if dry_run:
            print(f"仅预览（--dry-run）：将写入 {len(preview.calls)} 处变更，未写入任何数据")
            return 0
        service.apply_calls(preview.calls, user)
        print(f"已导入：写入 {len(preview.calls)} 处变更")
        return 0
    except (StoreError, MutationRejected) as exc:
        _err(f"错误：{getattr(exc, 'message', None) or exc}。未写入任何数据")
        return 1
    finally:
        ws.close()


def export_roster(data_dir: Path, out: Path, month: str | None) -> int:
    from console.domain import beijing
    from console.services.roster import RosterService
    from console.services.roster_xlsx import export_month
    from console.store.database import open_store

    if month is None:
        today = beijing.now().date()
        year, number = today.year, today.month
    else:
        match = _MONTH.match(month.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12:
            _err(f"错误：--month 应为 年-月，如 2026-11（收到 {month!r}）")
            return 1
        year, number = int(match.group(1)), int(match.group(2))
    store = open_store(data_dir)
    try:
        service = RosterService(store)
        export_month(service.month(year, number), service.people(), out)
    except OSError as exc:
        _err(f"错误：无法写入 {out}（{exc.strerror or exc}）")
        return 1
    finally:
        store.close()
    print(f"已导出 {year}年{number}月值班表到 {out}")
    return 0
