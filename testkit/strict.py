"""Strict mode of the test suite: with ``DUTY_TEST_STRICT=1`` (CI sets it) a skip is a failure.

Locally a test may skip when something it needs is missing (PostgreSQL not running, no
openssl, no root for a tmpfs), always with the reason, shown by ``-ra``. In CI every such
thing is installed by ``.ci/run``, so a skip there means a test did not run although the
suite went green: strict mode turns each skipped test, and each skipped module, into a
failure that names the reason. ``ALLOWED_SKIPS`` lists the only exceptions, each with why it
is legitimate in CI (none today).

A pytest plugin: ``tests/conftest.py`` imports its hooks; ``-p testkit.strict`` loads it
anywhere else (its own tests run it through pytester).
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

STRICT_ENV = "DUTY_TEST_STRICT"
# node id prefix -> why that skip is legitimate even in CI. Keep it empty unless it must not be.
ALLOWED_SKIPS: dict[str, str] = {}


def strict_mode() -> bool:
    return os.environ.get(STRICT_ENV, "").strip() not in ("", "0")


def allowed(nodeid: str) -> bool:
    return any(nodeid.startswith(prefix) for prefix in ALLOWED_SKIPS)


def _skip_reason(longrepr: Any) -> str:
    # A skip's longrepr is (path, line, "Skipped: reason"); anything else is shown as is.
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _fail_instead(report: pytest.TestReport | pytest.CollectReport) -> None:
    reason = _skip_reason(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (
        f"{STRICT_ENV} is set, so a skip is a failure: {report.nodeid} skipped ({reason}). "
        "Install what it needs (see .ci/run), or, if the skip is legitimate in CI, add it to "
        "testkit.strict.ALLOWED_SKIPS with the reason."
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    if strict_mode():
        return f"strict mode ({STRICT_ENV}): a skipped test fails"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if (
        report.skipped
        and not hasattr(report, "wasxfail")  # an expected failure is not a skip
        and strict_mode()
        and not allowed(item.nodeid)
    ):
        _fail_instead(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if report.skipped and strict_mode() and not allowed(report.nodeid):
        _fail_instead(report)
