"""An ordinary (non-editable) install works: build the wheel, install it with the server extra
into a fresh venv, and run the console and the server from outside the checkout.

Both commands failed with FileNotFoundError before the resources became package data (the
files were looked up next to the checkout). Slow (building the wheel and installing about
60 packages from pip's cache: ~20 s here), so it runs only with DUTY_TEST_INSTALLER=1, which
.ci/run sets.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from console.ui.theme import COLORS

ROOT = Path(__file__).resolve().parent.parent
BIN = "Scripts" if sys.platform == "win32" else "bin"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DUTY_TEST_INSTALLER") != "1",
        reason="wheel build and venv install are slow: set DUTY_TEST_INSTALLER=1 to run it",
    ),
]


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    t0 = time.monotonic()
    cp = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    print(f"{time.monotonic() - t0:6.1f} s  {' '.join(Path(c).name for c in cmd[:3])}")
    assert cp.returncode == 0, f"{cmd} exited {cp.returncode}:\n{(cp.stdout + cp.stderr)[-4000:]}"
    return cp.stdout


def _clean_env() -> dict[str, str]:
    """Nothing that could lead the installed programs back to the checkout or its data."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DUTY_", "PYTHON", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"))
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _colour_shares(path: Path) -> Counter[str]:
    image = QImage(str(path))
    assert not image.isNull(), f"not an image: {path}"
    shares: Counter[str] = Counter()
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            shares[image.pixelColor(x, y).name()] += 1
    return shares


def test_wheel_installs_and_runs_outside_the_checkout(qapp: QApplication, tmp_path: Path) -> None:
    env = _clean_env()
    # A copy of the sources: an in-tree build would write build/ into the checkout, and a
    # stale build/lib there can put files into the wheel that package-data no longer names.
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("console", "server"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--no-deps", "-w", str(wheels), str(src)],
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    [wheel] = wheels.glob("duty_console-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=env, timeout=300)
    _run(
        [str(venv / BIN / "python"), "-m", "pip", "install", f"{wheel}[server]"],
        cwd=tmp_path,
        env=env,
        timeout=900,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        [str(venv / BIN / "python"), "-c", "import console, server; print(console.__file__)"],
        cwd=elsewhere,
        env=env,
        timeout=60,
    )
    installed = Path(where.strip()).resolve()
    assert installed.is_relative_to(venv.resolve()), installed
    assert not installed.is_relative_to(ROOT), installed

    console_data = tmp_path / "console-data"
    shot = ("--demo", "--screenshot", "shot.png", "--view", "risk-map")
    _run(
        [str(venv / BIN / "duty-console"), *shot, "--data-dir", str(console_data)],
        cwd=elsewhere,
        env=env,
        timeout=180,
    )
    shares = _colour_shares(elsewhere / "shot.png")
    assert QImage(str(elsewhere / "shot.png")).size().toTuple() == (1600, 1000)
    assert len(shares) > 50, "the screenshot is (nearly) one flat colour"
    total = sum(shares.values())
    dark = COLORS["dark"]
    # The theme applied: its window colour is the page background; the county outline
    # (console/resources/geo) was found: the land inside it is filled.
    assert shares[dark.window] / total > 0.05, shares.most_common(5)
    assert shares[dark.map_land] / total > 0.02, shares.most_common(5)
    log = (console_data / "logs" / "duty-console.log").read_text(encoding="utf-8")
    assert "bundled resource" not in log, log[-3000:]

    server_data = tmp_path / "server-data"
    out = _run(
        [str(venv / BIN / "duty-server"), "--data-dir", str(server_data), "load-sample"],
        cwd=elsewhere,
        env=env,
        timeout=180,
    )
    assert "records pushed" in out
