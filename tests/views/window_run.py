"""One run of the console's main window for tests/views/test_window_geometry.py (a child
process): place it as start-up does, show it, report where it is, then do what the test asks
(restore it down onto a screen, or maximize it) and close it as the officer would.

Usage: python window_run.py SETTINGS.ini [normal-on:SCREEN:X:Y:W:H | maximize | none]
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from console.settings import Settings
from console.ui.session import DutySession
from console.ui.theme import ThemeManager
from console.views.main_window import MainWindow, ShellContext


def main(ini: str, action: str) -> None:
    app = QApplication([])
    settings = Settings(QSettings(ini, QSettings.Format.IniFormat))
    theme = ThemeManager(app, "dark")
    window = MainWindow(shell=ShellContext(settings, theme, DutySession(settings, "测试")))
    window.place()
    window.show()
    app.processEvents()
    frame = window.geometry()
    report = {
        "screen": window.screen().name(),
        "maximized": window.isMaximized(),
        "rect": [frame.x(), frame.y(), frame.width(), frame.height()],
    }
    if action.startswith("normal-on:"):
        x, y, w, h = (int(v) for v in action.split(":")[2:])
        window.showNormal()
        window.setGeometry(x, y, w, h)
    elif action == "maximize":
        window.showMaximized()
    app.processEvents()
    window.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "none")
