"""Benchmark: cold start of the console to its main window, on a 100,000-incident store.

Each run is a new process (``python -m console --data-dir D --quit-after-shown``, offscreen),
timed from spawn to exit (wall) together with the ``shown <seconds>`` it prints once the main
window is exposed. Beside it, the same number of runs of a bare PySide6 program (QApplication
+ empty QMainWindow, quits on its first expose) give the floor: interpreter + Qt start-up.
Runs alternate between the two; one untimed warm-up of each comes first (so the OS file cache
holds the interpreter, Qt and the database in both cases: "cold" means a new process).

The runs have Python's bytecode caches (``__pycache__``), as an installed console has them
(pip compiles them at install; a checkout writes them on its first start): the warm-up writes
any that are missing, with ``PYTHONDONTWRITEBYTECODE`` removed from the runs' environment.
(Without them, in a checkout run with ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__``,
each start compiles the console's own modules from source: about 0.07 s more here.)

Targets: ``ready`` (the store open and the first page showing its data: what the officer
waits for) <= 0.6 s (median); console/bare <= 3 on the time to the main window shown; the
console exited in < 1.5 s.
Exit code 1 if a target fails or a run fails.

    python bench/startup.py [--runs 7] [--incidents 100000] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from write_path import cached_store, copy_store, default_cache_dir

BARE = r"""
import time
t0 = time.perf_counter()
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv)


class FirstExpose(QObject):
    done = False

    def eventFilter(self, obj, event):
        if (
            not self.done
            and event.type() == QEvent.Type.Expose
            and isinstance(obj, QWindow)
            and obj.isExposed()
        ):
            self.done = True
            print(f"shown {time.perf_counter() - t0:.3f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False


watcher = FirstExpose()
app.installEventFilter(watcher)
window = QMainWindow()
window.resize(1600, 1000)
window.show()
QTimer.singleShot(30000, lambda: app.exit(3))
sys.exit(app.exec())
"""

SHOWN = re.compile(r"^shown\s+([0-9.]+)", re.MULTILINE)
READY = re.compile(r"^ready\s+([0-9.]+)", re.MULTILINE)
Run = tuple[float, float | None, float | None]  # wall, shown, ready


def time_run(cmd: list[str], env: dict[str, str], timeout: float) -> Run:
    """Run once; return (wall seconds, printed shown, printed ready). Raise on failure."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).splitlines()[-15:])
        raise RuntimeError(f"{' '.join(cmd[:4])} ... exited {proc.returncode}:\n{tail}")
    shown, ready = SHOWN.search(proc.stdout), READY.search(proc.stdout)
    return (
        wall,
        float(shown.group(1)) if shown else None,
        float(ready.group(1)) if ready else None,
    )


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _fmt(value: float | None) -> str:
    return f"{value:8.3f}" if value is not None else f"{'-':>8}"


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm-up writes missing bytecode caches
    env.pop("DUTY_CONSOLE_DATA_DIR", None)
    source = cached_store(args.cache_dir, args.incidents)
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        data = copy_store(source, Path(tmp) / "data")
        console = [sys.executable, "-m", "console", "--data-dir", str(data), "--quit-after-shown"]
        bare = [sys.executable, "-c", BARE]
        results: dict[str, list[Run]] = {"console": [], "bare": []}
        try:
            time_run(bare, env, args.timeout)  # warm-up, untimed
            time_run(console, env, args.timeout)
            for i in range(args.runs):
                results["bare"].append(time_run(bare, env, args.timeout))
                results["console"].append(time_run(console, env, args.timeout))
                c, b = results["console"][-1], results["bare"][-1]
                print(f"  run {i + 1}/{args.runs}: console {c[0]:.3f} s, bare {b[0]:.3f} s")
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"ERROR: a start-up run failed: {exc}")
            return 1
        finally:
            shutil.rmtree(data, ignore_errors=True)

    med = {k: tuple(_median([r[i] for r in v]) for i in range(3)) for k, v in results.items()}
    c_wall, c_shown, c_ready = med["console"]
    b_wall, b_shown, _ = med["bare"]
    assert c_wall is not None and b_wall is not None
    print()
    print(f"{args.incidents:,}-incident store, QT_QPA_PLATFORM=offscreen, median of {args.runs}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end")
    print("shown = main window first exposed; ready = the store open and the first page filled")
    print(f"{'process':<36} {'shown s':>8} {'ready s':>8} {'wall s':>8} {'max wall':>8}")
    for name, label in (("console", "python -m console --quit-after-shown"), ("bare", "bare")):
        wall, shown, ready = med[name]
        top = max(r[0] for r in results[name])
        print(f"{label:<36} {_fmt(shown)} {_fmt(ready)} {_fmt(wall)} {top:8.3f}")
    if c_shown is None or not b_shown:
        print("ERROR: a process printed no 'shown <seconds>' line")
        return 1
    ratio = c_shown / b_shown
    print(f"{'ratio console/bare (shown)':<36} {ratio:8.2f}    wall ratio {c_wall / b_wall:.2f}")
    ok_ratio = ratio <= args.max_ratio
    ok_abs = c_wall < args.max_seconds
    ok_ready = c_ready is not None and c_ready <= args.max_ready
    print(
        f"target: ready <= {args.max_ready:g} s {'PASS' if ok_ready else 'FAIL'}; "
        f"shown ratio <= {args.max_ratio:g} {'PASS' if ok_ratio else 'FAIL'}; "
        f"wall < {args.max_seconds:g} s {'PASS' if ok_abs else 'FAIL'}"
    )
    return 0 if ok_ratio and ok_abs and ok_ready else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="bench/startup.py",
        description="Cold start to main window shown (100,000-incident store) vs bare PySide6.",
    )
    p.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    p.add_argument("--incidents", type=int, default=100_000, help="store size (default 100000)")
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=default_cache_dir(),
        help="where bench/write_path.py caches the seeded store (default /tmp/duty-bench)",
    )
    p.add_argument("--max-ratio", type=float, default=3.0, help="target ratio (default 3)")
    p.add_argument("--max-seconds", type=float, default=1.5, help="target wall (default 1.5)")
    p.add_argument("--max-ready", type=float, default=0.6, help="target ready (default 0.6)")
    p.add_argument("--timeout", type=float, default=60.0, help="per-run timeout in seconds")
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
