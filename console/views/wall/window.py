"""One wall screen: a frameless full-screen window showing its placement's pages of panels,
rotating through them when there are several. No input widgets: it only shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QScreen
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from console.services.wall_layout import EMPTY, PAIR, QUAD, Placement
from console.views.wall.panels import WallPanel, build_panel
from console.views.wall.style import wall_stylesheet

if TYPE_CHECKING:
    from console.domain.situation import Situation
    from console.views.pages.base import PageContext

MARGIN = 16


def cell_position(layout: str, index: int) -> tuple[int, int]:
    """(row, column) of cell ``index`` in the layout's grid."""
    if layout == PAIR:
        return 0, index
    if layout == QUAD:
        return index // 2, index % 2
    return 0, 0


class WallWindow(QWidget):
    """Top-level, frameless, full screen on one QScreen. Esc asks to stop the wall."""

    stop_requested = Signal()

    def __init__(self, context: PageContext, screen_name: str) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        self.context = context
        self.screen_name = screen_name
        self.setObjectName("WallWindow")
        self.setWindowTitle(f"大屏 {screen_name}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        # Closing the console's main window quits; the wall windows do not keep it running.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setCursor(Qt.CursorShape.BlankCursor)  # nobody points at a wall
        self.placement: Placement | None = None
        self.panels: list[WallPanel] = []
        self.situation: Situation | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        outer.setSpacing(8)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        footer = QHBoxLayout()
        self.note = QLabel("", self)
        self.note.setObjectName("WallFooter")
        footer.addWidget(self.note, 1)
        self.page_label = QLabel("", self)
        self.page_label.setObjectName("WallFooter")
        footer.addWidget(self.page_label)
        outer.addLayout(footer)
        self.rotation = QTimer(self)
        self.rotation.timeout.connect(self.next_page)
        self.restyle()
        context.theme.changed.connect(self.restyle)

    def restyle(self, _theme: str = "") -> None:
        self.setStyleSheet(wall_stylesheet(self.context.theme.colors()))

    # -- content ------------------------------------------------------------------------
    def set_placement(self, placement: Placement) -> None:
        """Build the pages (a no-op when the placement is the one shown)."""
        if placement == self.placement:
            return
        self._clear()
        self.placement = placement
        for page_panels in placement.pages:
            page = QWidget(self.stack)
            grid = QGridLayout(page)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setSpacing(MARGIN)
            for index, name in enumerate(page_panels):
                row, col = cell_position(placement.layout, index)
                if name == EMPTY:
                    spacer = QWidget(page)
                    grid.addWidget(spacer, row, col)
                    continue
                panel = build_panel(name, self.context, page)
                panel.set_situation(self.situation)
                self.panels.append(panel)
                grid.addWidget(panel, row, col)
            for r in range(grid.rowCount()):
                grid.setRowStretch(r, 1)
            for c in range(grid.columnCount()):
                grid.setColumnStretch(c, 1)
            self.stack.addWidget(page)
        self.stack.setCurrentIndex(0)
        self.note.setText(
            f"已接管 {'、'.join(placement.guests)} 的画面（该显示器已断开）"
            if placement.guests
            else ""
        )
        self._page_changed()
        if placement.rotate_s > 0 and len(placement.pages) > 1:
            self.rotation.start(placement.rotate_s * 1000)
        else:
            self.rotation.stop()

    def _clear(self) -> None:
        self.rotation.stop()
        for panel in self.panels:
            panel.stop()
        self.panels.clear()
        while (page := self.stack.widget(0)) is not None:
            self.stack.removeWidget(page)
            page.deleteLater()

    def next_page(self) -> None:
        if self.stack.count() > 1:
            self.stack.setCurrentIndex((self.stack.currentIndex() + 1) % self.stack.count())
            self._page_changed()

    def _page_changed(self) -> None:
        count = self.stack.count()
        self.page_label.setText(
            f"第 {self.stack.currentIndex() + 1}/{count} 页" if count > 1 else ""
        )

    def visible_panels(self) -> list[str]:
        """Panel kinds on the page shown now (tests and screenshots)."""
        page = self.stack.currentWidget()
        return [p.kind for p in self.panels if page is not None and page.isAncestorOf(p)]

    def set_situation(self, situation: Situation | None) -> None:
        self.situation = situation
        for panel in self.panels:
            panel.set_situation(situation)

    # -- where ----------------------------------------------------------------------------
    def show_on(self, screen: QScreen) -> None:
        """Full screen on ``screen`` (set before showing: a window manager, if any, then
        maximises it there; without one, the geometry does)."""
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        if self.isVisible() and self.windowHandle() is not None:
            self.windowHandle().setScreen(screen)
        self.showFullScreen()
        self.setGeometry(screen.geometry())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.stop_requested.emit()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._clear()
        super().closeEvent(event)
