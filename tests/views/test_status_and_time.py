"""The status bar clock shows Beijing time whatever the machine's zone; officer and badge."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.ui.session import NO_OFFICER, DutySession
from console.views.main_window import MainWindow


@pytest.fixture
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _shown(text: str) -> datetime:
    prefix = "北京时间 "
    assert text.startswith(prefix), text
    return datetime.strptime(text[len(prefix) :], beijing.SECONDS)


def test_clock_text_is_utc_plus_8() -> None:
    moment = datetime(2026, 11, 28, 14, 51, 3, tzinfo=UTC)
    assert beijing.clock_text(moment) == "北京时间 2026-11-28 22:51:03"


def test_status_clock_is_beijing_on_a_utc_machine(
    utc_machine: None, qtbot: QtBot, window: MainWindow
) -> None:
    assert time.localtime().tm_gmtoff == 0  # the machine really runs UTC now
    shown = _shown(window.status.clock.text())
    expected = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=8)
    assert abs((shown - expected).total_seconds()) < 3


def test_status_clock_ticks(qtbot: QtBot, window: MainWindow) -> None:
    first = window.status.clock.text()
    qtbot.waitUntil(lambda: window.status.clock.text() != first, timeout=2500)
    assert _shown(window.status.clock.text()) > _shown(first)


def test_status_bar_parts(qtbot: QtBot, window: MainWindow) -> None:
    status = window.status
    # Standalone with the sample county: a neutral 单机, and nothing to sync (the sample's
    # hundreds of mutations never leave the workstation).
    assert window.context.queries.sample_present()
    assert status.connection.text() == "● 单机"
    assert status.connection.objectName() == "StatusStandalone"
    assert "单机使用" in status.connection.toolTip()
    qtbot.waitUntil(lambda: status.pending.text() == "待同步 0", timeout=5000)
    assert status.officer.text() == "值班员：测试值班员"
    assert status.sample.text() == "样例数据"
    assert status.sample.isVisibleTo(window)


def test_officer_defaults_and_changes(window: MainWindow) -> None:
    session = DutySession(window.context.settings)
    assert session.officer == NO_OFFICER
    window.context.session.set_officer("王某某")
    assert window.status.officer.text() == "值班员：王某某"
    assert DutySession(window.context.settings).officer == "王某某"
