"""Watching the situation: every interval, ask the threshold engine for the current
Situation (on the task runner), raise and clear the threshold alerts, and propose a
研判一张单 draft when thresholds are crossed (one open proposal per crossing set).

The engine is a callable (``SituationProvider``) handed in by the app: nothing runs until it
is connected.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain.roles import allowed
from console.domain.situation import Situation
from console.services.assessments import AssessmentService, SituationProvider
from console.services.threshold_alerts import ThresholdAlerts
from console.ui.tasks import TaskRunner, run_task

WATCH_MS = 60_000


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
    ) -> None:
        super().__init__(parent)
        self._provider = provider
        self._alerts = alerts
        self._assessments = assessments
        self._user = user
        self._role = role
        self._tasks = tasks
        self._busy = False
        self.latest: Situation | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.look)

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(0, self.look)

    def look(self) -> None:
        if self._busy:  # the last look is still running
            return
        self._busy = True
        user, role = self._user(), self._role()

        def work() -> tuple[list[str], str | None, Situation | None]:
            situation = self._provider()
            if situation is None:
                return [], None, None
            raised = self._alerts.observe(situation, user=user, role=role)
            sheet = None
            service = self._assessments
            if service is not None and (role is None or allowed(role, "assessment.create")):
                proposal = service.propose(situation, user=user)
                sheet = proposal.sheet_id if proposal.created else None
            return raised, sheet, situation

        def done(result: tuple[list[str], str | None, Situation | None]) -> None:
            self._busy = False
            raised, sheet, situation = result
            self.latest = situation
            self.updated.emit(situation)
            self.observed.emit(raised)
            if sheet is not None:
                self.proposed.emit(sheet)

        def failed(_error: BaseException) -> None:
            self._busy = False

        run_task(self._tasks, work, on_done=done, on_error=failed, receiver=self)
