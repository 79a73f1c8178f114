"""Watch the GUI thread: log any stall longer than a threshold (200 ms) with its stack.

A zero-cost heartbeat: a ``QTimer`` on the GUI thread stamps the time every 50 ms; a plain
watcher thread checks the stamp. When the GUI thread has not beaten for longer than the
threshold, the watcher logs the GUI thread's current Python stack once per stall, then the
stall's total length when the loop comes back. Slow C++ work shows as the Python frame that
called into it.

The stack is read with :mod:`faulthandler`, which walks the frames without taking a
reference. ``sys._current_frames()`` would: when the GUI thread returns from a frame while
the watcher still holds it, the frame's locals die on the watcher thread, and a Qt object
among them is destroyed there; its timers stay registered with the GUI thread and the next
one fires into freed memory (the wall display's segfault when a monitor came and went).
"""

from __future__ import annotations

import faulthandler
import linecache
import logging
import re
import tempfile
import threading
import time

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("console.watchdog")

BEAT_MS = 50


class GuiWatchdog(QObject):
    """Create and :meth:`start` on the GUI thread once its event loop is about to run."""

    def __init__(self, threshold_ms: int = 200, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = max(threshold_ms, 2 * BEAT_MS) / 1000
        self._gui_ident = threading.get_ident()
        self._last_beat = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reported = False
        self._timer = QTimer(self)
        self._timer.setInterval(BEAT_MS)
        self._timer.timeout.connect(self._beat)
        self.stalls = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._gui_ident = threading.get_ident()
        self._beat()
        self._timer.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="gui-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._timer.stop()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None

    def _beat(self) -> None:
        now = time.monotonic()
        with self._lock:
            stalled = now - self._last_beat
            reported = self._reported
            self._last_beat = now
            self._reported = False
        if reported:
            log.warning("GUI thread was blocked for %.0f ms in total", stalled * 1000)

    def _watch(self) -> None:
        poll = BEAT_MS / 2000
        while not self._stop.wait(poll):
            with self._lock:
                stalled = time.monotonic() - self._last_beat
                if self._reported or stalled <= self.threshold:
                    continue
                self._reported = True
            self.stalls += 1
            stack = thread_stack(self._gui_ident)
            log.warning(
                "GUI thread blocked for more than %.0f ms; its stack:\n%s",
                stalled * 1000,
                stack.rstrip(),
            )


_THREAD_HEADER = re.compile(r"^(?:Current thread|Thread) 0x([0-9a-f]+)", re.MULTILINE)
_FRAME_LINE = re.compile(r'^\s+File "(.+)", line (\d+) in ')


def thread_stack(ident: int) -> str:
    """The Python stack of thread ``ident``, innermost call first, as faulthandler prints it;
    holds no reference to any frame (see the module's note)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        faulthandler.dump_traceback(out, all_threads=True)
        out.seek(0)
        text = out.read()
    headers = list(_THREAD_HEADER.finditer(text))
    for i, header in enumerate(headers):
        if int(header.group(1), 16) == ident:
            end = headers[i + 1].start() if i + 1 < len(headers) else len(text)
            return _with_source(text[header.start() : end])
    return "(no stack)\n"


def _with_source(stack: str) -> str:
    """Each frame line followed by its source line, as ``traceback`` prints it."""
    lines = []
    for line in stack.splitlines():
        lines.append(line)
        if match := _FRAME_LINE.match(line):
            source = linecache.getline(match.group(1), int(match.group(2))).strip()
            if source:
                lines.append(f"    {source}")
    return "\n".join(lines) + "\n"
