"""``duty-console import|export|template``: the reference tables from and to files, for
scripted loads, through the same preview and write path as the import dialog.

Without --table, import and export take the county's whole workbook (.xlsx, one worksheet
per table named by it) and template writes a blank one.

import: exit 0 applied (or previewed with --dry-run and nothing refused), 2 refused rows
(nothing written), 1 any other error (file unreadable, unknown table, columns wrong).
"""

from __future__ import annotations

import sys
from pathlib import Path

from console.domain.fields import MutationRejected
from console.services.io.layout import ImportFileError
from console.store.errors import StoreError

MAX_LISTED = 200  # refused rows printed; a broken 10,000-row file says how many more


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def import_file(
    data_dir: Path, source: Path, table: str | None, *, dry_run: bool, user: str
) -> int:
    """``table`` None: every worksheet of an .xlsx named by a table (the county's workbook)."""
    from console.services.context import open_workstation
    from console.services.io import importer, workbook
    from console.services.io.layout import layout

    try:
        if table is not None:
            table = layout(table).table  # 风险点 as well as risk_points
        elif source.suffix.lower() != ".xlsx":
            raise ImportFileError("没有 --table 时只能导入 .xlsx 工作簿（每个工作表以数据表命名）")
        if not source.is_file():
            raise ImportFileError(f"找不到文件：{source}")
    except ImportFileError as exc:
        _err(f"错误：{exc}")
        return 1
    # Not autoloaded: a folder made for a county's own data must not get the sample first.
    ws = open_workstation(data_dir, autoload=False)
    try:
        if table is None:
            result: importer.Preview = workbook.preview_book(ws.store, source, user=user)
        else:
            result = importer.preview(ws.store, table, source, user=user)
        print(result.summary())
        for row in result.rows:
            if row.outcome == importer.UPDATED:
                print(f"  更新 {row.place}（{row.key}）：{row.detail}")
        refused = result.refused
        for row in refused[:MAX_LISTED]:
            _err(f"  拒绝 {row.detail}")
        if len(refused) > MAX_LISTED:
            _err(f"  ……另有 {len(refused) - MAX_LISTED} 行被拒绝")
        if refused:
            _err(f"有 {len(refused)} 行被拒绝，未写入任何数据")
            return 2
        if dry_run:
            print("仅预览（--dry-run），未写入任何数据")
            return 0
        changes = importer.apply(ws.writer, result, user=user)
        print(f"已导入：写入 {len(changes.rows)} 条记录")
        return 0
    except ImportFileError as exc:
        _err(f"错误：{exc}。未写入任何数据")
        return 1
    except (StoreError, MutationRejected) as exc:
        # The data changed between preview and write (a township deleted meanwhile...).
        _err(f"错误：{getattr(exc, 'message', None) or exc}。未写入任何数据")
        return 1
    finally:
        ws.close()


def export_file(data_dir: Path, table: str | None, out: Path, township: str | None) -> int:
    """``table`` None: every table to one .xlsx, a worksheet each."""
    from console.services.io import exporter, workbook
    from console.services.io.layout import layout
    from console.store.database import open_store

    store = open_store(data_dir)
    try:
        if table is None:
            count = workbook.export_book(store, out, township=township)
        else:
            count = exporter.export_table(store, layout(table).table, out, township=township)
    except ImportFileError as exc:
        _err(f"错误：{exc}")
        return 1
    except OSError as exc:
        _err(f"错误：无法写入 {out}（{exc.strerror or exc}）")
        return 1
    finally:
        store.close()
    print(f"已导出 {count} 条记录到 {out}")
    return 0


def template_file(table: str | None, out: Path) -> int:
    from console.services.io import exporter, workbook

    try:
        if table is None:
            workbook.write_book_template(out)
        else:
            exporter.write_template(table, out)
    except ImportFileError as exc:
        _err(f"错误：{exc}")
        return 1
    except OSError as exc:
        _err(f"错误：无法写入 {out}（{exc.strerror or exc}）")
        return 1
    print(f"已保存空白模板到 {out}")
    return 0
