"""调派队伍: the dialog that sends teams to an incident and brings them back.

Opened from the incident detail and from the map's incident card. It lists the incident's
dispatches (出动中 with a 返回 button, then those back) and every team as a suggestion, best
first (on standby, of a kind suited to the incident, nearest: console.domain.teams.suggest),
each with a box to tick. 调派 writes one dispatch per ticked team in one transaction
(TeamService.dispatch); 返回 writes the return with 待命 or 休整. Reads and writes run on
the task runner; a refusal is shown in the dialog and the ticks stay.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog
from console.domain.schema import ENTITY_FIELDS
from console.domain.teams import Suggestion
from console.services.teams import TeamService
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import TaskRunner, run_task

SUGGESTION_COLUMNS = ("调派", "队伍", "类型", "状态", "距离", "人数", "建议理由")
DISPATCH_COLUMNS = ("队伍", "出动时间", "返回", "")
_NOTE = ENTITY_FIELDS["incident_dispatches"]["note"]


class DispatchDialog(QDialog):
    written = Signal(str)  # "" saved, else the refusal (tests and the caller listen)
    loaded = Signal()

    def __init__(
        self,
        service: TeamService,
        incident: dict[str, Any],
        officer: Callable[[], str],
        clock: Callable[[], datetime] = beijing.now,
        tasks: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DispatchDialog")
        self.service = service
        self.incident = incident
        self._officer = officer
        self._clock = clock
        self._tasks = tasks
        self._busy = False
        self.suggestions: list[Suggestion] = []
        self.dispatches: list[dict[str, Any]] = []
        self.setWindowTitle("调派队伍")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        title = QLabel(f"调派队伍：{incident.get('title') or ''}", self)
        title.setObjectName("PageTitle")
        title.setWordWrap(True)
        layout.addWidget(title)

        self.out_title = QLabel("已调派", self)
        self.out_title.setObjectName("Muted")
        layout.addWidget(self.out_title)
        self.out_table = self._table(DISPATCH_COLUMNS)
        # The team's name takes the room, not the 返回 button.
        self.out_table.horizontalHeader().setStretchLastSection(False)
        self.out_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.out_table)
        back_row = QHBoxLayout()
        back_row.addWidget(QLabel("返回后转为", self))
        self.return_status = QComboBox(self)
        self.return_status.addItems(list(catalog.TEAM_RETURN_STATUSES))
        back_row.addWidget(self.return_status)
        back_row.addStretch(1)
        layout.addLayout(back_row)

        hint = QLabel("建议队伍（待命优先，其次类型对口、距离近）：勾选后点“调派”", self)
        hint.setObjectName("Muted")
        layout.addWidget(hint)
        self.table = self._table(SUGGESTION_COLUMNS)
        self.table.itemChanged.connect(lambda _item: self._update_button())
        layout.addWidget(self.table, 1)

        note_row = QHBoxLayout()
        note_row.addWidget(QLabel(_NOTE.label, self))
        self.note = QLineEdit(self)
        self.note.setMaxLength(_NOTE.max_len or 200)
        self.note.setPlaceholderText("任务、集结地点、携带装备（可不填）")
        note_row.addWidget(self.note, 1)
        layout.addLayout(note_row)
        self.message = QLabel(self)
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setObjectName("Muted")
        buttons.addWidget(self.status, 1)
        self.close_button = QPushButton("关闭", self)
        self.close_button.clicked.connect(self.accept)
        self.dispatch_button = QPushButton("调派", self)
        self.dispatch_button.setObjectName("PrimaryButton")
        self.dispatch_button.clicked.connect(self.dispatch_checked)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.dispatch_button)
        layout.addLayout(buttons)
        self.resize(860, 620)
        self.refresh()

    def _table(self, headers: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(list(headers))
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return table

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        service, incident = self.service, self.incident

        def read() -> tuple[list[dict[str, Any]], list[Suggestion]]:
            return service.dispatches(incident["id"]), service.suggestions(incident)

        run_task(self._tasks, read, on_done=self._land, receiver=self)

    def _land(self, read: tuple[list[dict[str, Any]], list[Suggestion]]) -> None:
        self.dispatches, suggestions = read
        checked = set(self.checked_team_ids())
        out = {d["team_id"] for d in self.dispatches if d["returned_at"] is None}
        # A team already out on this incident is not offered again until it returns.
        self.suggestions = [s for s in suggestions if s.team["id"] not in out]
        self._fill_dispatches()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.suggestions))
        for row, s in enumerate(self.suggestions):
            box = QTableWidgetItem()
            box.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            on = s.team["id"] in checked
            box.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            box.setData(Qt.ItemDataRole.UserRole, s.team["id"])
            self.table.setItem(row, 0, box)
            km = f"{s.distance_km:.1f} 公里" if s.distance_km is not None else "—"
            cells = (
                s.team["name"],
                s.team["kind"],
                s.team.get("status") or catalog.TEAM_STANDBY,
                km,
                str(s.team.get("members") or 0),
                s.reason(),
            )
            for column, value in enumerate(cells, start=1):
                item = QTableWidgetItem(value)
                if not s.standby:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self._update_button()
        self.loaded.emit()

    def _fill_dispatches(self) -> None:
        table = self.out_table
        table.setRowCount(len(self.dispatches))
        for row, d in enumerate(self.dispatches):
            back = d["returned_at"]
            cells = (
                d["team_name"],
                beijing.display(d["dispatched_at"]),
                f"{beijing.display(back)} 返回" if back else "出动中",
            )
            for column, value in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(value))
            if back is None:
                button = QPushButton("返回", table)
                button.setObjectName(f"return-{d['team_name']}")
                button.clicked.connect(lambda _=False, i=d["id"]: self.bring_back(i))
                button.setEnabled(not self._busy)
                table.setCellWidget(row, 3, button)
            else:
                table.removeCellWidget(row, 3)
                table.setItem(row, 3, QTableWidgetItem(""))
        shown = max(1, len(self.dispatches))
        height = table.horizontalHeader().sizeHint().height()
        table.setFixedHeight(
            height + min(shown, 5) * table.verticalHeader().defaultSectionSize() + 4
        )
        out = sum(1 for d in self.dispatches if d["returned_at"] is None)
        self.out_title.setText(
            f"已调派（出动中 {out} 支，共 {len(self.dispatches)} 支）"
            if self.dispatches
            else "已调派：无"
        )

    # -- choosing --------------------------------------------------------------------------
    def checked_team_ids(self) -> list[str]:
        ids = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                ids.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def check_team(self, name: str, on: bool = True) -> bool:
        for row, s in enumerate(self.suggestions):
            if s.team["name"] == name:
                item = self.table.item(row, 0)
                assert item is not None
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                return True
        return False

    def _update_button(self) -> None:
        count = len(self.checked_team_ids())
        self.dispatch_button.setText(f"调派 {count} 支" if count else "调派")
        self.dispatch_button.setEnabled(count > 0 and not self._busy)

    # -- writing ---------------------------------------------------------------------------
    def dispatch_checked(self) -> bool:
        team_ids = self.checked_team_ids()
        if not team_ids or self._busy:
            return False
        service, incident_id, user, now, note = (
            self.service,
            self.incident["id"],
            self._officer(),
            self._clock(),
            self.note.text().strip(),
        )

        def saved() -> None:
            self.note.clear()
            self.status.setText(f"已调派 {len(team_ids)} 支队伍")

        self._write(
            lambda: service.dispatch(incident_id, team_ids, user=user, at=now, note=note), saved
        )
        return True

    def bring_back(self, dispatch_id: str) -> bool:
        if self._busy:
            return False
        service, user, now = self.service, self._officer(), self._clock()
        status = self.return_status.currentText()
        name = next((d["team_name"] for d in self.dispatches if d["id"] == dispatch_id), "")
        self._write(
            lambda: service.bring_back(dispatch_id, user=user, status=status, at=now),
            lambda: self.status.setText(f"“{name}”已返回，转为{status}"),
        )
        return True

    def _write(self, write: Callable[[], object], saved: Callable[[], None]) -> None:
        self._busy = True
        self.dispatch_button.setEnabled(False)
        for button in self.out_table.findChildren(QPushButton):
            button.setEnabled(False)

        def done(_result: object) -> None:
            self._busy = False
            self.message.hide()
            # Unticked first: what was sent is listed above now, not offered again.
            for row in range(self.table.rowCount()):
                item = self.table.item(row, 0)
                if item is not None:
                    item.setCheckState(Qt.CheckState.Unchecked)
            saved()
            self.refresh()
            self.written.emit("")

        def failed(exc: BaseException) -> None:
            self._busy = False
            if not isinstance(exc, WRITE_REFUSED):
                sys.excepthook(type(exc), exc, exc.__traceback__)
            text = f"未能保存：{getattr(exc, 'message', exc)}"
            self.message.setText(text)
            self.message.show()
            self._fill_dispatches()
            self._update_button()
            self.written.emit(text)

        run_task(self._tasks, write, on_done=done, on_error=failed, receiver=self)
