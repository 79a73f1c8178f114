"""The main window remembers its screen, size and maximized state across runs, and opens
maximized on the first run. Each run is its own process on Qt's offscreen platform, given
two screens side by side by a configuration file (no display needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from testkit.server import child_env, run_python

RUN = Path(__file__).with_name("window_run.py")
LEFT = {"name": "LEFT", "x": 0, "y": 0, "width": 1920, "height": 1080}
RIGHT = {"name": "RIGHT", "x": 1920, "y": 0, "width": 1280, "height": 800}


def screens(tmp_path: Path, *layout: dict[str, Any]) -> str:
    config = tmp_path / f"screens-{len(layout)}.json"
    dpi = {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    config.write_text(
        json.dumps(
            {
                "synchronousWindowSystemEvents": True,
                "windowFrameMargins": False,
                "screens": [{**screen, **dpi} for screen in layout],
            }
        )
    )
    return f"offscreen:configfile={config}"


def run(platform: str, ini: Path, action: str = "none") -> dict[str, Any]:
    done = run_python(str(RUN), str(ini), action, env=child_env(QT_QPA_PLATFORM=platform))
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_first_run_maximized_then_screen_size_and_state_remembered(tmp_path: Path) -> None:
    two = screens(tmp_path, LEFT, RIGHT)
    ini = tmp_path / "settings.ini"
    first = run(two, ini, "normal-on:RIGHT:2000:60:1000:700")
    assert first["maximized"]  # the first run fills the primary screen
    assert first["screen"] == "LEFT"
    assert first["rect"] == [0, 0, 1920, 1080]

    second = run(two, ini, "maximize")  # closed restored-down on the right screen
    assert second == {"screen": "RIGHT", "maximized": False, "rect": [2000, 60, 1000, 700]}

    third = run(two, ini)  # closed maximized on the right screen
    assert third == {"screen": "RIGHT", "maximized": True, "rect": [1920, 0, 1280, 800]}


def test_a_screen_that_is_gone_opens_on_one_that_is_there(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    run(screens(tmp_path, LEFT, RIGHT), ini, "normal-on:RIGHT:2100:100:900:600")
    alone = run(screens(tmp_path, LEFT), ini)  # the right-hand monitor was unplugged
    assert alone["screen"] == "LEFT"
    x, y, w, h = alone["rect"]
    assert x >= 0 and y >= 0
    assert x + w <= 1920 and y + h <= 1080


def test_size_option_says_it_is_the_screenshot_size() -> None:
    from console.cli import build_parser

    size = next(a for a in build_parser()._actions if "--size" in a.option_strings)
    assert size.help is not None
    assert "--screenshot" in size.help and "最大化" in size.help
