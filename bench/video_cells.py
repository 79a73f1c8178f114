"""Benchmark: nine video cells playing the bundled 360p/25 fps clip (looped), beside
ffmpeg decoding the same nine streams in real time, in the same window of time.

The console side is the real page's cell (:class:`VideoCell`: Qt Multimedia's FFmpeg
backend, frames through a QVideoSink, converted and painted by the cell) in a 3 x 3 grid of
a 1280 x 800 offscreen window (``--window 1920x1080``: a wall monitor's size, where a 3 x 3
cell is about the clip's own size). Nine ``ffmpeg -re -stream_loop -1 -i clip -f null -``
processes (decode only, no conversion or painting) run at the same time. After a warm-up,
the console process's CPU time (all threads) and the nine decoders' CPU time (read from
/proc) are taken over the same ``--seconds``, ``--rounds`` times; measuring both sides in
the same span means the machine's other load (a VM's neighbours, a busy host) weighs on
both alike. Prints frames per second per cell, CPU as % of one core for each side and
their ratio per round, and the median ratio (target <= 1.5x), and the console's peak RSS.

    QT_QPA_PLATFORM=offscreen python bench/video_cells.py [--seconds 10] [--rounds 3] [--cells 9]
        [--window 1280x800]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
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
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_of(procs: list[subprocess.Popen[bytes]]) -> float:
    """CPU seconds (user + system) the running processes have used so far."""
    total = 0
    for proc in procs:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def start_grid(cells: int, size: tuple[int, int] = (1280, 800)) -> tuple[QWidget, list[VideoCell]]:
    """The cells in a window of ``size``, all playing."""
    window = QWidget()
    grid = QGridLayout(window)
    grid.setSpacing(2)
    side = max(1, round(cells**0.5))
    players = []
    for i in range(cells):
        cell = VideoCell(i, window)
        grid.addWidget(cell, i // side, i % side)
        players.append(cell)
    window.resize(*size)
    window.show()
    for i, cell in enumerate(players):
        cell.play(SAMPLE_CLIP.as_uri(), f"摄像机 {i + 1}", loop=True)
    deadline = time.monotonic() + 30
    while not all(c.state == PLAYING for c in players) and time.monotonic() < deadline:
        _spin(0.1)
    if not all(c.state == PLAYING for c in players):
        sys.exit("the cells did not start playing within 30 s")
    return window, players


def start_decoders(cells: int) -> list[subprocess.Popen[bytes]]:
    """``cells`` real-time ffmpeg decoders of the clip, looping until killed."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return []
    cmd = [ffmpeg, "-v", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", str(SAMPLE_CLIP)]
    return [subprocess.Popen([*cmd, "-f", "null", "-"]) for _ in range(cells)]


def measure(
    players: list[VideoCell], decoders: list[subprocess.Popen[bytes]], seconds: float
) -> tuple[float, float, float]:
    """(console CPU %, decoders' CPU %, frames per second per cell) over one span."""
    frames0 = sum(c.frames for c in players)
    cpu0, dec0, wall0 = _cpu_self(), _cpu_of(decoders), time.monotonic()
    _spin(seconds)
    cpu, dec = _cpu_self() - cpu0, _cpu_of(decoders) - dec0
    wall = time.monotonic() - wall0
    fps = (sum(c.frames for c in players) - frames0) / wall / len(players)
    return 100 * cpu / wall, 100 * dec / wall, fps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cells", type=int, default=9)
    parser.add_argument("--window", default="1280x800", help="the grid window, WxH")
    args = parser.parse_args()
    width, height = (int(n) for n in args.window.lower().split("x"))
    app = QApplication.instance() or QApplication([])
    window, players = start_grid(args.cells, (width, height))
    side = max(1, round(args.cells**0.5))
    print(f"grid window {width}x{height}, cells about {width // side}x{height // side}")
    decoders = start_decoders(args.cells)
    if not decoders:
        print("ffmpeg: not installed (quickstart.sh installs it), no comparison")
    ratios = []
    try:
        _spin(WARM_UP_S)
        for round_no in range(1, args.rounds + 1):
            console_cpu, ffmpeg_cpu, fps = measure(players, decoders, args.seconds)
            line = f"round {round_no}: console {args.cells} cells, {fps:.1f} frames/s per cell,"
            line += f" CPU {console_cpu:.1f}% of a core"
            if decoders:
                ratios.append(console_cpu / ffmpeg_cpu)
                line += f"; ffmpeg {ffmpeg_cpu:.1f}%; ratio {ratios[-1]:.2f}x"
            print(line, flush=True)
    finally:
        for proc in decoders:
            proc.kill()
            proc.wait()
        for cell in players:
            cell.stop()
        window.close()
        app.processEvents()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"console: peak RSS {rss_mb:.0f} MB")
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")
    if ratios:
        ratio = statistics.median(ratios)
        print(f"ratio console/ffmpeg, median of {len(ratios)} rounds: {ratio:.2f}x", end=" ")
        print(f"(target <= {TARGET_RATIO}x)")
        if ratio > TARGET_RATIO:
            sys.exit(1)


if __name__ == "__main__":
    main()
