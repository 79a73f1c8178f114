"""The 同步状态 page tells the officer when the server found it had been restored without
a new epoch (issue 9, item 8): real window, real server restored from a copy of its file."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sync_testkit import PASSWORDS, incident_call
from test_sync_gui import console_window  # noqa: F401  (the window fixture)

from console.domain.schema import Incident
from console.services.context import Workstation
from console.ui.sync_bridge import SyncBridge
from console.views.main_window import MainWindow
from console.views.pages.sync_page import SyncPage
from testkit.server import ServerProcess


def test_sync_page_shows_the_restored_server_notice(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    console_window: tuple[MainWindow, Workstation, SyncBridge],  # noqa: F811
) -> None:
    win, ws, bridge = console_window
    page = win.show_view("sync")
    assert isinstance(page, SyncPage)
    session = bridge.accounts.login(server.url, "zhang", PASSWORDS["zhang"][1])  # type: ignore[union-attr]
    bridge.start(session)
    win.context.session.sign_in(session.username)
    qtbot.waitUntil(lambda: win.status.connection.text() == "● 在线", timeout=30000)
    server.stop()
    backup = tmp_path / "backup"
    shutil.copytree(server.data_dir, backup)
    server.start()
    ws.writer.apply([incident_call("恢复前已同步")], user="zhang")
    qtbot.waitUntil(lambda: ws.queries.sync_counters().pending == 0, timeout=30000)
    server.stop()
    shutil.rmtree(server.data_dir)
    shutil.copytree(backup, server.data_dir)  # restored; nobody ran new-epoch
    server.start()
    qtbot.waitUntil(lambda: "新的同步周期" in page.state.text(), timeout=30000)
    assert "备份" in page.state.text()

    def on_server() -> bool:
        from sqlalchemy import create_engine

        engine = create_engine(server.database_url)
        try:
            with engine.connect() as conn:
                found = conn.execute(select(Incident.id).where(Incident.title == "恢复前已同步"))
                return found.first() is not None
        finally:
            engine.dispose()

    qtbot.waitUntil(on_server, timeout=30000)  # re-pushed by the workstation
