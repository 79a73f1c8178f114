"""Shared fixtures: offscreen Qt, a fresh data folder and isolated QSettings per test; the
checkout's code; strict mode.

- The checkout comes first on ``sys.path`` (pyproject's ``pythonpath`` does it, and this file
  again for any other way pytest is started), and the run stops at once, naming the culprit,
  when ``console``, ``server`` or ``testkit`` was imported from anywhere else.
- Strict mode (``DUTY_TEST_STRICT=1``, set by CI): a skip is a failure (testkit.strict).
- Qt aborts the interpreter when it has neither a display nor a platform, so the offscreen
  platform is chosen before anything imports Qt. Every test gets its own data folder and its
  own settings location: no test reads or writes the developer's real settings or data.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if sys.path[:1] != [str(REPO)]:
    sys.path.insert(0, str(REPO))

from testkit.checkout import foreign_packages  # noqa: E402

if _foreign := foreign_packages(REPO):
    raise pytest.UsageError(
        f"the tests must import this checkout ({REPO}), but imported: {'; '.join(_foreign)}. "
        "Another install or a folder of the same name wins; run pytest with this checkout's "
        ".venv, or uninstall the other copy."
    )

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from console.services.context import Workstation, open_workstation  # noqa: E402
from console.settings import Settings  # noqa: E402
from console.store.paths import DATABASE_FILE  # noqa: E402
from console.ui import gc_guard  # noqa: E402
from testkit.strict import (  # noqa: E402, F401  (hooks: pytest finds them by name)
    pytest_make_collect_report,
    pytest_report_header,
    pytest_runtest_makereport,
)


@pytest.fixture(autouse=True)
def gui_thread_gc() -> Iterator[None]:
    """Once a test has started background work the cyclic collector runs only on the GUI
    thread's timer (console.ui.gc_guard); tests that run no event loop get their collection
    here, between tests, on the main thread."""
    yield
    if (collector := gc_guard.installed()) is not None:
        collector.collect_due()


@pytest.fixture(autouse=True)
def drill_off() -> Iterator[None]:
    """Drill mode (演练) is process-wide: every test starts and ends outside it."""
    from console.domain import drill

    drill.activate(False)
    yield
    drill.activate(False)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data folder; also the default for anything that asks for one."""
    path = tmp_path / "data"
    monkeypatch.setenv("DUTY_CONSOLE_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every QSettings() at a temporary INI location."""
    location = tmp_path / "qsettings"
    location.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(location))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(location))
    yield location


@pytest.fixture
def workstation(data_dir: Path, sample_template: Path) -> Iterator[Workstation]:
    """A workstation with the Suichang sample county loaded (without its sample incidents:
    tests date their own calls), in the test's data folder: a copy of the session's loaded
    sample with an identity of its own (loading the sample takes about 2 s; a copy, 0.05 s)."""
    shutil.copytree(sample_template, data_dir, dirs_exist_ok=True)
    with sqlite3.connect(data_dir / DATABASE_FILE) as conn:
        conn.execute(
            "UPDATE client_state SET client_id = ?, client_key = ? WHERE id = 1",
            (str(uuid.uuid4()), secrets.token_hex(32)),
        )
    conn.close()
    ws = open_workstation(data_dir, demo=True, sample_incidents=False)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample county loaded once per test process, closed (the WAL folded in)."""
    path = tmp_path_factory.mktemp("sample-template") / "data"
    open_workstation(path, demo=True, sample_incidents=False).close()
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The settings registry over a private INI file."""
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


# Modules whose tests take tens of seconds each (a bundle build, servers killed and restarted,
# two workstations syncing) go to the workers first: started last, they were the run's tail
# (the last 15 % of the tests took a third of CI's time).
SLOW_FIRST = (
    "tests/test_installer.py",
    "tests/sync_robust/",
    "tests/test_wheel_install.py",
    "tests/sync/",
    "tests/server/",
    "tests/wall/",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))

    def rank(item: pytest.Item) -> int:
        path = Path(str(item.path)).relative_to(root).as_posix()
        return next((i for i, p in enumerate(SLOW_FIRST) if path.startswith(p)), len(SLOW_FIRST))

    items.sort(key=rank)  # stable: each module's tests stay together and in order
