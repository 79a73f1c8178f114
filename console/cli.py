"""Command line of ``duty-console``: the desktop app by default, plus headless commands.

``duty-console [--data-dir DIR] [--demo]`` opens the console;
``--screenshot FILE --view NAME [--size WxH]`` renders one page offscreen and exits;
``--list-views`` prints the page names. Later issues add sub-commands (sync, digest, ...).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from console.store.paths import default_data_dir, resolve_data_dir

_SUBCOMMANDS = (
    "sync",
    "digest",
    "incident",
    "import",
    "export",
    "template",
)  # headless commands, see console/commands.py

# Taken as early as the command line allows; --quit-after-shown reports from here when the
# operating system cannot tell the process's own start time.
STARTED_AT = time.perf_counter()


@dataclass(frozen=True)
class GuiOptions:
    data_dir: Path
    demo: bool = False
    screenshot: Path | None = None
    view: str | None = None
    size: tuple[int, int] = (1600, 1000)
    theme: str | None = None
    officer: str | None = None
    quit_after_shown: bool = False
    standalone: bool = False
    drill: bool = False  # 演练: the data folder is already the drill store's (see select)
    wall: bool = False  # start the wall display (大屏模式) from the saved preset


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(p) for p in text.lower().split("x", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"尺寸格式应为 宽x高，例如 1600x1000：{text}") from None
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"尺寸超出范围（320x240 至 10000x10000）：{text}")
    return w, h


def _data_dir_after_sub_command(argv: list[str]) -> list[str]:
    """``duty-console --data-dir DIR --drill digest`` as ``duty-console digest --data-dir DIR
    --drill``: the data folder and --drill may come before a sub-command as well as after it."""
    moved: list[str] = []
    rest = list(argv)
    while rest:
        if rest[0] == "--drill":
            moved.append(rest.pop(0))
        elif rest[0] == "--data-dir" and len(rest) >= 2:
            moved.extend(rest[:2])
            del rest[:2]
        elif rest[0].startswith("--data-dir="):
            moved.append(rest.pop(0))
        else:
            break
    if moved and rest and rest[0] in _SUBCOMMANDS:
        return [*rest, *moved]
    return argv


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="duty-console",
        description="县综合应急指挥中心值班台 (duty-console)",
        epilog=(
            "无界面子命令（各自有 --help）：sync --once 同步一次；digest 数据摘要；"
            "incident new --json FILE 新建事件；incident list --json 列出事件；"
            "import FILE [--table NAME] 导入基础数据；export [--table NAME] --out FILE 导出；"
            "template [--table NAME] --out FILE.xlsx 空白模板（省略 --table：整个工作簿）。"
            "除 template 外都可加 --drill，作用于演练数据"
        ),
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help=f"数据文件夹（默认 {default_data_dir()}）"
    )
    p.add_argument("--demo", action="store_true", help="载入遂昌县样例数据（样例数据，非真实）")
    p.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE.png",
        help="离屏渲染一个页面到 PNG 后退出（需配合 --view）",
    )
    p.add_argument("--view", metavar="NAME", help="要显示或截图的页面，见 --list-views")
    p.add_argument(
        "--size",
        type=_size,
        default=(1600, 1000),
        metavar="WxH",
        help="截图（--screenshot）的窗口尺寸，默认 1600x1000；"
        "正常启动时窗口沿用上次关闭时的屏幕、大小和最大化状态，首次启动最大化",
    )
    p.add_argument("--list-views", action="store_true", help="列出页面名称后退出")
    p.add_argument("--theme", choices=("dark", "light"), help="界面主题：dark 深色 / light 浅色")
    p.add_argument("--officer", metavar="NAME", help="本机值班员姓名（单机使用、未登录时显示）")
    p.add_argument(
        "--standalone",
        action="store_true",
        help="单机使用：不显示登录窗口，不连接服务器（数据仍保存在本机，之后可在“同步状态”页连接）",
    )
    p.add_argument(
        "--drill",
        action="store_true",
        help="演练模式：使用单独的演练数据（数据文件夹下的 drill/）和服务器的演练数据库，"
        "每个窗口和导出文件标明“演练”，数据不计入正式记录",
    )
    p.add_argument(
        "--wall",
        action="store_true",
        help="启动后直接进入大屏模式：按本机保存的预设在相同名称的显示器上全屏显示",
    )
    p.add_argument("--quit-after-shown", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--version", action="version", version="duty-console 0.1.0")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    argv = _data_dir_after_sub_command(argv)
    if argv and argv[0] in _SUBCOMMANDS:
        from console.commands import run

        return run(argv)
    args = build_parser().parse_args(argv)
    if args.list_views:
        from console.views.registry import VIEWS

        for spec in VIEWS:
            print(f"{spec.name}\t{spec.title}")
            for tab, title in spec.tabs:
                print(f"{spec.name}:{tab}\t{spec.title} > {title}")
        return 0
    if args.screenshot is not None and not args.view:
        print(
            "错误：--screenshot 需要同时指定 --view（可用 --list-views 查看页面名称）",
            file=sys.stderr,
        )
        return 2
    if args.view:
        from console.views.registry import is_view_name, view_choices

        if not is_view_name(args.view):
            print(
                f"错误：没有名为 {args.view} 的页面。可用页面：{', '.join(view_choices())}",
                file=sys.stderr,
            )
            return 2
    from console.domain import drill

    data_dir = drill.select(resolve_data_dir(args.data_dir), args.drill)
    options = GuiOptions(
        data_dir=data_dir,
        demo=args.demo,
        screenshot=args.screenshot,
        view=args.view,
        size=args.size,
        theme=args.theme,
        officer=args.officer,
        quit_after_shown=args.quit_after_shown,
        standalone=args.standalone,
        drill=drill.active(),
        wall=args.wall,
    )
    from console.memory import pause_collector, resume_collector
    from console.ui.qt_imports import import_qt_without_feature_hook

    pause_collector()  # until the first page holds its data: see console/memory.py
    try:
        import_qt_without_feature_hook()
        from console.app import run_gui

        return run_gui(options)
    finally:
        resume_collector()


if __name__ == "__main__":
    raise SystemExit(main())
