"""大屏模式: choose the wall's screens (by name, with a diagram of where they are), per screen
a layout, the panels in order and the seconds per page; save it as this workstation's preset;
start and stop the wall. The wall itself is :class:`~console.views.wall.controller.WallController`.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPaintEvent, QPen, QScreen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.situation import Situation
from console.services.wall_layout import (
    LAYOUT_CELLS,
    LAYOUT_TITLES,
    MAX_ROTATE_S,
    SINGLE,
    Placement,
    ScreenInfo,
    ScreenPlan,
    WallPreset,
    default_preset,
    preset_from_json,
    preset_to_json,
)
from console.settings import WALL_PRESET
from console.views.pages.base import Page, PageContext, say
from console.views.wall.controller import WallController, screen_info
from console.views.wall.panels import panel_kinds, panel_title

KIND_ROLE = Qt.ItemDataRole.UserRole
DIAGRAM_HEIGHT = 150


class ScreenDiagram(QWidget):
    """The screens as boxes where the system has them; chosen ones filled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(DIAGRAM_HEIGHT)
        self.screens: list[ScreenInfo] = []
        self.chosen: set[str] = set()
        self.colors: tuple[str, str, str] = ("#4d9bff", "#95a0ae", "#e4e8ee")

    def set_screens(self, screens: list[ScreenInfo], chosen: set[str]) -> None:
        self.screens, self.chosen = screens, chosen
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self.screens:
            return
        left = min(s.x for s in self.screens)
        top = min(s.y for s in self.screens)
        right = max(s.x + s.width for s in self.screens)
        bottom = max(s.y + s.height for s in self.screens)
        scale = min(
            (self.width() - 8) / max(1, right - left), (self.height() - 8) / max(1, bottom - top)
        )
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent, muted, text = (QColor(c) for c in self.colors)
        font = QFont(self.font())
        font.setPixelSize(13)
        painter.setFont(font)
        for s in self.screens:
            rect = QRectF(
                4 + (s.x - left) * scale, 4 + (s.y - top) * scale, s.width * scale, s.height * scale
            ).adjusted(2, 2, -2, -2)
            chosen = s.name in self.chosen
            fill = QColor(accent)
            fill.setAlpha(110 if chosen else 25)
            painter.setBrush(fill)
            painter.setPen(QPen(accent if chosen else muted, 2))
            painter.drawRoundedRect(rect, 4, 4)
            painter.setPen(text)
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                f"{s.name}\n{s.width}×{s.height}" + ("\n上屏" if chosen else ""),
            )
        painter.end()


class ScreenRow(QFrame):
    """One screen's choice: 上屏 or not, layout, panels (checked, in order), rotation."""

    edited = Signal()

    def __init__(self, info: ScreenInfo, plan: ScreenPlan | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.info = info
        grid = QGridLayout(self)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setHorizontalSpacing(12)
        self.use = QCheckBox(
            f"上屏：{info.name}（{info.width}×{info.height}，位置 {info.x},{info.y}）", self
        )
        self.use.setChecked(plan is not None)
        grid.addWidget(self.use, 0, 0, 1, 5)
        grid.addWidget(QLabel("布局", self), 1, 0)
        self.layout_box = QComboBox(self)
        for key, title in LAYOUT_TITLES.items():
            self.layout_box.addItem(title, key)
        self.layout_box.setCurrentIndex(
            max(0, list(LAYOUT_TITLES).index(plan.layout)) if plan else 0
        )
        grid.addWidget(self.layout_box, 1, 1)
        grid.addWidget(QLabel("轮播（秒，0 不轮播）", self), 1, 2)
        self.rotate = QSpinBox(self)
        self.rotate.setRange(0, MAX_ROTATE_S)
        self.rotate.setValue(plan.rotate_s if plan else 0)
        grid.addWidget(self.rotate, 1, 3)
        hint = QLabel("画面（勾选要显示的，拖动调整顺序；多于布局格数时按页轮播）", self)
        hint.setObjectName("Muted")
        grid.addWidget(hint, 2, 0, 1, 5)
        self.panels = QListWidget(self)
        self.panels.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.panels.setFlow(QListWidget.Flow.LeftToRight)
        self.panels.setWrapping(True)
        self.panels.setMaximumHeight(76)
        chosen = list(plan.panels) if plan else []
        names = chosen + [k.name for k in panel_kinds() if k.name not in chosen]
        for name in names:
            item = QListWidgetItem(panel_title(name))
            item.setData(KIND_ROLE, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked)
            self.panels.addItem(item)
        grid.addWidget(self.panels, 3, 0, 1, 5)
        grid.setColumnStretch(4, 1)  # the choices stay their own width, the rest is room
        self.use.toggled.connect(self._sync_enabled)
        self.use.toggled.connect(lambda _on: self.edited.emit())
        self._sync_enabled()

    def _sync_enabled(self) -> None:
        for widget in (self.layout_box, self.rotate, self.panels):
            widget.setEnabled(self.use.isChecked())

    def chosen_panels(self) -> tuple[str, ...]:
        items = [self.panels.item(i) for i in range(self.panels.count())]
        return tuple(
            str(i.data(KIND_ROLE)) for i in items if i.checkState() == Qt.CheckState.Checked
        )

    def set_panels(self, names: tuple[str, ...]) -> None:
        """Check exactly ``names`` (tests and the default)."""
        for i in range(self.panels.count()):
            item = self.panels.item(i)
            on = item.data(KIND_ROLE) in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def plan(self) -> ScreenPlan | None:
        if not self.use.isChecked():
            return None
        layout = str(self.layout_box.currentData() or SINGLE)
        rotate = self.rotate.value()
        return ScreenPlan(
            self.info.name,
            layout if layout in LAYOUT_CELLS else SINGLE,
            self.chosen_panels(),
            max(5, rotate) if rotate else 0,
            self.info.geometry,
        )


class WallPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.header.subtitle.setText(
            "选择上屏的显示器和每块屏显示的画面；大屏只显示、不可操作。显示器断开时，"
            "它的画面移到其余大屏上，接回后自动复原。按 Esc 或点“停止”退出大屏。"
        )
        self.controller = WallController(context, self)
        self.controller.changed.connect(self._placed)
        self.diagram = ScreenDiagram(self)
        self.layout_.addWidget(self.diagram)

        self.rows_host = QWidget(self)
        self.rows = QVBoxLayout(self.rows_host)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(10)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.rows_host)
        self.layout_.addWidget(scroll, 1)
        self.screen_rows: list[ScreenRow] = []

        bar = QHBoxLayout()
        self.refresh_button = QPushButton("重新检测显示器", self)
        self.save_button = QPushButton("保存为本机预设", self)
        self.start_button = QPushButton("上屏", self)
        self.start_button.setObjectName("Primary")
        self.stop_button = QPushButton("停止大屏", self)
        for button in (self.refresh_button, self.save_button, self.start_button, self.stop_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self.layout_.addLayout(bar)
        self.message = QLabel("", self)
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        self.layout_.addWidget(self.message)

        self.refresh_button.clicked.connect(self.load_screens)
        self.save_button.clicked.connect(self.save_preset)
        self.start_button.clicked.connect(self.start_wall)
        self.stop_button.clicked.connect(self.stop_wall)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            # The list follows the monitors (the wall itself is the controller's business).
            app.screenAdded.connect(self._screens_changed)
            app.screenRemoved.connect(self._screens_changed)
        context.theme.changed.connect(self._recolor)
        self._recolor()
        self.load_screens()
        self._placed({})

    # -- screens and the preset ---------------------------------------------------------
    def saved_preset(self) -> WallPreset:
        return preset_from_json(self.context.settings.get(WALL_PRESET))

    def load_screens(self, preset: WallPreset | None = None) -> None:
        """One row per screen there is, filled from ``preset`` (the saved one by default)."""
        preset = self.saved_preset() if preset is None else preset
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self.screen_rows = []
        infos = [screen_info(s) for s in QGuiApplication.screens()]
        for info in infos:
            row = ScreenRow(info, preset.plan(info.name), self.rows_host)
            row.edited.connect(self._update_diagram)
            self.rows.addWidget(row)
            self.screen_rows.append(row)
        self.rows.addStretch(1)
        missing = [p.screen for p in preset.screens if p.screen not in {i.name for i in infos}]
        if missing:
            say(self.message, f"预设中的显示器 {'、'.join(missing)} 当前未连接；接上后自动上屏。")
        self._update_diagram()

    def _screens_changed(self, _screen: QScreen) -> None:
        if not self.controller.running:
            self.load_screens(self.current_preset())
        else:
            self._update_diagram()

    def _update_diagram(self) -> None:
        infos = [screen_info(s) for s in QGuiApplication.screens()]
        chosen = {r.info.name for r in self.screen_rows if r.use.isChecked()}
        self.diagram.set_screens(infos, chosen)

    def _recolor(self, _theme: str = "") -> None:
        c = self.context.theme.colors()
        self.diagram.colors = (c.accent, c.muted, c.text)
        self.diagram.update()

    def current_preset(self) -> WallPreset:
        """What the rows say; the saved preset's screens not connected now are kept."""
        plans = [p for r in self.screen_rows if (p := r.plan()) is not None]
        shown = {r.info.name for r in self.screen_rows}
        kept = [p for p in self.saved_preset().screens if p.screen not in shown]
        return WallPreset(tuple(plans + kept))

    def save_preset(self) -> None:
        self.context.settings.set(WALL_PRESET, preset_to_json(self.current_preset()))
        say(self.message, "已保存为本机大屏预设，下次“上屏”或以 --wall 启动时使用。")

    # -- the wall --------------------------------------------------------------------------
    def start_wall(self) -> None:
        preset = self.current_preset()
        if not any(p.panels for p in preset.screens):
            say(self.message, "请至少勾选一块显示器和一个画面。", error=True)
            return
        self.controller.start(preset)

    def start_saved(self) -> None:
        """``--wall`` and the 只读 workstation: the saved preset, else the first screen with
        the map (so a wall machine shows something even before anyone set it up)."""
        preset = self.saved_preset()
        if not any(p.panels for p in preset.screens):
            infos = [screen_info(s) for s in QGuiApplication.screens()]
            preset = default_preset(infos[:1], [k.name for k in panel_kinds()])
        self.load_screens(preset)
        self.controller.start(preset)

    def stop_wall(self) -> None:
        self.controller.stop()

    def _placed(self, placements: dict[str, Placement]) -> None:
        running = self.controller.running
        self.start_button.setText("重新上屏" if running else "上屏")
        self.stop_button.setEnabled(running)
        if not running:
            say(self.message, "大屏未启动。")
            return
        parts = []
        for name, p in placements.items():
            titles = "、".join(panel_title(k) for k in p.panels) or "无"
            extra = f"（接管 {'、'.join(p.guests)}）" if p.guests else ""
            parts.append(f"{name}：{LAYOUT_TITLES.get(p.layout, p.layout)}，{titles}{extra}")
        say(
            self.message,
            "大屏运行中 —— " + "；".join(parts) if parts else "大屏运行中，但没有可用的显示器。",
        )

    def set_situation(self, situation: Situation | None) -> None:
        self.controller.set_situation(situation)
