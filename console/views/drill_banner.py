"""The 演练 marks on screen: a coloured bar on the main window and the sign-in dialog, a
badge in the status bar, and 【演练】 before the title of every top-level window (dialogs
included), while drill mode (console.domain.drill) is on."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from console.domain import drill

BAR_STYLE = (
    "QLabel#DrillBanner { background: #c2410c; color: #ffffff; font-weight: bold;"
    " padding: 6px 12px; letter-spacing: 2px; }"
)
BADGE_STYLE = (
    "QLabel#DrillBadge { background: #c2410c; color: #ffffff; font-weight: bold;"
    " border-radius: 3px; padding: 1px 8px; }"
)
TITLE_PREFIX = f"【{drill.MARK}】"
TOOLTIP = (
    "演练模式：使用单独的演练数据和服务器的演练数据库，"
    "不影响正式的事件、报送和统计；导出的文件均标明“演练”。"
)


def drill_bar(parent: QWidget | None = None) -> QLabel:
    """The full-width bar: 演练 — 数据不计入正式记录 (same colour in both themes)."""
    bar = QLabel(drill.BANNER, parent)
    bar.setObjectName("DrillBanner")
    bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
    bar.setStyleSheet(BAR_STYLE)
    bar.setToolTip(TOOLTIP)
    return bar


def drill_badge(parent: QWidget | None = None) -> QLabel:
    badge = QLabel(drill.MARK, parent)
    badge.setObjectName("DrillBadge")
    badge.setStyleSheet(BADGE_STYLE)
    badge.setToolTip(TOOLTIP)
    return badge


def drill_title(title: str) -> str:
    """``title`` with 【演练】 before it in drill mode (once)."""
    if not drill.active() or title.startswith(TITLE_PREFIX):
        return title
    return TITLE_PREFIX + title


class DrillTitles(QObject):
    """Puts 【演练】 before the title of every top-level window as it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            title = watched.windowTitle()
            marked = drill_title(title)
            if marked != title:
                watched.setWindowTitle(marked)
        return False


def install_drill_titles(app: QApplication) -> DrillTitles | None:
    """In drill mode, mark every window's title from now on; returns the filter (or None)."""
    if not drill.active():
        return None
    titles = DrillTitles(app)
    app.installEventFilter(titles)
    return titles
