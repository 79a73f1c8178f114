"""Report-deadline banner with a controlled clock, and the F2 new-call shortcut."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.services.context import Workstation
from console.services.incidents import IncidentService
from console.views.alert_banner import DeadlineBanner
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.intake_page import IntakePage
from tests.views.conftest import Clock, activate

RECEIVED = datetime(2026, 11, 28, 13, 0, tzinfo=beijing.BEIJING)
CALL = {
    "category": "自然灾害",
    "subtype": "地质",
    "grade": "较大",  # rules: 初报 电话 30 min, 书面 60 min (practice)
    "township": "北界镇",
    "received_at": "2026-11-28 13:00",
}


def check(qtbot: QtBot, banner: DeadlineBanner) -> None:
    """A check, waited for (the deadlines are read in the background)."""
    with qtbot.waitSignal(banner.checked, timeout=3000):
        banner.check()


@pytest.fixture
def clock() -> Clock:
    return Clock(RECEIVED + timedelta(minutes=10))


@pytest.fixture
def timed_window(qtbot: QtBot, window_context: WindowContext, clock: Clock) -> Iterator[MainWindow]:
    window_context.clock = clock
    win = MainWindow(window_context)
    win.resize(1400, 900)
    win.show_view("settings")
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_banner_due_soon_then_overdue_until_acknowledged(
    qtbot: QtBot, timed_window: MainWindow, workstation: Workstation, clock: Clock
) -> None:
    banner = timed_window.banner
    assert banner is not None
    IncidentService(workstation.writer).take_call(CALL, user="测试", now=clock())
    check(qtbot, banner)
    assert banner.isHidden()  # 20 minutes left: no alert

    clock.moment = RECEIVED + timedelta(minutes=25)  # 5 minutes before the phone report
    check(qtbot, banner)
    assert banner.isVisible()
    assert "北界镇地质灾害" in banner.text.text() and "即将到期" in banner.text.text()
    assert "初报(电话) 剩 5 分" in banner.text.text()
    assert banner.beeps == 1
    banner.ack_button.click()
    assert banner.isHidden()
    check(qtbot, banner)
    assert banner.isHidden()  # acknowledged stays quiet

    clock.moment = RECEIVED + timedelta(minutes=31)  # now overdue: alerts again
    check(qtbot, banner)
    assert banner.isVisible() and "已超时" in banner.text.text()
    assert banner.property("level") == "overdue"
    banner.ack_button.click()
    assert banner.isHidden()

    clock.moment = RECEIVED + timedelta(minutes=56)  # the written report: a new deadline
    check(qtbot, banner)
    assert banner.isVisible() and "初报(书面)" in banner.text.text()


def test_sent_report_clears_the_alert(
    qtbot: QtBot, timed_window: MainWindow, workstation: Workstation, clock: Clock
) -> None:
    banner = timed_window.banner
    assert banner is not None
    service = IncidentService(workstation.writer)
    incident_id = service.take_call(CALL, user="测试", now=clock())
    clock.moment = RECEIVED + timedelta(minutes=31)
    check(qtbot, banner)
    assert banner.isVisible()
    service.record_report_sent(
        incident_id,
        stage="初报",
        channel="电话",
        body="",
        recipient="市局",
        user="测试",
        sent_at=clock(),
    )
    qtbot.waitUntil(banner.isHidden, timeout=2000)  # refreshed through the change bus


def test_f2_opens_intake_from_any_page(qtbot: QtBot, timed_window: MainWindow) -> None:
    activate(qtbot, timed_window)
    assert timed_window.current_view() == "settings"
    qtbot.keyClick(timed_window, Qt.Key.Key_F2)
    assert timed_window.current_view() == "intake"
    page = timed_window.page("intake")
    assert isinstance(page, IntakePage)
    focused = timed_window.focusWidget()
    assert isinstance(focused, QLineEdit) and focused is page.form.fields["caller_name"]
    assert page.form.values()["received_at"] == "2026-11-28 13:10"  # the injected clock


def test_figures_crossing_a_grading_threshold_raise_an_alert_and_a_supplement(
    qtbot: QtBot, timed_window: MainWindow, workstation: Workstation, clock: Clock
) -> None:
    """A 一般 factory accident reported, then a third death (493号令: 较大): the banner asks
    to regrade, and the change of casualties calls for a 补报 within 2 hours."""
    banner = timed_window.banner
    assert banner is not None
    service = IncidentService(workstation.writer)
    call = {**CALL, "category": "事故灾难", "subtype": "企业安全事故", "grade": "一般"}
    call["dead"] = "1"
    incident_id = service.take_call(call, user="测试", now=clock())
    service.record_report_sent(
        incident_id,
        stage="首报",
        channel="书面",
        body="首报",
        recipient="市应急局",
        user="测试",
        sent_at=clock(),
    )
    check(qtbot, banner)
    assert banner.isHidden()

    clock.moment = RECEIVED + timedelta(hours=3)
    source = timed_window.context.incident_source
    assert source is not None
    before = source.incident(incident_id)
    assert before is not None
    service.update(incident_id, {"dead": 3}, before, user="测试", now=clock())
    kinds = [e["kind"] for e in source.timeline(incident_id)]
    assert "伤亡变化" in kinds and "备注" in kinds
    check(qtbot, banner)
    assert banner.isVisible()
    text = banner.text.text()
    assert "按定级标准应为“较大”" in text and "死亡 3人" in text
    (supplement,) = [d for d in source.deadlines(before, clock()) if d.stage == "补报"]
    assert supplement.due == clock() + timedelta(hours=2) and not supplement.met
    banner.ack_button.click()
    check(qtbot, banner)
    assert banner.isHidden()  # acknowledged; 补报 not yet due soon
    clock.moment += timedelta(hours=1, minutes=56)
    check(qtbot, banner)
    assert "补报(书面) 剩 4 分" in banner.text.text()


def test_the_banner_scans_recent_incidents_not_years_of_open_calls(
    workstation: Workstation,
) -> None:
    """A store of years of calls, some never closed, is not scanned every few seconds:
    open incidents older than OPEN_WINDOW raise no banner (the list still marks them)."""
    from console.services.incident_source import IncidentSource
    from console.views.alert_banner import ALERT_WINDOW, OPEN_WINDOW, scan

    now = RECEIVED + timedelta(days=100)
    service = IncidentService(workstation.writer)
    old = service.take_call({**CALL, "received_at": "2026-11-28 13:00"}, user="测试", now=now)
    recent_at = now - timedelta(days=10)
    recent = service.take_call(
        {**CALL, "received_at": beijing.display(recent_at)}, user="测试", now=now
    )
    found = scan(IncidentSource(workstation.store), now - ALERT_WINDOW, now)
    alerted = {incident["id"] for incident, _deadline in found.deadlines}
    assert recent in alerted and old not in alerted
    assert now - OPEN_WINDOW > RECEIVED
