"""视频监控 (issue 15): the camera list, the grid of cells (1/4/9/16 and custom layouts),
tours, "附近摄像机" from an incident and a cell's snapshot onto an incident's timeline;
for administrators signed in, 设置视频地址… (the address kept on the duty-server only).

The page never sees a stream address it could show: a cell is given the address resolved
off the GUI thread (services.cameras.StreamResolver) and keeps it in memory. The layout is
this workstation's (settings VIDEO_LAYOUT, saved on every change; named ones in
VIDEO_SAVED_LAYOUTS).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QWidget,
)

from console import settings as keys
from console.domain import cameras as rules
from console.domain.roles import CAMERA_STREAM_EDITORS
from console.services.cameras import (
    CameraDirectory,
    StreamResolver,
    StreamSetting,
    StreamSettings,
    save_snapshot,
)
from console.ui.tasks import run_task
from console.views.pages.base import PageContext, WritingPage, signed_in_role
from console.views.pages.video_camera_list import CameraList
from console.views.pages.video_grid import VideoGrid
from console.views.pages.video_layouts import (
    GRIDS,
    VideoLayout,
    dump_layouts,
    saved_layouts,
)
from console.views.pages.video_stream_dialog import StreamDialog

TABLES = ("cameras", "townships", "incidents")


def play_fetch(context: PageContext) -> Any:
    """The signed-in server's play call (a camera's address, credentials included, kept in
    memory only), or None standalone: what :class:`StreamResolver` asks."""
    sync = context.sync
    session = sync.session if sync is not None else None
    if session is None:
        return None

    def fetch(camera_id: str) -> str:
        client = session.client()
        try:
            return client.camera_play(camera_id)
        finally:
            client.close()

    return fetch


class VideoPage(WritingPage):
    snapshot_saved = Signal(str)  # the PNG's path
    stream_saved = Signal(str)  # the address as shown (password masked)

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.header.subtitle.hide()
        self.directory = CameraDirectory(context.queries)
        self.resolver = StreamResolver(self._play_fetch())
        self._cameras: dict[str, dict[str, Any]] = {}
        self._incidents: list[dict[str, Any]] = []
        self._tour_index = 0

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.grid_combo = QComboBox(self)
        for name, (title, _n, _cells) in GRIDS.items():
            self.grid_combo.addItem(title, name)
        self.layout_combo = QComboBox(self)
        self.save_layout = QPushButton("保存布局", self)
        self.tour_group = QComboBox(self)
        self.tour_seconds = QSpinBox(self)
        self.tour_seconds.setRange(5, 600)
        self.tour_seconds.setSuffix(" 秒")
        self.tour_seconds.setValue(context.settings.get(keys.VIDEO_TOUR_SECONDS))
        self.tour_button = QPushButton("开始轮巡", self)
        self.tour_button.setCheckable(True)
        # Their items come after the first show (read in the background): size to them then,
        # not to the empty combo the first show saw.
        for combo, chars in ((self.layout_combo, 12), (self.tour_group, 6)):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(chars)
        for label, widget in (
            ("画面", self.grid_combo),
            ("布局", self.layout_combo),
            (None, self.save_layout),
            ("轮巡分组", self.tour_group),
            (None, self.tour_seconds),
            (None, self.tour_button),
        ):
            if label:
                bar.addWidget(QLabel(label, self))
            bar.addWidget(widget)
        bar.addStretch(1)
        self.layout_.addLayout(bar)

        incident_bar = QHBoxLayout()
        self.incident_combo = QComboBox(self)
        self.incident_combo.setMinimumWidth(280)
        self.near_button = QPushButton("附近摄像机", self)
        self.snapshot_button = QPushButton("截图到事件", self)
        incident_bar.addWidget(QLabel("事件", self))
        incident_bar.addWidget(self.incident_combo, 1)
        incident_bar.addWidget(self.near_button)
        incident_bar.addWidget(self.snapshot_button)
        self.layout_.addLayout(incident_bar)

        split = QSplitter(self)
        self.camera_list = CameraList(split)
        self.camera_list.setMinimumWidth(220)
        self.stream_button = QPushButton("设置视频地址…", self.camera_list)
        self.stream_button.setToolTip(
            "管理员：设置所选摄像机的视频流地址和登录凭据（保存在服务器上）"
        )
        list_layout = self.camera_list.layout()
        assert list_layout is not None  # CameraList lays itself out in its constructor
        list_layout.addWidget(self.stream_button)
        self.stream_dialog: StreamDialog | None = None
        self.grid = VideoGrid(split)
        split.addWidget(self.camera_list)
        split.addWidget(self.grid)
        split.setStretchFactor(1, 1)
        split.setSizes([240, 900])
        self.layout_.addWidget(split, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("Muted")
        self.layout_.addWidget(self.message)

        self._tour = QTimer(self)
        self._tour.timeout.connect(self._tour_step)
        self.grid_combo.currentIndexChanged.connect(self._grid_chosen)
        self.layout_combo.activated.connect(self._layout_chosen)
        self.save_layout.clicked.connect(self._save_named)
        self.tour_button.toggled.connect(self._tour_toggled)
        self.near_button.clicked.connect(self.show_near_selected_incident)
        self.snapshot_button.clicked.connect(self.snapshot_to_incident)
        self.grid.cell_dropped.connect(self.put_camera)
        self.camera_list.activated.connect(self._into_empty_cell)
        self.stream_button.clicked.connect(self.edit_selected_stream)
        view = self.camera_list.view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._camera_menu)
        context.bus.changed.connect(self._on_changes)
        if context.sync is not None:
            context.sync.status_changed.connect(self._on_sync)
        self._update_admin()

        self._layout_restored = False
        self._asked: list[str] = []  # 加入视频画面 before the cameras were read
        self.reload()

    def select_tab(self, grid: str) -> None:
        """``--view video:9``: that grid, its empty cells filled from the camera list."""
        self.grid_combo.setCurrentIndex(self.grid_combo.findData(grid))
        taken = {c.camera_id for c in self.grid.cells if c.camera_id}
        free = [cid for cid in self._cameras if cid not in taken]
        for cell in self.grid.cells:
            if not cell.camera_id and free:
                self.put_camera(cell.index, free.pop(0), remember=False)
        self._remember()

    def ready_for_screenshot(self) -> bool:
        """Every cell given a camera shows a frame (or has given up for now)."""
        return all(c.frames >= 3 or c.state == "离线" for c in self.grid.cells if c.camera_id)

    def showEvent(self, event: QShowEvent) -> None:
        self._update_admin()
        super().showEvent(event)

    # -- stream addresses (administrators) --------------------------------------------------
    def may_edit_streams(self) -> bool:
        """Signed in as an administrator (standalone there is no server to keep it)."""
        return signed_in_role(self.context) in CAMERA_STREAM_EDITORS

    def _on_sync(self, _status: object) -> None:
        self._update_admin()

    def _update_admin(self) -> None:
        self.stream_button.setVisible(self.may_edit_streams())

    def _stream_settings(self) -> StreamSettings:
        sync = self.context.sync
        return StreamSettings(sync.session if sync is not None else None)

    def selected_camera(self) -> dict[str, Any] | None:
        return self._cameras.get(self.camera_list.current_id())

    def _camera_menu(self, pos: QPoint) -> None:
        if not self.may_edit_streams() or not self.camera_list.view.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        menu.addAction("设置视频地址…", self.edit_selected_stream)
        menu.exec(self.camera_list.view.viewport().mapToGlobal(pos))

    def edit_selected_stream(self) -> StreamDialog | None:
        """设置视频地址… for the camera selected in the list: the dialog, the current
        address read from the server in the background."""
        camera = self.selected_camera()
        if not self.may_edit_streams():
            self._say("只有管理员可以设置视频地址", error=True)
            return None
        if camera is None:
            self._say("请先在左侧列表中选择一台摄像机", error=True)
            return None
        if camera.get("is_sample"):
            self._say("样例摄像机播放内置视频，无需设置地址", error=True)
            return None
        service = self._stream_settings()
        problem = service.problem()
        if problem is not None:
            self._say(problem, error=True)
            return None
        dialog = StreamDialog(camera, self)
        self.stream_dialog = dialog
        camera_id = str(camera["id"])
        run_task(
            self.context.tasks,
            service.read,
            camera_id,
            on_done=dialog.show_current,
            on_error=lambda exc: dialog.read_failed(str(exc)),
            receiver=dialog,
        )

        def save(url: str, username: str, password: str) -> None:
            def done(setting: StreamSetting) -> None:
                dialog.saved()
                shown = setting.masked()
                self._say(f"已设置“{camera['name']}”的视频地址：{shown}")
                self.stream_saved.emit(shown)

            run_task(
                self.context.tasks,
                service.save,
                camera,
                url,
                username,
                password,
                on_done=done,
                on_error=lambda exc: dialog.refused(str(exc)),
                receiver=dialog,
            )

        dialog.save_requested.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "stream_dialog", None))
        dialog.open()
        return dialog

    # -- data ---------------------------------------------------------------------------
    def _play_fetch(self) -> Any:
        return play_fetch(self.context)

    def reload(self) -> None:
        """Read the cameras, townships and incidents in the background, then show them."""
        directory = self.directory

        def read() -> tuple[list[dict[str, Any]], Any, list[dict[str, Any]]]:
            return directory.cameras(), directory.townships(), directory.incidents()

        run_task(self.context.tasks, read, on_done=self._loaded, receiver=self)

    def _loaded(self, read: tuple[list[dict[str, Any]], Any, list[dict[str, Any]]]) -> None:
        cams, townships, incidents = read
        self._cameras = {str(c["id"]): c for c in cams}
        self.camera_list.set_cameras(cams, townships)
        self.header.set_sample(any(c.get("is_sample") for c in cams))
        current = self.tour_group.currentText()
        self.tour_group.clear()
        self.tour_group.addItems(rules.all_groups(cams))
        self.tour_group.setCurrentIndex(max(self.tour_group.findText(current), 0))
        self._incidents = incidents
        chosen = self.incident_combo.currentData()
        self.incident_combo.clear()
        for inc in self._incidents:
            self.incident_combo.addItem(
                f"{inc['received_at'][:16].replace('T', ' ')}  {inc['title']}", inc["id"]
            )
        self.incident_combo.setCurrentIndex(max(self.incident_combo.findData(chosen), 0))
        self._refresh_saved_combo()
        if not self._layout_restored:  # the first read: this workstation's last layout
            self._layout_restored = True
            saved = self.context.settings.get(keys.VIDEO_LAYOUT)
            self.apply_layout(VideoLayout.from_json(saved))
            if not saved and not self._asked:  # first opened here: not an empty wall
                self.fill(list(self._cameras)[: len(self.grid.cells)])
        asked, self._asked = self._asked, []
        for camera_id in asked:
            self.add_camera(camera_id)

    def _on_changes(self, changes: Any) -> None:
        if changes.touches(*TABLES):
            self.reload()

    # -- layouts ------------------------------------------------------------------------
    def current_layout(self) -> VideoLayout:
        return VideoLayout(self.grid.grid_name, [c.camera_id for c in self.grid.cells])

    def apply_layout(self, layout: VideoLayout) -> None:
        self.grid_combo.blockSignals(True)
        self.grid_combo.setCurrentIndex(self.grid_combo.findData(layout.grid))
        self.grid_combo.blockSignals(False)
        self.grid.set_grid(layout.grid)
        for index, camera_id in enumerate(layout.cells):
            if camera_id in self._cameras:
                self.put_camera(index, camera_id, remember=False)
            else:
                self.grid.cells[index].stop()
        self._remember()

    def _grid_chosen(self) -> None:
        layout = self.current_layout()
        layout.grid = self.grid_combo.currentData()
        self.grid.set_grid(layout.grid)
        self._remember()

    def _remember(self) -> None:
        self.context.settings.set(keys.VIDEO_LAYOUT, self.current_layout().to_json())

    def _refresh_saved_combo(self) -> None:
        self.layout_combo.clear()
        self.layout_combo.addItem("（选择布局）", "")
        for name in saved_layouts(self.context.settings.get(keys.VIDEO_SAVED_LAYOUTS)):
            self.layout_combo.addItem(name, name)

    def save_named_layout(self, name: str) -> None:
        layouts = saved_layouts(self.context.settings.get(keys.VIDEO_SAVED_LAYOUTS))
        layouts[name] = self.current_layout()
        self.context.settings.set(keys.VIDEO_SAVED_LAYOUTS, dump_layouts(layouts))
        self._refresh_saved_combo()
        self._say(f"已保存布局“{name}”（本机）")

    def _save_named(self) -> None:
        name, ok = QInputDialog.getText(self, "保存布局", "布局名称：")
        if ok and name.strip():
            self.save_named_layout(name.strip()[:40])

    def _layout_chosen(self) -> None:
        name = self.layout_combo.currentData()
        layouts = saved_layouts(self.context.settings.get(keys.VIDEO_SAVED_LAYOUTS))
        if name in layouts:
            self.apply_layout(layouts[name])

    # -- cells --------------------------------------------------------------------------
    def put_camera(self, index: int, camera_id: str, remember: bool = True) -> None:
        """Play camera ``camera_id`` in cell ``index`` (the address resolved off the GUI
        thread)."""
        camera = self._cameras.get(camera_id)
        if camera is None or not 0 <= index < len(self.grid.cells):
            return
        cell = self.grid.cells[index]
        cell.stop()
        cell.camera_id, cell.title = camera_id, str(camera["name"])
        cell.update()

        def done(stream: Any) -> None:
            if cell.camera_id == camera_id:  # not replaced meanwhile
                cell.play(stream.url, str(camera["name"]), camera_id=camera_id, loop=stream.loop)

        def failed(exc: BaseException) -> None:
            self._say(f"{camera['name']}：{exc}", error=True)

        run_task(
            self.context.tasks,
            self.resolver.stream,
            camera,
            on_done=done,
            on_error=failed,
            receiver=self,
        )
        if remember:
            self._remember()

    def fill(self, camera_ids: list[str]) -> None:
        """The cells in order, from the first: the given cameras, the rest emptied."""
        for index, cell in enumerate(self.grid.cells):
            if index < len(camera_ids):
                self.put_camera(index, camera_ids[index], remember=False)
            else:
                cell.stop()
        self._remember()

    def add_camera(self, camera_id: str) -> bool:
        """加入视频画面 (from the map): the camera into the first empty cell, the grid grown to
        the next size when every cell is taken (单 → 四 → 九 → 十六画面); one already shown
        stays where it is. False when it cannot be played."""
        if not self._layout_restored:  # opened just now: once the cameras are read
            self._asked.append(camera_id)
            return True
        camera = self._cameras.get(camera_id)
        if camera is None:
            self._say("该摄像机已删除或尚未同步到本机", error=True)
            return False
        if camera_id in (c.camera_id for c in self.grid.cells):
            self._say(f"{camera['name']} 已在画面中")
            return True
        empty = [c.index for c in self.grid.cells if not c.camera_id]
        if not empty:
            size = len(self.grid.cells)
            bigger = next((g for g in ("4", "9", "16") if len(GRIDS[g][2]) > size), None)
            if bigger is None:
                self._say("十六个画面已满，请先关闭一个画面", error=True)
                return False
            self.grid_combo.setCurrentIndex(self.grid_combo.findData(bigger))
            empty = [size]
        self.put_camera(empty[0], camera_id)
        self._say(f"已加入画面：{camera['name']}")
        return True

    def _into_empty_cell(self, camera_id: str) -> None:
        empty = [c.index for c in self.grid.cells if not c.camera_id]
        self.put_camera(empty[0] if empty else self.grid.selected, camera_id)

    # -- tours --------------------------------------------------------------------------
    def _tour_toggled(self, on: bool) -> None:
        self.tour_button.setText("停止轮巡" if on else "开始轮巡")
        if not on:
            self._tour.stop()
            return
        self.context.settings.set(keys.VIDEO_TOUR_SECONDS, self.tour_seconds.value())
        self._tour_index = 0
        self._tour.start(self.tour_seconds.value() * 1000)
        self._tour_step()

    def tour_members(self) -> list[str]:
        group = self.tour_group.currentText()
        return [cid for cid, c in self._cameras.items() if rules.matches(c, group=group)]

    def _tour_step(self) -> None:
        """The next page of the group's cameras into the cells (wrapping round)."""
        members = self.tour_members()
        if not members:
            self._say("该分组没有摄像机", error=True)
            return
        size = len(self.grid.cells)
        start = (self._tour_index * size) % len(members)
        page = [members[(start + i) % len(members)] for i in range(min(size, len(members)))]
        self._tour_index += 1
        self.fill(page)
        self._say(f"轮巡：{self.tour_group.currentText()}，第 {start // size + 1} 组")

    # -- incidents ----------------------------------------------------------------------
    def selected_incident(self) -> dict[str, Any] | None:
        chosen = self.incident_combo.currentData()
        return next((i for i in self._incidents if i["id"] == chosen), None)

    def show_near_selected_incident(self) -> None:
        incident = self.selected_incident()
        if incident is not None:
            self.show_near(incident)

    def show_near(self, incident: dict[str, Any]) -> list[str]:
        """ "附近摄像机": the cameras near the incident into the cells, nearest first."""
        near = [str(c["id"]) for c in self.directory.near_incident(incident)]
        if not near:
            self._say("事件附近没有摄像机")
            return []
        if len(near) > len(self.grid.cells):
            fits = next((g for g in ("4", "9", "16") if len(GRIDS[g][2]) >= len(near)), "16")
            self.grid_combo.setCurrentIndex(self.grid_combo.findData(fits))
        self.fill(near[: len(self.grid.cells)])
        self._say(f"事件附近摄像机 {len(near)} 台，已按距离放入画面")
        return near

    def snapshot_to_incident(self) -> None:
        incident = self.selected_incident()
        cell = self.grid.cells[self.grid.selected]
        image = cell.snapshot()
        if incident is None or image.isNull() or self.context.incidents is None:
            self._say("请先选中正在播放的画面和事件", error=True)
            return
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs: bytes; runtime: str
        png = bytes(buffer.data().data())
        service, user, data_dir = self.context.incidents, self._user(), self.context.data_dir

        def write() -> str:
            path, _changes = save_snapshot(
                data_dir,
                png,
                camera_name=cell.title,
                incident_id=str(incident["id"]),
                log=lambda i, kind, body: service.log(i, kind, body, user=user),
            )
            return str(path)

        self._write(write, f"截图已记入事件“{incident['title']}”", self.snapshot_saved.emit)

    def closeEvent(self, event: Any) -> None:
        self.grid.stop_all()
        super().closeEvent(event)


def play_on_video_page(context: PageContext, camera_id: str) -> bool:
    """Switch to 视频监控 with the camera added (the map's 加入视频画面); False when this page
    cannot switch pages (built alone)."""
    if context.open_view is None:
        return False
    page = context.open_view("video")
    return isinstance(page, VideoPage) and page.add_camera(camera_id)
