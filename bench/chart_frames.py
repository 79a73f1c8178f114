"""Benchmark: frame time of the 雨水情 charts panning and zooming a year of 5-minute data.

Four stations side by side (two rain, two level; 105,120 readings each, a typhoon in
September), built as the page builds them (``station_chart`` + ``link_time_axes``) in a
2 x 2 grid. Then programmatic steps on one chart, which the others follow: a zoom from the
whole year down to one hour around the typhoon, pans at a day, a week and a month wide, and
a zoom back out. Each frame is ``setXRange`` on one chart, ``processEvents`` (the paints
the step queued, as in the running app), then a forced synchronous ``repaint`` of any
chart the event loop did not paint; its wall time is one sample. Paints are counted: one
per chart per frame is a real frame (pyqtgraph alone paints two when several views change
at once: see ``StationChart._range_changed``). Prints the first render, median, p95 and
max frame time (target: median <= 16 ms), per phase and in all, the CPU time per frame
(the machine may be shared) and where the time goes.

    QT_QPA_PLATFORM=offscreen python bench/chart_frames.py [--steps 60] [--size 1280x800]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

from console.app import load_fonts
from console.domain.beijing import BEIJING
from console.services.monitoring import MonitorStation, WaterLine
from console.ui.theme import ThemeManager
from console.views.charts.base import StationChart, link_time_axes
from console.views.charts.station_chart import station_chart
from testkit.readings_arrays import five_minute_times, level_response, typhoon_rain

TARGET_MS = 16  # median frame: 60 frames a second
HOUR = 3600
DAY = 24 * HOUR
END = int(datetime(2026, 11, 30, 0, 0, tzinfo=BEIJING).timestamp())
START = END - 365 * DAY
PEAK = int(datetime(2026, 9, 14, 20, 0, tzinfo=BEIJING).timestamp())
RIVER_LINES = (WaterLine("警戒水位", 3.8), WaterLine("保证水位", 5.2))
RESERVOIR_LINES = (
    WaterLine("汛限水位", 120.5),
    WaterLine("警戒水位", 122.0),
    WaterLine("保证水位", 124.0),
)
STATIONS = (
    MonitorStation("r1", "S001", "苏村雨量站", "雨量站", "t1", "北界镇"),
    MonitorStation("r2", "S002", "大源雨量站", "雨量站", "t2", "王村口镇"),
    MonitorStation("l1", "S015", "松阴溪城南水位站", "水位站", "t3", "妙高街道", RIVER_LINES),
    MonitorStation("l2", "S900", "龙潭水库", "水库", "t4", "湖山乡", RESERVOIR_LINES),
)


def year_of_readings(station: MonitorStation, seed: int) -> tuple[np.ndarray, np.ndarray]:
    times = five_minute_times(START + 1, END)
    rain = typhoon_rain(times, PEAK, 30.0 + seed, seed=seed)
    if station.reading_kind == "rain":
        return times, rain
    base = station.lines[0].level_m - 1.5 if station.lines else 2.0
    return times, level_response(rain, base, 0.006)


def steps(n: int) -> list[tuple[str, float, float]]:
    """(phase, lo, hi) view ranges: zoom in, pan at three widths, zoom out."""
    out: list[tuple[str, float, float]] = []
    widths = np.geomspace(365 * DAY, HOUR, n)
    for width in widths:  # a year down to an hour, centred on the typhoon
        out.append(("zoom in", PEAK - width / 2, PEAK + width / 2))
    for width, label in ((DAY, "pan 1 day"), (7 * DAY, "pan 7 days"), (30 * DAY, "pan 30 days")):
        for centre in np.linspace(PEAK - 20 * DAY, PEAK + 20 * DAY, n):
            out.append((label, centre - width / 2, centre + width / 2))
    for width in widths[::-1]:
        out.append(("zoom out", PEAK - width / 2, PEAK + width / 2))
    return out


class PaintCounter(QObject):
    """Counts the paint events of the widgets it filters."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.by_widget: dict[int, int] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
            self.by_widget[id(watched)] = self.by_widget.get(id(watched), 0) + 1
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="frames per phase")
    parser.add_argument("--size", default="1280x800", help="grid size, WxH")
    parser.add_argument("--theme", default="dark")
    parser.add_argument("--save", help="save the last frame as PNG here")
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    width, height = (int(v) for v in args.size.split("x"))

    app = QApplication(sys.argv[:1])
    load_fonts(app)
    theme = ThemeManager(app, args.theme)
    theme.apply()
    data = [year_of_readings(s, i) for i, s in enumerate(STATIONS)]
    print(f"stations: {len(STATIONS)}, readings per station: {len(data[0][0]):,}")

    host = QWidget()
    grid = QGridLayout(host)
    host.resize(width, height)
    started = time.perf_counter()
    charts: list[StationChart] = []
    for i, (station, (times, values)) in enumerate(zip(STATIONS, data, strict=True)):
        chart = station_chart(station, times, values, (START, END), theme.colors(), parent=host)
        grid.addWidget(chart, i // 2, i % 2)
        charts.append(chart)
    link_time_axes(charts)
    host.show()
    app.processEvents()
    host.repaint()
    first = time.perf_counter() - started
    print(f"first render (build 4 charts + paint a year): {first * 1000:.0f} ms")

    paints = PaintCounter()
    for chart in charts:
        chart.viewport().installEventFilter(paints)
    frames: dict[str, list[float]] = {}
    cpu: list[float] = []
    parts: list[tuple[float, float, float]] = []
    forced = 0
    driver = charts[0]
    for phase, lo, hi in steps(args.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        driver.view.setXRange(lo, hi, padding=0)
        t1 = time.perf_counter()
        before = dict(paints.by_widget)
        app.processEvents()  # the paints the step queued, as in the running app
        t2 = time.perf_counter()
        for chart in charts:  # forced: a chart the event loop did not paint renders now
            viewport = chart.viewport()
            if paints.by_widget.get(id(viewport), 0) == before.get(id(viewport), 0):
                viewport.repaint()
                forced += 1
        t3 = time.perf_counter()
        frames.setdefault(phase, []).append((t3 - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        parts.append(((t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000))
    if args.save:
        host.grab().save(args.save)

    every = [ms for samples in frames.values() for ms in samples]
    every.sort()
    p95 = every[int(0.95 * (len(every) - 1))]
    print(f"{'phase':<12} {'frames':>6} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for phase, samples in frames.items():
        ordered = sorted(samples)
        print(
            f"{phase:<12} {len(samples):>6} {statistics.median(samples):>10.1f} "
            f"{ordered[int(0.95 * (len(ordered) - 1))]:>8.1f} {ordered[-1]:>8.1f}"
        )
    print(f"CPU time per frame (this process): median {statistics.median(cpu):.1f} ms")
    set_ms, events_ms, paint_ms = (statistics.median(p[i] for p in parts) for i in range(3))
    print(
        f"median split: setXRange (4 linked charts) {set_ms:.1f} ms, processEvents "
        f"{events_ms:.1f} ms, forced repaint {paint_ms:.1f} ms; chart paints per frame: "
        f"{paints.count / len(every):.2f} for 4 charts ({forced} forced in all)"
    )
    median = statistics.median(every)
    verdict = "OK" if median <= TARGET_MS else "OVER TARGET"
    print(
        f"all frames: {len(every)}, median {median:.1f} ms, p95 {p95:.1f} ms, "
        f"max {every[-1]:.1f} ms (target median <= {TARGET_MS} ms: {verdict})"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2-core machines: idle < 0.5)")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
