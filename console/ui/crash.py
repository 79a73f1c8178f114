"""Uncaught exceptions: logged with their traceback, the officer told in a short sentence.

:class:`CrashReporter` replaces ``sys.excepthook`` (exceptions in Qt slots and in the task
runner's callbacks end there) and ``threading.excepthook`` (plain threads, e.g. the sync
engine's). Each one is written to the log file (``console.ui.logging_setup``) with its
traceback; the console keeps running. In the window the officer gets a non-modal notice
(the windowed installer build has no stderr to print to); headless modes (``--screenshot``,
the benchmark) print to stderr instead.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("console.crash")

NOTICE_TITLE = "值班台 - 程序错误"
NOTICE_TEXT = (
    "值班台遇到一个程序错误，已记录到日志文件。值班台仍可继续使用；"
    "刚才的操作可能没有完成，请检查后重试。如反复出现，请联系技术支持。"
)


def summary(error: BaseException) -> str:
    """One line for the officer: the error's kind and first line (no traceback)."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}"[:200] if first else type(error).__name__


class CrashReporter(QObject):
    """Installs the hooks; ``windowed`` shows a notice, else the message goes to stderr."""

    reported = Signal(str)  # the summary, on the GUI thread, after logging
    _posted = Signal(str)

    def __init__(
        self, *, windowed: bool, parent_widget: QWidget | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._windowed = windowed
        self._parent_widget = parent_widget
        self._previous: tuple[Any, Any] | None = None
        self.notice: QMessageBox | None = None
        self.count = 0
        self._posted.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def handle(
        self,
        kind: type[BaseException],
        error: BaseException,
        tb: TracebackType | None,
        thread: str | None = None,
    ) -> None:
        """Any thread: log the traceback, then tell the officer (GUI thread) or stderr."""
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        where = f" in thread {thread}" if thread else ""
        log.error("uncaught exception%s", where, exc_info=(kind, error, tb))
        text = summary(error)
        if self._windowed:
            self._posted.emit(text)  # queued: widgets only on the GUI thread
            return
        if sys.stderr is not None:
            print(f"错误：程序异常（{text}），详见日志", file=sys.stderr)
            traceback.print_exception(kind, error, tb, file=sys.stderr)
        self.reported.emit(text)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else None
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, name)

    @Slot(str)
    def _show(self, text: str) -> None:
        self.count += 1
        if self.notice is None:
            box = QMessageBox(self._parent_widget)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(NOTICE_TITLE)
            box.setText(NOTICE_TEXT)
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            box.button(QMessageBox.StandardButton.Ok).setText("知道了")
            box.setWindowModality(Qt.WindowModality.NonModal)
            box.finished.connect(self._closed)
            self.notice = box
        more = f"（共 {self.count} 次）" if self.count > 1 else ""
        self.notice.setInformativeText(f"错误摘要：{text}{more}")
        self.notice.show()  # non-modal: never blocks the duty work
        self.reported.emit(text)

    @Slot()
    def _closed(self) -> None:
        self.count = 0
