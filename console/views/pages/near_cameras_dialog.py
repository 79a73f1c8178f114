"""附近的摄像机 from a point of 识别一张图 (right-click): the cameras within N km of it,
nearest first with their distance, ticked to go onto 视频监控 (the page puts them there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.cameras import NEAR_KM

MAX_CELLS = 16  # the largest grid: more cannot go on the page at once
ID_ROLE = Qt.ItemDataRole.UserRole


def distance_text(km: float) -> str:
    return f"{km * 1000:.0f} 米" if km < 1 else f"{km:.1f} 公里"


class NearCamerasDialog(QDialog):
    """``read(radius_km)`` asks for the cameras again (the page runs it in the background
    and calls :meth:`show_cameras`); ``play_requested(ids)``: the ticked ones, nearest
    first."""

    play_requested = Signal(list)

    def __init__(
        self,
        lon: float,
        lat: float,
        read: Callable[[float], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("附近的摄像机")
        self.setMinimumSize(460, 420)
        self._read = read
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"地图上的点 东经 {lon:.5f}° 北纬 {lat:.5f}° 周边", self))
        self.radius = QSpinBox(self)
        self.radius.setRange(1, 50)
        self.radius.setValue(int(NEAR_KM))
        self.radius.setSuffix(" 公里内")
        self.radius.valueChanged.connect(lambda km: self._read(float(km)))
        top.addWidget(self.radius)
        top.addStretch(1)
        box.addLayout(top)
        self.summary = QLabel("正在查找…", self)
        self.summary.setObjectName("Muted")
        box.addWidget(self.summary)
        self.list = QListWidget(self)
        self.list.setAlternatingRowColors(True)
        self.list.itemChanged.connect(lambda _item: self._update_button())
        box.addWidget(self.list, 1)
        self.buttons = QDialogButtonBox(self)
        self.play_button = self.buttons.addButton(
            "加入视频画面", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._play)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        self._update_button()

    def show_cameras(self, cameras: list[dict[str, Any]]) -> None:
        """Nearest first; the first sixteen ticked (what one grid holds)."""
        self.list.blockSignals(True)
        self.list.clear()
        for n, cam in enumerate(cameras):
            where = " · ".join(x for x in (cam.get("department"), cam.get("township")) if x)
            item = QListWidgetItem(
                f"{distance_text(float(cam['distance_km']))}    {cam['name']}（{where}）"
            )
            item.setData(ID_ROLE, str(cam["id"]))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if n < MAX_CELLS else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        km = self.radius.value()
        found = f"{km} 公里内摄像机 {len(cameras)} 台，由近到远；"
        self.summary.setText(
            f"{found}勾选的加入视频画面（最多 {MAX_CELLS} 个）"
            if cameras
            else f"{km} 公里内没有摄像机，可加大范围"
        )
        self._update_button()

    def checked_ids(self) -> list[str]:
        return [
            str(item.data(ID_ROLE))
            for item in (self.list.item(r) for r in range(self.list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _update_button(self) -> None:
        n = len(self.checked_ids())
        self.play_button.setEnabled(0 < n <= MAX_CELLS)
        self.play_button.setText(f"加入视频画面（{n}）" if n else "加入视频画面")

    def _play(self) -> None:
        ids = self.checked_ids()
        if ids:
            self.play_requested.emit(ids)
            self.accept()
