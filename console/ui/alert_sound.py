"""The threshold alert's sound: the bundled ``sounds/alert.wav`` through Qt Multimedia's
QSoundEffect, or the system beep where Qt Multimedia or a sound device is missing.

Every request is counted (:attr:`AlertSound.requests`), so tests check that an alert asks
for its sound: offscreen test machines often have no audio device (here, Qt Multimedia does
not even load without libpulse), and a missing device must never stop the alert itself.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWidgets import QApplication

from console.resources import resource

log = logging.getLogger(__name__)
SOUND_FILE = ("sounds", "alert.wav")


class AlertSound(QObject):
    """Loads Qt Multimedia on the first alert, not at start: a console that never alerts
    (a screenshot, a quiet shift) opens no audio connection at all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.requests = 0
        self.backend = "beep"
        self._effect: Any = None
        self._loaded = False

    def _load(self) -> None:
        self._loaded = True
        try:
            from PySide6.QtMultimedia import QSoundEffect  # libpulse etc. may be missing

            path = Path(str(resource(*SOUND_FILE)))
            if path.is_file():
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setVolume(0.9)
                self._effect = effect
                self.backend = "QSoundEffect"
        except Exception as exc:
            log.info("alert sound: Qt Multimedia unavailable (%s); using the system beep", exc)

    def play(self) -> None:
        """Ask for the sound once; never raises."""
        self.requests += 1
        if not self._loaded:
            self._load()
        with contextlib.suppress(Exception):
            if self._effect is not None:
                self._effect.play()
            else:
                QApplication.beep()
