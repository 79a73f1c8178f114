"""排班 tab of 队伍与值班 (issue #14): the month's duty roster.

A month calendar (weeks by weekdays): each day shows its 带班 and 值班 names, holidays are
named, today is shaded, a shift breaking a rule is red with the reasons as its tooltip and
listed under the calendar. Keyboard first: arrows pick a day, Enter plans it (names typed
with pinyin initials), PageUp / PageDown change the month. A month is filled from a rotation,
swaps are asked for and approved here, and the month goes to and comes from the Excel sheet
posted on the wall.

Reads and writes run on the task runner through :class:`RosterService`; the roster, the
shift pattern and the holidays are the duty leader's (grey for an officer signed in to a
server); any officer may ask for a swap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import roster
from console.domain.fields import MutationRejected
from console.domain.roles import allowed
from console.domain.roster import Assignment, Violation
from console.domain.rows import MutationCall
from console.domain.shifts import parse_key
from console.models.roster_month_model import DayRole, RosterMonthTableModel
from console.services.roster import TABLES, MonthView, PersonChoice, RosterService, SwapView
from console.services.roster_xlsx import ImportPreview, export_month, read_month
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import PageContext, signed_in_role
from console.views.pages.roster_dialogs import (
    CrewDialog,
    FillDialog,
    HolidayDialog,
    ImportDialog,
    SettingsDialog,
    SwapRequestDialog,
    SwapsDialog,
)


class RosterPanel(QWidget):
    refreshed = Signal()  # a month landed in the calendar
    written = Signal(str)  # "" saved, else the Chinese refusal
    sample_present = Signal(bool)

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        writer = context.incidents.writer if context.incidents is not None else None
        self.service = RosterService(context.queries.store, writer)
        today = context.clock().date()
        self.year, self.month = today.year, today.month
        self.view: MonthView | None = None
        self.people: list[PersonChoice] = []
        self.dialog: Any = None  # the open dialog (tests reach it)
        self._seq = 0
        colors = context.theme.colors()

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.prev_button = QPushButton("◀", self)
        self.prev_button.setToolTip("上个月（PageUp）")
        self.title = QLabel(self)
        self.title.setObjectName("SectionTitle")
        self.next_button = QPushButton("▶", self)
        self.next_button.setToolTip("下个月（PageDown）")
        self.today_button = QPushButton("本月", self)
        for w in (self.prev_button, self.title, self.next_button, self.today_button):
            bar.addWidget(w)
        bar.addSpacing(16)
        self.plan_button = QPushButton("排班…", self)
        self.plan_button.setObjectName("PrimaryButton")
        self.plan_button.setToolTip("为选中的日期安排带班领导和值班员（Enter）")
        self.fill_button = QPushButton("按轮换排满…", self)
        self.swap_button = QPushButton("申请换班…", self)
        self.approve_button = QPushButton("换班审批", self)
        self.holiday_button = QPushButton("节假日…", self)
        self.settings_button = QPushButton("班制设置…", self)
        self.export_button = QPushButton("导出 Excel…", self)
        self.import_button = QPushButton("导入 Excel…", self)
        for b in (
            self.plan_button,
            self.fill_button,
            self.swap_button,
            self.approve_button,
            self.holiday_button,
            self.settings_button,
        ):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        bar.addWidget(self.import_button)
        box.addLayout(bar)

        self.pattern = QLabel(self)
        self.pattern.setObjectName("Muted")
        box.addWidget(self.pattern)

        self.model = RosterMonthTableModel(colors.danger, colors.accent, self)
        self.calendar = QTableView(self)
        self.calendar.setObjectName("RosterCalendar")
        self.calendar.setModel(self.model)
        self.calendar.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.calendar.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.calendar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calendar.setWordWrap(True)
        self.calendar.verticalHeader().setVisible(False)
        self.calendar.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calendar.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calendar.setAccessibleName("排班月历")
        self.calendar.installEventFilter(self)
        self.calendar.doubleClicked.connect(lambda _i: self.ask_plan())
        self.calendar.verticalHeader().setMinimumSectionSize(58)
        box.addWidget(self.calendar, 1)
        # The violations beside their title, two lines high (scrolls): the calendar keeps
        # room for three lines a day on a 1280x800 screen.
        row = QHBoxLayout()
        self.violation_title = QLabel(self)
        self.violation_title.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.violation_title)
        self.violations = QListWidget(self)
        self.violations.setAccessibleName("排班规则冲突")
        self.violations.setMaximumHeight(52)
        self.violations.itemActivated.connect(self._go_to_violation)
        row.addWidget(self.violations, 1)
        box.addLayout(row)
        self.said = QLabel(self)
        self.said.setWordWrap(True)
        box.addWidget(self.said)

        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(self.show_today)
        self.plan_button.clicked.connect(self.ask_plan)
        self.fill_button.clicked.connect(self.ask_fill)
        self.swap_button.clicked.connect(self.ask_swap)
        self.approve_button.clicked.connect(self.ask_approve)
        self.holiday_button.clicked.connect(self.ask_holiday)
        self.settings_button.clicked.connect(self.ask_settings)
        self.export_button.clicked.connect(self.ask_export)
        self.import_button.clicked.connect(self.ask_import)
        context.bus.changed.connect(self._on_changes)
        self._update_buttons()
        self.refresh(people=True)

    # -- permissions ----------------------------------------------------------------------
    def _may(self, mutation: str) -> bool:
        role = signed_in_role(self.context)
        return self.service._writer is not None and (role is None or allowed(role, mutation))

    def _update_buttons(self) -> None:
        plan = self._may("roster_entry.upsert")
        for b in (self.plan_button, self.fill_button, self.import_button):
            b.setEnabled(plan)
        self.holiday_button.setEnabled(self._may("holiday.upsert"))
        self.settings_button.setEnabled(self._may("roster_setting.upsert"))
        self.swap_button.setEnabled(self._may("roster_swap.request"))
        if not plan:
            self.plan_button.setToolTip("排班由带班领导安排；值班员可申请换班")

    def _user(self) -> str:
        return self.context.session.officer

    # -- reading --------------------------------------------------------------------------
    def refresh(self, people: bool = False) -> None:
        self._seq += 1
        seq, year, month, service = self._seq, self.year, self.month, self.service

        def read() -> tuple[int, MonthView, list[PersonChoice] | None]:
            return seq, service.month(year, month), service.people() if people else None

        run_task(self.context.tasks, read, on_done=self._land, receiver=self)

    def _land(self, read: tuple[int, MonthView, list[PersonChoice] | None]) -> None:
        seq, view, people = read
        if people is not None:
            self.people = people
        if seq != self._seq:
            return
        selected = self.selected_day()
        self.view = view
        today = self.context.clock().date()
        self.model.set_month(view, today)
        self.title.setText(f"{view.year}年{view.month}月")
        rules = view.rules
        self.pattern.setText(
            f"班制：每天 {rules.pattern.start:%H:%M} 交班，每班 {rules.pattern.hours} 小时；"
            f"两班之间至少休息 {rules.min_rest_hours} 小时"
            + ("" if view.settings_saved else "（默认，未设置）")
            + "。每班 1 名带班领导、1–2 名值班员。违反规则的班次标红，仍可保存。"
        )
        self.approve_button.setText(
            f"换班审批（{view.pending_swaps}）" if view.pending_swaps else "换班审批"
        )
        self._show_violations(view.violations)
        if selected is None or (selected.year, selected.month) != (view.year, view.month):
            first, _ = roster.month_bounds(view.year, view.month)
            selected = today if (today.year, today.month) == (view.year, view.month) else first
        self.select_day(selected)
        self.sample_present.emit(view.sample)
        self.refreshed.emit()

    def _show_violations(self, found: Sequence[Violation]) -> None:
        self.violations.clear()
        self.violation_title.setText(
            f"规则冲突 {len(found)} 处（双击定位）" if found else "规则检查：本月排班无冲突"
        )
        self.violations.setVisible(bool(found))
        for v in sorted(found, key=lambda v: v.shift_key):
            item = QListWidgetItem(f"[{v.kind}] {v.message}", self.violations)
            item.setData(Qt.ItemDataRole.UserRole, v.shift_key)

    def _go_to_violation(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        self.select_day(roster.key_day(str(key)))
        self.calendar.setFocus()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh(people=changes.touches("people"))

    # -- navigation -----------------------------------------------------------------------
    def show_month(self, year: int, month: int) -> None:
        self.year, self.month = year, month
        self.refresh()

    def step(self, months: int) -> None:
        index = self.year * 12 + self.month - 1 + months
        self.show_month(index // 12, index % 12 + 1)

    def show_today(self) -> None:
        today = self.context.clock().date()
        self.show_month(today.year, today.month)

    def selected_day(self) -> date | None:
        index = self.calendar.currentIndex()
        day = index.data(DayRole) if index.isValid() else None
        return day if isinstance(day, date) else None

    def select_day(self, day: date) -> None:
        index = self.model.index_of(day)
        if index.isValid():
            self.calendar.setCurrentIndex(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        keyed = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
        if watched is self.calendar and keyed:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
                self.ask_plan()
                return True
            if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                self.step(-1 if key == Qt.Key.Key_PageUp else 1)
                return True
        return super().eventFilter(watched, event)

    # -- writing --------------------------------------------------------------------------
    def _say(self, text: str, error: bool = False) -> None:
        self.said.setObjectName("ErrorText" if error else "OkText")
        self.said.setText(text)
        self.said.style().unpolish(self.said)
        self.said.style().polish(self.said)

    def _write(self, work: Callable[[], object], done_text: str) -> None:
        def landed(_result: object) -> None:
            self._say(done_text)
            self.written.emit("")

        def failed(error: BaseException) -> None:
            text = error.message if isinstance(error, MutationRejected) else f"操作失败：{error}"
            self._say(text, error=True)
            self.written.emit(text)

        run_task(self.context.tasks, work, on_done=landed, on_error=failed, receiver=self)

    def ask_plan(self) -> None:
        day, view = self.selected_day(), self.view
        if day is None or view is None or not self._may("roster_entry.upsert"):
            return
        dialog = CrewDialog(view, day, self.people, self)
        dialog.accepted.connect(lambda: self.plan(dialog.shift_key(), *dialog.chosen()))
        self.dialog = dialog
        dialog.open()
        dialog.leader.setFocus()

    def plan(
        self, shift_key: str, leader: PersonChoice | None, officers: Sequence[PersonChoice]
    ) -> None:
        view, user, service = self.view, self._user(), self.service
        if view is None:
            return
        label = roster.shift_label(parse_key(shift_key, view.rules.pattern))
        self._write(
            lambda: service.set_crew(view, shift_key, leader, officers, user), f"已保存{label}排班"
        )

    def _recent_crew(self, role: str) -> list[PersonChoice]:
        """The people of ``role`` in this month's plan, in order of their first shift."""
        if self.view is None:
            return []
        by_id = {p.id: p for p in self.people}
        ids = dict.fromkeys(
            a.person_id
            for a in sorted(self.view.plan, key=lambda a: (a.shift_key, a.slot))
            if a.role == role
        )
        return [by_id[i] for i in ids if i in by_id]

    def ask_fill(self) -> None:
        view = self.view
        if view is None or not self._may("roster_entry.upsert"):
            return
        dialog = FillDialog(
            view,
            self.people,
            self._recent_crew(roster.LEADER),
            self._recent_crew(roster.OFFICER),
            self,
        )

        def fill() -> None:
            leaders, officers = dialog.values()
            calls = self.service.fill_calls(
                view,
                leaders,
                officers,
                per_shift=dialog.per_shift.value(),
                start=dialog.start.value(),
                overwrite=dialog.overwrite.isChecked(),
            )
            self.apply_calls(calls, f"已按轮换排班（{len(calls)} 处变更）")

        dialog.accepted.connect(fill)
        self.dialog = dialog
        dialog.open()

    def apply_calls(self, calls: list[MutationCall], done_text: str) -> None:
        service, user = self.service, self._user()
        self._write(lambda: service.apply_calls(calls, user), done_text)

    def _day_plan(self, day: date) -> list[Assignment]:
        view = self.view
        if view is None or (day.year, day.month) != (view.year, view.month):
            view = self.service.month(day.year, day.month)  # a small read of another month
        return [a for s in view.day_shifts(day) for a in view.crew(s.key)]

    def ask_swap(self) -> None:
        day, view = self.selected_day(), self.view
        if day is None or view is None:
            return
        dialog = SwapRequestDialog(view, day, self._day_plan, self)

        def send() -> None:
            chosen = dialog.values()
            if chosen is not None:
                self.request_swap(*chosen)

        dialog.accepted.connect(send)
        self.dialog = dialog
        dialog.open()

    def request_swap(self, mine: Assignment, other: Assignment, reason: str) -> None:
        service, user, now = self.service, self._user(), self.context.clock()
        self._write(
            lambda: service.request_swap(mine.id, other.id, reason, user, now),
            "已提交换班申请，待带班领导审批",
        )

    def ask_approve(self) -> None:
        service = self.service

        def read() -> tuple[list[SwapView], dict[str, list[Violation]]]:
            swaps = service.swaps()
            pending = [s for s in swaps if s.status == roster.SWAP_PENDING]
            return swaps, {s.id: service.swap_effect(s) for s in pending}

        def show(found: tuple[list[SwapView], dict[str, list[Violation]]]) -> None:
            swaps, effects = found
            if not swaps:
                self._say("没有换班申请")
                return
            dialog = SwapsDialog(swaps, effects, self._may("roster_swap.approve"), self)
            dialog.decided.connect(self.decide)
            self.dialog = dialog
            dialog.open()

        run_task(self.context.tasks, read, on_done=show, receiver=self)

    def decide(self, swap_id: str, approve: bool, note: str) -> None:
        service, user, now = self.service, self._user(), self.context.clock()
        self._write(
            lambda: service.decide_swap(swap_id, approve, user, note, now),
            "已批准换班，排班已互换" if approve else "已拒绝换班申请",
        )

    def ask_holiday(self) -> None:
        day, view = self.selected_day(), self.view
        if day is None or view is None:
            return
        dialog = HolidayDialog(day, view.holidays.get(day), self)

        def save() -> None:
            name, legal = dialog.name.text().strip(), dialog.legal.isChecked()
            service, user = self.service, self._user()
            if name:
                self._write(lambda: service.set_holiday(day, name, legal, user), f"已标记{name}")
            elif day in view.holidays:
                self._write(lambda: service.remove_holiday(day, user), "已取消节假日")

        dialog.accepted.connect(save)
        self.dialog = dialog
        dialog.open()

    def ask_settings(self) -> None:
        view = self.view
        if view is None:
            return
        rules = view.rules
        dialog = SettingsDialog(
            f"{rules.pattern.start:%H:%M}", rules.pattern.hours, rules.min_rest_hours, self
        )

        def save() -> None:
            start, hours, rest = dialog.values()
            service, user = self.service, self._user()
            self._write(lambda: service.save_settings(start, hours, rest, user), "已保存班制")

        dialog.accepted.connect(save)
        self.dialog = dialog
        dialog.open()

    # -- Excel ----------------------------------------------------------------------------
    def ask_export(self) -> None:
        view = self.view
        if view is None:
            return
        name = f"值班表-{view.year}年{view.month}月.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, "导出值班表", str(Path.home() / name), "Excel 工作簿 (*.xlsx)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        view, people = self.view, self.people
        if view is None:
            return
        self._write(lambda: export_month(view, people, path), f"已导出：{path}")

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "导入值班表", str(Path.home()), "Excel 工作簿 (*.xlsx)"
        )
        if path:
            self.preview_import(Path(path))

    def preview_import(self, path: Path) -> None:
        service = self.service

        def show(preview: ImportPreview) -> None:
            dialog = ImportDialog(preview, self)
            done = f"已导入 {preview.year}年{preview.month}月排班"
            dialog.accepted.connect(lambda: self.apply_calls(preview.calls, done))
            self.dialog = dialog
            dialog.open()

        run_task(self.context.tasks, read_month, path, service, on_done=show, receiver=self)
