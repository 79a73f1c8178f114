"""``duty-console`` GUI modes end to end, as subprocesses in temporary folders.

Every page renders to a PNG of the requested size with real (sample) data; a corrupt
database makes ``--screenshot`` exit 2 with the Chinese explanation and leaves the file
byte-identical; ``--list-views`` answers without loading Qt widgets.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.services.context import open_workstation
from console.views.registry import VIEWS, view_choices

TIMEOUT = 120


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "share"),
        PYTHONIOENCODING="utf-8",
    )
    env.pop("DUTY_CONSOLE_DATA_DIR", None)
    return env


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        env=_env(home),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One sample workstation shared by the screenshot tests (read-only for them)."""
    path = tmp_path_factory.mktemp("sample") / "data"
    open_workstation(path, demo=True).close()
    yield path


def test_list_views_is_fast_and_qt_free(tmp_path: Path) -> None:
    result = _run(tmp_path, "--list-views")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == view_choices()
    assert "teams:roster\t队伍与值班 > 排班" in lines
    assert "接警处置" in result.stdout and "设置" in result.stdout
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, console.views.registry; "
            "sys.exit(any(m.startswith('PySide6') for m in sys.modules))",
        ],
        env=_env(tmp_path),
        timeout=TIMEOUT,
        check=False,
    )
    assert probe.returncode == 0, "the view registry must not import Qt"


def test_every_view_has_a_unique_shortcut() -> None:
    shortcuts = [spec.shortcut for spec in VIEWS]
    assert len(set(shortcuts)) == len(shortcuts) == 15
    # Ctrl+1 .. Ctrl+0 go to the first ten pages that have a digit, in rail order; pages
    # added later between them (雨水情) take a Ctrl+Shift letter and keep the digits stable.
    digits = [s for s in shortcuts if s[-1].isdigit()]
    assert digits == [f"Ctrl+{n}" for n in (*range(1, 10), 0)]
    assert shortcuts[:3] == ["Ctrl+1", "Ctrl+2", "Ctrl+Shift+R"]


@pytest.mark.parametrize("view", view_choices())
def test_screenshot_of_every_view(tmp_path: Path, sample_dir: Path, view: str) -> None:
    out = tmp_path / "shots" / f"{view}.png"
    result = _run(
        tmp_path, "--screenshot", str(out), "--view", view, "--size", "1280x800",
        "--data-dir", str(sample_dir),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _png_size(out) == (1280, 800)
    assert out.stat().st_size > 10_000  # real pixels, not an empty frame


def test_screenshot_default_size_light_theme_with_demo(tmp_path: Path) -> None:
    out = tmp_path / "teams.png"
    data = tmp_path / "fresh"
    result = _run(
        tmp_path, "--screenshot", str(out), "--view", "teams", "--theme", "light",
        "--demo", "--data-dir", str(data),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _png_size(out) == (1600, 1000)
    assert not (tmp_path / "config").exists()  # a temporary settings scope was used


@pytest.mark.parametrize("view", ["teams:nope", "nope:roster", "intake:roster"])
def test_an_unknown_page_or_tab_is_refused_with_the_choices(tmp_path: Path, view: str) -> None:
    out = tmp_path / "never.png"
    result = _run(tmp_path, "--screenshot", str(out), "--view", view)
    assert result.returncode == 2 and not out.exists()
    assert f"没有名为 {view} 的页面" in result.stderr and "teams:roster" in result.stderr


def test_corrupt_database_exits_2_and_leaves_the_file_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "duty.db"
    garbage = os.urandom(64 * 1024)
    db.write_bytes(garbage)
    out = tmp_path / "never.png"
    result = _run(tmp_path, "--screenshot", str(out), "--view", "intake", "--data-dir", str(data))
    assert result.returncode == 2
    assert "数据库文件已损坏" in result.stderr
    assert "处理建议" in result.stderr
    assert db.read_bytes() == garbage
    assert not out.exists()
    assert sorted(p.name for p in data.iterdir() if p.name != "logs") == ["duty.db"]


def test_quit_after_shown_reports_startup_time(tmp_path: Path, sample_dir: Path) -> None:
    result = _run(tmp_path, "--quit-after-shown", "--data-dir", str(sample_dir))
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.strip().splitlines()[-2:]]
    # The frame is shown first, then the store's data fills it ("ready").
    assert [word for word, _ in lines] == ["shown", "ready"]
    shown, ready = (float(seconds) for _, seconds in lines)
    assert 0 < shown <= ready < 30


def test_corrupt_database_after_the_frame_is_shown_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    garbage = os.urandom(32 * 1024)
    (data / "duty.db").write_bytes(garbage)
    result = _run(tmp_path, "--quit-after-shown", "--data-dir", str(data))
    assert result.returncode == 2
    assert "数据库文件已损坏" in result.stderr and "ready" not in result.stdout
    assert (data / "duty.db").read_bytes() == garbage


def test_without_a_display_the_gui_explains_instead_of_aborting(tmp_path: Path) -> None:
    env = _env(tmp_path)
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    if sys.platform.startswith("linux"):
        assert result.returncode == 2
        assert "没有可用的图形显示" in result.stderr


def test_the_window_frame_imports_no_database_code(tmp_path: Path) -> None:
    """The frame is shown while the store opens on a worker: SQLAlchemy (0.2 s of imports)
    must not come in with the GUI modules, or the officer waits for it before any window."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, console.app, console.views.main_window; "
            "sys.exit('sqlalchemy' in sys.modules)",
        ],
        env=_env(tmp_path),
        timeout=TIMEOUT,
        check=False,
    )
    assert probe.returncode == 0, "console.app or the main window imports SQLAlchemy"


def _simulated_typhoon(data: Path) -> None:
    """A sample workstation whose readings (the 鲇鱼 replay, simulated, as the readings
    channel writes them) cross thresholds now."""
    import time

    from console.domain.ids import reference_id
    from console.domain.readings import KINDS
    from console.domain.scenarios import readings
    from console.services.sample_data import read_sample
    from console.sync import readings as channel

    start = (int(time.time()) - 30 * 3600) // 3600 * 3600
    rows = list(readings("nianyu-2016", read_sample()["stations"], start))
    ids = sorted({reference_id("station", r.station_code) for r in rows})
    index = {sid: i for i, sid in enumerate(ids)}
    page = {
        "epoch": "e1",
        "last_seq": len(rows),
        "more": False,
        "stations": ids,
        "s": [index[reference_id("station", r.station_code)] for r in rows],
        "k": [KINDS.index(r.kind) for r in rows],  # type: ignore[arg-type]
        "t": [r.ts for r in rows],
        "v": [r.value for r in rows],
        "i": [r.interval_s for r in rows],
        "m": [True for _r in rows],
    }
    ws = open_workstation(data, demo=True)
    try:
        assert channel.apply_page(ws.store, page) == len(rows)
    finally:
        ws.close()


def test_a_screenshot_raises_no_alert_and_proposes_no_sheet(tmp_path: Path) -> None:
    """Over readings that cross thresholds, ``--screenshot`` colours the map but records
    nothing: no alert, no 研判一张单 draft, no mutation left to push."""
    from console.app import _situation_provider
    from console.services.assessments import AssessmentService
    from console.services.readings import ReadingsService
    from console.services.threshold_alerts import ThresholdAlerts

    data = tmp_path / "data"
    _simulated_typhoon(data)
    ws = open_workstation(data)
    try:
        situation = _situation_provider(ws.store, ReadingsService(ws.store))()
        assert situation is not None and situation.crossings() and situation.simulated
        pending = ws.queries.sync_counters().pending
    finally:
        ws.close()
    out = tmp_path / "map.png"
    result = _run(tmp_path, "--screenshot", str(out), "--view", "risk-map", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    ws = open_workstation(data)
    try:
        assert ThresholdAlerts(ws.writer).unacknowledged() == []
        assert AssessmentService(ws.writer).sheets() == []
        assert ws.queries.sync_counters().pending == pending
    finally:
        ws.close()
