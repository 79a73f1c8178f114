"""Alerts across the top of the main window.

:class:`ThresholdBanner`: threshold crossings (阈值预警) not yet acknowledged, with 确认 and
a sound (see the class).

:class:`EscalationBanner`: recipients of an order silent past the order's time (叫应超时),
with the next person up the chain proposed and an 升级 button that escalates them.

:class:`DeadlineBanner`: report-deadline alerts, when an incident's next report is due
within 5 minutes or overdue, or when an open incident's numbers now imply a more severe grade
than it carries (定级标准), until the officer clicks 知道了.

Acknowledging covers the deadlines shown at that level: the same deadline alerts again when it
moves from 即将到期 to 已超时, and any new deadline alerts on its own. The clock is injected
(a callable returning a Beijing datetime) so tests control time. The open deadlines are read
on the task runner; :attr:`DeadlineBanner.checked` fires once a check has been shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from console.domain import beijing
from console.domain.grading import METRIC_UNITS, Finding
from console.services.deadlines import DUE_SOON, OVERDUE, Deadline, countdown_text
from console.services.incident_source import IncidentSource
from console.services.orders import TABLES as ORDER_TABLES
from console.services.orders import OrderService, Overdue
from console.services.threshold_alerts import ThresholdAlerts
from console.store.changes import Changes
from console.ui.alert_sound import AlertSound
from console.ui.change_bus import ChangeBus
from console.ui.tasks import TaskRunner, run_task

CHECK_MS = 15_000
TABLES = ("incidents", "incident_reports", "report_rules", "incident_timeline", "grading_rules")
# Incidents closed longer ago than this raise no banner for the reports due after closure
# (终报/核报); open incidents received longer ago than OPEN_WINDOW raise none either (a
# store of years of calls, some never closed, is not scanned every few seconds): the list
# still shows their overdue marker.
ALERT_WINDOW = timedelta(days=31)
OPEN_WINDOW = timedelta(days=62)
AlertKey = tuple[tuple[str, ...], str]  # (deadline or grade key, level)
GRADE = "grade"


@dataclass(frozen=True)
class Scan:
    deadlines: list[tuple[dict[str, Any], Deadline]]
    grades: list[tuple[dict[str, Any], Finding]]


def scan(source: IncidentSource, since: datetime, now: datetime) -> Scan:
    return Scan(
        source.open_deadlines(since, now, open_since=now - OPEN_WINDOW),
        source.grade_alerts(since=now - OPEN_WINDOW),
    )


class _AlertBanner(QFrame):
    """What both banners share: tag, text and button in a row (hidden until an alert), a
    periodic check, and a check whenever a change touches the banner's tables."""

    _tables: tuple[str, ...] = ()

    def _build(
        self,
        tag: str,
        button: str,
        interval_ms: int,
        tables: tuple[str, ...],
        bus: ChangeBus | None,
    ) -> None:
        self._tables = tables
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 12, 8)
        row.setSpacing(12)
        self.icon = QLabel(tag, self)
        self.icon.setObjectName("BannerTag")
        row.addWidget(self.icon)
        self.text = QLabel(self)
        self.text.setObjectName("BannerText")
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.ack_button = QPushButton(button, self)
        self.ack_button.setObjectName("BannerButton")
        self.ack_button.clicked.connect(self.acknowledge)
        row.addWidget(self.ack_button)
        self.hide()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        if bus is not None:
            bus.changed.connect(self._on_changes)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*self._tables):
            self.check()

    def check(self) -> None:
        raise NotImplementedError

    def acknowledge(self) -> None:
        raise NotImplementedError


class DeadlineBanner(_AlertBanner):
    incident_clicked = Signal(str)
    checked = Signal(list)  # the alerts (AlertKey) now shown, after a check has landed

    def __init__(
        self,
        source: IncidentSource,
        bus: ChangeBus | None = None,
        clock: Callable[[], datetime] = beijing.now,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DeadlineBanner")
        self._source = source
        self._clock = clock
        self._tasks = tasks
        self._asked = 0  # the newest check; older results are dropped
        self._acknowledged: set[AlertKey] = set()
        self.shown: list[AlertKey] = []
        self.beeps = 0

        self._build("报送提醒", "知道了", CHECK_MS, TABLES, bus)

    def check(self) -> None:
        """Read the open deadlines (in the background), then show or hide the banner at the
        clock's time of this call."""
        now = self._clock()
        self._asked += 1
        asked = self._asked

        def land(found: Scan) -> None:
            if asked == self._asked:  # else a newer check is on its way
                self.show_alerts(found.deadlines, now, found.grades)

        run_task(
            self._tasks,
            scan,
            self._source,
            now - ALERT_WINDOW,
            now,
            on_done=land,
            receiver=self,
        )

    def show_alerts(
        self,
        scanned: list[tuple[dict[str, Any], Deadline]],
        now: datetime,
        grades: Sequence[tuple[dict[str, Any], Finding]] = (),
    ) -> list[AlertKey]:
        """Show the deadlines due soon or overdue at ``now`` and the grades to review that
        are not acknowledged."""
        lines: list[str] = []
        current: list[AlertKey] = []
        overdue = False
        for incident, finding in grades:
            key: AlertKey = ((incident["id"], finding.grade), GRADE)
            if key in self._acknowledged:
                continue
            current.append(key)
            overdue = True
            reason = finding.reasons[0]
            lines.append(
                f"{incident['title']}：{reason.metric} {reason.value:g}"
                f"{METRIC_UNITS[reason.metric]}，按定级标准应为“{finding.grade}”，请核定等级"
            )
        for incident, deadline in sorted(scanned, key=lambda p: p[1].due):
            level = deadline.alert(now)
            if level is None:
                continue
            key = (tuple(deadline.key), level)
            if key in self._acknowledged:
                continue
            current.append(key)
            overdue = overdue or level == OVERDUE
            word = "已超时" if level == OVERDUE else "即将到期"
            lines.append(f"{incident['title']}：{countdown_text(deadline, now)}（{word}）")
        fresh = [k for k in current if k not in self.shown]
        self.shown = current
        if not current:
            self.hide()
            self.checked.emit(current)
            return current
        more = f"　等 {len(lines)} 项" if len(lines) > 3 else ""
        self.text.setText("；".join(lines[:3]) + more)
        self.setProperty("level", OVERDUE if overdue else DUE_SOON)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
        if fresh:
            self._beep()
        self.checked.emit(current)
        return current

    def _beep(self) -> None:
        self.beeps += 1
        with contextlib.suppress(Exception):  # no sound device must never stop the alert
            QApplication.beep()

    def acknowledge(self) -> None:
        self._acknowledged.update(self.shown)
        self.shown = []
        self.hide()


THRESHOLD_CHECK_MS = 30_000
THRESHOLD_TABLES = ("threshold_alerts",)
SEVERE = "severe"  # 橙 or 红 among the alerts shown


class ThresholdBanner(_AlertBanner):
    """Threshold alerts (雨情水情超过阈值): a banner with the unacknowledged ones and a
    确认 button, and the alert sound for each alert not shown before. Acknowledging is a
    synced record (who, when), so it survives a restart and clears the banner on every
    workstation once synced."""

    checked = Signal(list)  # the alert ids now shown, after a check has landed

    def __init__(
        self,
        alerts: ThresholdAlerts,
        user: Callable[[], str],
        bus: ChangeBus | None = None,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
        sound: AlertSound | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ThresholdBanner")
        self._alerts = alerts
        self._user = user
        self._tasks = tasks
        self.sound = sound if sound is not None else AlertSound(self)
        self._asked = 0
        self._heard: set[tuple[str, str]] = set()  # (id, raised_at) already sounded
        self.shown: list[str] = []
        self.failed = ""

        self._build("阈值预警", "确认", THRESHOLD_CHECK_MS, THRESHOLD_TABLES, bus)
        self.ack_button.setToolTip("确认已知悉（记录确认人和时间，各工作站同步）")

    def check(self) -> None:
        self._asked += 1
        asked = self._asked

        def land(found: list[dict[str, Any]]) -> None:
            if asked == self._asked:
                self.show_alerts(found)

        run_task(self._tasks, self._alerts.unacknowledged, on_done=land, receiver=self)

    def show_alerts(self, alerts: Sequence[dict[str, Any]]) -> list[str]:
        self.shown = [a["id"] for a in alerts]
        if not alerts:
            self.hide()
            self.checked.emit(self.shown)
            return self.shown
        lines = [("【模拟】" if a.get("simulated") else "") + str(a["message"]) for a in alerts]
        more = f"　等 {len(lines)} 项" if len(lines) > 3 else ""
        self.text.setText("；".join(lines[:3]) + more)
        severe = any(a.get("level") in ("橙", "红") for a in alerts)
        self.setProperty("level", SEVERE if severe else "")
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
        fresh = {(a["id"], a["raised_at"]) for a in alerts} - self._heard
        if fresh:
            self._heard |= fresh
            self.sound.play()
        self.checked.emit(self.shown)
        return self.shown

    def acknowledge(self) -> None:
        ids = list(self.shown)
        if not ids:
            return
        user = self._user()
        self.ack_button.setEnabled(False)

        def done(_result: object) -> None:
            self.ack_button.setEnabled(True)
            self.check()

        def failed(error: BaseException) -> None:
            self.ack_button.setEnabled(True)
            self.failed = str(error)

        run_task(
            self._tasks,
            lambda: self._alerts.acknowledge(ids, user=user),
            on_done=done,
            on_error=failed,
            receiver=self,
        )


ESCALATION_CHECK_MS = 30_000


def _silence(o: Overdue) -> str:
    r = o.row
    who = f"{r.name}（{r.role or r.level}{'，' + r.place if r.place else ''}）"
    up = (
        f"建议升级至{o.proposal.role} {o.proposal.name}"
        if o.proposal is not None
        else "链上无更上一级责任人"
    )
    return f"{o.order_title}：{who}{r.silent_minutes} 分钟未叫应，{up}"


def escalation_text(found: Sequence[Overdue]) -> str:
    """One line per order: a single silence in full (who, how long, who is next); several
    (a whole chain called at once) as a count, the first names and the longest wait, so a
    county-wide 叫应 does not fill the banner with a hundred names."""
    by_order: dict[str, list[Overdue]] = {}
    for o in found:
        by_order.setdefault(o.order_id, []).append(o)
    lines = []
    for silent in by_order.values():
        if len(silent) == 1:
            lines.append(_silence(silent[0]))
            continue
        names = "、".join(o.row.name for o in silent[:3])
        longest = max(o.row.silent_minutes for o in silent)
        up = sum(o.proposal is not None for o in silent)
        lines.append(
            f"{silent[0].order_title}：{len(silent)} 人未叫应（{names}等，最长 {longest} 分钟），"
            f"{up} 人可向上一级升级"
        )
    more = f"　等 {len(lines)} 条指令" if len(lines) > 2 else ""
    return "；".join(lines[:2]) + more


class EscalationBanner(_AlertBanner):
    """叫应超时: every recipient of an open order still silent past its order's minutes,
    with the next person up the chain; 升级 escalates those (one synced mutation each, so
    every workstation sees it and the banner clears everywhere) and mutes, on this
    workstation, the ones with nobody further up. Sounds for each silence not shown before."""

    checked = Signal(list)  # (order id, recipient id) now shown, after a check has landed

    def __init__(
        self,
        orders: OrderService,
        user: Callable[[], str],
        bus: ChangeBus | None = None,
        clock: Callable[[], datetime] = beijing.now,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
        sound: AlertSound | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EscalationBanner")
        self._orders = orders
        self._user = user
        self._clock = clock
        self._tasks = tasks
        # Made on the first alarm: every window has this banner, few ever sound it.
        self.sound: AlertSound | None = sound
        self._asked = 0
        self._heard: set[tuple[str, str]] = set()
        self._muted: set[tuple[str, str]] = set()
        self.found: list[Overdue] = []
        self.shown: list[tuple[str, str]] = []
        self.failed = ""

        self._build("叫应超时", "升级", ESCALATION_CHECK_MS, ORDER_TABLES, bus)
        self.ack_button.setToolTip("向上一级责任人叫应（记录升级，各工作站同步）")

    def check(self) -> None:
        self._asked += 1
        asked = self._asked
        now = self._clock()

        def land(found: list[Overdue]) -> None:
            if asked == self._asked:
                self.show_alerts(found)

        run_task(self._tasks, lambda: self._orders.overdue(now=now), on_done=land, receiver=self)

    def show_alerts(self, found: Sequence[Overdue]) -> list[tuple[str, str]]:
        self.found = [o for o in found if (o.order_id, o.row.id) not in self._muted]
        self.shown = [(o.order_id, o.row.id) for o in self.found]
        if not self.found:
            self.hide()
            self.checked.emit(self.shown)
            return self.shown
        self.text.setText(escalation_text(self.found))
        self.show()
        fresh = set(self.shown) - self._heard
        if fresh:
            self._heard |= fresh
            if self.sound is None:
                self.sound = AlertSound(self)
            self.sound.play()
        self.checked.emit(self.shown)
        return self.shown

    def acknowledge(self) -> None:
        """升级 every silence shown that has someone further up; mute the others here."""
        found = list(self.found)
        if not found:
            return
        user, now = self._user(), self._clock()
        for o in found:
            if o.proposal is None:
                self._muted.add((o.order_id, o.row.id))
        self.ack_button.setEnabled(False)
        self._asked += 1  # a check read before the escalation must not land after it

        def escalate() -> None:
            for o in found:
                if o.proposal is not None:
                    self._orders.escalate(o.order_id, o.row, o.proposal, user=user, at=now)

        def done(_result: object) -> None:
            self.ack_button.setEnabled(True)
            self.check()

        def failed(error: BaseException) -> None:
            self.ack_button.setEnabled(True)
            self.failed = str(getattr(error, "message", None) or error)
            self.check()

        run_task(self._tasks, escalate, on_done=done, on_error=failed, receiver=self)
