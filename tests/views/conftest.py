"""Fixtures building the Qt infrastructure and a main window over a sample workstation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.services.assessments import AssessmentService
from console.services.context import Workstation
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.services.reference_data import ReferenceData
from console.settings import Settings
from console.ui.change_bus import ChangeBus
from console.ui.session import DutySession
from console.ui.tasks import TaskRunner
from console.ui.theme import ThemeManager
from console.views.main_window import MainWindow, WindowContext


@pytest.fixture
def window_context(
    qapp: QApplication, workstation: Workstation, settings: Settings, data_dir: Path
) -> Iterator[WindowContext]:
    theme = ThemeManager(qapp, "dark")
    theme.apply()
    bus = ChangeBus()
    bus.attach(workstation.store)
    tasks = TaskRunner()
    yield WindowContext(
        queries=workstation.queries,
        bus=bus,
        settings=settings,
        theme=theme,
        session=DutySession(settings, "测试值班员"),
        data_dir=data_dir,
        incidents=IncidentService(workstation.writer),
        incident_source=IncidentSource(workstation.store),
        tasks=tasks,
        reference=ReferenceData(workstation.writer),
        assessments=AssessmentService(workstation.writer),
    )
    tasks.shutdown()
    bus.close()
    theme.deleteLater()
    flush_deletes()


@pytest.fixture
def window(qtbot: QtBot, window_context: WindowContext) -> Iterator[MainWindow]:
    win = MainWindow(window_context)
    win.resize(1400, 900)
    win.show_view("intake")
    win.show()
    qtbot.waitExposed(win)
    assert window_context.tasks is not None and window_context.tasks.wait_idle(5000)
    yield win
    win.close()
    win.deleteLater()
    flush_deletes()


class Clock:
    """A settable clock (Beijing datetimes) the window and its pages read instead of the
    real one, so tests decide what time it is."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, minutes: float) -> None:
        self.moment += timedelta(minutes=minutes)


def flush_deletes() -> None:
    """Delete closed windows now, so later tests do not restyle or repaint them."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def activate(qtbot: QtBot, window: Any) -> None:
    """Make ``window`` the active window and wait until it is: window shortcuts (F2) and
    focus only reach an active window, and under a loaded parallel run the activation
    arrives a few events later."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def idle(page: Any) -> None:
    """Every task the page started has been delivered (with a deadline)."""
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)


def written(
    qtbot: Any, page: Any, action: Callable[[], None], landed: Any, *, saved: bool = True
) -> str:
    """Run a page's write and return what it said on ``page.written`` ("" saved, else the
    Chinese refusal); a saved write also waits for ``landed``, the signal of the reload the
    change bus starts (a refused one changes nothing: no reload comes)."""
    said: list[str] = []
    page.written.connect(said.append)
    try:
        if saved:
            with qtbot.waitSignal(landed, timeout=5000):
                action()
                qtbot.waitUntil(lambda: bool(said), timeout=5000)
        else:
            action()
            qtbot.waitUntil(lambda: bool(said), timeout=5000)
    finally:
        page.written.disconnect(said.append)
    idle(page)
    return said[0]


def warned_sheet(workstation: Workstation, township_id: str, name: str, level: str) -> str:
    """A 研判一张单 warning one township at ``level`` (created as the workstation would
    store it); its id."""
    import json

    from console.domain.ids import new_id

    sheet = new_id()
    content = {"warnings": [{"township_id": township_id, "name": name, "level": level,
                             "note": ""}]}  # fmt: skip
    workstation.writer.apply(
        [
            (
                "assessment.create",
                {
                    "id": sheet,
                    "number": "研判〔2026〕3号",
                    "title": "强降雨研判",
                    "period_from": "2026-07-01T06:00:00+08:00",
                    "period_to": "2026-07-01T18:00:00+08:00",
                    "generated_at": "2026-07-01T06:00:00+08:00",
                    "highest_warning": level,
                    "content": json.dumps(content, ensure_ascii=False),
                },
            )
        ],
        user="测试值班员",
    )
    return sheet
