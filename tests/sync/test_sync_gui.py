"""The console's window with a real server: status bar goes 在线 / 离线, changes pulled from
another workstation reach the open page, and the 同步状态 page lists a rejection and
resolves a conflict by taking the other officer's value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call

from console.domain.ids import reference_id
from console.domain.schema import Incident
from console.services.accounts import Accounts
from console.services.context import Workstation, open_workstation
from console.services.incidents import IncidentService
from console.services.sync_issues import SyncIssues
from console.settings import Settings
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from console.ui.change_bus import ChangeBus
from console.ui.session import DutySession
from console.ui.sync_bridge import SyncBridge
from console.ui.tasks import TaskRunner
from console.ui.theme import ThemeManager
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.sync_page import SyncPage
from testkit.server import ServerProcess


@pytest.fixture
def console_window(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> Iterator[tuple[MainWindow, Workstation, SyncBridge]]:
    ws = open_workstation(tmp_path / "a")
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    bus = ChangeBus()
    bus.attach(ws.store)
    bridge = SyncBridge(ws.store)
    bridge.accounts = Accounts(ws.store)
    bridge.issues = SyncIssues(ws.writer)
    theme = ThemeManager(qapp, "dark")
    tasks = TaskRunner()
    win = MainWindow(
        WindowContext(
            queries=ws.queries,
            bus=bus,
            settings=settings,
            theme=theme,
            session=DutySession(settings, None),
            data_dir=tmp_path / "a",
            sync=bridge,
            sync_issues=bridge.issues,
            accounts=bridge.accounts,
            tasks=tasks,
            incidents=IncidentService(ws.writer),
        )
    )
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win, ws, bridge
    bridge.stop()
    tasks.shutdown()
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    bus.close()
    ws.close()


_incident = incident_call


def test_window_syncs_live_and_resolves_issues(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    console_window: tuple[MainWindow, Workstation, SyncBridge],
) -> None:
    win, ws, bridge = console_window
    # The county (北界镇...) comes from the server: a standalone sample is never pushed.
    assert server.cli("load-sample").returncode == 0
    page = win.show_view("sync")
    assert isinstance(page, SyncPage)
    assert "单机使用" in page.state.text()
    session = bridge.accounts.login(server.url, "zhang", PASSWORDS["zhang"][1])  # type: ignore[union-attr]
    bridge.start(session)
    win.context.session.sign_in(session.username)
    qtbot.waitUntil(
        lambda: (
            win.status.connection.text() == "● 在线" and ws.queries.sync_counters().pending == 0
        ),
        timeout=30000,
    )
    assert "zhang" in win.status.officer.text()
    assert "zhang" in page.state.text() and "值班员" in page.state.text()

    # Another workstation's change shows up here without a restart.
    other = open_workstation(tmp_path / "b")
    try:
        client = SyncClient(server.url)
        client.login("li", PASSWORDS["li"][1])
        other_engine = SyncEngine(other.store, client)
        other_engine.sync_once()
        shared = _incident("共同处置的事件")
        other.writer.apply([shared], user="li")
        other_engine.sync_once()

        def has(title: str) -> bool:
            with ws.store.engine.connect() as conn:
                return (
                    conn.execute(select(Incident.id).where(Incident.title == title)).first()
                    is not None
                )

        qtbot.waitUntil(lambda: has("共同处置的事件"), timeout=10000)

        # A rejection (officers may not delete townships) is listed, then acknowledged.
        ws.writer.apply(
            [("township.delete", {"id": reference_id("township", "北界镇")})], user="zhang"
        )
        qtbot.waitUntil(lambda: page.issue_model.rowCount() == 1, timeout=15000)
        page.issue_table.selectRow(0)
        assert page.acknowledge.isEnabled() and not page.take_theirs.isEnabled()
        assert "被拒绝" in page.issue_model.index(0, 0).data()
        qtbot.mouseClick(page.acknowledge, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.issue_model.rowCount() == 0, timeout=5000)

        # A conflict: li renames, zhang renames from the old title; zhang takes li's value.
        incident_id = str(shared[1]["id"])
        other.writer.apply(
            [
                (
                    "incident.update",
                    {
                        "id": incident_id,
                        "fields": {"title": "李的标题"},
                        "before": {"title": "共同处置的事件"},
                    },
                )
            ],
            user="li",
        )
        other_engine.sync_once()
        ws.writer.apply(
            [
                (
                    "incident.update",
                    {
                        "id": incident_id,
                        "fields": {"title": "张的标题"},
                        "before": {"title": "共同处置的事件"},
                    },
                )
            ],
            user="zhang",
        )
        qtbot.waitUntil(lambda: page.issue_model.rowCount() == 1, timeout=15000)
        page.issue_table.selectRow(0)
        assert "修改冲突" in page.issue_model.index(0, 0).data()
        assert "李的标题" in page.issue_model.index(0, 3).data()
        qtbot.mouseClick(page.take_theirs, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.issue_model.rowCount() == 0, timeout=5000)
        qtbot.waitUntil(
            lambda: has("李的标题") and ws.queries.sync_counters().pending == 0, timeout=15000
        )

        server.stop()  # network gone: the status bar says so, work goes on
        ws.writer.apply([_incident("离线时登记")], user="zhang")
        qtbot.waitUntil(lambda: win.status.connection.text() == "● 离线", timeout=30000)
        qtbot.waitUntil(lambda: win.status.pending_count() == 1, timeout=5000)
        assert win.status.contact.isVisible() and "上次连接" in win.status.contact.text()
    finally:
        other.close()
