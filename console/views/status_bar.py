"""The status bar: connection, changes waiting to sync, sample badge, officer, Beijing time.

The waiting count comes from ``Queries.sync_counters().pending`` (pushable work only: the
sample county never leaves the workstation) and is refreshed on every
change announced on the bus (a cheap single-row read). The clock shows Asia/Shanghai time
whatever zone the machine runs in, ticking on the second.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from console.domain import beijing, drill
from console.ui.change_bus import ChangeBus
from console.ui.session import DutySession
from console.ui.tasks import TaskRunner, run_task
from console.views.pages.base import sample_badge

if TYPE_CHECKING:
    from console.services.handover import Flag
    from console.services.on_duty import OnDuty
    from console.services.queries import Queries
    from console.store.changes import Changes
    from console.sync.engine import SyncStatus
    from console.ui.sync_bridge import SyncBridge

# The tables whose change may change who is on duty (console/services/on_duty.py).
DUTY_TABLES = ("roster_entries", "roster_settings", "people", "handovers")
FLAG_CHECK_MS = 5 * 60_000  # a shift's handover becomes overdue with time alone
STATE_TEXT = {"online": "● 在线", "offline": "● 离线", "syncing": "● 同步中"}
STATE_STYLE = {"online": "StatusOnline", "offline": "StatusOffline", "syncing": "StatusSyncing"}


def ago(seconds: float) -> str:
    """'刚刚', '3 分钟前', '2 小时前'."""
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)} 分钟前"
    if seconds < 86400:
        return f"{int(seconds // 3600)} 小时前"
    return f"{int(seconds // 86400)} 天前"


class DutyStatusBar(QStatusBar):
    """Permanent widgets only; no transient messages hide them."""

    def __init__(
        self,
        queries: Queries,
        bus: ChangeBus,
        session: DutySession,
        parent: QWidget | None = None,
        *,
        sync: SyncBridge | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._queries = queries
        self._tasks = tasks
        self._sync = sync
        self._status: SyncStatus | None = None
        self.setSizeGripEnabled(False)

        # Until an account signs in to a server: working standalone is a normal mode, not a
        # fault, so it reads neutral (单机), not red (离线).
        self.connection = QLabel("● 单机", self)
        self.connection.setObjectName("StatusStandalone")
        self.connection.setToolTip(
            "单机使用：未连接同步服务器，所有操作保存在本机；可在“同步状态”页连接服务器。"
        )
        self.contact = QLabel(self)
        self.contact.setObjectName("StatusContact")
        self.contact.setToolTip("距上次成功连接服务器的时间")
        self.contact.hide()
        self.progress = QProgressBar(self)
        self.progress.setObjectName("StatusProgress")
        self.progress.setFixedWidth(160)
        self.progress.setFormat("下载 %p%")
        self.progress.hide()
        self.pending = QLabel(self)
        self.pending.setObjectName("StatusPending")
        self.pending.setToolTip("本机已保存、尚未上传到服务器的操作数量")
        self.sample = sample_badge(self)
        # Who is on duty now and next, from the roster (console/services/on_duty.py).
        self.duty = QLabel(self)
        self.duty.setObjectName("StatusDuty")
        self.duty.setToolTip("排班表中的当班和下一班人员（队伍与值班 > 排班）")
        # 交接班: shifts ended without a signed handover, for the duty leader to chase.
        self.handover_flag = QLabel(self)
        self.handover_flag.setObjectName("StatusOffline")
        self.handover_flag.hide()
        self.officer = QLabel(self)
        self.officer.setObjectName("StatusOfficer")
        self.officer.setToolTip("本机值班员，可在“设置”页修改")
        self.clock = QLabel(self)
        self.clock.setObjectName("StatusClock")
        self.clock.setToolTip("北京时间（东八区），与本机时区设置无关")

        self.addWidget(self.connection)
        self.addWidget(self.contact)
        self.addWidget(self.progress)
        self.addWidget(self.pending)
        self.addWidget(self.sample)
        self.drill: QLabel | None = None
        if drill.active():
            from console.views.drill_banner import drill_badge

            self.drill = drill_badge(self)
            self.addWidget(self.drill)
        self.addPermanentWidget(self.handover_flag)
        self.addPermanentWidget(self.duty)
        self.addPermanentWidget(self.officer)
        self.addPermanentWidget(self.clock)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        # Fires at the shift change, so the duty label turns over on time.
        self._shift_timer = QTimer(self)
        self._shift_timer.setSingleShot(True)
        self._shift_timer.timeout.connect(self.refresh_duty)
        self._flag_timer = QTimer(self)
        self._flag_timer.setInterval(FLAG_CHECK_MS)
        self._flag_timer.timeout.connect(self.refresh_duty)
        self._flag_timer.start()

        bus.changed.connect(self._on_changes)
        if sync is not None:
            sync.status_changed.connect(self.show_sync_status)
            if sync.configured:
                self.show_sync_status(sync.status)
        session.officer_changed.connect(self._set_officer)
        self._set_officer(session.officer)
        self.refresh()
        self.refresh_duty()
        self._tick()

    def refresh_duty(self) -> None:
        """Read the crews of the current and the next shift (in the background)."""
        store = self._queries.store

        def read() -> tuple[OnDuty, list[Flag]]:
            # Imported here: the window's frame shows before any database code is loaded.
            from console.services.handover import HandoverService
            from console.services.on_duty import on_duty

            now = beijing.now()
            handovers = HandoverService(store)
            handovers.reload_pattern()
            return on_duty(store, now), handovers.flags(now)

        run_task(
            self._tasks,
            read,
            on_done=self._show_duty,
            receiver=self,
        )

    def _show_duty(self, read: tuple[OnDuty, list[Flag]]) -> None:
        duty, flags = read
        self.handover_flag.setVisible(bool(flags))
        if flags:
            self.handover_flag.setText(f"交接未签收 {len(flags)}")
            self.handover_flag.setToolTip(
                "\n".join(f.text() for f in flags) + "\n（队伍与值班 > 交接班）"
            )
        self.duty.setText(f"当班：{duty.now.text()}")
        self.duty.setToolTip(
            f"{duty.text()}\n排班表中的人员（队伍与值班 > 排班），{duty.changes_at:%H:%M} 交班"
        )
        wait_ms = (duty.changes_at - beijing.now()).total_seconds() * 1000
        self._shift_timer.start(int(min(max(wait_ms, 0), 2**31 - 1)) + 1000)

    def refresh(self) -> None:
        """Read the pending count and the sample flag (in the background), then show them."""
        queries = self._queries
        run_task(
            self._tasks,
            lambda: (queries.sync_counters().pending, queries.sample_present()),
            on_done=self._show_counts,
            receiver=self,
        )

    def _show_counts(self, read: tuple[int, bool]) -> None:
        count, sample = read
        self.pending.setText(f"待同步 {count}")
        idle = "true" if count == 0 else "false"
        if self.pending.property("idle") != idle:
            self.pending.setProperty("idle", idle)
            self.pending.style().unpolish(self.pending)
            self.pending.style().polish(self.pending)
        self.sample.setVisible(sample)

    def show_sync_status(self, status: SyncStatus) -> None:
        """Connection state, time since the server last answered, pull progress."""
        self._status = status
        self.connection.setText(STATE_TEXT.get(status.state, status.state))
        name = STATE_STYLE.get(status.state, "StatusOffline")
        if self.connection.objectName() != name:
            self.connection.setObjectName(name)
            self.connection.style().unpolish(self.connection)
            self.connection.style().polish(self.connection)
        session = self._sync.session if self._sync is not None else None
        where = f"服务器 {session.server_url}，账号 {session.username}" if session else ""
        tip = {
            "online": "已连接",
            "syncing": "正在与服务器同步",
            "offline": "无法连接服务器：操作保存在本机，恢复后自动上传",
        }.get(status.state, "")
        self.connection.setToolTip("\n".join(p for p in (tip, where, status.error) if p))
        if status.progress and status.progress[1] > 0 and status.state == "syncing":
            reached, total = status.progress
            self.progress.setRange(0, total)
            self.progress.setValue(min(reached, total))
            self.progress.show()
        else:
            self.progress.hide()
        self._show_contact()

    def _show_contact(self) -> None:
        status = self._status
        if status is None or status.last_contact is None:
            self.contact.setVisible(status is not None and status.state == "offline")
            self.contact.setText("尚未连接服务器")
            return
        self.contact.setText(f"上次连接：{ago(time.time() - status.last_contact)}")
        self.contact.setVisible(True)

    def pending_count(self) -> int:
        text = self.pending.text().rsplit(" ", 1)[-1]
        return int(text) if text.isdigit() else 0

    def _on_changes(self, changes: Changes) -> None:
        self.refresh()
        if changes.touches(*DUTY_TABLES):
            self.refresh_duty()

    def _set_officer(self, name: str) -> None:
        self.officer.setText(f"值班员：{name}")

    def _tick(self) -> None:
        self.clock.setText(beijing.clock_text())
        if self._status is not None:
            self._show_contact()
        msec = QDateTime.currentMSecsSinceEpoch() % 1000
        self._timer.start(1000 - msec + 5)
