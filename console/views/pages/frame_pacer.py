"""Repaints the video cells that have a new frame together, once per screen refresh.

Nine cells at 25 fps deliver 225 frames a second at uneven moments; repainting each cell as
its frame comes makes 225 separate paint passes (each a walk of the window, a backing-store
begin/end and a flush to the screen). A monitor shows at most its refresh rate, so the pacer
collects the cells with a new frame and repaints them in one pass per refresh: no frame is
skipped at camera rates below the refresh rate, and a frame waits at most one refresh.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from shiboken6 import Shiboken

DEFAULT_HZ = 60.0


class FramePacer(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: dict[int, QWidget] = {}
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(_refresh_ms())
        self._timer.timeout.connect(self._flush)

    def request(self, widget: QWidget) -> None:
        """Repaint ``widget`` at the next refresh."""
        self._pending[id(widget)] = widget
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        if not self._pending:
            self._timer.stop()  # idle: no timer ticking without video
            return
        pending, self._pending = self._pending, {}
        for widget in pending.values():
            if Shiboken.isValid(widget):  # a cell closed since its frame came
                widget.update()


def _refresh_ms() -> int:
    screen = QGuiApplication.primaryScreen()
    hz = screen.refreshRate() if screen is not None else 0.0
    return max(1, round(1000 / (hz if hz >= 20 else DEFAULT_HZ)))


_pacer: FramePacer | None = None


def shared_pacer() -> FramePacer:
    """The GUI thread's pacer (parented to the application, so it dies with it)."""
    global _pacer
    if _pacer is None:
        _pacer = FramePacer(QGuiApplication.instance())
        _pacer.destroyed.connect(_forget_pacer)
    return _pacer


def _forget_pacer() -> None:
    global _pacer
    _pacer = None
