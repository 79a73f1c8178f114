"""The task runner: work off the GUI thread, callbacks on it, dead receivers skipped."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from types import TracebackType

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from console.ui.tasks import TaskRunner


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()
    tasks.deleteLater()


def test_work_runs_off_the_gui_thread_and_result_comes_back_on_it(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    seen: list[tuple[str, object, bool]] = []

    def work(a: int, b: int) -> tuple[int, str]:
        return a + b, threading.current_thread().name

    def done(result: tuple[int, str]) -> None:
        seen.append(("done", result, threading.current_thread() is threading.main_thread()))

    runner.run(work, 2, 3, on_done=done)
    assert runner.pending == 1
    with qtbot.waitSignal(runner.idle, timeout=3000):
        pass
    assert len(seen) == 1
    _kind, (total, worker), on_gui = seen[0]
    assert total == 5 and on_gui
    assert worker != threading.main_thread().name


def test_a_failure_goes_to_on_error_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    errors: list[tuple[BaseException, bool]] = []

    def boom() -> None:
        raise ValueError("磁盘已满")

    def failed(error: BaseException) -> None:
        errors.append((error, threading.current_thread() is threading.main_thread()))

    runner.run(boom, on_done=lambda _r: pytest.fail("on_done after a failure"), on_error=failed)
    assert runner.wait_idle(3000)
    assert len(errors) == 1
    assert isinstance(errors[0][0], ValueError) and errors[0][1]


def test_the_gui_thread_keeps_running_while_a_task_blocks(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    done: list[int] = []
    runner.run(lambda: release.wait(5) and 1, on_done=done.append)
    ticks: list[float] = []
    started = time.monotonic()
    qtbot.waitUntil(lambda: ticks.append(time.monotonic()) or time.monotonic() - started > 0.2)
    assert len(ticks) > 2 and not done  # the event loop turned while the task waited
    release.set()
    assert runner.wait_idle(3000)
    assert done == [1]


def test_result_for_a_destroyed_receiver_is_dropped(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    label = QLabel()
    runner.run(lambda: release.wait(5) and "新标题", on_done=label.setText)
    extra: list[object] = []
    owner = QObject()
    runner.run(lambda: release.wait(5) and 2, on_done=extra.append, receiver=owner)
    label.deleteLater()
    owner.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    release.set()
    assert runner.wait_idle(3000)  # no RuntimeError from a deleted C++ object
    assert extra == []


@pytest.mark.qt_no_exception_capture
def test_a_failure_without_on_error_goes_to_excepthook(
    qtbot: QtBot, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    caught: list[BaseException] = []

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        caught.append(error)

    monkeypatch.setattr(sys, "excepthook", hook)
    runner.run(lambda: 1 / 0)
    assert runner.wait_idle(3000)
    assert len(caught) == 1 and isinstance(caught[0], ZeroDivisionError)


def test_wait_idle_has_a_deadline(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    runner.run(release.wait, 5)
    started = time.monotonic()
    assert not runner.wait_idle(100)
    assert time.monotonic() - started < 1.0
    release.set()
    assert runner.wait_idle(3000)


def test_the_pool_is_bounded(qtbot: QtBot, runner: TaskRunner) -> None:
    lock = threading.Lock()
    running = [0, 0]  # now, most at once

    def work() -> None:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1

    for _ in range(10):
        runner.run(work)
    assert runner.wait_idle(5000)
    assert 1 <= running[1] <= 2
