"""Benchmark: the console's memory with a 100,000-incident store and four playing video cells
(issue target: <= 400 MB RSS).

The real console (``console.cli.main --standalone``, offscreen) opens a copy of the cached
100,000-incident store built by ``bench/write_path.py``; once its main window is up, the
driver shows 接警与事件 (the incident list filled from the store), then 视频监控 in a 2x2 grid
whose four cells play the bundled 360p/25 fps clip (looped), lets them play for
``--seconds`` and reads the process's resident memory (VmRSS) and its peak (VmHWM) from
/proc. Exit code 1 if the peak passes the target or a cell did not play.

    python bench/video_memory.py [--incidents 100000] [--seconds 20] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from write_path import cached_store, copy_store, default_cache_dir

TARGET_MB = 400.0
CELLS = 4


def proc_status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=100_000)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    args = p.parse_args(argv)
    source = cached_store(args.cache_dir, args.incidents)
    tmp = tempfile.mkdtemp(prefix="bench-vmem-")
    data = copy_store(source, Path(tmp) / "data")
    os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # no saved layout, no preset

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.cli import main as console_main
    from console.services.cameras import SAMPLE_CLIP
    from console.views.main_window import MainWindow
    from console.views.pages.video_cell import PLAYING

    result: dict[str, object] = {}
    state: dict[str, object] = {"step": "wait", "deadline": time.monotonic() + 120}

    def window() -> MainWindow | None:
        app = QApplication.instance()
        for widget in app.topLevelWidgets() if isinstance(app, QApplication) else []:
            if isinstance(widget, MainWindow) and widget.isVisible():
                return widget
        return None

    def poll() -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        if time.monotonic() > float(str(state["deadline"])):
            result["error"] = f"timed out at step {state['step']}"
            app.exit(1)
            return
        win = window()
        if state["step"] == "wait":
            if win is None:
                QTimer.singleShot(200, poll)
                return
            win.show_view("intake")
            state["step"] = "list"
            state["at"] = time.monotonic()
            QTimer.singleShot(3000, poll)  # the list reads the store in the background
            return
        assert win is not None
        if state["step"] == "list":
            result["rss_list"] = proc_status_mb("VmRSS")
            page = win.show_view("video")
            page.grid.set_grid("4")  # type: ignore[attr-defined]
            for i, cell in enumerate(page.grid.cells[:CELLS]):  # type: ignore[attr-defined]
                cell.play(SAMPLE_CLIP.as_uri(), f"摄像机 {i + 1}", loop=True)
            state["cells"] = page.grid.cells[:CELLS]  # type: ignore[attr-defined]
            state["step"] = "play"
            state["at"] = time.monotonic()
            QTimer.singleShot(500, poll)
            return
        cells = state["cells"]
        assert isinstance(cells, list)
        if time.monotonic() - float(str(state["at"])) < args.seconds:
            QTimer.singleShot(500, poll)
            return
        result["playing"] = sum(1 for c in cells if c.state == PLAYING and c.frames > 0)
        result["frames"] = [c.frames for c in cells]
        result["rss"] = proc_status_mb("VmRSS")
        result["peak"] = proc_status_mb("VmHWM")
        app.exit(0)

    QApplication([sys.argv[0]])  # the console takes this one; the timer needs it now
    QTimer.singleShot(200, poll)
    code = console_main(["--standalone", "--data-dir", str(data)])
    if "error" in result:
        print(f"ERROR: {result['error']}")
        return 1
    print(f"{args.incidents:,}-incident store, {CELLS} cells of the 360p/25 fps clip")
    print(f"RSS with the incident list shown: {result['rss_list']:.0f} MB")
    rss, peak = result["rss"], result["peak"]
    print(f"RSS after {args.seconds:g} s of playing: {rss:.0f} MB, peak {peak:.0f} MB")
    print(f"cells playing: {result['playing']}/{CELLS}, frames {result['frames']}")
    ok = code == 0 and result["playing"] == CELLS and float(str(result["peak"])) <= TARGET_MB
    print(f"target: peak RSS <= {TARGET_MB:g} MB {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
