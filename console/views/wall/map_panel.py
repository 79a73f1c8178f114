"""风险一张图 on the wall: the risk map's canvas with warning colours, read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QWidget

from console.services.map_data import TABLES, MapDataService, MapSnapshot
from console.ui.tasks import run_task
from console.views.pages.base import sample_badge
from console.views.pages.map_canvas import MapCanvas
from console.views.pages.map_layers import Projection, load_outline
from console.views.wall.panels import WallPanel, panel_title

if TYPE_CHECKING:
    from console.domain.situation import Situation
    from console.views.pages.base import PageContext

LABEL_PX = 20
# The county's 20 township names at LABEL_PX run into each other on a shorter map (a 2x2 cell
# of a 720p or 1080p monitor): unreadable at 5 m, so the names show only from this height.
LABELS_MIN_HEIGHT = 560


class MapPanel(WallPanel):
    watched = TABLES

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, panel_title("map"), parent)
        self.service = MapDataService(context.queries.store)
        self._rings = load_outline()
        self.map = MapCanvas(Projection.around(self._rings), self, context.tasks)
        # A wall cannot be touched: no pan, zoom, clicks or keyboard focus.
        self.map.setMouseEnabled(False, False)
        self.map.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.map.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.body.addWidget(self.map, 1)
        self.map.installEventFilter(self)
        # The canvas's 样例数据 notice would cover the county on a small cell: on the title
        # row instead.
        if self.map.notice is not None:
            self.map.notice.hide()
            self.map.notice = None
        self.badge = sample_badge(self)
        self.badge.hide()
        self.title_row.addWidget(self.badge)
        self.snapshot = MapSnapshot([], {})
        self.situation: Situation | None = None
        context.theme.changed.connect(self.draw)
        self.draw()  # the county outline at once, in the theme's colours (never a black cell)
        self.refresh()

    def refresh(self) -> None:
        run_task(self.context.tasks, self.service.snapshot, on_done=self._land, receiver=self)

    def _land(self, snapshot: MapSnapshot) -> None:
        self.snapshot = snapshot
        self.badge.setVisible(snapshot.sample)
        self.draw()

    def draw(self, _theme: str = "") -> None:
        self.map.draw(self.snapshot, self.context.theme.colors(), self._rings, fit=True)
        font = QFont(self.font())
        font.setPixelSize(LABEL_PX)
        font.setBold(True)
        for label in self.map.labels:  # township names, desk-sized by the canvas
            label.setFont(font)
        self._show_names()
        self.map.set_situation(self.situation)

    @property
    def names_shown(self) -> bool:
        return self.map.height() >= LABELS_MIN_HEIGHT

    def _show_names(self) -> None:
        shown = self.names_shown
        for label in self.map.labels:
            label.setVisible(shown)

    def set_situation(self, situation: Situation | None) -> None:
        self.situation = situation
        self.map.set_situation(situation)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.map.fit()  # the whole county in whatever cell the layout gives it

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.map and event.type() == QEvent.Type.Resize:
            self._show_names()  # the canvas's own size: the layout settles it after ours
        return super().eventFilter(watched, event)
