"""Drill mode (演练): one process-wide switch, and the one function deciding the 演练 mark.

A drill works on its own store (``<data dir>/drill/``, marked by a ``DRILL`` file) and the
server's drill database, so drill data never mixes with real incidents, reports or counts.
Whatever opens a drill store turns the switch on (:func:`activate`); every window banner and
every exported document asks :func:`mark` whether to carry 演练. Qt-free.
"""

from __future__ import annotations

from pathlib import Path

DRILL_DIR = "drill"  # the drill store's folder inside the real data folder
MARKER_FILE = "DRILL"  # in a drill store's folder: whatever opens it is in drill mode
MARK = "演练"
BANNER = "演练 — 数据不计入正式记录"
DOCUMENT_MARK = "演练文件 · 数据不计入正式记录"
DRILL_HEADER = "X-Duty-Drill"  # sent by a drill workstation; see server/drill.py
DRILL_PORT_OFFSET = 1  # duty-server --drill serves on the real port + 1 (8766)

_active = False


def activate(on: bool = True) -> None:
    """Switch drill mode on (or off) for this process."""
    global _active
    _active = bool(on)


def active() -> bool:
    return _active


def mark() -> str | None:
    """The mark every window and exported document carries now: 演练, or None."""
    return MARK if _active else None


def document_title(title: str) -> str:
    """A document's title (PDF title, workbook title) with 【演练】 before it in drill mode."""
    prefix = f"【{MARK}】"
    if not _active or title.startswith(prefix):
        return title
    return prefix + title


def refuse_into_real(name: str, marked: bool) -> str | None:
    """Why a file exported in drill mode (``marked``) may not be imported now: into the real
    store it would mix drill data with real records. None when it may."""
    if marked and not _active:
        return (
            f"{name} 是演练模式导出的文件（标有“{MARK}”），不能导入正式数据。"
            "请在演练模式（--drill）中导入，或使用正式数据导出的文件"
        )
    return None


def is_drill_dir(data_dir: Path) -> bool:
    """Whether ``data_dir`` is a drill store's folder (it holds the DRILL marker)."""
    return (data_dir / MARKER_FILE).is_file()


def drill_dir(data_dir: Path, *, make: bool = True) -> Path:
    """The drill store's folder for the real data folder ``data_dir`` (itself when it is
    already a drill folder), made and marked unless ``make`` is False."""
    folder = data_dir if is_drill_dir(data_dir) else data_dir / DRILL_DIR
    if not make:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER_FILE
    if not marker.is_file():
        marker.write_text("演练数据文件夹：此处数据不计入正式记录。\n", encoding="utf-8")
    return folder


def select(data_dir: Path, drill: bool, *, make: bool = True) -> Path:
    """The folder to open for ``--drill`` (or not), switching drill mode to match: a drill
    folder opened by its own path is a drill too."""
    folder = drill_dir(data_dir, make=make) if drill else data_dir
    activate(drill or is_drill_dir(folder))
    return folder


def config_file(data_dir: Path, name: str) -> Path:
    """A county configuration file (task or order templates) of ``data_dir``: a drill store
    reads the real folder's unless it has its own, so a drill runs on the county's rules."""
    own = data_dir / name
    if own.is_file() or not is_drill_dir(data_dir):
        return own
    return data_dir.parent / name


def restart_arguments(argv: list[str], data_dir: Path, *, drill: bool) -> list[str]:
    """The command line (without the program) that reopens the console on the real store
    (``drill`` False) or the drill store of the same data folder: what the sign-in dialog's
    演练模式 switch restarts with. ``data_dir`` is the folder open now."""
    real = data_dir.parent if is_drill_dir(data_dir) else data_dir
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--data-dir":
            skip = True
        elif arg != "--drill" and not arg.startswith("--data-dir="):
            out.append(arg)
    return [*out, "--data-dir", str(real), *(["--drill"] if drill else [])]
