"""设置视频地址… on 视频监控 with a real duty-server: an administrator signed in enters a
camera's RTSP address with a user name and password; bad addresses get a Chinese reason and
keep what was typed; the address comes back with the password masked, nothing of it lands in
the workstation's files, and an officer's workstation then plays it (a real RTSP stream on
loopback). An officer does not see the action and the server refuses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sync_testkit import PASSWORDS
from test_sync_gui import console_window  # noqa: F401  (the window fixture)

from console.domain.ids import new_id
from console.services.cameras import StreamSettings
from console.services.context import Workstation
from console.sync.client import SyncClient, SyncHttpError
from console.ui.sync_bridge import SyncBridge
from console.views.main_window import MainWindow
from console.views.pages.video_camera_list import ID_ROLE
from console.views.pages.video_cell import PLAYING
from console.views.pages.video_page import VideoPage
from console.views.pages.video_stream_dialog import StreamDialog
from testkit.qt_logs import VIDEO_WARNINGS
from testkit.server import Database, ServerProcess
from testkit.streams import CLIP, StreamServer

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", *VIDEO_WARNINGS)
ADMIN = ("zhao", "zhao-admin-pass-1")
SECRET = "Cam-Secret:9@x"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real duty-server holding the PASSWORDS accounts and an administrator."""
    db = Database.create("sqlite", tmp_path / "server")
    db.migrate()
    db.create_users({**PASSWORDS, ADMIN[0]: ("admin", ADMIN[1])})
    db.dispose()
    srv = ServerProcess(db).start()
    yield srv
    srv.stop()


def _sign_in(
    qtbot: QtBot, window: tuple[MainWindow, Workstation, SyncBridge], url: str, user: str, pw: str
) -> None:
    win, _ws, bridge = window
    assert bridge.accounts is not None
    session = bridge.accounts.login(url, user, pw)
    bridge.start(session)
    win.context.session.sign_in(session.username)
    qtbot.waitUntil(lambda: win.status.connection.text() == "● 在线", timeout=30000)


def _camera(ws: Workstation, user: str) -> dict[str, Any]:
    cam = {
        "id": new_id(),
        "name": "北界镇集镇路口",
        "department": "公安雪亮",
        "protocol": "RTSP",
        "groups": "防汛重点",
    }
    ws.writer.apply([("camera.upsert", cam)], user=user)
    return cam


def _video(qtbot: QtBot, win: MainWindow, camera_id: str) -> VideoPage:
    page = win.show_view("video")
    assert isinstance(page, VideoPage)
    qtbot.waitUntil(lambda: camera_id in page._cameras, timeout=10000)
    model = page.camera_list.model
    row = next(r for r in range(model.rowCount()) if model.item(r).data(ID_ROLE) == camera_id)
    page.camera_list.view.setCurrentIndex(model.index(row, 0))
    return page


def _save(qtbot: QtBot, dialog: StreamDialog, url: str, user: str = "", pw: str = "") -> None:
    dialog.url.setText(url)
    dialog.username.setText(user)
    dialog.password.setText(pw)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)


def _files_hold(folder: Path, needle: str) -> list[Path]:
    """The files under ``folder`` holding ``needle``, the server's own folder left out."""
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and "server" not in p.relative_to(folder).parts[:1]
        if needle.encode() in p.read_bytes()
    ]


@pytest.mark.timeout(120)
def test_an_admin_sets_the_address_masked_and_an_officer_plays_it(
    qtbot: QtBot,
    tmp_path: Path,
    server: ServerProcess,
    console_window: tuple[MainWindow, Workstation, SyncBridge],  # noqa: F811
) -> None:
    win, ws, _bridge = console_window
    _sign_in(qtbot, console_window, server.url, *ADMIN)
    cam = _camera(ws, ADMIN[0])
    qtbot.waitUntil(lambda: ws.queries.sync_counters().pending == 0, timeout=30000)
    page = _video(qtbot, win, cam["id"])
    assert page.stream_button.isVisible()

    dialog = page.edit_selected_stream()
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.current.text() == "尚未设置", timeout=15000)
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password

    # Refused before it leaves the workstation, with the reason; what was typed is kept.
    _save(qtbot, dialog, "ftp://10.0.0.9/cam", "viewer", SECRET)
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    assert dialog.error.text() == "视频流地址须以 rtsp://、http(s):// 或 file:// 开头"
    assert (dialog.url.text(), dialog.password.text()) == ("ftp://10.0.0.9/cam", SECRET)
    _save(qtbot, dialog, "http://10.0.0.9/live.m3u8", "viewer", SECRET)
    qtbot.waitUntil(lambda: "RTSP" in dialog.error.text(), timeout=5000)
    assert dialog.error.text() == "“RTSP”类型摄像机的地址须以 rtsp://、rtsps:// 开头"
    assert dialog.isVisible()

    rtsp = StreamServer("rtsp", CLIP).start()
    try:
        with qtbot.waitSignal(page.stream_saved, timeout=15000) as saved:
            _save(qtbot, dialog, rtsp.url, "viewer", SECRET)
        shown = rtsp.url.replace("rtsp://", "rtsp://viewer:******@")
        assert saved.args == [shown] and shown in page.message.text()
        assert not dialog.isVisible()

        # Opened again: the address and the user name, never the password.
        again = page.edit_selected_stream()
        assert again is not None
        qtbot.waitUntil(lambda: again.current.text() == shown, timeout=15000)
        assert (again.url.text(), again.username.text(), again.password.text()) == (
            rtsp.url,
            "viewer",
            "",
        )
        again.reject()
        # The workstation's data folder and settings hold neither (the server's folder does).
        assert (tmp_path / "a").is_dir() and (tmp_path / "s.ini").is_file()
        assert not _files_hold(tmp_path, SECRET), "the password was written on the workstation"
        assert not _files_hold(tmp_path, rtsp.url)
        assert _files_hold(tmp_path / "server", SECRET)  # where it does live

        # The server keeps it; an officer's workstation plays it (credentials put back).
        officer = SyncClient(server.url)
        officer.login("zhang", PASSWORDS["zhang"][1])
        assert officer.camera_play(cam["id"]).startswith("rtsp://viewer:Cam-Secret%3A9%40x@")
        officer.close()
        page.grid_combo.setCurrentIndex(page.grid_combo.findData("1"))
        page.fill([])
        assert page.add_camera(cam["id"])
        cell = page.grid.cells[0]
        qtbot.waitUntil(lambda: cell.state == PLAYING and cell.frames >= 5, timeout=30000)
    finally:
        page.grid.stop_all()
        rtsp.stop()


def test_an_officer_has_no_such_action_and_the_server_refuses_it(
    qtbot: QtBot,
    server: ServerProcess,
    console_window: tuple[MainWindow, Workstation, SyncBridge],  # noqa: F811
) -> None:
    win, ws, bridge = console_window
    admin = SyncClient(server.url)
    admin.login(*ADMIN)
    _sign_in(qtbot, console_window, server.url, "li", PASSWORDS["li"][1])  # a leader
    cam = _camera(ws, "li")  # leaders may edit camera records, not their addresses
    qtbot.waitUntil(lambda: ws.queries.sync_counters().pending == 0, timeout=30000)
    page = _video(qtbot, win, cam["id"])
    assert not page.stream_button.isVisible()
    assert page.edit_selected_stream() is None
    assert page.message.text() == "只有管理员可以设置视频地址"

    assert bridge.session is not None
    service = StreamSettings(bridge.session)
    with pytest.raises(ValueError, match="“带班领导”角色无权执行此操作"):
        service.save(cam, "rtsp://10.0.0.9/cam", "viewer", SECRET)
    with pytest.raises(ValueError, match="“带班领导”角色无权执行此操作"):
        service.read(cam["id"])
    with pytest.raises(SyncHttpError) as nothing_set:  # the refused call changed nothing
        admin.camera_stream(cam["id"])
    assert nothing_set.value.status == 404
    admin.close()
    with pytest.raises(ValueError, match="未登录服务器"):
        StreamSettings(None).read(cam["id"])
