"""The suite's own rules: strict mode turns skips into failures (testkit.strict, run through
pytester), and the tests import this checkout's code even when another copy would win."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

import console
import server
from testkit.checkout import foreign_packages
from testkit.server import REPO, child_env, run_python
from testkit.strict import STRICT_ENV

# Load the plugin the way tests/conftest.py does not (it imports the hooks): by name.
PLUGIN = ("-p", "testkit.strict", "-W", "ignore::pytest.PytestAssertRewriteWarning")

SKIPPING = """
import pytest

pytestmark = []

def test_runs():
    assert True

def test_skips_at_run_time():
    pytest.skip("PostgreSQL not reachable at somewhere")

@pytest.mark.skipif(True, reason="no openssl here")
def test_skipped_by_mark():
    pass

@pytest.mark.xfail(reason="known bug", strict=True)
def test_expected_failure():
    assert False
"""


def test_without_strict_mode_skips_stay_skips_with_their_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)
    pytester.makepyfile(test_sample=SKIPPING)
    result = pytester.runpytest(*PLUGIN, "-ra")
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)
    result.stdout.fnmatch_lines(["*SKIPPED*PostgreSQL not reachable at somewhere*"])


def test_strict_mode_fails_every_skip_and_says_why(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")
    pytester.makepyfile(test_sample=SKIPPING)
    result = pytester.runpytest(*PLUGIN, "-ra")
    # A skip at set-up (a skipif mark, a fixture) fails as an error; an xfail is not a skip.
    result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*strict mode (DUTY_TEST_STRICT): a skipped test fails*",
            "*test_skipped_by_mark skipped (Skipped: no openssl here)*",
            "*test_skips_at_run_time skipped (Skipped: PostgreSQL not reachable at somewhere)*",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_strict_mode_fails_a_skipped_module(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")
    pytester.makepyfile(
        test_module="import pytest\npytest.skip('sample file missing', allow_module_level=True)\n"
    )
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_module.py skipped*sample file missing*"])


def test_strict_mode_honours_the_allow_list(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")
    monkeypatch.setattr("testkit.strict.ALLOWED_SKIPS", {"test_sample.py::test_skipped_by": "x"})
    pytester.makepyfile(test_sample=SKIPPING)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, failed=1, skipped=1, xfailed=1)


def test_our_packages_come_from_this_checkout() -> None:
    assert foreign_packages(REPO) == []
    assert Path(console.__file__).resolve().is_relative_to(REPO)
    assert Path(server.__file__).resolve().is_relative_to(REPO)


def _shadow(folder: Path) -> Path:
    """A folder holding impostor ``console`` and ``server`` packages."""
    for name in ("console", "server"):
        (folder / name).mkdir(parents=True)
        (folder / name / "__init__.py").write_text("IMPOSTOR = True\n", encoding="utf-8")
    return folder


def _collect(cwd: Path, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """Collect one small test module of this checkout from ``cwd`` with plain ``python``."""
    script = (
        f"import sys\n{prelude}"
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '--collect-only', "
        f"{str(REPO / 'tests' / 'domain' / 'test_domain_clock_ids.py')!r}]))\n"
    )
    env = child_env()
    env.pop("PYTHONPATH")
    return run_python("-c", script, env=env, cwd=cwd)


def test_a_same_named_folder_in_the_working_directory_does_not_win(tmp_path: Path) -> None:
    """``python -c`` puts the working directory first; the checkout still comes first."""
    done = _collect(_shadow(tmp_path / "cwd"))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_a_copy_imported_before_pytest_stops_the_run_loudly(tmp_path: Path) -> None:
    shadow = _shadow(tmp_path / "elsewhere")
    done = _collect(tmp_path, f"sys.path.insert(0, {str(shadow)!r})\nimport console\n")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "the tests must import this checkout" in out
    assert f"console: {shadow / 'console' / '__init__.py'}" in out


def test_a_test_stuck_in_a_qt_event_loop_is_ended_by_the_timeout(pytester: pytest.Pytester) -> None:
    """The suite's pytest-timeout settings (pyproject.toml) end even a hang where no Python
    runs: an event loop with nothing to quit it, as a forgotten modal dialog would be."""
    pytester.makepyfile(
        test_hang="""
import pytest
from PySide6.QtCore import QEventLoop

@pytest.mark.timeout(2)
def test_hangs(qapp):
    QEventLoop().exec()
"""
    )
    started = time.monotonic()
    result = pytester.runpytest_subprocess(
        "-c",
        str(REPO / "pyproject.toml"),
        "--rootdir",
        str(pytester.path),
        "-p",
        "no:cacheprovider",
    )
    assert time.monotonic() - started < 60
    assert result.ret != 0
    out = result.stdout.str() + result.stderr.str()
    assert "+++++ Timeout +++++" in out, out[-3000:]
    assert "QEventLoop().exec()" in out  # the stack of the stuck test is shown
