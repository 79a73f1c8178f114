"""The map's side panels: layer toggles with their legend, the warning-colour legend, the
imported layers, and the card of the clicked place."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPainterPath,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.models.team_table_model import STATUS_COLORS as TEAM_STATUS_COLORS
from console.services.map_card import PlaceCard
from console.services.map_data import CAMERAS, LAYER_LABELS, TOWNSHIP_NAMES
from console.services.map_overlays import Overlay
from console.views.pages.map_canvas import WARNING_COLORS, layer_style
from console.views.pages.map_layers import TEAM_STYLE

SWATCH = 14
PEOPLE_COLUMNS = ("责任", "姓名", "电话")
CAMERAS_PENDING = "尚无带位置的摄像机（在 基础数据 > 摄像机 中登记经纬度后显示）"


def swatch(color: str, symbol: str = "o", size: int = SWATCH) -> QPixmap:
    """A small legend symbol: circle, square, triangle, diamond, star or a line."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(QColor(0, 0, 0, 90))
    m, s = 1.5, size - 3.0
    path = QPainterPath()
    if symbol == "s":
        path.addRect(m, m, s, s)
    elif symbol in ("t1", "t"):
        path.moveTo(size / 2, m)
        path.lineTo(size - m, size - m)
        path.lineTo(m, size - m)
        path.closeSubpath()
    elif symbol == "d":
        path.moveTo(size / 2, m)
        path.lineTo(size - m, size / 2)
        path.lineTo(size / 2, size - m)
        path.lineTo(m, size / 2)
        path.closeSubpath()
    elif symbol == "line":
        path.addRect(m, size / 2 - 1.5, s, 3)
    else:
        path.addEllipse(m, m, s, s)
    painter.drawPath(path)
    painter.end()
    return pixmap


class LayerPanel(QWidget):
    """One check box per layer, each with its legend symbol; the warning colours; the
    imported layers with a remove button each."""

    toggled = Signal(str, bool)  # layer key (or imported layer id), shown
    remove_requested = Signal(str)  # imported layer id

    def __init__(self, text_color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        self.text_color = text_color  # team symbols are drawn in it
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(2)
        layout.addLayout(self.grid)
        warn = QHBoxLayout()
        warn.setSpacing(6)
        title = QLabel("预警等级", self)
        title.setObjectName("Muted")
        warn.addWidget(title)
        self.warning_labels: dict[str, QLabel] = {}
        for level, color in WARNING_COLORS.items():
            chip = QLabel(self)
            chip.setPixmap(swatch(color))
            warn.addWidget(chip)
            label = QLabel(f"{level}色", self)
            warn.addWidget(label)
            self.warning_labels[level] = label
        warn.addStretch(1)
        layout.addLayout(warn)
        teams = QHBoxLayout()
        teams.setSpacing(6)
        title = QLabel("队伍状态", self)
        title.setObjectName("Muted")
        teams.addWidget(title)
        for status, color in TEAM_STATUS_COLORS.items():
            chip = QLabel(self)
            chip.setPixmap(swatch(color, TEAM_STYLE.symbol))
            teams.addWidget(chip)
            teams.addWidget(QLabel(status, self))
        teams.addStretch(1)
        layout.addLayout(teams)
        self.overlay_box = QVBoxLayout()
        self.overlay_box.setSpacing(2)
        layout.addLayout(self.overlay_box)
        self.overlay_rows: dict[str, QWidget] = {}

    def set_layers(self, keys: list[str], counts: dict[str, int]) -> None:
        """The point layers (with counts) and the township names."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        shown = {k: box.isChecked() for k, box in self.boxes.items()}
        self.boxes.clear()
        for i, key in enumerate([*keys, TOWNSHIP_NAMES]):
            style = layer_style(key)
            label = LAYER_LABELS.get(key, style.label)
            count = counts.get(key)
            box = QCheckBox(f"{label} {count}" if count is not None else label, self)
            box.setObjectName(f"layer_{key}")
            if key != TOWNSHIP_NAMES:
                box.setIcon(QIcon(swatch(style.color or self.text_color, style.symbol)))
            box.setChecked(shown.get(key, True))
            if key == CAMERAS and not count:
                box.setEnabled(False)
                box.setToolTip(CAMERAS_PENDING)
            box.toggled.connect(lambda on, k=key: self.toggled.emit(k, on))
            self.grid.addWidget(box, i // 2, i % 2)
            self.boxes[key] = box

    def set_overlays(self, layers: list[Overlay]) -> None:
        for row in self.overlay_rows.values():
            row.deleteLater()
        self.overlay_rows.clear()
        for layer in layers:
            row = QWidget(self)
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            box = QCheckBox(layer.name, row)
            box.setObjectName(f"overlay_{layer.id}")
            box.setIcon(QIcon(swatch(layer.color, "line" if not layer.areas else "s")))
            box.setChecked(layer.visible)
            box.toggled.connect(lambda on, k=layer.id: self.toggled.emit(k, on))
            line.addWidget(box, 1)
            remove = QToolButton(row)
            remove.setText("移除")
            remove.setToolTip(f"从本机移除图层“{layer.name}”")
            remove.clicked.connect(lambda _=False, k=layer.id: self.remove_requested.emit(k))
            line.addWidget(remove)
            self.overlay_box.addWidget(row)
            self.overlay_rows[layer.id] = row


class PlaceCardPanel(QScrollArea):
    """The card of the clicked place, with 谁负责这里 and 复制电话."""

    responsible_requested = Signal(str, str)  # place kind, id
    copy_requested = Signal(str)  # the phones text
    dispatch_requested = Signal(str)  # 调派队伍 to this incident: its id
    video_requested = Signal(str)  # 加入视频画面: a camera's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.card: PlaceCard | None = None
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(6)
        self.title = QLabel("点击地图上的点位查看详情", body)
        self.title.setObjectName("CardHeading")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.subtitle = QLabel(body)
        self.subtitle.setObjectName("Muted")
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)
        self.warning = QLabel(body)
        self.warning.setWordWrap(True)
        layout.addWidget(self.warning)
        self.facts = QLabel(body)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.facts)
        self.people_title = QLabel("责任人", body)
        self.people_title.setObjectName("Muted")
        layout.addWidget(self.people_title)
        self.people_model = QStandardItemModel(0, len(PEOPLE_COLUMNS), self)
        self.people_model.setHorizontalHeaderLabels(list(PEOPLE_COLUMNS))
        self.people = QTableView(body)
        self.people.setModel(self.people_model)
        self.people.verticalHeader().setVisible(False)
        self.people.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.people.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.people.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.people)
        self.state = QLabel(body)
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.state)
        buttons = QHBoxLayout()
        self.responsible_button = QPushButton("谁负责这里", body)
        self.responsible_button.setToolTip("在通讯录中打开这个地点的责任人")
        self.responsible_button.clicked.connect(self._ask_responsible)
        buttons.addWidget(self.responsible_button)
        self.copy_button = QPushButton("复制电话", body)
        self.copy_button.setToolTip("复制全部责任人的电话")
        self.copy_button.clicked.connect(self._ask_copy)
        buttons.addWidget(self.copy_button)
        self.dispatch_button = QPushButton("调派队伍…", body)
        self.dispatch_button.setToolTip("向这起事件调派队伍，或登记队伍返回")
        self.dispatch_button.clicked.connect(self._ask_dispatch)
        buttons.addWidget(self.dispatch_button)
        self.video_button = QPushButton("加入视频画面", body)
        self.video_button.setToolTip("在视频监控中播放这台摄像机（加入下一个空画面）")
        self.video_button.clicked.connect(self._ask_video)
        buttons.addWidget(self.video_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status = QLabel(body)
        self.status.setObjectName("Muted")
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.setWidget(body)
        self.show_card(None)

    def show_card(self, card: PlaceCard | None) -> None:
        self.card = card
        self.people_model.removeRows(0, self.people_model.rowCount())
        self.status.clear()
        has = card is not None
        for w in (self.people_title, self.people, self.state, self.warning):
            w.setVisible(has)
        self.responsible_button.setEnabled(has and card.contacts_place is not None)  # type: ignore[union-attr]
        self.copy_button.setEnabled(has and bool(card.phones))  # type: ignore[union-attr]
        self.dispatch_button.setVisible(has and card.kind == "incident")  # type: ignore[union-attr]
        self.video_button.setVisible(has and card.kind == "camera")  # type: ignore[union-attr]
        if card is None:
            self.title.setText("点击地图上的点位查看详情")
            self.subtitle.setText("或在上方搜索乡镇、村、风险点、避灾场所、站点")
            self.facts.clear()
            return
        self.title.setText(card.title + ("（样例）" if card.sample else ""))
        self.subtitle.setText(card.subtitle)
        color = WARNING_COLORS.get(card.warning)
        if color is not None:
            self.warning.setText(
                f"<span style='background:{color};color:#000;padding:2px 6px'>"
                f"&nbsp;{card.warning}色预警&nbsp;</span>"
            )
        else:
            self.warning.setText("")
        self.warning.setVisible(color is not None)
        self.facts.setText("\n".join(f"{label}：{value}" for label, value in card.facts))
        self.facts.setVisible(bool(card.facts))
        for p in card.people:
            # The place of the role only when it is not the card's own (a township leader).
            here = not p.unit or p.unit.endswith(card.title)  # 妙高街道城东社区 for 城东社区
            role = p.role if here else f"{p.role}（{p.unit}）"
            items = [QStandardItem(v) for v in (role, p.name, p.mobile)]
            for item in items:
                item.setToolTip(item.text())
            self.people_model.appendRow(items)
        count = len(card.people)
        rows = max(1, count)
        height = self.people.horizontalHeader().sizeHint().height()
        self.people.setFixedHeight(
            height + rows * self.people.verticalHeader().defaultSectionSize() + 4
        )
        self.people_title.setText(f"责任人（{count}）" if count else "责任人：未登记")
        self.state.setText("\n".join([*card.state, *card.readings]))

    def _ask_responsible(self) -> None:
        if self.card is not None and self.card.contacts_place is not None:
            self.responsible_requested.emit(*self.card.contacts_place)

    def _ask_video(self) -> None:
        if self.card is not None and self.card.kind == "camera":
            self.video_requested.emit(self.card.id)

    def _ask_dispatch(self) -> None:
        if self.card is not None and self.card.kind == "incident":
            self.dispatch_requested.emit(self.card.id)

    def _ask_copy(self) -> None:
        if self.card is not None and self.card.phones:
            self.copy_requested.emit(self.card.phones)
