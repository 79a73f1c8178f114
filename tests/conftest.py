"""Shared fixtures: offscreen Qt, a fresh data folder and isolated QSettings per test.

Qt aborts the interpreter when it has neither a display nor a platform, so the offscreen
platform is chosen before anything imports Qt. Every test gets its own data folder and its
own settings location: no test reads or writes the developer's real settings or data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings

from console.services.context import Workstation, open_workstation
from console.settings import Settings


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data folder; also the default for anything that asks for one."""
    path = tmp_path / "data"
    monkeypatch.setenv("DUTY_CONSOLE_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every QSettings() at a temporary INI location."""
    location = tmp_path / "qsettings"
    location.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(location))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(location))
    yield location


@pytest.fixture
def workstation(data_dir: Path) -> Iterator[Workstation]:
    """A workstation with the Suichang sample county loaded, in the test's data folder."""
    ws = open_workstation(data_dir, demo=True)
    yield ws
    ws.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The settings registry over a private INI file."""
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
