"""Start-up's process tuning: PySide6's ``__feature__`` import hook dropped, the garbage
collector paused for start-up and back on (with the start-up objects frozen) once the first
page holds its data.

The desktop app runs as a subprocess: both settings are process-wide.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from console.memory import (
    collection_on,
    freeze_startup_objects,
    pause_collector,
    resume_collector,
)
from console.services.context import open_workstation

TIMEOUT = 120

# Runs ``duty-console`` in this process and prints the process's state as start-up goes.
PROBE = textwrap.dedent(
    """
    import builtins, gc, sys
    import console.cli
    from console.ui import qt_imports

    real_import_qt = qt_imports.import_qt_without_feature_hook


    def import_qt():
        print("paused before Qt", not gc.isenabled())
        dropped = real_import_qt()
        import console.app  # what the command line imports next
        import console.memory

        real_ready = console.app._Started._ready

        def ready(self):
            print("at ready: collector on", console.memory.collection_on())
            print("at ready: only on the GUI thread", not gc.isenabled())
            print("at ready: start-up frozen", gc.get_freeze_count() > 0)
            print("at ready: hook dropped", builtins.__import__ is builtins.__orig_import__)
            real_ready(self)

        console.app._Started._ready = ready
        return dropped


    qt_imports.import_qt_without_feature_hook = import_qt
    sys.exit(console.cli.main(sys.argv[1:]))
    """
)


def test_startup_pauses_the_collector_and_drops_the_feature_hook(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_workstation(data, demo=True).close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env.pop("DUTY_CONSOLE_DATA_DIR", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "--quit-after-shown", "--data-dir", str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "paused before Qt True" in lines
    assert "at ready: collector on True" in lines
    assert "at ready: only on the GUI thread True" in lines
    assert "at ready: start-up frozen True" in lines
    assert "at ready: hook dropped True" in lines
    assert any(line.startswith("ready ") for line in lines)


QT_IMPORTS_PROBE = textwrap.dedent(
    """
    import builtins
    from console.ui.qt_imports import import_qt_without_feature_hook

    print("first", import_qt_without_feature_hook())
    print("again", import_qt_without_feature_hook())
    from PySide6.support import feature

    import csv  # a module first imported after the hook is gone

    print("inspected", "csv" in feature.pyside_feature_dict)
    names = {}
    exec("from PySide6.QtWidgets import *", names)  # shiboken's lazy types still resolve
    print("star import", "QTableView" in names and "QApplication" in names)
    """
)


def test_dropping_the_hook_keeps_pyside_imports_working() -> None:
    result = subprocess.run(
        [sys.executable, "-c", QT_IMPORTS_PROBE],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "first True",
        "again False",
        "inspected False",
        "star import True",
    ]


def test_freezing_startup_objects_turns_collection_back_on() -> None:
    was_enabled = gc.isenabled()
    try:
        pause_collector()
        assert not gc.isenabled()
        before = gc.get_freeze_count()
        marker = [object()]  # tracked, made during "start-up"
        freeze_startup_objects()
        assert collection_on()
        assert gc.get_freeze_count() > before and marker
    finally:
        gc.unfreeze()
        if was_enabled:
            resume_collector()
