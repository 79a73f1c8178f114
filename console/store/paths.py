"""Where the workstation keeps its data: the user's data folder unless told otherwise."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "duty-console"
DATABASE_FILE = "duty.db"


def default_data_dir() -> Path:
    """XDG data home on Linux, %LOCALAPPDATA% on Windows, Application Support on macOS."""
    override = os.environ.get("DUTY_CONSOLE_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


def resolve_data_dir(given: Path | str | None) -> Path:
    """The data folder as an absolute path, resolved once where the command line hands it in.

    ``--data-dir``, ``DUTY_CONSOLE_DATA_DIR`` or the default; ``~`` expanded and a relative
    path taken from the current folder now, so nothing later (SQLite URIs, Alembic, the log
    folder) sees a relative path or a later change of the current folder.
    """
    folder = Path(given) if given is not None else default_data_dir()
    return folder.expanduser().resolve()


def has_store(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds a workstation database (a non-empty duty.db file)."""
    path = data_dir / DATABASE_FILE
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False
