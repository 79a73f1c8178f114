"""Watch the GUI thread: log any stall longer than a threshold (200 ms) with its stack.

A zero-cost heartbeat: a ``QTimer`` on the GUI thread stamps the time every 50 ms; a plain
watcher thread checks the stamp. When the GUI thread has not beaten for longer than the
threshold, the watcher logs the GUI thread's current Python stack (``sys._current_frames``)
once per stall, then the stall's total length when the loop comes back. Slow C++ work shows
as the Python frame that called into it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback

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
            frame = sys._current_frames().get(self._gui_ident)
            stack = "".join(traceback.format_stack(frame)) if frame else "(no stack)\n"
            log.warning(
                "GUI thread blocked for more than %.0f ms; its stack:\n%s",
                stalled * 1000,
                stack.rstrip(),
            )
