"""The selected incident: every call-record field, the report countdown, status moves (with a
reason where the workflow needs one), the teams dispatched (调派队伍…, issue 14), the
sub-hazard (亚灾种) where the subtype has them, new timeline entries and the append-only
timeline.

The old free text ``teams_assigned`` (处置队伍, before dispatches existed) is no longer
edited: when an incident has it, it is shown read-only, beside the dispatches and as a
"原处置队伍记录" row at the foot of the timeline. It is shown, not converted into a timeline
row: a conversion run by each workstation's migration would write one row per workstation
(the same note N times on the server), and the text already syncs with the incident.

Writes go through ``IncidentService``; the panel re-reads its incident when a change touches
it (the page forwards the bus). Reads and writes run on the task runner: the panel fills in
when the incident has been read (:attr:`IncidentDetail.shown` fires), an action's widgets are
disabled while its write runs, and the panel says so when it fails, keeping the input.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog, grading, workflow
from console.domain.sample import SAMPLE_TAG
from console.domain.schema import ENTITY_FIELDS
from console.models.incident_table_model import GRADE_COLORS
from console.models.incident_timeline_table_model import IncidentTimelineTableModel
from console.services.deadlines import OVERDUE, Reporting, duties_text, status_text
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.services.intake import classification
from console.services.teams import TeamService
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import TaskRunner, run_task
from console.views.dispatch_dialog import DispatchDialog
from console.views.pages.casualty_dialog import CasualtyDialog
from console.views.pages.grade_hint import GradeHint

ENTRY_KINDS = ("处置", "领导批示", "指令", "备注")
NO_SUB_HAZARD = "（待核实）"
TICK_MS = 30_000
# Labels and lengths as the fields are declared (one declaration: console.domain.schema).
_INCIDENT = ENTITY_FIELDS["incidents"]
_ENTRY = ENTITY_FIELDS["incident_timeline"]
TEAMS = _INCIDENT["teams_assigned"]
OLD_TEAMS = "原处置队伍记录"
COUNTS = ("dead", "missing", "injured", "trapped", "affected")
GRADING_NUMBERS = ("seriously_injured", "evacuated", "economic_loss", "area_burned")


def _label(key: str) -> str:
    return _INCIDENT[key].label


@dataclass(frozen=True)
class Shown:
    """What the panel reads for one incident (any thread)."""

    incident: dict[str, Any]
    timeline: list[dict[str, Any]]
    names: dict[str, str]
    reporting: Reporting | None
    suggestion: grading.Finding | None = None  # a more severe grade its numbers imply
    dispatches: tuple[dict[str, Any], ...] = ()  # the teams sent, out first


def old_teams_entry(incident: dict[str, Any]) -> dict[str, Any] | None:
    """The read-only timeline row of the old free-text 处置队伍 (never stored as a row)."""
    text = (incident.get("teams_assigned") or "").strip()
    if not text:
        return None
    return {
        "id": f"old-teams-{incident['id']}",
        "at": incident["received_at"],
        "kind": "备注",
        "author": "原记录",
        "body": f"{OLD_TEAMS}（只读）：{text}",
    }


def dispatch_text(dispatches: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> str:
    """'出动中：A、B；已返回：C' of an incident's dispatches; "" when none."""
    out = [d["team_name"] for d in dispatches if d["returned_at"] is None]
    back = [d["team_name"] for d in dispatches if d["returned_at"] is not None]
    parts = []
    if out:
        parts.append("出动中：" + "、".join(out))
    if back:
        parts.append("已返回：" + "、".join(back))
    return "；".join(parts)


def read_incident(
    source: IncidentSource,
    incident_id: str,
    now: datetime | None = None,
    teams: TeamService | None = None,
) -> Shown | None:
    incident = source.incident(incident_id) if incident_id else None
    if incident is None:
        return None
    timeline = list(reversed(source.timeline(incident_id)))
    old = old_teams_entry(incident)
    if old is not None:
        timeline.append(old)  # the oldest: dated at the call
    return Shown(
        incident,
        timeline,
        source.place_names(),
        source.reporting(incident, now),
        grading.suggestion(
            incident["category"],
            incident["subtype"],
            incident["grade"],
            incident,
            source.grading_rules(),
        ),
        tuple(teams.dispatches(incident_id)) if teams is not None else (),
    )


class IncidentDetail(QFrame):
    report_requested = Signal(str)
    responsible_requested = Signal(str, str)  # 谁负责这里: place kind, id
    cases_requested = Signal(str)  # 案例与预案: the incident's id
    response_requested = Signal(str)  # 启动应急响应 from this incident: its id
    shown = Signal(str)  # the incident now shown ("" for none)
    action_finished = Signal(bool)  # a status change, teams or entry write: saved?

    def __init__(
        self,
        source: IncidentSource,
        service: IncidentService | None,
        officer: Callable[[], str],
        clock: Callable[[], datetime] = beijing.now,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("IncidentDetail")
        self._source = source
        self._service = service
        self._officer = officer
        self._clock = clock
        self._tasks = tasks
        # The dispatches' reads and writes (None: a read-only console shows none).
        self.team_service = TeamService.of(service.writer) if service is not None else None
        self.dispatch_dialog: DispatchDialog | None = None
        self._asked = 0  # the newest read asked for; older results are dropped
        self._busy = False
        self._reporting: Reporting | None = None
        self._names: dict[str, str] = {}
        self.incident: dict[str, Any] | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.title = QLabel("未选择事件", self)
        self.title.setObjectName("DetailTitle")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.countdown = QLabel(self)
        self.countdown.setObjectName("Countdown")
        top.addWidget(self.countdown)
        self.report_button = QPushButton("生成报告…", self)
        self.report_button.setObjectName("PrimaryButton")
        self.report_button.clicked.connect(self._request_report)
        top.addWidget(self.report_button)
        layout.addLayout(top)

        # Every report the rules call for, met or not, with its rule's source.
        self.duties = QLabel(self)
        self.duties.setObjectName("ReportDuties")
        self.duties.setWordWrap(True)
        self.duties.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.duties)

        self.fields = QLabel(self)
        self.fields.setObjectName("DetailFields")
        self.fields.setWordWrap(True)
        self.fields.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # 修改伤亡… beside the fields it corrects (the title row has no room at 1280 wide).
        fields_row = QHBoxLayout()
        fields_row.addWidget(self.fields, 1)
        self.figures_button = QPushButton("修改伤亡…", self)
        self.figures_button.setToolTip("修改死亡、失踪、受伤等人数和损失（记入事件记录）")
        self.figures_button.setMinimumWidth(self.figures_button.sizeHint().width())
        self.figures_button.clicked.connect(self.edit_figures)
        self.responsible_button = QPushButton("谁负责这里", self)
        self.responsible_button.setToolTip("在通讯录中打开事发村（或乡镇）的责任人")
        self.responsible_button.setMinimumWidth(self.responsible_button.sizeHint().width())
        self.responsible_button.clicked.connect(self._ask_responsible)
        self.cases_button = QPushButton("案例与预案", self)
        self.cases_button.setToolTip("在案例一个库中查看相似案例和该类事件的预案")
        self.cases_button.setMinimumWidth(self.cases_button.sizeHint().width())
        self.cases_button.clicked.connect(self._ask_cases)
        self.response_button = QPushButton("启动应急响应…", self)
        self.response_button.setToolTip("在应急一指南中从本事件启动应急响应（带班领导）")
        self.response_button.setMinimumWidth(self.response_button.sizeHint().width())
        self.response_button.clicked.connect(self._ask_response)
        side_buttons = QVBoxLayout()
        side_buttons.setSpacing(4)
        side_buttons.addWidget(self.figures_button)
        side_buttons.addWidget(self.responsible_button)
        side_buttons.addWidget(self.cases_button)
        side_buttons.addWidget(self.response_button)
        side_buttons.addStretch(1)
        fields_row.addLayout(side_buttons)
        self.figures_dialog: CasualtyDialog | None = None
        layout.addLayout(fields_row)
        self.grade_hint = GradeHint(self, "按此改定等级")
        self.grade_hint.accept_button.clicked.connect(self.accept_grade)
        layout.addWidget(self.grade_hint)

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel("状态变更", self), 0, 0)
        status_row = QHBoxLayout()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("StatusValue")
        status_row.addWidget(self.status_label)
        self.status_box = QHBoxLayout()
        status_row.addLayout(self.status_box)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("原因（结案未处置或重新打开时必填）")
        status_row.addWidget(self.reason, 1)
        grid.addLayout(status_row, 0, 1)
        self.status_error = QLabel(self)
        self.status_error.setObjectName("FieldError")
        self.status_error.hide()
        grid.addWidget(self.status_error, 1, 1)
        self.status_buttons: dict[str, QPushButton] = {}

        grid.addWidget(QLabel(TEAMS.label, self), 2, 0)
        teams_row = QHBoxLayout()
        self.teams = QLabel(self)
        self.teams.setObjectName("DispatchSummary")
        self.teams.setWordWrap(True)
        self.teams.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        teams_row.addWidget(self.teams, 1)
        self.teams_button = QPushButton("调派队伍…", self)
        self.teams_button.setToolTip("按类型、距离和待命状态选择队伍调派，或登记队伍返回")
        self.teams_button.setMinimumWidth(self.teams_button.sizeHint().width())
        self.teams_button.clicked.connect(self.open_dispatch)
        teams_row.addWidget(self.teams_button)
        grid.addLayout(teams_row, 2, 1)

        grid.addWidget(QLabel("添加记录", self), 3, 0)
        entry_row = QHBoxLayout()
        self.entry_kind = QComboBox(self)
        self.entry_kind.addItems(list(ENTRY_KINDS))
        entry_row.addWidget(self.entry_kind)
        self.entry = QLineEdit(self)
        self.entry.setMaxLength(_ENTRY["body"].max_len or 32767)
        self.entry.setPlaceholderText("处置情况、领导批示或指令内容，Enter 添加")
        self.entry.returnPressed.connect(self.add_entry)
        entry_row.addWidget(self.entry, 1)
        self.entry_button = QPushButton("添加", self)
        self.entry_button.clicked.connect(self.add_entry)
        entry_row.addWidget(self.entry_button)
        grid.addLayout(entry_row, 3, 1)
        self.action_error = QLabel(self)
        self.action_error.setObjectName("FieldError")
        self.action_error.hide()
        grid.addWidget(self.action_error, 4, 1)
        self._sub_hazard_row(grid, 5)
        layout.addLayout(grid)

        self.timeline_model = IncidentTimelineTableModel(parent=self)
        self.timeline = QTableView(self)
        self.timeline.setModel(self.timeline_model)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setWordWrap(False)
        self.timeline.setAlternatingRowColors(True)
        header = self.timeline.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.timeline, 1)

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._update_countdown)
        self._ticker.start()
        self.show_incident("")

    def _sub_hazard_row(self, grid: QGridLayout, row: int) -> None:
        """亚灾种 of an incident whose subtype has sub-hazards: often known only after the
        call (the 首报 asks for it while it is not), so it is set here."""
        self.sub_hazard_label = QLabel(_label("sub_hazard"), self)
        grid.addWidget(self.sub_hazard_label, row, 0)
        line = QHBoxLayout()
        self.sub_hazard = QComboBox(self)
        self.sub_hazard.setObjectName("DetailSubHazard")
        # As wide as its longest entry plus the style's padding and arrow, never cut.
        longest = max(
            (NO_SUB_HAZARD, *catalog.ALL_SUB_HAZARDS), key=self.fontMetrics().horizontalAdvance
        )
        self.sub_hazard.setMinimumWidth(self.fontMetrics().horizontalAdvance(longest) + 48)
        line.addWidget(self.sub_hazard)
        self.sub_hazard_button = QPushButton("保存", self)
        self.sub_hazard_button.clicked.connect(self.save_sub_hazard)
        line.addWidget(self.sub_hazard_button)
        line.addStretch(1)
        grid.addLayout(line, row, 1)
        self._show_sub_hazards(None)

    def _show_sub_hazards(self, inc: dict[str, Any] | None) -> None:
        hazards = catalog.sub_hazards(inc["category"], inc.get("subtype") or "") if inc else ()
        for w in (self.sub_hazard_label, self.sub_hazard, self.sub_hazard_button):
            w.setVisible(bool(hazards))
        if self.sub_hazard.hasFocus() or inc is None:
            return  # the officer is choosing
        self.sub_hazard.clear()
        self.sub_hazard.addItems([NO_SUB_HAZARD, *hazards])
        current = inc.get("sub_hazard") or ""
        self.sub_hazard.setCurrentIndex(hazards.index(current) + 1 if current in hazards else 0)

    # -- showing ---------------------------------------------------------------------------
    def incident_id(self) -> str:
        return str(self.incident["id"]) if self.incident else ""

    def show_incident(self, incident_id: str) -> None:
        """Read the incident (in the background) and show it; "" clears the panel."""
        self._asked += 1
        asked = self._asked
        run_task(
            self._tasks,
            read_incident,
            self._source,
            incident_id,
            self._clock(),
            self.team_service,
            on_done=lambda shown: self._land(asked, shown),
            receiver=self,
        )

    def _land(self, asked: int, shown: Shown | None) -> None:
        if asked != self._asked:
            return  # another incident was asked for meanwhile
        before = self.incident_id()
        self.incident = shown.incident if shown is not None else None
        self._reporting = shown.reporting if shown is not None else None
        self._names = shown.names if shown is not None else {}
        self._enable()
        if self.incident_id() != before or not before:
            # A re-read of the same incident (a change from elsewhere) keeps the message of a
            # write that just failed; another incident starts clean.
            self.status_error.hide()
            self.action_error.hide()
        if shown is None:
            self.title.setText("未选择事件：在上方列表中选择一起事件查看详情")
            self.fields.clear()
            self.grade_hint.offer(None)
            self.status_label.clear()
            self.countdown.clear()
            self.teams.clear()
            self._show_sub_hazards(None)
            self._set_status_buttons(())
            self.timeline_model.set_records([])
            self.shown.emit("")
            return
        inc = shown.incident
        self.title.setText((SAMPLE_TAG if inc.get("is_sample") else "") + inc["title"])
        grade = inc.get("grade") or ""
        color = GRADE_COLORS.get(grade)
        self.title.setStyleSheet(
            f"border-left: 5px solid {color}; padding-left: 8px;" if color else ""
        )
        self.fields.setText(self._fields_text(inc))
        self.grade_hint.offer(shown.suggestion)
        self.status_label.setText(f"当前：{inc['status']}　转为")
        self._set_status_buttons(sorted(workflow.allowed_next(inc["status"]), key=_status_order))
        self.teams.setText(self._teams_text(inc, shown.dispatches))
        self._show_sub_hazards(inc)
        self.timeline_model.set_records(shown.timeline)
        self._update_countdown()
        self.shown.emit(inc["id"])

    def _enable(self) -> None:
        enabled = self.incident is not None and self._service is not None and not self._busy
        for w in (self.report_button, self.entry, self.reason):
            w.setEnabled(enabled)
        self.teams_button.setEnabled(enabled and self.team_service is not None)
        self.figures_button.setEnabled(enabled)
        self.response_button.setEnabled(enabled)
        self.responsible_button.setEnabled(self.responsible_place() is not None)
        self.cases_button.setEnabled(self.incident is not None)
        self.grade_hint.accept_button.setEnabled(enabled)
        self.sub_hazard.setEnabled(enabled)
        self.sub_hazard_button.setEnabled(enabled)
        self.entry_button.setEnabled(enabled)
        for button in self.status_buttons.values():
            button.setEnabled(enabled)

    def responsible_place(self) -> tuple[str, str] | None:
        """(kind, id) of the incident's village, else its township; None when it has neither."""
        inc = self.incident
        if inc is None:
            return None
        if inc.get("village_id"):
            return "village", str(inc["village_id"])
        if inc.get("township_id"):
            return "township", str(inc["township_id"])
        return None

    def _ask_responsible(self) -> None:
        place = self.responsible_place()
        if place is not None:
            self.responsible_requested.emit(*place)

    def _ask_cases(self) -> None:
        if self.incident is not None:
            self.cases_requested.emit(str(self.incident["id"]))

    def _ask_response(self) -> None:
        if self.incident is not None:
            self.response_requested.emit(str(self.incident["id"]))

    def _fields_text(self, inc: dict[str, Any]) -> str:
        names = self._names
        place = "".join(
            p
            for p in (
                names.get(inc.get("township_id") or "", ""),
                names.get(inc.get("village_id") or "", ""),
                inc.get("address") or "",
            )
            if p
        )
        casualties = "，".join(
            f"{_label(key)}{inc[key]:g}" for key in COUNTS + GRADING_NUMBERS if inc.get(key)
        )
        caller = "，".join(
            p for p in (inc.get("caller_unit"), inc.get("caller_post"), inc.get("caller_name")) if p
        )
        kind = classification(inc)
        lines = [
            f"{_label('received_at')}：{beijing.display(inc['received_at'])}　"
            f"{_label('category')}：{kind}　{_label('grade')}：{inc.get('grade') or '未定级'}　"
            f"{_label('recorder')}：{inc.get('recorder') or ''}",
            f"地点：{place or '（未填）'}",
            f"来电：{caller or '（未留名）'}　{inc.get('caller_phone') or ''}",
            f"伤亡：{casualties or '暂无'}　"
            f"{_label('notified')}：{inc.get('notified') or '（无）'}",
            f"{_label('description')}：{inc.get('description') or '（未填）'}",
        ]
        return "\n".join(lines)

    def _set_status_buttons(self, statuses: Any) -> None:
        for button in self.status_buttons.values():
            self.status_box.removeWidget(button)
            button.deleteLater()
        self.status_buttons = {}
        for status in statuses:
            button = QPushButton(status, self)
            button.setEnabled(self._service is not None and not self._busy)
            button.clicked.connect(lambda _=False, s=status: self.change_status(s))
            self.status_box.addWidget(button)
            self.status_buttons[status] = button

    def _update_countdown(self) -> None:
        if self.incident is None or self._reporting is None:
            self.countdown.clear()
            self.duties.clear()
            return
        now = self._clock()
        due = self._reporting.next_due
        self.countdown.setText(status_text(self._reporting, now))
        self.duties.setText(duties_text(self._reporting, now))
        overdue = due is not None and due.alert(now) == OVERDUE
        self.countdown.setProperty("overdue", overdue)
        self.countdown.style().unpolish(self.countdown)
        self.countdown.style().polish(self.countdown)

    # -- actions ---------------------------------------------------------------------------
    def change_status(self, status: str) -> bool:
        """Start the status change; False when refused before writing (reason missing...).
        :attr:`action_finished` tells whether it was saved."""
        if self.incident is None or self._service is None or self._busy:
            return False
        current = self.incident["status"]
        reason = self.reason.text().strip()
        problem = workflow.check_transition(current, status, reason)
        if problem:
            self._error(self.status_error, problem)
            self.reason.setFocus()
            return False
        service, incident_id, user, now = (
            self._service,
            self.incident["id"],
            self._officer(),
            self._clock(),
        )
        self._write(
            lambda: service.set_status(incident_id, status, user=user, reason=reason, now=now),
            self.status_error,
            self.reason.clear,
        )
        return True

    def _teams_text(self, inc: dict[str, Any], dispatches: tuple[dict[str, Any], ...]) -> str:
        text = dispatch_text(dispatches) or "未调派队伍"
        old = (inc.get("teams_assigned") or "").strip()
        return f"{text}\n{OLD_TEAMS}（只读）：{old}" if old else text

    def open_dispatch(self) -> DispatchDialog | None:
        """调派队伍…: the dialog that sends teams and brings them back (window-modal); the
        incident re-reads when it writes."""
        if self.incident is None or self.team_service is None or self._busy:
            return None
        if self.dispatch_dialog is not None:
            self.dispatch_dialog.close()
        dialog = DispatchDialog(
            self.team_service, dict(self.incident), self._officer, self._clock, self._tasks, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        incident_id = self.incident_id()
        dialog.written.connect(lambda _said: self.show_incident(incident_id))
        dialog.destroyed.connect(lambda: setattr(self, "dispatch_dialog", None))
        self.dispatch_dialog = dialog
        dialog.open()
        return dialog

    def accept_grade(self) -> bool:
        """按此改定等级: the grade the numbers imply, written with a 定级 line in the log."""
        finding = self.grade_hint.finding
        if self.incident is None or self._service is None or self._busy or finding is None:
            return False
        service, incident, user, now = (
            self._service,
            dict(self.incident),
            self._officer(),
            self._clock(),
        )
        body = (
            f"按定级标准改定等级：{incident.get('grade') or '未定级'} → {finding.grade}（"
            + "；".join(r.text() for r in finding.reasons)
            + "）"
        )

        self._write(
            lambda: service.regrade(
                incident["id"], finding.grade, incident, body[:2000], user=user, now=now
            ),
            self.action_error,
            lambda: None,
        )
        return True

    def edit_figures(self) -> CasualtyDialog | None:
        """修改伤亡…: the figures in a small dialog (window-modal, so the incident shown
        cannot change under it); 保存 writes them (:meth:`save_figures`)."""
        if self.incident is None or self._service is None or self._busy:
            return None
        dialog = CasualtyDialog(self.incident, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda fields: self.save_figures(dialog, fields))
        self.action_finished.connect(dialog.write_finished)
        self.figures_dialog = dialog
        dialog.destroyed.connect(lambda: setattr(self, "figures_dialog", None))
        dialog.open()
        return dialog

    def save_figures(self, dialog: CasualtyDialog, fields: dict[str, Any]) -> bool:
        """Write the changed figures with the values the dialog was opened on as ``before``
        (a change made meanwhile elsewhere is a conflict); the service logs 伤亡变化 (the
        clock of a 补报) and a 备注 when a grading threshold is crossed. The re-read that
        follows offers the grade the new figures imply."""
        if self._service is None or self._busy or not fields:
            dialog.write_finished(False)
            return False
        service, before, user, now = self._service, dialog.incident, self._officer(), self._clock()
        self._write(
            lambda: service.update(before["id"], fields, before, user=user, now=now),
            dialog.error,
            dialog.accept,
        )
        return True

    def save_sub_hazard(self) -> bool:
        if self.incident is None or self._service is None or self._busy:
            return False
        value = self.sub_hazard.currentText() if self.sub_hazard.currentIndex() > 0 else ""
        if value == (self.incident.get("sub_hazard") or ""):
            return False
        service, incident, user = self._service, dict(self.incident), self._officer()
        self._write(
            lambda: service.update(incident["id"], {"sub_hazard": value}, incident, user=user),
            self.action_error,
            lambda: None,
        )
        return True

    def add_entry(self) -> bool:
        if self.incident is None or self._service is None or self._busy:
            return False
        body = self.entry.text().strip()
        if not body:
            self._error(self.action_error, "请填写记录内容")
            return False
        service, incident_id, kind = (
            self._service,
            self.incident["id"],
            self.entry_kind.currentText(),
        )
        user, now = self._officer(), self._clock()

        def saved() -> None:
            self.entry.clear()
            self.action_error.hide()

        self._write(
            lambda: service.log(incident_id, kind, body, user=user, now=now),
            self.action_error,
            saved,
        )
        return True

    def _write(self, write: Callable[[], object], error: QLabel, saved: Callable[[], None]) -> None:
        """Run one write in the background; the input stays until it has returned."""
        self._busy = True
        self._enable()
        incident_id = self.incident["id"] if self.incident else ""

        def done(_result: object) -> None:
            self._busy = False
            error.hide()
            saved()
            self.show_incident(incident_id)
            self.action_finished.emit(True)

        def failed(exc: BaseException) -> None:
            self._busy = False
            self._enable()
            if isinstance(exc, WRITE_REFUSED):
                self._error(error, f"未能保存：{exc}")
            else:  # a bug: logged and reported like any uncaught error; the input stays
                self._error(error, "未能保存：程序错误")
                sys.excepthook(type(exc), exc, exc.__traceback__)
            self.action_finished.emit(False)

        run_task(self._tasks, write, on_done=done, on_error=failed, receiver=self)

    def _error(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()

    def _request_report(self) -> None:
        if self.incident is not None:
            self.report_requested.emit(self.incident["id"])


def _status_order(status: str) -> int:
    order = (workflow.RECEIVED, workflow.VERIFYING, workflow.HANDLING, workflow.CLOSED)
    return order.index(status) if status in order else len(order)
