"""The navigation rail: the twelve areas of the console, keyboard-navigable, with glyph icons.

Arrow keys move between areas; the rail asks the main window to show one through
:attr:`NavRail.view_requested`. Tooltips show each page's shortcut. On a narrow window
(a 1280 or 1366 wide screen) the rail shows its glyphs only, so the pages get the width
(the incident list its 报送时限 column); the names are then in the tooltips. On a short one
(1280x800 with two alert banners above the pages) the rows close up, down to
:data:`MIN_ROW_HEIGHT`, so every area stays in sight without a scroll bar.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from console.views.registry import ViewSpec

ICON_SIZE = 26
NAME_ROLE = int(Qt.ItemDataRole.UserRole) + 1
TITLE_ROLE = int(Qt.ItemDataRole.UserRole) + 2
RAIL_WIDTH = 196
COMPACT_WIDTH = 58
ROW_HEIGHT = 44
MIN_ROW_HEIGHT = 32  # the 26-px glyph with a little air: below this the rail scrolls


def glyph_icon(glyph: str, color: str = "#3d7fd9", size: int = ICON_SIZE) -> QIcon:
    """A rounded square with one Chinese character; inverted when its item is selected."""
    icon = QIcon(_glyph_pixmap(glyph, color, "#ffffff", size))
    icon.addPixmap(_glyph_pixmap(glyph, "#ffffff", color, size), QIcon.Mode.Selected)
    return icon


def _glyph_pixmap(glyph: str, fill: str, ink: str, size: int) -> QPixmap:
    ratio = 2.0
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(fill))
    painter.drawRoundedRect(QRectF(0, 0, size, size), 6, 6)
    font = QFont()
    font.setPixelSize(int(size * 0.58))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(ink))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, glyph)
    painter.end()
    return pixmap


def shortcut_text(spec: ViewSpec) -> str:
    return QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)


class NavRail(QWidget):
    """County header plus the list of pages."""

    view_requested = Signal(str)

    def __init__(self, views: Sequence[ViewSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(RAIL_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.compact = False
        self.row_height = ROW_HEIGHT
        header = QLabel("遂昌县应急指挥中心", self)
        header.setObjectName("RailHeader")
        sub = QLabel("综合值班台", self)
        sub.setObjectName("RailSub")
        layout.addWidget(header)
        layout.addWidget(sub)
        self._header = (header, sub)

        self.list = QListWidget(self)
        self.list.setObjectName("NavRail")
        self.list.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.list.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setAccessibleName("页面导航")
        for spec in views:
            item = QListWidgetItem(glyph_icon(spec.glyph), spec.title)
            item.setData(NAME_ROLE, spec.name)
            item.setData(TITLE_ROLE, spec.title)
            item.setToolTip(f"{spec.title}（{shortcut_text(spec)}）\n{spec.summary}")
            item.setSizeHint(QSize(RAIL_WIDTH - 16, ROW_HEIGHT))
            self.list.addItem(item)
        self.list.currentItemChanged.connect(self._on_current)
        self.list.viewport().installEventFilter(self)
        layout.addWidget(self.list, 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        return super().eventFilter(watched, event)

    def _fit_rows(self) -> None:
        """Rows as tall as :data:`ROW_HEIGHT` when there is room, shorter (not below
        :data:`MIN_ROW_HEIGHT`) when the window is short, so no scroll bar hides an area."""
        count = self.list.count()
        if count == 0:
            return
        first = self.list.visualItemRect(self.list.item(0))
        # What a row takes beyond its size hint (the style sheet's item margins).
        extra = max(0, first.height() - self.list.item(0).sizeHint().height()) if count else 0
        if count > 1:
            pitch = self.list.visualItemRect(self.list.item(1)).top() - first.top()
            extra = max(extra, pitch - self.list.item(0).sizeHint().height())
        room = self.list.viewport().height() // count - extra
        height = max(MIN_ROW_HEIGHT, min(ROW_HEIGHT, room))
        if height != self.row_height:
            self.row_height = height
            self._size_rows()

    def _size_rows(self) -> None:
        width = (COMPACT_WIDTH if self.compact else RAIL_WIDTH) - 16
        for row in range(self.list.count()):
            self.list.item(row).setSizeHint(QSize(width, self.row_height))

    def set_compact(self, compact: bool) -> None:
        """Glyphs only (narrow windows) or glyphs with the pages' names."""
        if compact == self.compact:
            return
        self.compact = compact
        width = COMPACT_WIDTH if compact else RAIL_WIDTH
        self.setFixedWidth(width)
        for label in self._header:
            label.setVisible(not compact)
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setText("" if compact else item.data(TITLE_ROLE))
        self._size_rows()

    def _on_current(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.view_requested.emit(current.data(NAME_ROLE))

    def select(self, name: str) -> None:
        """Mark ``name`` current without asking for it again."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(NAME_ROLE) == name:
                if self.list.currentRow() != row:
                    blocked = self.list.blockSignals(True)
                    self.list.setCurrentRow(row)
                    self.list.blockSignals(blocked)
                return

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(NAME_ROLE) if item else None
