"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate past its
threshold. When that is a pool thread (:mod:`console.ui.tasks`) and the garbage holds Qt
wrappers, the pool thread destroys GUI-thread ``QObject``s: ``~QObject`` takes Qt's
connection lock and then waits for the GIL (shiboken looks for a Python override), while the
GUI thread holds the GIL inside a Qt call that waits for that same lock. Both stop for good,
and so does the console (seen 2026-11-30 in two test workers: the status bar's and the team
board's background reads, against ``QWidget.setParent`` and ``ensurePolished``). PyQt
applications avoid it the same way (calibre's ``GarbageCollector``): turn automatic
collection off and let a GUI-thread timer collect by the same generation thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

from console import memory

INTERVAL_MS = 500
_OBJECT_NAME = "duty-gui-gc"


class GuiThreadCollector(QObject):
    """Collects the generations whose thresholds are exceeded, on its (the GUI) thread."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.setObjectName(_OBJECT_NAME)
        self.threshold = gc.get_threshold()
        memory.collect_on_gui_thread()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> int:
        """Collect what the automatic collector would have by now (nothing while start-up
        has collection paused: console/memory.py); returns the objects freed."""
        if memory.collection_paused():
            return 0
        counts = gc.get_count()
        if counts[0] <= self.threshold[0]:
            return 0
        generation = 0
        if counts[1] > self.threshold[1]:
            generation = 2 if counts[2] > self.threshold[2] else 1
        return gc.collect(generation)


def installed() -> GuiThreadCollector | None:
    app = QCoreApplication.instance()
    if app is None:
        return None
    return app.findChild(GuiThreadCollector, _OBJECT_NAME)


def ensure_gui_collector() -> GuiThreadCollector | None:
    """Install the collector on the application (once), if called on the GUI thread of an
    existing application; otherwise leave the automatic collector as it is."""
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() != app.thread():
        return None
    return installed() or GuiThreadCollector(app)
