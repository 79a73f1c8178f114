"""The one way to run background work in the GUI: :class:`TaskRunner`.

``runner.run(fn, *args, on_done=..., on_error=...)`` runs ``fn(*args)`` on a small bounded
``QThreadPool`` and calls ``on_done(result)`` or ``on_error(exception)`` on the GUI thread
(Picard's ``run_task``; STYLE.md practice 4). Workers never touch widgets: they return plain
values. A callback whose receiver (the ``QObject`` a bound method belongs to, or the
``receiver=`` given) has been destroyed meanwhile is dropped, never called on a dead object.
A task that fails without an ``on_error`` goes to ``sys.excepthook`` (logged, officer told:
see :mod:`console.ui.crash`).

Tests wait for the pool with :meth:`TaskRunner.wait_idle` (or ``qtbot.waitUntil`` on
:attr:`TaskRunner.pending`), always with a deadline. Writes still go through
``Writer.apply``; the pool only moves the call off the GUI thread.
"""

from __future__ import annotations

import itertools
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from console.ui.gc_guard import ensure_gui_collector

log = logging.getLogger(__name__)

MAX_THREADS = 2  # reads and the odd write; SQLite and the GIL gain nothing from more
Callback = Callable[[Any], object]
ErrorCallback = Callable[[BaseException], object]


@dataclass
class _Task:
    number: int
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    on_done: Callback | None
    on_error: ErrorCallback | None
    receiver: QObject | None
    result: Any = None
    error: BaseException | None = None


class _Job(QRunnable):
    """Runs one task on a pool thread and posts it back through the runner's signal."""

    def __init__(self, task: _Task, post: Callable[[_Task], None]) -> None:
        super().__init__()
        self._task = task
        self._post = post
        self.setAutoDelete(True)

    def run(self) -> None:
        task = self._task
        try:
            task.result = task.fn(*task.args)
        except BaseException as exc:  # handed to the GUI thread, which reports it
            task.error = exc
        self._post(task)


def _receiver_of(callback: Callable[..., Any] | None) -> QObject | None:
    owner = getattr(callback, "__self__", None)
    return owner if isinstance(owner, QObject) else None


def _alive(obj: QObject | None) -> bool:
    return obj is None or shiboken6.isValid(obj)


class TaskRunner(QObject):
    """A bounded thread pool whose results come back on the GUI thread."""

    idle = Signal()  # the last pending task has been delivered
    _finished = Signal(object)

    def __init__(self, max_threads: int = MAX_THREADS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._pending = 0
        self._numbers = itertools.count(1)
        self._closed = False
        self._gc_guarded = False
        # Queued: the worker emits, the GUI thread (this object's thread) delivers.
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        """Tasks started and not yet delivered."""
        return self._pending

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
        receiver: QObject | None = None,
    ) -> int:
        """Run ``fn(*args)`` in the pool; returns the task's number (for logs and tests)."""
        if not self._gc_guarded:  # pool threads must never run the cyclic collector
            self._gc_guarded = ensure_gui_collector() is not None
        task = _Task(
            number=next(self._numbers),
            fn=fn,
            args=args,
            on_done=on_done,
            on_error=on_error,
            receiver=receiver or _receiver_of(on_done) or _receiver_of(on_error),
        )
        self._pending += 1
        self._pool.start(_Job(task, self._post))
        return task.number

    def _post(self, task: _Task) -> None:
        """Pool thread: hand the finished task to the GUI thread."""
        if shiboken6.isValid(self):
            self._finished.emit(task)

    @Slot(object)
    def _deliver(self, task: _Task) -> None:
        self._pending -= 1
        try:
            if self._closed or not _alive(task.receiver):
                return  # the page is gone: nobody to tell
            if task.error is None:
                if task.on_done is not None:
                    task.on_done(task.result)
            elif task.on_error is not None:
                task.on_error(task.error)
            else:
                error = task.error
                sys.excepthook(type(error), error, error.__traceback__)
        finally:
            if self._pending == 0:
                self.idle.emit()

    def wait_idle(self, timeout_ms: int = 5000) -> bool:
        """Run the event loop until every task is delivered or the deadline passes (tests,
        shut-down). Returns whether the runner is idle."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self._pending and time.monotonic() < deadline:
            self._pool.waitForDone(10)
            QCoreApplication.processEvents()
        return self._pending == 0

    def shutdown(self, timeout_ms: int = 3000) -> None:
        """Stop delivering results and wait (bounded) for running tasks to finish."""
        self._closed = True
        self._pool.clear()
        if not self._pool.waitForDone(timeout_ms):
            log.warning("background tasks still running at shut-down")


def run_task(
    tasks: TaskRunner | None,
    fn: Callable[..., Any],
    *args: Any,
    on_done: Callback | None = None,
    on_error: ErrorCallback | None = None,
    receiver: QObject | None = None,
) -> None:
    """``tasks.run(...)``; with no runner (tools that build one page) the same callbacks,
    called at once on this thread."""
    if tasks is not None:
        tasks.run(fn, *args, on_done=on_done, on_error=on_error, receiver=receiver)
        return
    try:
        result = fn(*args)
    except Exception as exc:
        if on_error is None:
            raise
        on_error(exc)
        return
    if on_done is not None:
        on_done(result)
