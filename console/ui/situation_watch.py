"""Watching the situation: every interval, and soon after new readings land, ask the
threshold engine for the current Situation (on the task runner), raise and clear the
threshold alerts, and propose a 研判一张单 draft when thresholds are crossed (one open
proposal per crossing set).

New readings (the change bus's ``readings`` announcement: a pulled page, a phoned-in report)
start a look within :data:`SOON_MS`; a burst of pages makes one look, not one per page, and
a change during a running look makes one more after it. The minute tick stays: time alone
moves the rolling sums.

The engine is a callable (``SituationProvider``) handed in by the app: nothing runs until it
is connected. ``record=False`` (a headless screenshot) only reads the situation for the
map: no alert is raised, no draft proposed, nothing is left to push.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain.roles import allowed
from console.domain.situation import Situation
from console.services.assessments import AssessmentService, SituationProvider
from console.services.threshold_alerts import ThresholdAlerts
from console.store.changes import READINGS, Changes
from console.ui.tasks import TaskRunner, run_task

WATCH_MS = 60_000
SOON_MS = 2_000  # a look this long after the first new readings (their burst collected)


class SituationWatch(QObject):
    proposed = Signal(str)  # the id of a draft proposed automatically
    observed = Signal(list)  # the crossing keys raised by the last look
    updated = Signal(object)  # the Situation of the last look (the map colours by it)

    def __init__(
        self,
        provider: SituationProvider,
        alerts: ThresholdAlerts,
        assessments: AssessmentService | None,
        user: Callable[[], str],
        role: Callable[[], str | None],
        tasks: TaskRunner | None = None,
        parent: QObject | None = None,
        interval_ms: int = WATCH_MS,
        soon_ms: int = SOON_MS,
        record: bool = True,
    ) -> None:
        super().__init__(parent)
        self._provider = provider
        self._alerts = alerts
        self._assessments = assessments
        self._user = user
        self._role = role
        self._tasks = tasks
        self._busy = False
        self._again = False  # readings landed during a look: one more after it
        self.record = record
        self.latest: Situation | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.look)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(soon_ms)
        self.soon.timeout.connect(self._look_again)

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(0, self.look)

    def on_changes(self, changes: Changes) -> None:
        """The change bus's slot: new readings bring the next look forward."""
        if changes.touches(READINGS) and self.timer.isActive():
            self.readings_landed()

    def readings_landed(self) -> None:
        """Look within ``soon_ms``; not restarted by later pages of the same burst (a long
        pull still gets its looks)."""
        if not self.soon.isActive():
            self.soon.start()

    def _look_again(self) -> None:
        if self._busy:
            self._again = True  # the running look may have read before these readings
        else:
            self.look()

    def look(self) -> None:
        if self._busy:  # the last look is still running
            return
        self._busy = True
        user, role = self._user(), self._role()
        record = self.record

        def work() -> tuple[list[str], str | None, Situation | None]:
            situation = self._provider()
            if situation is None or not record:
                return [], None, situation
            raised = self._alerts.observe(situation, user=user, role=role)
            sheet = None
            service = self._assessments
            if service is not None and (role is None or allowed(role, "assessment.create")):
                proposal = service.propose(situation, user=user)
                sheet = proposal.sheet_id if proposal.created else None
            return raised, sheet, situation

        def done(result: tuple[list[str], str | None, Situation | None]) -> None:
            self._finished()
            raised, sheet, situation = result
            self.latest = situation
            self.updated.emit(situation)
            self.observed.emit(raised)
            if sheet is not None:
                self.proposed.emit(sheet)

        def failed(_error: BaseException) -> None:
            self._finished()

        run_task(self._tasks, work, on_done=done, on_error=failed, receiver=self)

    def _finished(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.look)
