"""The GUI watchdog logs a stall with its stack; the log file rotates and hides secrets."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from console.ui.logging_setup import BACKUPS, MAX_BYTES, log_path, setup_logging
from console.ui.watchdog import GuiWatchdog


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    handler = setup_logging(tmp_path)
    assert isinstance(handler, RotatingFileHandler)
    yield log_path(tmp_path)
    logging.getLogger().removeHandler(handler)
    handler.close()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def slow_slot_for_test() -> None:
    time.sleep(0.3)  # a synthetic 300 ms stall on the GUI thread


def test_watchdog_logs_a_300ms_stall_with_its_stack(qtbot: QtBot, log_file: Path) -> None:
    watchdog = GuiWatchdog(200)
    watchdog.start()
    try:
        qtbot.wait(120)  # let the heartbeat settle
        QTimer.singleShot(0, slow_slot_for_test)
        qtbot.waitUntil(lambda: "slow_slot_for_test" in _read(log_file), timeout=3000)
        qtbot.waitUntil(lambda: "in total" in _read(log_file), timeout=3000)
    finally:
        watchdog.stop()
    text = log_file.read_text(encoding="utf-8")
    assert watchdog.stalls >= 1  # a loaded CI machine may add a real stall of its own
    assert "GUI thread blocked for more than" in text
    assert "slow_slot_for_test" in text  # the stack names the slow slot
    assert "time.sleep(0.3)" in text


class _Sentinel:
    """Records on which thread it dies (as a Qt object's destructor would run)."""

    died_on: ClassVar[list[str]] = []

    def __del__(self) -> None:
        _Sentinel.died_on.append(threading.current_thread().name)


class _HoldWhileReporting(logging.Handler):
    """Keeps the watcher inside its report until the stalled slot has returned: the moment
    a watcher that held the GUI thread's frame would let go of it."""

    def __init__(self, returned: threading.Event) -> None:
        super().__init__()
        self.returned = returned

    def emit(self, record: logging.LogRecord) -> None:
        if "GUI thread blocked" in record.getMessage():
            self.returned.wait(3)


def test_a_stall_report_never_frees_the_gui_threads_locals_on_the_watcher(
    qtbot: QtBot, log_file: Path
) -> None:
    # A Qt object freed on the watcher thread leaves its timers registered with the GUI
    # thread, and the next one fires into freed memory (the wall's segfault).
    returned = threading.Event()
    hold = _HoldWhileReporting(returned)
    logging.getLogger("console.watchdog").addHandler(hold)
    _Sentinel.died_on = []

    def stalled_slot() -> None:
        local = _Sentinel()  # noqa: F841 - only its death matters
        time.sleep(0.35)

    watchdog = GuiWatchdog(200)
    watchdog.start()
    try:
        qtbot.wait(120)
        QTimer.singleShot(0, stalled_slot)
        QTimer.singleShot(0, returned.set)  # runs once the stalled slot has returned
        qtbot.waitUntil(lambda: "stalled_slot" in _read(log_file), timeout=4000)
        deadline = time.monotonic() + 3
        while not _Sentinel.died_on and time.monotonic() < deadline:
            qtbot.wait(20)
    finally:
        watchdog.stop()
        logging.getLogger("console.watchdog").removeHandler(hold)
    # Holding the frame also kept its locals alive until the next stall (died_on == []).
    assert _Sentinel.died_on == ["MainThread"]


def test_log_rotation_settings_and_secret_masking(log_file: Path) -> None:
    root = logging.getLogger()
    handler = next(h for h in root.handlers if isinstance(h, RotatingFileHandler))
    assert handler.maxBytes == MAX_BYTES == 2 * 1024 * 1024
    assert handler.backupCount + 1 == BACKUPS + 1 == 5
    logging.getLogger("console.test").warning("login password=hunter2 token: abc123 for 张三")
    handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "hunter2" not in text and "abc123" not in text
    assert "password=***" in text and "张三" in text


def test_signal_emit_keeps_refcounts(qtbot: QtBot) -> None:
    """PySide6 6.12.0's emit() dropped a reference to True per call and aborted the
    interpreter after ~1000 emits; pyproject pins PySide6 below 6.12. This fails loudly if a
    defective binding is installed again."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal(str)
        nothing = Signal(object)

    emitter = Emitter()
    emitter.nothing.connect(lambda _value: None)
    before = (sys.getrefcount(True), sys.getrefcount(None), sys.getrefcount(False))
    for _ in range(200):
        emitter.fired.emit("x")
        emitter.nothing.emit(None)
    after = (sys.getrefcount(True), sys.getrefcount(None), sys.getrefcount(False))
    assert after == before
