"""A call written by the command line into the data folder of an open console shows in its
incident list and its 待同步 within 2 s (issue 8, section 6): a real ``duty-console incident
new`` process writes while the console's store is open."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from console.services.context import Workstation
from console.services.incidents import IncidentService
from console.store.changes import Changes
from console.store.external import ExternalWrites
from console.views.main_window import MainWindow
from console.views.pages.intake_page import IntakePage
from testkit.server import child_env, run_python

SEEN_WITHIN_MS = 2000
CALL = {"category": "事故灾难", "subtype": "火灾", "township": "北界镇", "title": "命令行写入测试"}


@pytest.fixture
def external(workstation: Workstation) -> Iterator[ExternalWrites]:
    watcher = ExternalWrites(workstation.store)  # as the app starts it with the window
    watcher.start()
    yield watcher
    watcher.stop()


def _cli_new(data_dir: Path) -> None:
    done = run_python(
        "-m",
        "console",
        "incident",
        "new",
        "--json",
        "-",
        "--data-dir",
        str(data_dir),
        stdin=json.dumps(CALL, ensure_ascii=False),
        env=child_env(),
    )
    assert done.returncode == 0, done.stderr


def test_cli_write_shows_in_the_open_console(
    qtbot: QtBot,
    window: MainWindow,
    workstation: Workstation,
    external: ExternalWrites,
    data_dir: Path,
) -> None:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    view = page.list
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)
    rows, pending = view.model.rowCount(), window.status.pending_count()
    _cli_new(data_dir)
    written = time.monotonic()
    qtbot.waitUntil(
        lambda: view.model.rowCount() == rows + 1 and window.status.pending_count() > pending,
        timeout=SEEN_WITHIN_MS,
    )
    assert time.monotonic() - written < SEEN_WITHIN_MS / 1000


def test_own_writes_are_not_taken_for_external_ones(
    workstation: Workstation, external: ExternalWrites, data_dir: Path
) -> None:
    heard: list[Changes] = []
    workstation.store.subscribe(heard.append)
    IncidentService(workstation.writer).take_call(CALL, user="测试")  # this process
    time.sleep(0.8)  # more than one poll
    assert heard and {c.source for c in heard} == {"local"}
    own = len(heard)
    _cli_new(data_dir)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and len(heard) == own:
        time.sleep(0.02)
    assert [c.source for c in heard[own:]] == ["external"]
    assert heard[own].mutation_ids and "incidents" in heard[own].tables


# Run in a process of its own: run_gui owns the QApplication's loop and leaves its window
# to the process's exit.
_APP_SCRIPT = """
import json, subprocess, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from console import app
from console.cli import GuiOptions
from console.views.main_window import MainWindow

data, call = Path(sys.argv[1]), sys.argv[2]
seen = {}
start = time.monotonic()

def poll():
    qapp = QApplication.instance()
    windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
    status = windows[0].status if windows and windows[0].isVisible() else None
    count = status.pending_count() if status is not None else 0
    loaded = status is not None and not status.sample.isHidden()
    if "before" not in seen and loaded:  # the sample county is saved (local-only: not counted)
        seen["before"] = count
        subprocess.run(
            [sys.executable, "-m", "console", "incident", "new", "--json", "-",
             "--data-dir", str(data)], input=call, text=True, check=True)
        seen["written"] = time.monotonic()
    elif "before" in seen and count > seen["before"]:
        seen["after"] = time.monotonic()
    late = "written" in seen and time.monotonic() - seen["written"] > 6
    if "after" in seen or late or time.monotonic() - start > 30:
        qapp.quit()
        return
    QTimer.singleShot(50, poll)

QTimer.singleShot(0, poll)
code = app.run_gui(GuiOptions(data_dir=data, standalone=True, view="intake"))
delay = seen["after"] - seen["written"] if "after" in seen else -1
print(f"DELAY {delay:.3f} EXIT {code}", flush=True)
"""


def test_the_console_app_watches_its_data_folder(tmp_path: Path) -> None:
    """The whole app (``run_gui``, standalone): a command-line write reaches 待同步."""
    done = run_python(
        "-c",
        _APP_SCRIPT,
        str(tmp_path / "app-data"),
        json.dumps(CALL, ensure_ascii=False),
        env=child_env(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    delay = float(done.stdout.split("DELAY ")[1].split()[0])
    assert 0 <= delay < SEEN_WITHIN_MS / 1000, done.stdout + done.stderr[-2000:]
