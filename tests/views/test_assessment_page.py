"""The 研判一张单 page in a real window: generate from the situation (or say why not), edit a
draft by keyboard, sign (only where the role may), revise into a new version, export; the
threshold banner with its sound and 确认; the watch that proposes drafts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.domain.assessment_rules import parse_content
from console.domain.situation import Situation
from console.services.assessments import (
    NO_READINGS,
    NO_SITUATION,
    SIGN_REFUSAL,
    AssessmentService,
)
from console.services.context import Workstation
from console.services.threshold_alerts import ThresholdAlerts
from console.ui.situation_watch import SituationWatch
from console.views.alert_banner import ThresholdBanner
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.assessment_page import AssessmentPage
from testkit.qt_logs import AUDIO_WARNINGS
from testkit.situations import AT, POINT, flood_situation
from tests.views.conftest import flush_deletes


class Provider:
    """The threshold engine's stand-in: returns whatever the test sets."""

    def __init__(self, situation: Situation | None) -> None:
        self.situation = situation
        self.calls = 0

    def __call__(self) -> Situation | None:
        self.calls += 1
        return self.situation


def _window(qtbot: QtBot, context: WindowContext) -> MainWindow:
    win = MainWindow(context)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


def settle(window: MainWindow) -> None:
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)


@pytest.fixture
def provider() -> Provider:
    return Provider(flood_situation())


@pytest.fixture
def page_window(
    qtbot: QtBot, window_context: WindowContext, provider: Provider
) -> Iterator[MainWindow]:
    win = _window(qtbot, dataclasses.replace(window_context, situation=None))
    win.context.situation = provider  # the page reads it when generating, not the watch
    yield win
    win.close()
    win.deleteLater()
    flush_deletes()


def _page(window: MainWindow) -> AssessmentPage:
    page = window.show_view("assessment")
    assert isinstance(page, AssessmentPage)
    settle(window)
    return page


def test_without_the_engine_or_readings_the_page_says_why(
    qtbot: QtBot, window_context: WindowContext
) -> None:
    win = _window(qtbot, window_context)  # no situation provider at all
    try:
        page = _page(win)
        assert page.model.rowCount() == 0
        assert "还没有研判单" in page.message.text()
        assert page.table.hasFocus()  # shown: the keyboard starts in the list
        qtbot.keyClick(page.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
        assert page.message.text() == NO_SITUATION
        win.context.situation = Provider(Situation(at=AT))
        page.context.situation = win.context.situation
        page.generate()
        settle(win)
        assert page.message.text() == NO_READINGS
        assert page.model.rowCount() == 0
    finally:
        win.close()
        win.deleteLater()
        flush_deletes()


def test_generate_edit_sign_revise_and_export(
    qtbot: QtBot, page_window: MainWindow, workstation: Workstation, tmp_path: Path
) -> None:
    page = _page(page_window)
    page.context.situation = page_window.context.situation
    qtbot.keyClick(page.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    settle(page_window)
    assert page.model.rowCount() == 1
    assert page.sheet is not None and page.sheet["status"] == "草稿"
    assert "研判〔2026〕1号" in page.sheet_title.text()
    assert page.points.rowCount() == 2 and page.points.item(0, 0).text() == "苏村滑坡隐患点"
    assert page.rain.item(0, 0).text() == "北界镇"
    assert page.sign_button.isEnabled()  # standalone: no role, signing is local
    assert not page.revise_button.isEnabled()

    # Keyboard: tasks typed, Ctrl+S saves them numbered.
    page.tasks.setFocus()
    page.tasks.selectAll()
    page.tasks.insertPlainText("县领导到岗")  # Chinese comes through the input method
    qtbot.keyClick(page.tasks, Qt.Key.Key_Return)
    page.tasks.insertPlainText("北界镇转移 27 人")
    page._warning_boxes[next(iter(page._warning_boxes))].setCurrentIndex(3)  # 橙色
    qtbot.keyClick(page.tasks, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(page_window)
    service = AssessmentService(workstation.writer)
    [row] = service.sheets()
    assert parse_content(row["content"])["tasks"] == [
        {"no": 1, "text": "县领导到岗"},
        {"no": 2, "text": "北界镇转移 27 人"},
    ]
    assert row["highest_warning"] == "橙" and row["author"] == "测试值班员"

    # Ctrl+Enter signs; the signed sheet is read-only and can be revised.
    qtbot.keyClick(page.tasks, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(page_window)
    assert page.sheet is not None and page.sheet["status"] == "已签发"
    assert page.sheet["signed_by"] == "测试值班员"
    assert page.tasks.isReadOnly() and not page.save_button.isEnabled()
    assert page.revise_button.isEnabled() and not page.sign_button.isEnabled()

    page.export_docx(tmp_path / "signed.docx")
    settle(page_window)
    text = "\n".join(p.text for p in Document(str(tmp_path / "signed.docx")).paragraphs)
    assert "签发：测试值班员" in text and "1. 县领导到岗" in text and "草稿" not in text
    page.export_pdf(tmp_path / "signed.pdf")
    assert (tmp_path / "signed.pdf").read_bytes().startswith(b"%PDF-")
    assert page.exported == [tmp_path / "signed.docx", tmp_path / "signed.pdf"]

    signed_id = page.sheet["id"]
    qtbot.keyClick(page.tasks, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    settle(page_window)
    assert page.sheet is not None
    assert (page.sheet["revision"], page.sheet["status"]) == (2, "草稿")
    assert page.versions_model.rowCount() == 2
    assert page.model.rowCount() == 1  # one sheet, two versions
    assert not page.tasks.isReadOnly()
    # The signed version is still there, unchanged, one click away in 历史版本.
    page.versions.selectRow(1)
    assert page.sheet["id"] == signed_id and page.sheet["status"] == "已签发"
    assert page.tasks.isReadOnly()


def test_an_officer_sees_the_sign_button_disabled(
    qtbot: QtBot, page_window: MainWindow, workstation: Workstation, monkeypatch: pytest.MonkeyPatch
) -> None:
    AssessmentService(workstation.writer).generate(flood_situation(), user="张三")
    page = _page(page_window)
    monkeypatch.setattr(page, "role", lambda: "officer")
    page.refresh()
    settle(page_window)
    assert page.sheet is not None
    assert not page.sign_button.isEnabled()
    assert page.sign_button.toolTip() == SIGN_REFUSAL
    assert page.save_button.isEnabled()
    page.sign()  # Ctrl+Enter anyway
    assert page.message.text() == SIGN_REFUSAL
    assert AssessmentService(workstation.writer).sheets()[0]["status"] == "草稿"


@pytest.mark.qt_log_ignore(*AUDIO_WARNINGS)
def test_the_threshold_banner_sounds_once_and_acknowledges(
    qtbot: QtBot, window_context: WindowContext, workstation: Workstation
) -> None:
    alerts = ThresholdAlerts(workstation.writer)
    win = _window(qtbot, dataclasses.replace(window_context, alerts=alerts))
    try:
        banner = win.threshold_banner
        assert isinstance(banner, ThresholdBanner)
        settle(win)
        assert banner.isHidden() and banner.sound.requests == 0
        with qtbot.waitSignal(banner.checked, timeout=5000):
            alerts.observe(flood_situation(), user="张三")  # the bus tells the banner
        settle(win)
        assert banner.isVisible() and len(banner.shown) == 5
        assert banner.property("level") == "severe"
        assert "苏村滑坡隐患点达到红色预警" in banner.text.text()
        assert banner.sound.requests == 1
        banner.check()
        settle(win)
        assert banner.sound.requests == 1  # the same alerts: no second sound
        qtbot.mouseClick(banner.ack_button, Qt.MouseButton.LeftButton)
        settle(win)
        qtbot.waitUntil(lambda: banner.isHidden(), timeout=5000)
        row = alerts.get(f"place:{POINT}:红")
        assert row is not None and row["acked_by"] == "测试值班员" and row["acked_at"]
    finally:
        win.close()
        win.deleteLater()
        flush_deletes()


def test_the_watch_raises_alerts_and_proposes_one_draft(
    qtbot: QtBot, window_context: WindowContext, workstation: Workstation
) -> None:
    provider = Provider(flood_situation())
    alerts = ThresholdAlerts(workstation.writer)
    service = AssessmentService(workstation.writer)
    watch = SituationWatch(
        provider, alerts, service, lambda: "张三", lambda: None, tasks=window_context.tasks
    )
    with qtbot.waitSignal(watch.proposed, timeout=5000) as proposed:
        watch.look()
    [sheet] = service.sheets()
    assert proposed.args == [sheet["id"]]
    assert len(alerts.unacknowledged()) == 5
    with qtbot.waitSignal(watch.observed, timeout=5000) as observed:
        watch.look()
    assert observed.args == [[]] and len(service.sheets()) == 1
    # A read-only account records nothing.
    provider.situation = dataclasses.replace(flood_situation(), endangered=())
    readonly = SituationWatch(
        provider, alerts, service, lambda: "只读", lambda: "readonly", tasks=window_context.tasks
    )
    with qtbot.waitSignal(readonly.observed, timeout=5000):
        readonly.look()
    assert len(service.sheets()) == 1 and len(alerts.unacknowledged()) == 5


def test_new_readings_bring_the_next_look_forward(
    qtbot: QtBot, window_context: WindowContext, workstation: Workstation
) -> None:
    """Readings announced on the change bus (here a phoned-in report) start a look within
    ``soon_ms``, long before the minute tick; a burst makes one look; other writes none."""
    from console.services.readings_report import PhonedReadings
    from console.store.changes import Changes, readings_changes

    provider = Provider(flood_situation())
    alerts = ThresholdAlerts(workstation.writer)
    watch = SituationWatch(
        provider,
        alerts,
        AssessmentService(workstation.writer),
        lambda: "张三",
        lambda: None,
        tasks=window_context.tasks,
        soon_ms=300,
    )
    window_context.bus.changed.connect(watch.on_changes)
    store = workstation.store
    store.announce(readings_changes())  # not started: nothing looks
    qtbot.wait(600)
    assert provider.calls == 0
    with qtbot.waitSignal(watch.updated, timeout=5000):
        watch.start()
    assert provider.calls == 1 and len(alerts.unacknowledged()) == 5
    assert watch.timer.interval() == 60_000

    station = next(s for s in workstation.queries.stations() if s["kind"] == "雨量站")
    PhonedReadings(workstation.writer).report(
        station_id=str(station["id"]),
        kind="雨量",
        observed_at=window_context.clock().replace(minute=0, second=0, microsecond=0).isoformat(),
        value=42.0,
        interval_min=60,
        reporter="村级灾害信息员",
        user="张三",
    )
    with qtbot.waitSignal(watch.updated, timeout=2000):
        pass
    assert provider.calls == 2

    for _ in range(5):  # a burst of pulled pages
        store.announce(readings_changes())
    with qtbot.waitSignal(watch.updated, timeout=2000):
        pass
    qtbot.wait(700)
    assert provider.calls == 3

    provider.situation = dataclasses.replace(flood_situation(), endangered=())
    store.announce(Changes(rows=(), also_tables=frozenset({"incidents"})))  # no look
    qtbot.wait(500)
    assert provider.calls == 3
    store.announce(readings_changes())
    watch._busy = True  # a look running when the readings land: one more after it
    qtbot.wait(500)
    assert provider.calls == 3 and watch._again
    watch._finished()
    qtbot.waitUntil(lambda: provider.calls == 4, timeout=2000)
    watch.timer.stop()


def test_a_watch_that_does_not_record_only_reads(
    qtbot: QtBot, window_context: WindowContext, workstation: Workstation
) -> None:
    """A headless screenshot's watch: the situation for the map, no alert, no draft."""
    window_context.situation = Provider(flood_situation())
    window_context.alerts = ThresholdAlerts(workstation.writer)
    window_context.situation_records = False
    pending = workstation.queries.sync_counters().pending
    win = _window(qtbot, window_context)
    try:
        watch = win.situation_watch
        assert watch is not None and not watch.record
        qtbot.waitUntil(lambda: watch.latest is not None, timeout=5000)
        settle(win)
        assert watch.latest is not None and watch.latest.crossings()
        assert window_context.alerts.unacknowledged() == []
        assert AssessmentService(workstation.writer).sheets() == []
        assert workstation.queries.sync_counters().pending == pending
        page = win.show_view("risk-map")
        settle(win)
        assert getattr(page, "situation", None) is watch.latest  # the map is coloured
    finally:
        win.close()
        win.deleteLater()
        flush_deletes()
