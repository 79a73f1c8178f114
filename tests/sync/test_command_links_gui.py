"""复制确认链接 on the call board with a real duty-server: the officer signed in gets a link
of the selected recipient's own on the clipboard (to read over the phone or paste into
浙政钉); the phone page opens from it and its 收到 lands back on the board as 链接. A
recipient the server has not received yet, and a server that stopped answering, are said in
Chinese."""

from __future__ import annotations

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from sync_testkit import PASSWORDS
from test_sync_gui import console_window  # noqa: F401  (the window fixture)

from console.domain.ids import reference_id
from console.services.context import Workstation
from console.services.orders import OrderService
from console.ui.sync_bridge import SyncBridge
from console.views.main_window import MainWindow
from console.views.pages.command_page import CommandPage
from testkit.server import ServerProcess

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TOWN = reference_id("township", "北界镇")


@pytest.fixture
def signed_in(
    qtbot: QtBot,
    server: ServerProcess,
    console_window: tuple[MainWindow, Workstation, SyncBridge],  # noqa: F811
) -> tuple[MainWindow, Workstation, SyncBridge]:
    """The console signed in to a server holding the sample county, pulled."""
    win, ws, bridge = console_window
    assert server.cli("load-sample").returncode == 0
    assert bridge.accounts is not None
    session = bridge.accounts.login(server.url, "zhang", PASSWORDS["zhang"][1])
    bridge.start(session)
    win.context.session.sign_in(session.username)
    qtbot.waitUntil(
        lambda: (
            win.status.connection.text() == "● 在线" and bool(OrderService(ws.store).chain([TOWN]))
        ),
        timeout=30000,
    )
    return win, ws, bridge


def _copy(qtbot: QtBot, page: CommandPage) -> str:
    with qtbot.waitSignal(page.link_copied, timeout=15000) as seen:
        qtbot.mouseClick(page.link_button, Qt.MouseButton.LeftButton)
    return str(seen.args[0])


def test_copy_a_recipients_link_and_its_answer_comes_back(
    qtbot: QtBot, server: ServerProcess, signed_in: tuple[MainWindow, Workstation, SyncBridge]
) -> None:
    win, ws, _bridge = signed_in
    service = OrderService.of(ws.writer)
    order = service.issue("预警叫应", service.chain([TOWN])[:2], user="zhang")
    qtbot.waitUntil(lambda: ws.queries.sync_counters().pending == 0, timeout=30000)
    page = win.show_view("command")
    assert isinstance(page, CommandPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)
    page.table.selectRow(1)
    row = page.selected_row()
    assert row is not None and page.link_button.isEnabled()

    url = _copy(qtbot, page)
    assert url.startswith(server.url + "/ack/") and len(url) > len(server.url) + 40
    assert QGuiApplication.clipboard().text() == url
    said = page.message.text()
    assert said.startswith(f"已复制{row.name}的确认链接（") and said.endswith(url)
    assert "前有效" in said
    assert _copy(qtbot, page) != url  # each copy is a new link

    # The recipient opens it on a phone, taps 收到: the board shows it came by 链接.
    shown = requests.get(url, timeout=10)
    assert shown.status_code == 200 and "预警叫应" in shown.text
    assert requests.post(url, data={"action": "ack"}, timeout=10).status_code == 200

    def answered() -> bool:
        rows = {r.id: r for r in page.model.records()}
        return rows[row.id].state.channel == "链接"

    qtbot.waitUntil(answered, timeout=30000)
    board = service.board(order)
    assert [r.state.channel for r in board.rows if r.id != row.id] == [""]


def test_a_recipient_not_on_the_server_and_a_stopped_server_are_said(
    qtbot: QtBot, server: ServerProcess, signed_in: tuple[MainWindow, Workstation, SyncBridge]
) -> None:
    win, ws, bridge = signed_in
    bridge.stop()  # this order stays on the workstation
    service = OrderService.of(ws.writer)
    service.issue("巡查指令", service.chain([TOWN])[:1], user="zhang")
    page = win.show_view("command")
    assert isinstance(page, CommandPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    page.table.selectRow(0)
    QGuiApplication.clipboard().setText("之前的内容")

    assert _copy(qtbot, page) == ""
    assert page.message.text() == "未能生成确认链接：指令不存在（请先同步）"
    server.stop()
    assert _copy(qtbot, page) == ""
    assert page.message.text().startswith(f"未能生成确认链接：无法连接服务器 {server.url}")
    assert QGuiApplication.clipboard().text() == "之前的内容"  # nothing copied
