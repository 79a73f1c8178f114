"""Runs the real console (``duty-console --standalone --wall``) on an X display made of RandR
monitors, and walks the wall through a script: start, a monitor unplugged
(``xrandr --delmonitor``), plugged back (``xrandr --setmonitor``). After each step it records
where each wall window is and which panels it shows, and grabs each window to PNG.

Usage (inside an X server, see test_wall_xvfb.py):
    python wall_driver.py OUT_DIR DATA_DIR PRESET_JSON|- STEPS
PRESET_JSON is written as the workstation's preset first ("-": use the one saved before);
STEPS is a comma list of ``start``, ``del:NAME``, ``add:NAME:WxH+X+Y``. Prints one JSON
document: a list of {step, screens, windows: {screen: {geometry, panels, pages, png}}}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

STEP_TIMEOUT_S = 12.0
VIDEO_WAIT_S = 20.0  # after the layout has settled, for the video cells' first frames


def video_cells(window: Any) -> list[Any]:
    from console.views.wall.video_panel import VideoPanel

    return [
        cell
        for panel in window.panels
        if isinstance(panel, VideoPanel)
        for cell in panel.grid.cells
        if cell.camera_id
    ]


def wall_page(app: QApplication) -> Any:
    from console.views.main_window import MainWindow

    for widget in app.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.attached:
            return widget.page("wall")
    return None


def record(step: str, page: Any, out: Path) -> dict[str, Any]:
    windows = {}
    for name, window in sorted(page.controller.windows.items()):
        g = window.geometry()
        png = out / f"{step.replace(':', '-')}-{name}.png"
        window.grab().save(str(png), "PNG")
        windows[name] = {
            "geometry": [g.x(), g.y(), g.width(), g.height()],
            "screen": window.screen().name(),
            "panels": window.visible_panels(),
            "layout": window.placement.layout if window.placement else "",
            "guests": list(window.placement.guests) if window.placement else [],
            "video": [[c.state, c.frames] for c in video_cells(window)],
            "png": str(png),
        }
    screens = [s.name() for s in QGuiApplication.screens()]
    return {"step": step, "screens": screens, "windows": windows}


def xrandr(step: str) -> tuple[str, int]:
    """Run the step's xrandr command; returns what the screen count should become."""
    kind, _, rest = step.partition(":")
    count = len(QGuiApplication.screens())
    if kind == "del":
        subprocess.run(["xrandr", "--delmonitor", rest], check=True, timeout=10)
        return rest, count - 1
    name, _, geo = rest.partition(":")
    size, _, pos = geo.partition("+")
    w, h = size.split("x")
    subprocess.run(
        ["xrandr", "--setmonitor", name, f"{w}/338x{h}/190+{pos}", "none"],
        check=True,
        timeout=10,
    )
    return name, count + 1


def main() -> int:
    out, data_dir, preset, steps = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    from console.settings import APPLICATION, ORGANIZATION, WALL_PRESET, Settings

    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    if preset != "-":
        Settings(QSettings()).set(WALL_PRESET, preset)
        QSettings().sync()
    results: list[dict[str, Any]] = []
    todo = steps.split(",")
    state: dict[str, Any] = {"deadline": time.monotonic() + 90, "expect": None, "video": None}

    def video_ready(page: Any) -> bool:
        """Every video cell shows frames, or VIDEO_WAIT_S has passed (the record says)."""
        if state["video"] is None:
            state["video"] = time.monotonic() + VIDEO_WAIT_S
            state["deadline"] = max(state["deadline"], state["video"] + 2)
        cells = [c for w in page.controller.windows.values() for c in video_cells(w)]
        return time.monotonic() > state["video"] or all(c.frames > 0 for c in cells)

    def settled(page: Any) -> bool:
        expect = state["expect"]
        if expect is not None and len(QGuiApplication.screens()) != expect:
            return False
        placements = page.controller.placements
        windows = page.controller.windows
        return (
            bool(placements)
            and set(windows) == set(placements)
            and all(
                w.isVisible() and w.geometry() == w.screen().geometry() for w in windows.values()
            )
            and all(w.screen().name() == n for n, w in windows.items())
            and not page.controller._pending
            and not page.context.tasks.pending  # the panels have their data
        )

    def poll() -> None:
        page = wall_page(app)
        if os.environ.get("WALL_DRIVER_DEBUG"):
            print(time.monotonic(), page is not None, page and settled(page), file=sys.stderr)
        if time.monotonic() > state["deadline"]:
            why: dict[str, Any] = {"page": page is not None}
            if page is not None:
                why["placements"] = sorted(page.controller.placements)
                why["pending"] = page.controller._pending
                why["tasks"] = page.context.tasks.pending
                why["expect"] = state["expect"]
                why["windows"] = {
                    n: [w.isVisible(), w.geometry().getRect(), w.screen().name()]
                    for n, w in page.controller.windows.items()
                }
                why["screens"] = [
                    (s.name(), s.geometry().getRect()) for s in QGuiApplication.screens()
                ]
            print(json.dumps({"error": "timeout", "why": why, "done": results}), flush=True)
            app.exit(3)
            return
        if page is None or not settled(page) or not video_ready(page):
            QTimer.singleShot(100, poll)
            return
        state["video"] = None
        todo.pop(0)
        print(
            f"{time.monotonic():.1f} settled after {state.get('label', 'start')}", file=sys.stderr
        )
        results.append(record(state.get("label", "start"), page, out))
        if not todo:
            print(json.dumps(results, ensure_ascii=False), flush=True)
            page.controller.stop()
            app.exit(0)
            return
        nxt = todo[0]
        state["label"] = nxt
        state["expect"] = xrandr(nxt)[1]
        state["deadline"] = time.monotonic() + STEP_TIMEOUT_S
        QTimer.singleShot(300, poll)  # let Qt hear of the change before checking

    QTimer.singleShot(200, poll)
    from console.cli import main as console_main

    theme = (
        ["--theme", os.environ["WALL_DRIVER_THEME"]] if os.environ.get("WALL_DRIVER_THEME") else []
    )
    return console_main(["--standalone", "--wall", "--demo", "--data-dir", data_dir, *theme])


if __name__ == "__main__":
    raise SystemExit(main())
