"""视频监控 page over the sample county: the sample cameras play the bundled clip (real
decoding, frames counted), a camera dropped on a cell plays there, a double-click goes full
screen and back, a tour cycles a group, "附近摄像机" fills the grid from an incident, a
snapshot lands as a PNG in the data folder and a 视频截图 row on the incident's timeline, and
the layout is this workstation's (restored by the next page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from pytestqt.qtbot import QtBot

from console import settings as keys
from console.domain import beijing, catalog
from console.domain.ids import new_id
from console.services.cameras import SNAPSHOT_DIR
from console.services.context import Workstation
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.video_cell import PLAYING
from console.views.pages.video_layouts import VideoLayout
from console.views.pages.video_page import VideoPage
from testkit.qt_logs import VIDEO_WARNINGS
from tests.views.conftest import idle

pytestmark = pytest.mark.qt_log_ignore(*VIDEO_WARNINGS)
WAIT_MS = 15_000


def _page(window: MainWindow) -> VideoPage:
    page = window.show_view("video")
    assert isinstance(page, VideoPage)
    idle(page)
    return page


def _playing(qtbot: QtBot, page: VideoPage, count: int) -> None:
    cells = page.grid.cells[:count]
    qtbot.waitUntil(
        lambda: all(c.state == PLAYING and c.frames >= 3 for c in cells), timeout=WAIT_MS
    )


def test_first_open_plays_sample_cameras_and_the_layout_is_kept(
    qtbot: QtBot, window: MainWindow, window_context: WindowContext
) -> None:
    page = _page(window)
    assert page.header.badge.isVisibleTo(page)  # sample cameras: 样例数据
    assert page.grid.grid_name == "4" and all(c.camera_id for c in page.grid.cells)
    _playing(qtbot, page, 4)
    first = [c.camera_id for c in page.grid.cells]

    page.grid_combo.setCurrentIndex(page.grid_combo.findData("9"))
    assert len(page.grid.cells) == 9
    assert [c.camera_id for c in page.grid.cells[:4]] == first  # kept playing
    saved = VideoLayout.from_json(window_context.settings.get(keys.VIDEO_LAYOUT))
    assert saved.grid == "9" and saved.cells[:4] == first and saved.cells[4:] == [""] * 5

    page.save_named_layout("汛期值守")
    page.grid_combo.setCurrentIndex(page.grid_combo.findData("1"))
    assert len(page.grid.cells) == 1
    page.layout_combo.setCurrentIndex(page.layout_combo.findData("汛期值守"))
    page.layout_combo.activated.emit(page.layout_combo.currentIndex())
    assert page.grid.grid_name == "9" and [c.camera_id for c in page.grid.cells[:4]] == first

    again = VideoPage(page.context)  # the next start on this workstation
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.grid.grid_name == "9", timeout=10_000)  # read, then restored
    assert again.grid.grid_name == "9" and [c.camera_id for c in again.grid.cells[:4]] == first
    again.grid.stop_all()


def test_a_dropped_camera_plays_in_that_cell_and_double_click_goes_full_screen(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = _page(window)
    page.camera_list.department.setCurrentIndex(page.camera_list.department.findData("林业"))
    shown = page.camera_list.shown_ids()
    assert shown and all(page._cameras[c]["department"] == "林业" for c in shown)
    index = page.camera_list.model.index(0, 0)
    data = page.camera_list.model.mimeData([index])
    cell = page.grid.cells[2]
    drop = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Qt delivers drop events only inside a real drag (a nested event loop of the window
    # system's); the cell's handlers are called as that drag would call them.
    cell.dragEnterEvent(enter)
    assert enter.isAccepted()
    cell.dropEvent(drop)
    assert drop.isAccepted()
    idle(page)
    assert cell.camera_id == shown[0]
    qtbot.waitUntil(lambda: cell.state == PLAYING and cell.frames >= 3, timeout=WAIT_MS)
    assert page._cameras[shown[0]]["name"] in cell.title

    qtbot.mouseDClick(cell, Qt.MouseButton.LeftButton)
    assert page.grid.full_cell is cell and page.grid.full is not None
    full = page.grid.full
    assert full.isFullScreen() and cell.window() is full
    frames = cell.frames
    qtbot.waitUntil(lambda: cell.frames > frames + 3, timeout=WAIT_MS)  # still playing
    qtbot.keyClick(full, Qt.Key.Key_Escape)
    assert page.grid.full_cell is None and cell.window() is window
    assert cell.isVisible()


def test_a_tour_cycles_the_cameras_of_a_group(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(window)
    page.tour_group.setCurrentIndex(page.tour_group.findText("防汛重点"))
    members = page.tour_members()
    assert len(members) > 4
    page.tour_seconds.setValue(5)
    page.tour_button.click()
    assert page.tour_button.text() == "停止轮巡" and page._tour.interval() == 5000
    assert [c.camera_id for c in page.grid.cells] == members[:4]
    page._tour.timeout.emit()  # the next 5 s are up
    assert [c.camera_id for c in page.grid.cells] == members[4:8]
    idle(page)
    _playing(qtbot, page, 4)
    page.tour_button.click()
    assert not page._tour.isActive()


def test_cameras_near_an_incident_and_a_snapshot_onto_its_timeline(
    qtbot: QtBot,
    window: MainWindow,
    window_context: WindowContext,
    workstation: Workstation,
    data_dir: Path,
) -> None:
    camera = next(c for c in workstation.queries.cameras() if c["township_id"])
    incident = {
        "id": new_id(),
        "received_at": beijing.canonical(beijing.now()),
        "category": "自然灾害",
        "title": "河道漫堤",
        "township_id": camera["township_id"],
        "lon": camera["lon"] + 0.001,
        "lat": camera["lat"],
    }
    workstation.writer.apply([("incident.create", incident)], user="测试值班员")
    page = _page(window)
    page.incident_combo.setCurrentIndex(page.incident_combo.findData(incident["id"]))
    page.near_button.click()
    idle(page)
    near = [c.camera_id for c in page.grid.cells if c.camera_id]
    town = [cid for cid, c in page._cameras.items() if c["township_id"] == incident["township_id"]]
    assert near[0] == camera["id"]  # the nearest first
    assert set(town) <= set(near) or len(near) == len(page.grid.cells)
    _playing(qtbot, page, 1)

    page.grid.select(0)
    with qtbot.waitSignal(page.snapshot_saved, timeout=WAIT_MS) as saved:
        page.snapshot_button.click()
    path = Path(saved.args[0])
    assert path.parent == data_dir / SNAPSHOT_DIR and path.read_bytes().startswith(b"\x89PNG")
    source = window_context.incident_source
    assert source is not None
    rows = [r for r in source.timeline(incident["id"]) if r["kind"] == catalog.SNAPSHOT_LOG]
    assert len(rows) == 1 and f"{SNAPSHOT_DIR}/{path.name}" in rows[0]["body"]
    assert page.grid.cells[0].title in rows[0]["body"]


def test_a_three_by_three_grid_built_from_the_map(qtbot: QtBot, window: MainWindow) -> None:
    """加入视频画面 on nine camera cards of 识别一张图: the 视频监控 page (never opened here
    before) fills its cells in that order and grows from 四画面 to 九画面."""
    from console.services.map_data import CAMERAS
    from console.views.pages.risk_map_page import RiskMapPage

    map_page = window.show_view("risk-map")
    assert isinstance(map_page, RiskMapPage)
    idle(map_page)
    cameras = map_page.snapshot.layer(CAMERAS)
    assert len(cameras) >= 10  # the sample county's cameras have positions
    assert map_page.layer_panel.boxes[CAMERAS].isEnabled()
    chosen = cameras[:9]
    for feature in chosen:
        window.show_view("risk-map")
        map_page.open_card(feature)
        idle(map_page)
        assert (
            map_page.card.video_button.isVisible() and not map_page.card.dispatch_button.isVisible()
        )
        map_page.card.video_button.click()
        assert window.current_view() == "video"
    page = window.page("video")
    assert isinstance(page, VideoPage)
    idle(page)
    qtbot.waitUntil(lambda: page.grid.grid_name == "9", timeout=WAIT_MS)
    assert [c.camera_id for c in page.grid.cells] == [f.id for f in chosen]
    _playing(qtbot, page, 9)
    assert page.add_camera(chosen[0].id)  # shown already: stays where it is
    assert [c.camera_id for c in page.grid.cells].count(chosen[0].id) == 1
    assert page.add_camera(cameras[9].id) and page.grid.grid_name == "16"
    assert page.grid.cells[9].camera_id == cameras[9].id
    page.grid.stop_all()


@pytest.mark.qt_log_ignore("This plugin does not support", *VIDEO_WARNINGS)  # the menu popup
def test_cameras_near_a_point_of_the_map_go_onto_the_video_page(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Right-click on 识别一张图 → 附近的摄像机…: the cameras within N km of the clicked
    point, nearest first with their distance; a wider radius finds more; the ticked ones go
    onto 视频监控 in that order (never opened here before)."""
    from PySide6.QtWidgets import QApplication, QMenu

    from console.domain.cameras import distance_km
    from console.services.map_data import CAMERAS
    from console.views.pages.risk_map_page import RiskMapPage

    map_page = window.show_view("risk-map")
    assert isinstance(map_page, RiskMapPage)
    idle(map_page)
    target = map_page.snapshot.layer(CAMERAS)[0]
    map_page.map.zoom_to(target.lon, target.lat, 2.0)
    QApplication.processEvents()
    x, y = map_page.map.projection.xy(target.lon, target.lat)
    scene = map_page.map.plot_item.vb.mapViewToScene(QPointF(x + 0.4, y))  # 400 m east
    at = map_page.map.mapFromScene(scene)
    chosen: list[QMenu] = []

    def pick() -> None:  # the menu is modal: act on it from inside its loop
        menu = map_page.map_menu
        assert menu is not None and menu.isVisible()
        chosen.append(menu)
        [action] = menu.actions()
        assert action.text() == "附近的摄像机…"
        action.trigger()
        menu.close()

    QTimer.singleShot(300, pick)
    qtbot.mouseClick(map_page.map.viewport(), Qt.MouseButton.RightButton, pos=at)
    qtbot.waitUntil(lambda: bool(chosen) and map_page.near_dialog is not None, timeout=WAIT_MS)
    dialog = map_page.near_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.list.count() > 0, timeout=WAIT_MS)
    first = dialog.list.item(0).text()
    assert target.name in first and first.startswith(("3", "4")) and "米" in first

    cameras = map_page.snapshot.layer(CAMERAS)
    lon, lat = map_page.map.projection.lonlat(x + 0.4, y)
    within = sorted(
        (distance_km(lon, lat, c.lon, c.lat), c.id)
        for c in cameras
        if distance_km(lon, lat, c.lon, c.lat) <= 10
    )
    assert dialog.checked_ids() == [cid for _d, cid in within][:16]
    narrow = dialog.list.count()
    dialog.radius.setValue(50)
    qtbot.waitUntil(lambda: dialog.list.count() > narrow, timeout=WAIT_MS)
    assert "50 公里内摄像机" in dialog.summary.text()
    dialog.radius.setValue(1)
    qtbot.waitUntil(lambda: dialog.list.count() < narrow, timeout=WAIT_MS)
    ids = dialog.checked_ids()
    assert ids and ids[0] == target.id
    for row in range(1, dialog.list.count()):  # only the nearest three, say
        dialog.list.item(row).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.play_button.text() == "加入视频画面（1）"

    dialog.play_button.click()
    assert window.current_view() == "video"
    page = window.page("video")
    assert isinstance(page, VideoPage)
    idle(page)
    qtbot.waitUntil(lambda: page.grid.cells[0].camera_id == target.id, timeout=WAIT_MS)
    _playing(qtbot, page, 1)
    page.grid.stop_all()
