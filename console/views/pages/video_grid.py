"""The video grid: the cells of a layout (video_layouts.GRIDS) and the full-screen view of
one cell (double-click it; double-click again or Esc to put it back)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from console.views.pages.video_cell import VideoCell
from console.views.pages.video_layouts import GRIDS


class FullScreen(QWidget):
    """A top-level window holding one cell, full screen; Esc or a double-click closes it."""

    closed = Signal()

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("VideoFullScreen")
        self.setWindowTitle("视频监控 - 全屏")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
            return
        super().keyPressEvent(event)


class VideoGrid(QWidget):
    """``cells`` in layout order; ``selected`` the cell last clicked (snapshot target)."""

    cell_dropped = Signal(int, str)  # cell index, camera id
    selected_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid_name = ""
        self.cells: list[VideoCell] = []
        self.selected = 0
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self.full: FullScreen | None = None
        self.full_cell: VideoCell | None = None

    def set_grid(self, name: str) -> None:
        """Rebuild the cells for layout ``name``; the cells kept (those that fit) keep
        playing, the ones dropped stop."""
        self.leave_full_screen()
        _title, n, spans = GRIDS[name]
        while len(self.cells) > len(spans):
            cell = self.cells.pop()
            cell.stop()
            cell.deleteLater()
        for i in range(len(self.cells), len(spans)):
            cell = VideoCell(i, self)
            cell.camera_dropped.connect(lambda cid, i=i: self.cell_dropped.emit(i, cid))
            cell.double_clicked.connect(lambda i=i: self.toggle_full_screen(i))
            cell.installEventFilter(self)
            self.cells.append(cell)
        for cell in self.cells:
            self._grid.removeWidget(cell)
        for r in range(4):
            self._grid.setRowStretch(r, 1 if r < n else 0)
            self._grid.setColumnStretch(r, 1 if r < n else 0)
        for cell, (row, col, rs, cs) in zip(self.cells, spans, strict=True):
            self._grid.addWidget(cell, row, col, rs, cs)
            cell.show()
        self.grid_name = name
        self.select(min(self.selected, len(self.cells) - 1))

    def select(self, index: int) -> None:
        self.selected = index
        for cell in self.cells:
            cell.setProperty("selected", cell.index == index)
            cell.update()
        self.selected_changed.emit(index)

    def eventFilter(self, watched: object, event: object) -> bool:
        from PySide6.QtCore import QEvent

        if isinstance(watched, VideoCell) and getattr(event, "type", lambda: None)() == (
            QEvent.Type.MouseButtonPress
        ):
            self.select(watched.index)
        return False

    def toggle_full_screen(self, index: int) -> None:
        if self.full_cell is not None:
            self.leave_full_screen()
            return
        cell = self.cells[index]
        self.full = FullScreen()
        self.full.closed.connect(self.leave_full_screen)
        self._grid.removeWidget(cell)
        self.full.box.addWidget(cell)
        self.full_cell = cell
        self.full.showFullScreen()

    def leave_full_screen(self) -> None:
        cell, full = self.full_cell, self.full
        self.full_cell = self.full = None
        if cell is None or full is None:
            return
        row, col, rs, cs = GRIDS[self.grid_name][2][cell.index]
        cell.setParent(self)
        self._grid.addWidget(cell, row, col, rs, cs)
        cell.show()
        full.close()
        full.deleteLater()

    def stop_all(self) -> None:
        self.leave_full_screen()
        for cell in self.cells:
            cell.stop()
