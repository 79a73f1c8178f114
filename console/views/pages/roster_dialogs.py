"""The 排班 tab's dialogs: a shift's crew (names typed with pinyin-initial search), filling
a month from a rotation, a swap request, the swap approvals, the shift pattern, a holiday
and the Excel import preview.

A dialog that would save a plan breaking a rule says which rules before saving, and its
save button then reads 仍然保存: a violating plan is allowed, never silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from console.domain import roster
from console.domain.roster import Assignment, Violation
from console.services.roster import MonthView, PersonChoice, SwapView, match_people
from console.services.roster_xlsx import ImportPreview


class PersonField(QLineEdit):
    """A name typed with suggestions: 钱某某, or its pinyin initials (qmm), or full pinyin.
    Enter takes the top suggestion (then the next field); Down goes to the suggestion list.
    ``person()`` is the chosen person (None while the text names nobody for certain)."""

    suggest = Signal(object)  # this field, as its text changes or it gains focus
    to_list = Signal()

    def __init__(self, people: Sequence[PersonChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._people = list(people)
        self._by_label = {p.label: p for p in people}
        self.setPlaceholderText("姓名或拼音首字母")
        self.textEdited.connect(lambda _t: self.suggest.emit(self))

    def matches(self, limit: int = 12) -> list[PersonChoice]:
        return match_people(self._people, self.text(), limit)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.suggest.emit(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Down:
            self.to_list.emit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            text = self.text().strip()
            found = self.matches(1)
            if text and text not in self._by_label and found:
                self.set_person(found[0])
                self.focusNextChild()
                return
        super().keyPressEvent(event)

    def set_person(self, person: PersonChoice | None) -> None:
        self.setText(person.label if person else "")

    def person(self) -> PersonChoice | None:
        text = self.text().strip()
        if text in self._by_label:
            return self._by_label[text]
        found = match_people(self._people, text, limit=2)
        return found[0] if len(found) == 1 and text else None

    def problem(self) -> str:
        if self.text().strip() and self.person() is None:
            return f"“{self.text().strip()}”不是唯一的人员，请从列表中选择"
        return ""


_BUTTON_TEXT = {
    QDialogButtonBox.StandardButton.Ok: "确定",
    QDialogButtonBox.StandardButton.Save: "保存",
    QDialogButtonBox.StandardButton.Cancel: "取消",
    QDialogButtonBox.StandardButton.Close: "关闭",
}


SAVE_CANCEL = QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
OK_CANCEL = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel


def _buttons(which: QDialogButtonBox.StandardButton, parent: QWidget) -> QDialogButtonBox:
    """A button box in Chinese whatever translations the machine has."""
    box = QDialogButtonBox(which, parent)
    for kind, text in _BUTTON_TEXT.items():
        button = box.button(kind)
        if button is not None:
            button.setText(text)
    return box


def _finish(dialog: QDialog, form: QFormLayout, ok_text: str, on_ok: Callable[[], None]) -> QLabel:
    """The last rows of a form dialog: where its problem is said, then OK (``ok_text``,
    calling ``on_ok``, which accepts when all is well) and 取消. Returns the problem label."""
    problem = QLabel(dialog)
    problem.setObjectName("ErrorText")
    problem.setWordWrap(True)
    form.addRow(problem)
    buttons = _buttons(OK_CANCEL, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    return problem


def _violation_text(found: Sequence[Violation]) -> str:
    return "保存后将违反排班规则：\n" + "\n".join(f"⚠ {v.message}" for v in found[:8])


class CrewDialog(QDialog):
    """排班: a shift's 带班领导 and 1-2 值班员. Enter in the last field saves."""

    def __init__(
        self,
        view: MonthView,
        day: date,
        people: Sequence[PersonChoice],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.setWindowTitle(f"排班 · {day.month}月{day.day}日")
        self._by_id = {p.id: p for p in people}
        form = QFormLayout(self)
        self.shift = QComboBox(self)
        for shift in view.day_shifts(day):
            self.shift.addItem(f"{shift.start:%m-%d %H:%M} 至 {shift.end:%m-%d %H:%M}", shift.key)
        form.addRow("班次", self.shift)
        self.leader = PersonField(people, self)
        self.officers = [PersonField(people, self), PersonField(people, self)]
        form.addRow("带班领导", self.leader)
        form.addRow("值班员", self.officers[0])
        form.addRow("值班员（第二人，可空）", self.officers[1])
        self.suggestions = QListWidget(self)
        self.suggestions.setAccessibleName("人员候选")
        self.suggestions.setMaximumHeight(120)
        self.suggestions.itemActivated.connect(self._pick)
        self.suggestions.itemClicked.connect(self._pick)
        form.addRow("候选", self.suggestions)
        self._field: PersonField = self.leader
        self.warning = QLabel(self)
        self.warning.setObjectName("ErrorText")
        self.warning.setWordWrap(True)
        form.addRow(self.warning)
        self.buttons = _buttons(SAVE_CANCEL, self)
        self.save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save.setText("保存")
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self._accept)
        form.addRow(self.buttons)
        self.shift.currentIndexChanged.connect(self._load)
        for field in (self.leader, *self.officers):
            field.textChanged.connect(self._judge)
            field.suggest.connect(self._suggest)
            field.to_list.connect(self._to_list)
        self._load()

    def _suggest(self, field: PersonField) -> None:
        self._field = field
        self.suggestions.clear()
        for person in field.matches():
            item = QListWidgetItem(person.label, self.suggestions)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
        if self.suggestions.count():
            self.suggestions.setCurrentRow(0)

    def _to_list(self) -> None:
        if self.suggestions.count():
            self.suggestions.setFocus()

    def _pick(self, item: QListWidgetItem) -> None:
        self._field.setText(item.text())
        self._field.setFocus()
        self._field.focusNextChild()

    def shift_key(self) -> str:
        return str(self.shift.currentData())

    def _load(self) -> None:
        crew = sorted(self.view.crew(self.shift_key()), key=lambda a: a.slot)
        leader = next((a for a in crew if a.role == roster.LEADER), None)
        self.leader.set_person(self._by_id.get(leader.person_id) if leader else None)
        officers = [a for a in crew if a.role == roster.OFFICER]
        for n, field in enumerate(self.officers):
            field.set_person(self._by_id.get(officers[n].person_id) if n < len(officers) else None)
        self._judge()

    def chosen(self) -> tuple[PersonChoice | None, list[PersonChoice]]:
        officers = [f.person() for f in self.officers]
        return self.leader.person(), [p for p in officers if p is not None]

    def added(self) -> list[Violation]:
        """The rule violations this crew would add to the month."""
        key = self.shift_key()
        leader, officers = self.chosen()
        plan = [a for a in self.view.plan if a.shift_key != key]
        if leader is not None:
            plan.append(Assignment(key, roster.LEADER, 0, leader.id, leader.name))
        plan += [Assignment(key, roster.OFFICER, n, p.id, p.name) for n, p in enumerate(officers)]
        after = roster.check(plan, self.view.shifts, self.view.rules)
        return roster.added(self.view.violations, after)

    def _judge(self) -> None:
        problems = [f.problem() for f in (self.leader, *self.officers) if f.problem()]
        if problems:
            self.warning.setText("\n".join(problems))
            self.save.setEnabled(False)
            return
        self.save.setEnabled(True)
        found = self.added()
        self.warning.setText(_violation_text(found) if found else "")
        self.save.setText("仍然保存" if found else "保存")

    def _accept(self) -> None:
        if self.save.isEnabled():
            self.accept()


class FillDialog(QDialog):
    """按轮换排班: the leaders and officers in turn, one leader and 1-2 officers a shift."""

    def __init__(
        self,
        view: MonthView,
        people: Sequence[PersonChoice],
        leaders: Sequence[PersonChoice],
        officers: Sequence[PersonChoice],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"按轮换排满 {view.year}年{view.month}月")
        self._people = list(people)
        form = QFormLayout(self)
        self.leaders = QLineEdit("、".join(p.label for p in leaders), self)
        self.leaders.setPlaceholderText("依次轮换，用“、”分隔")
        self.officers = QLineEdit("、".join(p.label for p in officers), self)
        self.officers.setPlaceholderText("依次轮换，用“、”分隔")
        self.per_shift = QSpinBox(self)
        self.per_shift.setRange(1, roster.MAX_OFFICERS)
        self.start = QSpinBox(self)
        self.start.setRange(0, 99)
        self.start.setToolTip("从名单中的第几位开始（0 为第一位）")
        self.overwrite = QCheckBox("覆盖已排的班次", self)
        form.addRow("带班领导轮换", self.leaders)
        form.addRow("值班员轮换", self.officers)
        form.addRow("每班值班员人数", self.per_shift)
        form.addRow("起始位次", self.start)
        form.addRow(self.overwrite)
        self.problem = _finish(self, form, "排班", self._accept)

    def _names(self, text: str) -> tuple[list[PersonChoice], str]:
        out: list[PersonChoice] = []
        for token in (t for t in text.replace("，", "、").split("、") if t.strip()):
            token = token.strip()
            exact = [p for p in self._people if p.label == token]
            found = exact or [p for p in self._people if p.name == token]
            if len(found) != 1:
                return [], f"“{token}”" + ("有同名，请写成 姓名（职务）" if found else "查无此人")
            out.append(found[0])
        return out, ""

    def values(self) -> tuple[list[PersonChoice], list[PersonChoice]]:
        leaders, _ = self._names(self.leaders.text())
        officers, _ = self._names(self.officers.text())
        return leaders, officers

    def _accept(self) -> None:
        problems = [self._names(t)[1] for t in (self.leaders.text(), self.officers.text())]
        problems = [p for p in problems if p]
        leaders, officers = self.values()
        if not problems and (not leaders or not officers):
            problems.append("请至少填写一位带班领导和一位值班员")
        if problems:
            self.problem.setText("\n".join(problems))
            return
        self.accept()


class SwapRequestDialog(QDialog):
    """申请换班: one of the chosen day's slots, and a slot of the same role on another day."""

    def __init__(
        self,
        view: MonthView,
        day: date,
        read_day: Callable[[date], list[Assignment]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("申请换班")
        self._read_day = read_day
        form = QFormLayout(self)
        self.mine = QComboBox(self)
        for a in sorted(
            (a for s in view.day_shifts(day) for a in view.crew(s.key)),
            key=lambda a: (a.shift_key, a.role != roster.LEADER, a.slot),
        ):
            self.mine.addItem(f"{roster.key_day(a.shift_key):%m-%d} {a.role} {a.name}", a)
        self.other_day = QDateEdit(self)
        self.other_day.setCalendarPopup(True)
        self.other_day.setDisplayFormat("yyyy-MM-dd")
        self.other_day.setDate(QDate(day.year, day.month, day.day))
        self.other = QComboBox(self)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText("如：家中有事，与对方协商一致")
        form.addRow("我的班次", self.mine)
        form.addRow("换到哪天", self.other_day)
        form.addRow("与谁互换", self.other)
        form.addRow("换班理由", self.reason)
        self.problem = _finish(self, form, "提交申请", self._accept)
        self.mine.currentIndexChanged.connect(self._load_other)
        self.other_day.dateChanged.connect(self._load_other)
        self._load_other()

    def _load_other(self) -> None:
        self.other.clear()
        mine = self.mine.currentData()
        if mine is None:
            return
        picked = self.other_day.date()
        for a in self._read_day(date(picked.year(), picked.month(), picked.day())):
            if a.role == mine.role and a.person_id != mine.person_id:
                self.other.addItem(f"{roster.key_day(a.shift_key):%m-%d} {a.role} {a.name}", a)

    def values(self) -> tuple[Assignment, Assignment, str] | None:
        mine, other = self.mine.currentData(), self.other.currentData()
        if mine is None or other is None:
            return None
        return mine, other, self.reason.text().strip()

    def _accept(self) -> None:
        chosen = self.values()
        if chosen is None:
            self.problem.setText("请选择要互换的两个班次（同一角色）")
        elif not chosen[2]:
            self.problem.setText("请填写换班理由")
        else:
            self.accept()


class SwapsDialog(QDialog):
    """换班审批: the requests with what approving each would break; 批准 / 拒绝."""

    decided = Signal(str, bool, str)  # swap id, approved, note

    def __init__(
        self,
        swaps: Sequence[SwapView],
        effects: dict[str, list[Violation]],
        may_decide: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("换班申请")
        self.resize(900, 420)
        self.swaps = list(swaps)
        box = QVBoxLayout(self)
        self.table = QTableWidget(len(swaps), 6, self)
        self.table.setHorizontalHeaderLabels(["状态", "申请人", "换出", "换入", "理由", "批准后"])
        for r, s in enumerate(swaps):
            effect = effects.get(s.id, [])
            cells = (
                s.status,
                s.requested_by,
                f"{s.a_key[:10]} {s.role} {s.a_name}",
                f"{s.b_key[:10]} {s.role} {s.b_name}",
                s.reason,
                ("⚠ " + "；".join(v.message for v in effect)) if effect else "无规则冲突",
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        box.addWidget(self.table, 1)
        self.note = QLineEdit(self)
        self.note.setMaxLength(200)
        self.note.setPlaceholderText("审批意见（可空）")
        box.addWidget(self.note)
        self.approve = QPushButton("批准", self)
        self.approve.setObjectName("PrimaryButton")
        self.refuse = QPushButton("拒绝", self)
        buttons = _buttons(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.approve, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.refuse, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.hint = QLabel("" if may_decide else "只有带班领导或管理员可以审批换班。", self)
        self.hint.setObjectName("Muted")
        box.addWidget(self.hint)
        for button, approve in ((self.approve, True), (self.refuse, False)):
            button.setEnabled(may_decide)
            button.clicked.connect(lambda _=False, a=approve: self._decide(a))
        if swaps:
            self.table.selectRow(0)

    def current(self) -> SwapView | None:
        row = self.table.currentRow()
        return self.swaps[row] if 0 <= row < len(self.swaps) else None

    def _decide(self, approve: bool) -> None:
        swap = self.current()
        if swap is None or swap.status != roster.SWAP_PENDING:
            self.hint.setText("请选择一条待批的申请")
            return
        self.decided.emit(swap.id, approve, self.note.text().strip())
        self.accept()


class SettingsDialog(QDialog):
    """班制设置: the county's shift start, length and minimum rest (the leader's)."""

    def __init__(self, start: str, hours: int, rest: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("班制设置")
        form = QFormLayout(self)
        self.start = QTimeEdit(QTime.fromString(start, "HH:mm"), self)
        self.start.setDisplayFormat("HH:mm")
        self.hours = QComboBox(self)
        for h in (24, 12, 8, 6):
            self.hours.addItem(f"{h} 小时", h)
        self.hours.setCurrentIndex(max(0, self.hours.findData(hours)))
        self.rest = QSpinBox(self)
        self.rest.setRange(0, 72)
        self.rest.setSuffix(" 小时")
        self.rest.setValue(rest)
        form.addRow("交班时间", self.start)
        form.addRow("班次时长", self.hours)
        form.addRow("两班之间最短休息", self.rest)
        note = QLabel("班制全县统一，保存后同步到所有值班台。", self)
        note.setObjectName("Muted")
        form.addRow(note)
        buttons = _buttons(SAVE_CANCEL, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, int, int]:
        return self.start.time().toString("HH:mm"), int(self.hours.currentData()), self.rest.value()


class HolidayDialog(QDialog):
    """节假日: a day's holiday name and 法定节假日 mark; an empty name removes it."""

    def __init__(
        self, day: date, current: tuple[str, bool] | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"节假日 · {day.month}月{day.day}日")
        form = QFormLayout(self)
        self.name = QLineEdit(current[0] if current else "", self)
        self.name.setMaxLength(20)
        self.name.setPlaceholderText("如：国庆节；清空则取消")
        self.legal = QCheckBox("法定节假日", self)
        self.legal.setChecked(current[1] if current else True)
        form.addRow("节日名称", self.name)
        form.addRow(self.legal)
        buttons = _buttons(SAVE_CANCEL, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ImportDialog(QDialog):
    """导入排班: the rows read and every refusal by row and cell; nothing is written while
    any row is refused."""

    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"导入排班 · {preview.year}年{preview.month}月")
        self.resize(720, 480)
        box = QVBoxLayout(self)
        changes = len(preview.calls)
        summary = f"读到 {len(preview.rows)} 个班次，需写入 {changes} 处变更。"
        if not changes and preview.ok:
            summary += "与本机排班一致，无需导入。"
        self.summary = QLabel(summary, self)
        box.addWidget(self.summary)
        self.table = QTableWidget(len(preview.rows), 3, self)
        self.table.setHorizontalHeaderLabels(["班次", "带班领导", "值班员"])
        for r, row in enumerate(preview.rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        box.addWidget(self.table, 1)
        self.refusals = QPlainTextEdit("\n".join(preview.refusals), self)
        self.refusals.setReadOnly(True)
        self.refusals.setVisible(bool(preview.refusals))
        self.refusals.setMaximumHeight(140)
        if preview.refusals:
            warn = QLabel(f"有 {len(preview.refusals)} 处问题，改正后再导入：", self)
            warn.setObjectName("ErrorText")
            box.addWidget(warn)
        box.addWidget(self.refusals)
        buttons = _buttons(OK_CANCEL, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("导入")
        self.ok.setEnabled(preview.ok and changes > 0)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
