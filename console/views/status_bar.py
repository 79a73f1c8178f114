"""The status bar: connection, changes waiting to sync, sample badge, officer, Beijing time.

The waiting count comes from ``Queries.sync_counters().pending`` and is refreshed on every
change announced on the bus (a cheap single-row read). The clock shows Asia/Shanghai time
whatever zone the machine runs in, ticking on the second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from console.ui import beijing_time
from console.ui.change_bus import ChangeBus
from console.ui.session import DutySession
from console.views.pages.base import sample_badge

if TYPE_CHECKING:
    from console.services.queries import Queries
    from console.store.changes import Changes


class DutyStatusBar(QStatusBar):
    """Permanent widgets only; no transient messages hide them."""

    def __init__(
        self,
        queries: Queries,
        bus: ChangeBus,
        session: DutySession,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._queries = queries
        self.setSizeGripEnabled(False)

        self.connection = QLabel("● 离线", self)
        self.connection.setObjectName("StatusOffline")
        self.connection.setToolTip(
            "尚未配置同步服务器：所有操作保存在本机，待同步功能上线后自动上传。"
        )
        self.pending = QLabel(self)
        self.pending.setObjectName("StatusPending")
        self.pending.setToolTip("本机已保存、尚未上传到服务器的操作数量")
        self.sample = sample_badge(self)
        self.officer = QLabel(self)
        self.officer.setObjectName("StatusOfficer")
        self.officer.setToolTip("本机值班员，可在“设置”页修改")
        self.clock = QLabel(self)
        self.clock.setObjectName("StatusClock")
        self.clock.setToolTip("北京时间（东八区），与本机时区设置无关")

        self.addWidget(self.connection)
        self.addWidget(self.pending)
        self.addWidget(self.sample)
        self.addPermanentWidget(self.officer)
        self.addPermanentWidget(self.clock)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)

        bus.changed.connect(self._on_changes)
        session.officer_changed.connect(self._set_officer)
        self._set_officer(session.officer)
        self.refresh()
        self._tick()

    def refresh(self) -> None:
        count = self._queries.sync_counters().pending
        self.pending.setText(f"待同步 {count}")
        idle = "true" if count == 0 else "false"
        if self.pending.property("idle") != idle:
            self.pending.setProperty("idle", idle)
            self.pending.style().unpolish(self.pending)
            self.pending.style().polish(self.pending)
        self.sample.setVisible(self._queries.sample_present())

    def pending_count(self) -> int:
        text = self.pending.text().rsplit(" ", 1)[-1]
        return int(text) if text.isdigit() else 0

    def _on_changes(self, changes: Changes) -> None:
        self.refresh()

    def _set_officer(self, name: str) -> None:
        self.officer.setText(f"值班员：{name}")

    def _tick(self) -> None:
        self.clock.setText(beijing_time.clock_text())
        msec = QDateTime.currentMSecsSinceEpoch() % 1000
        self._timer.start(1000 - msec + 5)
