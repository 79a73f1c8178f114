"""Uncaught exceptions: logged with the traceback, the officer told, the console lives on."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.ui.crash import NOTICE_TEXT, CrashReporter
from console.ui.logging_setup import log_path, setup_logging
from console.ui.tasks import TaskRunner


@pytest.fixture
def log_file(data_dir: Path) -> Iterator[Path]:
    handler = setup_logging(data_dir)
    assert handler is not None
    yield log_path(data_dir)
    logging.getLogger().removeHandler(handler)
    handler.close()


def _reporter(windowed: bool) -> Iterator[CrashReporter]:
    reporter = CrashReporter(windowed=windowed)
    reporter.install()
    try:
        yield reporter
    finally:
        reporter.uninstall()
        if reporter.notice is not None:
            reporter.notice.close()
            reporter.notice.deleteLater()


@pytest.fixture
def windowed(qapp: QApplication) -> Iterator[CrashReporter]:
    yield from _reporter(True)


@pytest.fixture
def headless(qapp: QApplication) -> Iterator[CrashReporter]:
    yield from _reporter(False)


def _boom() -> None:
    raise RuntimeError("坏数据 in slot")


@pytest.mark.qt_no_exception_capture
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_exception_in_a_qt_slot_is_logged_and_shown_without_a_modal(
    qtbot: QtBot, windowed: CrashReporter, log_file: Path
) -> None:
    with qtbot.waitSignal(windowed.reported, timeout=3000) as blocker:
        QTimer.singleShot(0, _boom)
    assert blocker.args == ["RuntimeError: 坏数据 in slot"]
    notice = windowed.notice
    assert notice is not None and notice.isVisible() and not notice.isModal()
    assert notice.text() == NOTICE_TEXT
    assert "RuntimeError" in notice.informativeText()
    logged = log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in logged
    assert "Traceback" in logged and "_boom" in logged  # the traceback, not only the line


@pytest.mark.qt_no_exception_capture
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_exception_in_a_plain_thread_is_logged_and_shown_on_the_gui_thread(
    qtbot: QtBot, windowed: CrashReporter, log_file: Path
) -> None:
    shown_on: list[bool] = []
    windowed.reported.connect(
        lambda _t: shown_on.append(threading.current_thread() is threading.main_thread())
    )
    worker = threading.Thread(target=_boom, name="sync-worker")
    with qtbot.waitSignal(windowed.reported, timeout=3000):
        worker.start()
    worker.join(3)
    assert shown_on == [True]
    assert windowed.notice is not None and windowed.notice.isVisible()
    logged = log_file.read_text(encoding="utf-8")
    assert "uncaught exception in thread sync-worker" in logged and "_boom" in logged


@pytest.mark.qt_no_exception_capture
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_repeated_errors_reuse_one_notice(qtbot: QtBot, windowed: CrashReporter) -> None:
    for _ in range(3):
        with qtbot.waitSignal(windowed.reported, timeout=3000):
            QTimer.singleShot(0, _boom)
    assert windowed.count == 3
    assert windowed.notice is not None and "共 3 次" in windowed.notice.informativeText()
    assert len([w for w in QApplication.topLevelWidgets() if w is windowed.notice]) == 1


@pytest.mark.qt_no_exception_capture
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_runner_task_without_on_error_reaches_the_reporter(
    qtbot: QtBot, windowed: CrashReporter, log_file: Path
) -> None:
    runner = TaskRunner()
    try:
        with qtbot.waitSignal(windowed.reported, timeout=3000) as blocker:
            runner.run(_boom)
        assert blocker.args == ["RuntimeError: 坏数据 in slot"]
    finally:
        runner.shutdown()
    assert "_boom" in log_file.read_text(encoding="utf-8")


@pytest.mark.qt_no_exception_capture
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_headless_prints_to_stderr_and_shows_nothing(
    qtbot: QtBot, headless: CrashReporter, log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with qtbot.waitSignal(headless.reported, timeout=3000):
        QTimer.singleShot(0, _boom)
    err = capsys.readouterr().err
    assert "错误：程序异常（RuntimeError: 坏数据 in slot）" in err and "Traceback" in err
    assert headless.notice is None
    assert "_boom" in log_file.read_text(encoding="utf-8")


@pytest.mark.qt_no_exception_capture
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_no_stderr_windowed_build_still_logs(
    qtbot: QtBot, headless: CrashReporter, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stderr", None)  # PyInstaller's windowed build
    with qtbot.waitSignal(headless.reported, timeout=3000):
        QTimer.singleShot(0, _boom)
    assert "_boom" in log_file.read_text(encoding="utf-8")


def test_uninstall_restores_the_previous_hooks(qapp: QApplication) -> None:
    before = (sys.excepthook, threading.excepthook)
    reporter = CrashReporter(windowed=False)
    reporter.install()
    assert sys.excepthook == reporter.handle
    reporter.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
