"""Starts and stops the wall and keeps it on the screens there are: one :class:`WallWindow`
per placed screen; when a monitor is unplugged or plugged back (or its geometry changes)
the placements are worked out again (:func:`console.services.wall_layout.place`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QScreen

from console.services.wall_layout import Placement, ScreenInfo, WallPreset, place
from console.views.wall.window import WallWindow

if TYPE_CHECKING:
    from console.domain.situation import Situation
    from console.views.pages.base import PageContext


def screen_name(screen: QScreen) -> str:
    """The system's name for the monitor (the wall's key); one with no name (the offscreen
    platform) is called by where it is."""
    g = screen.geometry()
    return screen.name() or f"{g.width()}x{g.height()}+{g.x()}+{g.y()}"


def screen_info(screen: QScreen) -> ScreenInfo:
    g = screen.geometry()
    return ScreenInfo(screen_name(screen), g.x(), g.y(), g.width(), g.height())


class WallController(QObject):
    """``changed`` fires after every (re)placement with the placements now shown."""

    changed = Signal(object)  # dict[str, Placement]

    def __init__(self, context: PageContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.preset = WallPreset()
        self.windows: dict[str, WallWindow] = {}
        self.placements: dict[str, Placement] = {}
        self.situation: Situation | None = None
        self._removed: list[QScreen] = []
        self._watched: set[int] = set()
        self._pending = False
        self._app = QGuiApplication.instance()

    @property
    def running(self) -> bool:
        return bool(self.preset.screens)

    def start(self, preset: WallPreset) -> None:
        app = self._app
        if not self.running and isinstance(app, QGuiApplication):
            app.screenAdded.connect(self._screen_added)
            app.screenRemoved.connect(self._screen_removed)
        self.preset = preset
        self.apply()

    def stop(self) -> None:
        app = self._app
        if self.running and isinstance(app, QGuiApplication):
            app.screenAdded.disconnect(self._screen_added)
            app.screenRemoved.disconnect(self._screen_removed)
        self.preset = WallPreset()
        for window in self.windows.values():
            window.close()
            window.deleteLater()
        self.windows.clear()
        self.placements = {}
        self.changed.emit({})

    def set_situation(self, situation: Situation | None) -> None:
        self.situation = situation
        for window in self.windows.values():
            window.set_situation(situation)

    # -- screens ----------------------------------------------------------------------------
    def screens(self) -> list[QScreen]:
        """The screens there are now, minus one being removed (the signal comes first)."""
        removed = [id(s) for s in self._removed]
        return [s for s in QGuiApplication.screens() if id(s) not in removed]

    def _screen_added(self, screen: QScreen) -> None:
        self._schedule()

    def _screen_removed(self, screen: QScreen) -> None:
        # Its window is left to Qt for now (it moves it to the primary screen); closing a
        # window while its screen is being torn down is asking for trouble. The placement
        # a moment later closes it.
        self._removed.append(screen)
        self._schedule()

    def _geometry_changed(self, _rect: object) -> None:
        self._schedule()

    def _schedule(self) -> None:
        if not self._pending:  # several screens come and go at once: place them once
            self._pending = True
            QTimer.singleShot(0, self._apply_scheduled)

    def _apply_scheduled(self) -> None:
        self._pending = False
        if self.running:
            self.apply()
        self._removed.clear()

    def _watch(self, screen: QScreen) -> None:
        if id(screen) not in self._watched:
            self._watched.add(id(screen))
            screen.geometryChanged.connect(self._geometry_changed)

    def apply(self) -> None:
        """Place the preset on the screens there are and show the windows accordingly."""
        screens = {screen_name(s): s for s in self.screens()}
        for screen in screens.values():
            self._watch(screen)
        placements = place(self.preset, [screen_info(s) for s in screens.values()])
        for name in list(self.windows):
            if name not in placements:
                gone = self.windows.pop(name)
                gone.close()
                gone.deleteLater()
        for name, placement in placements.items():
            window = self.windows.get(name)
            if window is None:
                window = WallWindow(self.context, name)
                window.stop_requested.connect(self.stop)
                window.set_situation(self.situation)
                self.windows[name] = window
            window.set_placement(placement)
            window.show_on(screens[name])
        self.placements = placements
        self.changed.emit(placements)
