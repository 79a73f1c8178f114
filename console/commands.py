"""Headless sub-commands of ``duty-console`` (scripts, integrations, tests).

duty-console sync --once --server URL --user NAME [--data-dir DIR] [--keep-sample]
    password from $DUTY_PASSWORD or the first line of stdin, never the command line;
    the sample county (样例数据) is discarded (one printed line) unless --keep-sample, which
    only a demo server (duty-server load-sample) accepts
duty-console digest [--data-dir DIR]
duty-console incident new --json FILE | incident list --json   (see commands_incident.py)
duty-console import FILE [--table NAME] [--dry-run] | export [--table NAME] --out FILE
    | template [--table NAME] --out FILE.xlsx   (reference tables; see commands_io.py)

Every message is one Chinese line or a few; the data folder is resolved once, here.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from console.commands_roster import ROSTER_TABLES
from console.store.errors import DataDirError, StoreError
from console.store.paths import DATABASE_FILE, has_store, resolve_data_dir

_DATA_DIR_HELP = "数据文件夹（默认同图形界面；也可用环境变量 DUTY_CONSOLE_DATA_DIR）"
_DRILL_HELP = "演练模式：作用于数据文件夹下的演练数据（drill/），不触及正式数据"
# Commands that only read: they refuse a folder without a store rather than create one.
_READ_ONLY = {("digest", None), ("incident", "list"), ("export", None)}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="duty-console")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sync", help="与服务器同步（无界面）")
    s.add_argument("--once", action="store_true", required=True, help="同步一次后退出")
    s.add_argument("--server", required=True, help="服务器地址，例如 http://10.0.0.5:8765")
    s.add_argument("--user", required=True, help="账号")
    s.add_argument("--data-dir", type=Path, default=None, help=_DATA_DIR_HELP)
    s.add_argument("--drill", action="store_true", help=_DRILL_HELP)
    s.add_argument(
        "--keep-sample",
        action="store_true",
        help="保留本机样例数据并提交（仅演示服务器接受；默认丢弃样例数据，从服务器下载全县数据）",
    )
    d = sub.add_parser("digest", help="打印已同步数据表的规范 SHA-256 摘要")
    d.add_argument("--data-dir", type=Path, default=None, help=_DATA_DIR_HELP)
    d.add_argument("--drill", action="store_true", help=_DRILL_HELP)
    inc = sub.add_parser("incident", help="事件：新建、列出（供接口与脚本使用）")
    inc_sub = inc.add_subparsers(dest="action", required=True)
    from console.services.intake_json import fields_help

    new = inc_sub.add_parser(
        "new",
        help="从 JSON 新建事件（与界面同一写入路径）",
        description="从 JSON 新建事件（与界面同一写入路径）。有错误时一条也不写入，退出码 2。",
        epilog=fields_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("--json", required=True, metavar="FILE", help="JSON 文件，- 表示标准输入")
    new.add_argument("--user", default=os.environ.get("DUTY_USER", "接口"), help="记录人")
    new.add_argument("--data-dir", type=Path, default=None, help=_DATA_DIR_HELP)
    new.add_argument("--drill", action="store_true", help=_DRILL_HELP)
    lst = inc_sub.add_parser("list", help="以 JSON 列出事件")
    lst.add_argument("--json", action="store_true", required=True, help="输出 JSON")
    lst.add_argument("--status", action="append", default=[], help="按状态筛选，可重复")
    lst.add_argument("--search", default="", help="全文检索，如 山洪")
    lst.add_argument("--limit", type=int, default=1000)
    lst.add_argument("--data-dir", type=Path, default=None, help=_DATA_DIR_HELP)
    lst.add_argument("--drill", action="store_true", help=_DRILL_HELP)
    _io_parsers(sub)
    return p


def _io_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from console.services.io.layout import LAYOUTS

    tables = "、".join(f"{t}（{lay.title}）" for t, lay in LAYOUTS.items())
    table_help = f"数据表（英文名或中文名）：{tables}；排班（某月值班表，导出配 --month）"
    imp = sub.add_parser(
        "import",
        help="从 .xlsx/.csv/.geojson（应急指南事项也可 .docx）导入基础数据"
        "（先预览，全部通过才写入）",
        description="按表的列格式导入基础数据：逐行预览（新增/更新/无变化/拒绝），"
        "没有被拒绝的行时一次性写入。退出码：0 已导入（或 --dry-run 预览通过），"
        "2 有被拒绝的行（未写入），1 其他错误。",
    )
    imp.add_argument("file", type=Path, metavar="FILE", help="要导入的文件")
    imp.add_argument(
        "--table",
        default=None,
        help=table_help + "。省略时导入整个 .xlsx 工作簿（工作表以表名命名）",
    )
    imp.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    imp.add_argument("--user", default=os.environ.get("DUTY_USER", "导入"), help="记录的操作人")
    imp.add_argument("--data-dir", type=Path, default=None, help=_DATA_DIR_HELP)
    imp.add_argument("--drill", action="store_true", help=_DRILL_HELP)
    exp = sub.add_parser(
        "export",
        help="导出基础数据到 .xlsx/.csv/.geojson（应急指南事项也可 .docx；与导入同一格式）",
    )
    exp.add_argument(
        "--table", default=None, help=table_help + "。省略时导出全部表到一个 .xlsx 工作簿"
    )
    exp.add_argument("--township", default=None, help="只导出该乡镇的记录")
    exp.add_argument(
        "--month", default=None, help="--table 排班 时导出的月份，如 2026-11（默认本月）"
    )
    exp.add_argument("--out", type=Path, required=True, help="输出文件 .xlsx、.csv 或 .geojson")
    exp.add_argument("--data-dir", type=Path, default=None, help=_DATA_DIR_HELP)
    exp.add_argument("--drill", action="store_true", help=_DRILL_HELP)
    tpl = sub.add_parser("template", help="保存某表的空白导入模板（.xlsx，表头批注说明格式）")
    tpl.add_argument(
        "--table", default=None, help=table_help + "。省略时保存包含全部表的工作簿模板"
    )
    tpl.add_argument("--out", type=Path, required=True, help="输出文件 .xlsx")


def _password() -> str:
    env = os.environ.get("DUTY_PASSWORD")
    if env:
        return env
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("密码：")
    return sys.stdin.readline().rstrip("\n")


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "template":
        from console.commands_io import template_file

        return template_file(args.table, args.out)
    from console.domain import drill

    read_only = (args.command, getattr(args, "action", None)) in _READ_ONLY
    # A read makes nothing: not even the drill folder (refused below when it has no store).
    data_dir = drill.select(resolve_data_dir(args.data_dir), args.drill, make=not read_only)
    try:
        if read_only and not has_store(data_dir):
            raise _no_store(data_dir)
        if args.command == "digest":
            return _digest(data_dir)
        if args.command in ("import", "export") and args.table in ROSTER_TABLES:
            from console.commands_roster import export_roster, import_roster

            if args.command == "import":
                return import_roster(data_dir, args.file, dry_run=args.dry_run, user=args.user)
            return export_roster(data_dir, args.out, args.month)
        if args.command in ("import", "export"):
            from console.commands_io import export_file, import_file

            if args.command == "import":
                return import_file(
                    data_dir, args.file, args.table, dry_run=args.dry_run, user=args.user
                )
            return export_file(data_dir, args.table, args.out, args.township)
        if args.command == "incident":
            from console.commands_incident import incident_list, incident_new

            if args.action == "new":
                return incident_new(data_dir, args.json, args.user)
            return incident_list(data_dir, set(args.status), args.search, args.limit)
        return _sync_once(data_dir, args.server, args.user, keep_sample=args.keep_sample)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours, and no traceback at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _no_store(data_dir: Path) -> DataDirError:
    return DataDirError(
        f"{data_dir} 中没有值班台数据库（{DATABASE_FILE}），未创建任何文件。",
        "请用 --data-dir 指定值班台的数据文件夹（图形界面“设置”页可查看），"
        "或先打开值班台、新建事件或同步一次。",
    )


def _digest(data_dir: Path) -> int:
    from console.domain.digest import database_digest
    from console.store.database import open_store

    store = open_store(data_dir)
    try:
        with store.engine.connect() as conn:
            overall, _ = database_digest(conn)
    finally:
        store.close()
    print(overall)
    return 0


def _sync_once(data_dir: Path, server: str, user: str, *, keep_sample: bool = False) -> int:
    from console.store.database import open_store
    from console.sync.client import SyncClient, SyncHttpError, Unreachable
    from console.sync.engine import SyncEngine
    from console.sync.messages import credentials_problem, refused_text, unreachable_text

    server = server.strip().rstrip("/")
    password = _password()
    problem = credentials_problem(server, user.strip(), password)
    if problem is not None:
        hint = "（密码取自环境变量 DUTY_PASSWORD 或标准输入的第一行）" if password == "" else ""
        print(f"错误：{problem}{hint}，未连接服务器", file=sys.stderr)
        return 2
    store = open_store(data_dir)
    client = SyncClient(server)
    try:
        client.login(user.strip(), password)
        engine = SyncEngine(store, client, keep_sample=keep_sample)
        report = engine.sync_once()
    except Unreachable as exc:
        print(unreachable_text(exc, server), file=sys.stderr)
        return 3
    except SyncHttpError as exc:
        print(refused_text(exc), file=sys.stderr)
        return 4
    finally:
        client.close()
        store.close()
    if engine.status.notice:  # the server's word on a new epoch (restored from a backup...)
        print(f"注意：{engine.status.notice}", file=sys.stderr)
    if report.discarded:
        print(f"已丢弃本机样例数据（{report.discarded} 项操作），全县数据和报送规则以服务器为准")
    print(
        f"pushed {report.pushed} issues {report.issues} "
        f"pulled {report.pulled_rows} rows in {report.pages} page(s)"
    )
    return 0
