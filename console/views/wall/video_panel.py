"""视频监控 on the wall: this workstation's video layout (the grid and cameras last set on
the 视频监控 page), playing, read-only: no drops, no full screen, nothing to click."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from console import settings as keys
from console.services.cameras import CameraDirectory, StreamResolver
from console.ui.tasks import run_task
from console.views.pages.video_grid import VideoGrid
from console.views.pages.video_layouts import VideoLayout
from console.views.pages.video_page import play_fetch
from console.views.wall.panels import WallPanel, panel_title
from console.views.wall.style import MIN_PX

if TYPE_CHECKING:
    from console.views.pages.base import PageContext

VIDEO = "video"


def wall_layout(saved: str, cameras: list[dict[str, Any]]) -> VideoLayout:
    """The 视频监控 page's layout, its cameras that still exist; never set there: the first
    cameras in a 2x2 grid rather than an empty cell."""
    known = {str(c["id"]) for c in cameras}
    if saved:
        layout = VideoLayout.from_json(saved)
        layout.cells = [c if c in known else "" for c in layout.cells]
        return layout
    return VideoLayout("4", [str(c["id"]) for c in cameras[:4]])


class VideoPanel(WallPanel):
    kind = VIDEO
    watched = ("cameras",)

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, panel_title(VIDEO), parent)
        self.grid = VideoGrid(self)
        self.body.addWidget(self.grid, 1)
        self.resolver = StreamResolver(play_fetch(context))
        self.directory = CameraDirectory(context.queries)
        self.cameras: dict[str, dict[str, Any]] = {}
        self.refresh()

    def refresh(self) -> None:
        run_task(self.context.tasks, self.directory.cameras, on_done=self._land, receiver=self)

    def _land(self, cameras: list[dict[str, Any]]) -> None:
        self.cameras = {str(c["id"]): c for c in cameras}
        layout = wall_layout(self.context.settings.get(keys.VIDEO_LAYOUT), cameras)
        if layout.grid != self.grid.grid_name:
            self.grid.set_grid(layout.grid)
        for cell, camera_id in zip(self.grid.cells, layout.cells, strict=True):
            cell.setAcceptDrops(False)  # the wall is read-only
            cell.caption_px = MIN_PX
            if camera_id != cell.camera_id:
                self._play(cell, camera_id)

    def _play(self, cell: Any, camera_id: str) -> None:
        cell.stop()
        camera = self.cameras.get(camera_id)
        cell.camera_id, cell.title = camera_id, str(camera["name"]) if camera else ""
        cell.update()
        if camera is None:
            return

        def done(stream: Any) -> None:
            if cell.camera_id == camera_id:
                cell.play(stream.url, str(camera["name"]), camera_id=camera_id, loop=stream.loop)

        run_task(
            self.context.tasks,
            self.resolver.stream,
            camera,
            on_done=done,
            on_error=lambda _exc: None,  # the cell stays dark with its name; the page says why
            receiver=self,
        )

    def stop(self) -> None:
        super().stop()
        self.grid.stop_all()
