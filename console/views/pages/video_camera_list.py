"""The camera list beside the video grid: filters (乡镇, 分组, 来源部门) over a list whose
items drag onto a cell. The list shows names, departments and townships, never an address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QListView, QVBoxLayout, QWidget

from console.domain import cameras as rules
from console.domain.catalog import CAMERA_DEPARTMENTS
from console.domain.sample import SAMPLE_TAG
from console.views.pages.video_cell import camera_mime

ID_ROLE = Qt.ItemDataRole.UserRole
ALL = ""


class CameraListModel(QStandardItemModel):
    """One item per camera; dragging one carries its id (video_cell.CAMERA_MIME)."""

    def mimeData(self, indexes: Sequence[QModelIndex | QPersistentModelIndex]) -> QMimeData:
        ids = [str(i.data(ID_ROLE)) for i in indexes if i.isValid()]
        return camera_mime(ids[0] if ids else "")

    def mimeTypes(self) -> list[str]:
        from console.views.pages.video_cell import CAMERA_MIME

        return [CAMERA_MIME]

    def set_cameras(self, cameras: Sequence[dict[str, Any]]) -> None:
        self.clear()
        for cam in cameras:
            tag = SAMPLE_TAG if cam.get("is_sample") else ""
            where = cam.get("township") or "未定乡镇"
            item = QStandardItem(f"{tag}{cam['name']}\n{cam['department']} · {where}")
            item.setData(str(cam["id"]), ID_ROLE)
            item.setEditable(False)
            item.setDragEnabled(True)
            item.setToolTip(f"{cam['name']}（{cam['protocol']}）拖到右侧画面播放，双击放入空画面")
            self.appendRow(item)


class CameraList(QWidget):
    """``activated(camera_id)``: a camera double-clicked (into the first empty cell)."""

    activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[dict[str, Any]] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        self.township = QComboBox(self)
        self.group = QComboBox(self)
        self.department = QComboBox(self)
        self.department.addItem("全部来源部门", ALL)
        for name in CAMERA_DEPARTMENTS:
            self.department.addItem(name, name)
        for combo in (self.township, self.group, self.department):
            combo.currentIndexChanged.connect(self._refilter)
            box.addWidget(combo)
        self.model = CameraListModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.doubleClicked.connect(lambda i: self.activated.emit(str(i.data(ID_ROLE))))
        box.addWidget(self.view, 1)

    def set_cameras(self, cameras: list[dict[str, Any]], townships: list[tuple[str, str]]) -> None:
        self._all = cameras
        _refill(self.township, "全部乡镇", townships)
        _refill(self.group, "全部分组", [(g, g) for g in rules.all_groups(cameras)])
        self._refilter()

    def shown_ids(self) -> list[str]:
        return [str(self.model.item(r).data(ID_ROLE)) for r in range(self.model.rowCount())]

    def current_id(self) -> str:
        index = self.view.currentIndex()
        return str(index.data(ID_ROLE)) if index.isValid() else ""

    def _refilter(self) -> None:
        """The rows the filters let through; the selected camera stays selected (a reload
        after a pull does not lose it)."""
        chosen = self.current_id()
        rows = [
            c
            for c in self._all
            if rules.matches(
                c,
                township_id=self.township.currentData() or None,
                group=self.group.currentData() or None,
                department=self.department.currentData() or None,
            )
        ]
        self.model.set_cameras(rows)
        ids = self.shown_ids()
        if chosen in ids:
            self.view.setCurrentIndex(self.model.index(ids.index(chosen), 0))


def _refill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(everything, ALL)
    for key, label in items:
        combo.addItem(label, key)
    at = combo.findData(current)
    combo.setCurrentIndex(max(at, 0))
    combo.blockSignals(False)
