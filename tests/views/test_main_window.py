"""The main window over a sample workstation: lazy pages, shortcuts, rail, status bar."""

from __future__ import annotations

import threading
import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from console.domain.ids import reference_id
from console.services.context import Workstation
from console.settings import GEOMETRY, LAST_VIEW, THEME
from console.store.changes import Changes
from console.views.main_window import MainWindow, WindowContext, start_view
from console.views.nav_rail import NAME_ROLE, shortcut_text
from console.views.pages.intake_page import IntakePage
from console.views.registry import VIEW_NAMES, VIEWS


def _team_call(name: str = "测试救援队") -> tuple[str, dict[str, object]]:
    return (
        "team.upsert",
        {
            "id": str(uuid.uuid4()),
            "name": name,
            "kind": "社会救援力量",
            "township_id": reference_id("township", "妙高街道"),
            "members": 12,
        },
    )


def test_only_the_visible_page_is_built(window: MainWindow) -> None:
    assert window.current_view() == "intake"
    assert isinstance(window.page("intake"), IntakePage)
    assert all(window.page(name) is None for name in VIEW_NAMES if name != "intake")
    assert window.status.sample.isVisibleTo(window)


def test_every_page_opens_by_its_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    for spec in reversed(VIEWS):  # start far from the initial page
        QTest.keySequence(window, QKeySequence(spec.shortcut))
        assert window.current_view() == spec.name, spec.shortcut
        page = window.page(spec.name)
        assert page is not None and page.isVisible()
        assert window.rail.current_name() == spec.name
    assert window.failed_pages == []


def test_rail_tooltips_show_shortcuts_and_keys_navigate(qtbot: QtBot, window: MainWindow) -> None:
    rail = window.rail.list
    assert rail.count() == len(VIEWS)
    for row, spec in enumerate(VIEWS):
        item = rail.item(row)
        assert item.data(NAME_ROLE) == spec.name
        assert shortcut_text(spec) in item.toolTip()
    rail.setFocus()
    QTest.keyClick(rail, Qt.Key.Key_Down)
    assert window.current_view() == VIEWS[1].name
    QTest.keyClick(rail, Qt.Key.Key_End)
    assert window.current_view() == VIEWS[-1].name


def test_theme_shortcut_switches_and_saves(window: MainWindow) -> None:
    theme = window.context.theme
    assert theme.name == "dark"
    QTest.keySequence(window, QKeySequence("Ctrl+Shift+T"))
    assert theme.name == "light"
    assert window.context.settings.get(THEME) == "light"
    QTest.keySequence(window, QKeySequence("Ctrl+Shift+T"))
    assert theme.name == "dark"
    assert window.context.settings.is_default(THEME)


def test_pending_count_rises_after_a_write(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    before = window.status.pending_count()
    assert before == workstation.queries.sync_counters().pending  # the sample is not counted
    with qtbot.waitSignal(window.context.bus.changed, timeout=3000) as blocker:
        workstation.writer.apply([_team_call()], user="测试值班员")
    assert isinstance(blocker.args[0], Changes)
    qtbot.waitUntil(lambda: window.status.pending_count() == before + 1, timeout=3000)
    assert window.status.pending.text() == f"待同步 {before + 1}"


def test_write_from_a_worker_thread_reaches_the_gui_thread(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    before = window.status.pending_count()
    seen: list[bool] = []
    window.context.bus.changed.connect(
        lambda _c: seen.append(threading.current_thread() is threading.main_thread())
    )
    worker = threading.Thread(
        target=lambda: workstation.writer.apply([_team_call(), _team_call("乙队")], user="甲")
    )
    with qtbot.waitSignal(window.context.bus.changed, timeout=3000):
        worker.start()
    worker.join(10)
    assert not worker.is_alive(), "the write never returned"
    assert seen == [True]
    qtbot.waitUntil(lambda: window.status.pending_count() == before + 2, timeout=3000)


def test_teams_page_refreshes_only_for_its_tables(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = window.show_view("teams").panel("teams")  # type: ignore[attr-defined]
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)
    rows = page.model.rowCount()  # type: ignore[attr-defined]
    calls: list[int] = []
    original = page.refresh  # type: ignore[attr-defined]
    page.refresh = lambda: (calls.append(1), original())  # type: ignore[attr-defined]
    incident = (
        "incident.create",
        {
            "id": str(uuid.uuid4()),
            "received_at": "2026-11-28T22:51:03+08:00",
            "category": "自然灾害",
            "subtype": "地质",
            "title": "测试：北界镇苏村山体滑坡",
        },
    )
    with qtbot.waitSignal(window.context.bus.changed, timeout=3000):
        workstation.writer.apply([incident], user="测试值班员")
    assert calls == []
    with qtbot.waitSignal(window.context.bus.changed, timeout=3000):
        workstation.writer.apply([_team_call()], user="测试值班员")
    assert calls == [1]
    qtbot.waitUntil(lambda: page.model.rowCount() == rows + 1, timeout=3000)  # type: ignore[attr-defined]


def test_layout_saved_on_close_and_restored(qtbot: QtBot, window_context: WindowContext) -> None:
    # the offscreen platform's screen is 800x600: stay inside it so nothing is clamped
    first = MainWindow(window_context)
    qtbot.addWidget(first)
    first.setMinimumSize(1, 1)
    first.resize(734, 477)
    first.show_view("teams")
    first.show()
    qtbot.waitExposed(first)
    first.close()
    settings = window_context.settings
    assert settings.get(LAST_VIEW) == "teams"
    assert not settings.is_default(GEOMETRY)
    again = MainWindow(window_context)
    qtbot.addWidget(again)
    again.setMinimumSize(1, 1)
    assert again.restore_layout()
    assert (again.width(), again.height()) == (734, 477)
    assert start_view(None, settings) == "teams"
    assert start_view("sync", settings) == "sync"
