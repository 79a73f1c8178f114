"""Bundled data files: themes, the UI font, the county outline, the sample county.

They are package data of ``console.resources`` (declared in pyproject), read through
:mod:`importlib.resources`, so an editable checkout, a plain ``pip install`` and the
PyInstaller bundle find them alike. ``DUTY_CONSOLE_RESOURCES=/dir`` points at another folder
of the same layout instead.

A bundled file that cannot be read is a broken install, never a quiet fallback:
:func:`read_text` logs it as an error before raising, so an unthemed window or a map without
its county outline leaves a line in the log saying why. Standard library only: the server
reads the sample county through here without importing anything of the workstation.
"""

from __future__ import annotations

import logging
import os
import sys
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

log = logging.getLogger(__name__)


def resource_root() -> Traversable:
    override = os.environ.get("DUTY_CONSOLE_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller; build_installer.spec puts it here
    if bundle:
        return Path(bundle) / "console" / "resources"
    return files(__name__)


def resource(*parts: str) -> Traversable:
    return resource_root().joinpath(*parts)


def log_unusable(parts: tuple[str, ...], why: object) -> None:
    """Log a bundled file that is absent or unreadable (callers that can go on without it)."""
    log.error("bundled resource %s unusable (%s) under %s", "/".join(parts), why, resource_root())


def read_text(*parts: str) -> str:
    """A bundled text file (UTF-8); logs an error, then raises, when it cannot be read."""
    try:
        return resource(*parts).read_text(encoding="utf-8")
    except OSError as exc:
        log_unusable(parts, exc)
        raise
