"""Benchmark: nine video cells playing the bundled 360p/25 fps clip (looped), against
ffmpeg decoding the same nine streams in real time in the same run.

The console side is the real page's cell (:class:`VideoCell`: Qt Multimedia's FFmpeg
backend, frames through a QVideoSink, converted and painted by the cell) in a 3 x 3 grid of
a 1280 x 800 offscreen window. After a warm-up, the process's CPU time (all threads) over
``--seconds`` is compared with nine ``ffmpeg -re -stream_loop -1 -i clip -f null -``
processes (decode only, no conversion or painting) over the same span. Prints frames per
second per cell, CPU as % of one core for each side, their ratio (target <= 1.5x) and the
console's peak RSS.

    QT_QPA_PLATFORM=offscreen python bench/video_cells.py [--seconds 10] [--cells 9]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

from console.services.cameras import SAMPLE_CLIP
from console.views.pages.video_cell import PLAYING, VideoCell

WARM_UP_S = 3.0
TARGET_RATIO = 1.5


def _spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def console_side(cells: int, seconds: float) -> tuple[float, float, float]:
    """(CPU % of one core, frames per second per cell, peak RSS MB)."""
    app = QApplication.instance() or QApplication([])
    window = QWidget()
    grid = QGridLayout(window)
    grid.setSpacing(2)
    side = max(1, round(cells**0.5))
    players = []
    for i in range(cells):
        cell = VideoCell(i, window)
        grid.addWidget(cell, i // side, i % side)
        players.append(cell)
    window.resize(1280, 800)
    window.show()
    for i, cell in enumerate(players):
        cell.play(SAMPLE_CLIP.as_uri(), f"摄像机 {i + 1}", loop=True)
    deadline = time.monotonic() + 30
    while not all(c.state == PLAYING for c in players) and time.monotonic() < deadline:
        _spin(0.1)
    _spin(WARM_UP_S)
    frames0 = sum(c.frames for c in players)
    cpu0, wall0 = _cpu_self(), time.monotonic()
    _spin(seconds)
    cpu, wall = _cpu_self() - cpu0, time.monotonic() - wall0
    fps = (sum(c.frames for c in players) - frames0) / wall / cells
    for cell in players:
        cell.stop()
    window.close()
    app.processEvents()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return 100 * cpu / wall, fps, rss_mb


def ffmpeg_side(cells: int, seconds: float) -> float | None:
    """CPU % of one core of ``cells`` real-time ffmpeg decoders (None without ffmpeg)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [ffmpeg, "-v", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", str(SAMPLE_CLIP)]
    cmd += ["-t", str(seconds + WARM_UP_S), "-f", "null", "-"]
    start = time.monotonic()
    procs = [subprocess.Popen(cmd) for _ in range(cells)]
    for proc in procs:
        proc.wait(timeout=seconds + 60)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return 100 * cpu / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cells", type=int, default=9)
    args = parser.parse_args()
    QApplication.instance() or QApplication([])
    console_cpu, fps, rss = console_side(args.cells, args.seconds)
    print(f"console: {args.cells} cells, {fps:.1f} frames/s per cell", end=", ")
    print(f"CPU {console_cpu:.0f}% of a core")
    print(f"console: peak RSS {rss:.0f} MB")
    ffmpeg_cpu = ffmpeg_side(args.cells, args.seconds)
    if ffmpeg_cpu is None:
        print("ffmpeg: not installed (quickstart.sh installs it), no comparison")
        return
    print(f"ffmpeg:  {args.cells} real-time decoders, CPU {ffmpeg_cpu:.0f}% of a core")
    ratio = console_cpu / ffmpeg_cpu
    print(f"ratio console/ffmpeg: {ratio:.2f}x (target <= {TARGET_RATIO}x)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")
    if ratio > TARGET_RATIO:
        sys.exit(1)


if __name__ == "__main__":
    main()
