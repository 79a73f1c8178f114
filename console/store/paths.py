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
