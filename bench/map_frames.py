"""Benchmark: 识别一张图 with 10,000 points, frame time while panning and zooming (target:
median <= 16 ms).

The map canvas (the page's own ``MapCanvas``, offscreen, 1280x800 by default) draws
``--points`` generated features spread over the county (every risk type, villages,
shelters, teams, stations, incidents), with the county outline and a warning colour on
every tenth risk point. Then ``--steps`` programmatic steps alternate pans and zooms in and
out; each step's time is the view change plus a synchronous repaint of the whole canvas
(what the screen would show). With ``--base`` a generated MBTiles base layer (zoom 8-13
over the county) is drawn under the points. Prints median, p95 and worst; exits 1 when the
median misses the target.

    python bench/map_frames.py [--points 10000] [--steps 200] [--base]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from console.domain import catalog
from console.domain.situation import Endangered, Situation
from console.services.map_data import (
    INCIDENTS,
    SHELTERS,
    STATIONS,
    TEAMS,
    VILLAGES,
    MapFeature,
    MapSnapshot,
    risk_layer,
)
from console.services.map_tiles import open_tiles
from console.ui.theme import ThemeManager
from console.views.pages.map_canvas import MapCanvas
from console.views.pages.map_layers import Projection, load_outline

TARGET_MS = 16.0  # median frame
BBOX = (118.85, 28.35, 119.55, 28.85)  # lon/lat box around the county


def features(count: int, seed: int = 11) -> list[MapFeature]:
    rng = random.Random(seed)
    layers = [
        *(("risk_point", risk_layer(t), t) for t in catalog.RISK_POINT_TYPES),
        ("village", VILLAGES, "村"),
        ("shelter", SHELTERS, "避灾安置场所"),
        ("team", TEAMS, "救援队伍"),
        ("station", STATIONS, "雨量站"),
        ("incident", INCIDENTS, "事件"),
    ]
    out = []
    for i in range(count):
        kind, layer, sub = layers[i % len(layers)]
        out.append(
            MapFeature(
                kind=kind,
                id=f"p{i}",
                name=f"点位{i}",
                layer=layer,
                lon=rng.uniform(BBOX[0], BBOX[2]),
                lat=rng.uniform(BBOX[1], BBOX[3]),
                subtype=sub,
                persons=rng.randint(0, 300),
            )
        )
    return out


def base_layer(folder: Path) -> Path:
    """A generated MBTiles base layer over the county, zoom 8 to 13."""
    # The tile helpers live at the checkout's root (testkit/, not installed).
    repo = str(Path(__file__).resolve().parent.parent)
    if repo not in sys.path:
        sys.path.insert(0, repo)
    from testkit.tiles import png_tile, tiles_over, write_mbtiles

    rng = random.Random(3)
    tiles = {
        key: png_tile(QColor.fromHsv(rng.randrange(60, 140), 60, 200))
        for z in range(8, 14)
        for key in tiles_over(z, *BBOX)
    }
    return write_mbtiles(folder / "bench.mbtiles", tiles, "bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--base", action="store_true", help="draw a generated MBTiles base layer")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    theme = ThemeManager(app, "dark")  # type: ignore[arg-type]
    theme.apply()
    width, height = (int(v) for v in args.size.split("x"))

    rings = load_outline()
    canvas = MapCanvas(Projection.around(rings))
    canvas.resize(width, height)
    canvas.show()
    points = features(args.points)
    snapshot = MapSnapshot(points, {})
    tmp = tempfile.TemporaryDirectory()
    tiles = base_layer(Path(tmp.name)) if args.base else None
    t0 = time.perf_counter()
    canvas.draw(snapshot, theme.colors(), rings)
    risk = [f for f in points if f.kind == "risk_point"][::10]
    canvas.set_situation(
        Situation(
            at=0,
            endangered=tuple(
                Endangered("risk_point", f.id, f.name, None, None, "橙", "", None, "", None)
                for f in risk
            ),
        )
    )
    if tiles is not None:
        canvas.set_tiles(open_tiles(tiles))
    app.processEvents()
    canvas.repaint()
    first = (time.perf_counter() - t0) * 1000

    vb = canvas.plot_item.vb
    times: list[float] = []
    cpu: list[float] = []  # the GUI thread's own CPU time: what other processes cannot inflate
    rng = random.Random(5)
    for step in range(args.steps):
        t = time.perf_counter()
        c = time.thread_time()
        if step % 4 == 0:
            vb.scaleBy((0.8, 0.8))  # zoom in
        elif step % 4 == 2:
            vb.scaleBy((1.25, 1.25))  # zoom out
        else:
            rect = vb.viewRect()
            vb.translateBy(
                (rng.uniform(-0.1, 0.1) * rect.width(), rng.uniform(-0.1, 0.1) * rect.height())
            )
        app.processEvents()
        canvas.repaint()
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    times.sort()
    cpu.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"map frames: {args.points} points, {args.size}, base layer {'on' if args.base else 'off'}"
    )
    print(f"  first draw {first:.0f} ms")
    print(
        f"  pan/zoom frame over {len(times)} steps: median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, worst {times[-1]:.1f} ms (target median <= 16 ms)"
    )
    print(
        f"  GUI-thread CPU per frame: median {statistics.median(cpu):.1f} ms, "
        f"p95 {cpu[int(len(cpu) * 0.95) - 1]:.1f} ms"
    )
    print(f"  load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    canvas.close()
    tmp.cleanup()
    return 0 if statistics.median(times) <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
