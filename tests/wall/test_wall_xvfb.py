"""The wall on real X11 windows: one wide Xvfb screen split into two or three RandR monitors
(the recipe in shared/TECH-NOTES.md). The console runs with ``--standalone --wall`` from a
saved preset; a monitor is removed with ``xrandr --delmonitor`` and added back. Asserted: which
screen each wall window is on, its geometry and panels; each window is grabbed to PNG."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from console.services.wall_layout import (
    PAIR,
    QUAD,
    SINGLE,
    ScreenPlan,
    WallPreset,
    preset_to_json,
)

DRIVER = Path(__file__).with_name("wall_driver.py")
H = 720
W = 1280


def monitors(names: list[str]) -> str:
    """xrandr commands making ``names`` side by side, W x H each (the first primary)."""
    cmds = []
    for i, name in enumerate(names):
        star = "*" if i == 0 else ""
        output = "screen" if i == 0 else "none"
        cmds.append(f'xrandr --setmonitor "{star}{name}" {W}/338x{H}/190+{i * W}+0 {output}')
    return " && ".join(cmds)


def run_wall(
    tmp_path: Path, names: list[str], runs: list[tuple[str, str]]
) -> list[list[dict[str, Any]]]:
    """Start an Xvfb of len(names) monitors and run the driver once per (preset, steps)."""
    assert shutil.which("xvfb-run") and shutil.which("xrandr"), "xvfb and x11-xserver-utils"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    env["QT_QPA_PLATFORM"] = "xcb"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["DUTY_CONSOLE_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    script = [monitors(names)]
    outputs = []
    for i, (preset, steps) in enumerate(runs):
        out = tmp_path / f"run{i}"
        outputs.append(out / "result.json")
        script.append(
            f"{sys.executable} -X faulthandler {DRIVER} {out} {tmp_path / 'data'}"
            f" '{preset}' {steps} > {out}.json"
        )
    width = W * len(names)
    proc = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            f"-screen 0 {width}x{H}x24 -noreset -nolisten tcp",
            "sh",
            "-c",
            " && ".join(script),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=220,
    )
    results = []
    for i in range(len(runs)):
        text = (
            (tmp_path / f"run{i}.json").read_text(encoding="utf-8")
            if (tmp_path / f"run{i}.json").exists()
            else ""
        )
        assert proc.returncode == 0 and text, f"rc={proc.returncode}\n{text}\n{proc.stderr[-6000:]}"
        results.append(json.loads(text.strip().splitlines()[-1]))
    return results


def geometry(i: int) -> list[int]:
    return [i * W, 0, W, H]


def assert_png(path: str, width: int = W, height: int = H) -> None:
    image = QImage(path)
    assert image.width() == width and image.height() == height
    # Not blank: a wall of panels has many colours.
    colors = {image.pixel(x, y) for x in range(0, width, 37) for y in range(0, height, 29)}
    assert len(colors) >= 4


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_two_monitors_unplug_plug_back_and_restart(tmp_path: Path) -> None:
    preset = WallPreset(
        (
            ScreenPlan("WALL-L", SINGLE, ("map",), 0, (0, 0, W, H)),
            ScreenPlan("WALL-R", PAIR, ("kpi", "video"), 0, (W, 0, W, H)),
        )
    )
    cycle, restart = run_wall(
        tmp_path,
        ["WALL-L", "WALL-R"],
        [
            (preset_to_json(preset), f"start,del:WALL-R,add:WALL-R:{W}x{H}+{W}+0"),
            ("-", "start"),  # a restart: the saved preset, the same screens by name
        ],
    )
    start, lost, back = cycle
    assert start["screens"] == ["WALL-L", "WALL-R"]
    assert start["windows"]["WALL-L"]["geometry"] == geometry(0)
    assert start["windows"]["WALL-L"]["panels"] == ["map"]
    assert start["windows"]["WALL-R"]["geometry"] == geometry(1)
    assert start["windows"]["WALL-R"]["panels"] == ["kpi", "video"]
    # Unplugged: WALL-L alone shows all three, in a 2x2.
    assert lost["screens"] == ["WALL-L"]
    assert list(lost["windows"]) == ["WALL-L"]
    assert lost["windows"]["WALL-L"]["geometry"] == geometry(0)
    assert lost["windows"]["WALL-L"]["layout"] == QUAD
    assert lost["windows"]["WALL-L"]["panels"] == ["map", "kpi", "video"]
    assert lost["windows"]["WALL-L"]["guests"] == ["WALL-R"]
    # Plugged back: each goes home.
    assert back["windows"]["WALL-L"]["panels"] == ["map"]
    assert back["windows"]["WALL-R"]["panels"] == ["kpi", "video"]
    assert back["windows"]["WALL-R"]["geometry"] == geometry(1)
    (again,) = restart
    assert {n: w["geometry"] for n, w in again["windows"].items()} == {
        "WALL-L": geometry(0),
        "WALL-R": geometry(1),
    }
    for step in (start, lost, back, again):
        for window in step["windows"].values():
            assert_png(window["png"])
    # The video grid plays wherever it goes: on WALL-R, on WALL-L while WALL-R is away, back.
    for step, screen in ((start, "WALL-R"), (lost, "WALL-L"), (back, "WALL-R")):
        cells = step["windows"][screen]["video"]
        assert len(cells) == 4 and all(frames > 0 for _state, frames in cells), (step, cells)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_three_monitors_lose_the_middle_one(tmp_path: Path) -> None:
    preset = WallPreset(
        (
            ScreenPlan("WALL-A", QUAD, ("map", "kpi", "ticker"), 0),
            ScreenPlan("WALL-B", SINGLE, ("control",), 0),
            ScreenPlan("WALL-C", SINGLE, ("duty",), 0),
        )
    )
    (cycle,) = run_wall(
        tmp_path,
        ["WALL-A", "WALL-B", "WALL-C"],
        [(preset_to_json(preset), f"start,del:WALL-B,add:WALL-B:{W}x{H}+{W}+0")],
    )
    start, lost, back = cycle
    assert [start["windows"][n]["geometry"] for n in ("WALL-A", "WALL-B", "WALL-C")] == [
        geometry(0),
        geometry(1),
        geometry(2),
    ]
    assert sorted(lost["windows"]) == ["WALL-A", "WALL-C"]
    assert lost["windows"]["WALL-C"]["geometry"] == geometry(2)
    assert lost["windows"]["WALL-C"]["panels"] == ["duty", "control"]  # the least loaded
    assert lost["windows"]["WALL-A"]["panels"] == ["map", "kpi", "ticker"]
    assert back["windows"]["WALL-B"]["geometry"] == geometry(1)
    assert back["windows"]["WALL-B"]["panels"] == ["control"]
    assert back["windows"]["WALL-C"]["panels"] == ["duty"]
    for step in cycle:
        for window in step["windows"].values():
            assert_png(window["png"])
