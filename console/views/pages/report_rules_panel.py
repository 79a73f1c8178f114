"""设置 > 信息报送规则: the rule table a duty leader edits. A rule matches a category and,
optionally, a subtype, sub-hazard and grade; says which report (kind, channel) is due when
(after receipt, every period or day while open, after a casualty change, after closure);
and cites its source (法规 / 惯例 / 本县规定). Changes go through the write path and sync; the
server accepts them from duty leaders and administrators only."""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from console.domain import catalog
from console.domain import reporting as rp
from console.domain.schema import ENTITY_FIELDS
from console.models.record_table import RECORD_ROLE
from console.models.report_rule_table_model import ReportRuleTableModel, Rule
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import PageContext
from console.views.pages.rule_panel import RulePanel

ANY_GRADE = "全部等级"
ANY_SUBTYPE = "全部子类"
ANY_SUB_HAZARD = "全部亚灾种"
_RULE = ENTITY_FIELDS["report_rules"]
_BASIS = _RULE["basis"]
UNITS: dict[str, int] = {"分钟": 1, "小时": 60, "天": 24 * 60}


def scope(rule: dict[str, Any]) -> str:
    return " · ".join(p for p in (rule["subtype"], rule["sub_hazard"]) if p) or ANY_SUBTYPE


def split_minutes(minutes: int) -> tuple[int, str]:
    """2880 -> (2, '天'), 120 -> (2, '小时'), 45 -> (45, '分钟'): the editor's number and
    unit, exact."""
    for unit in ("天", "小时"):
        if minutes % UNITS[unit] == 0:
            return minutes // UNITS[unit], unit
    return minutes, "分钟"


class ReportRulesPanel(RulePanel):
    refreshed = Signal()  # the rules read on the task runner are in the table

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = ReportRuleTableModel(parent=self)
        layout = self._build_top("信息报送规则（何种事件、何时须报送何种报告）", self.model)

        form = QGridLayout()
        form.setHorizontalSpacing(8)

        def combo(items: list[str]) -> QComboBox:
            box = QComboBox(self)
            box.addItems(items)
            return box

        self.category = combo(list(catalog.EVENT_CATEGORIES))
        self.subtype = combo([ANY_SUBTYPE])
        self.sub_hazard = combo([ANY_SUB_HAZARD])
        self.grade = combo([ANY_GRADE, *catalog.GRADES])
        self.stage = combo(list(rp.REPORT_STAGES))
        self.channel = combo(list(rp.CHANNELS))
        self.schedule = combo(list(rp.SCHEDULES))
        self.minutes = QSpinBox(self)
        self.minutes.setRange(1, rp.MAX_MINUTES)
        self.minutes.setValue(60)
        self.unit = combo(list(UNITS))
        self.daily_at = QTimeEdit(self)
        self.daily_at.setDisplayFormat("HH:mm")
        self.daily_at.setTime(QTime(9, 0))
        self.window_days = QSpinBox(self)
        self.window_days.setRange(0, 366)
        self.window_days.setSuffix(" 天")
        self.source = combo(list(rp.RULE_SOURCES))
        self.source.setCurrentText(rp.LOCAL)
        self.enabled = QCheckBox(_RULE["enabled"].label, self)
        self.enabled.setChecked(True)
        self.basis = QLineEdit(self)
        self.basis.setPlaceholderText(f"{_BASIS.label}（文件名称、条款或本地规定）")
        self.basis.setMaxLength(_BASIS.max_len or 200)
        self.save = QPushButton("保存规则", self)
        self.new = QPushButton("新建", self)
        self.delete = QPushButton("删除所选", self)
        self.minutes_label = QLabel("时限", self)
        self.daily_label = QLabel("每日截止", self)
        self.window_label = QLabel("补报期限", self)

        def cell(r: int, c: int, label: str | QLabel, widget: QWidget) -> None:
            form.addWidget(label if isinstance(label, QLabel) else QLabel(label, self), r, c)
            form.addWidget(widget, r, c + 1)

        cell(0, 0, _RULE["category"].label, self.category)
        cell(0, 2, _RULE["subtype"].label, self.subtype)
        cell(0, 4, _RULE["sub_hazard"].label, self.sub_hazard)
        cell(0, 6, _RULE["grade"].label, self.grade)
        cell(1, 0, _RULE["stage"].label, self.stage)
        cell(1, 2, _RULE["channel"].label, self.channel)
        cell(1, 4, _RULE["schedule"].label, self.schedule)
        amount = QHBoxLayout()
        amount.addWidget(self.minutes, 1)
        amount.addWidget(self.unit)
        form.addWidget(self.minutes_label, 1, 6)
        form.addLayout(amount, 1, 7)
        cell(2, 0, self.daily_label, self.daily_at)
        cell(2, 2, self.window_label, self.window_days)
        cell(2, 4, _RULE["source"].label, self.source)
        form.addWidget(self.enabled, 2, 7)
        form.addWidget(QLabel(_BASIS.label, self), 3, 0)
        # 依据 and the buttons share a row: the whole editor fits a 1280x800 screen.
        buttons = QHBoxLayout()
        buttons.addWidget(self.basis, 1)
        for button in (self.new, self.save, self.delete):
            buttons.addWidget(button)
        form.addLayout(buttons, 3, 1, 1, 7)
        for column in (1, 3, 5, 7):
            form.setColumnStretch(column, 1)
        layout.addLayout(form)
        notes = QHBoxLayout()
        self.hint = QLabel(self)
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)
        notes.addWidget(self.hint, 1)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        notes.addWidget(self.message, 1)
        layout.addLayout(notes)

        self.save.clicked.connect(self._save)
        self.delete.clicked.connect(self._delete)
        self.new.clicked.connect(self._clear)
        self.category.currentTextChanged.connect(self._fill_subtypes)
        self.subtype.currentTextChanged.connect(self._fill_sub_hazards)
        self.schedule.currentTextChanged.connect(self._show_schedule)
        for signal in (
            self.schedule.currentTextChanged,
            self.minutes.valueChanged,
            self.unit.currentTextChanged,
            self.daily_at.timeChanged,
            self.window_days.valueChanged,
        ):
            signal.connect(self._show_hint)
        self._editing: str | None = None  # id of the rule being edited, None for a new one
        self._fill_subtypes()
        self._show_schedule()
        self.table.selectionModel().selectionChanged.connect(self._fill_from_selection)
        context.bus.changed.connect(self._on_changes)
        self.note.setText("正在读取报送时限……")
        for button in (self.save, self.delete, self.new):  # until the rules are there
            button.setEnabled(False)
        self.refresh()

    def refresh(self) -> None:
        """Read the rules on the task runner; the table fills in when they land
        (:attr:`refreshed`)."""
        source = self.context.incident_source
        run_task(
            self.context.tasks,
            source.rules if source is not None else list,
            on_done=self._show_rules,
            receiver=self,
        )

    def _show_rules(self, rules: list[Rule]) -> None:
        self.model.set_rules(rules)
        self._show_editable()
        self.refreshed.emit()

    def _show_editable(self) -> None:
        editable = self.may_edit() and self.context.incidents is not None
        for widget in (self.save, self.delete, self.new):
            widget.setEnabled(editable)
        self.note.setText(
            "由带班领导或管理员修改；修改后同步到服务器，各值班台一致。"
            + ("" if editable else "当前账号只能查看。")
        )

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("report_rules"):
            self.refresh()

    def selected(self) -> Rule | None:
        rows = self.table.selectionModel().selectedRows()
        return cast(Rule, rows[0].data(RECORD_ROLE)) if rows else None

    # -- the editor ------------------------------------------------------------------------
    def _fill_subtypes(self) -> None:
        category = self.category.currentText()
        current = self.subtype.currentText()
        self.subtype.blockSignals(True)
        self.subtype.clear()
        self.subtype.addItems([ANY_SUBTYPE, *catalog.EVENT_CATEGORIES.get(category, ())])
        if self.subtype.findText(current) >= 0:
            self.subtype.setCurrentText(current)
        self.subtype.blockSignals(False)
        ungraded = category in catalog.UNGRADED_CATEGORIES
        if ungraded:
            self.grade.setCurrentText(ANY_GRADE)
        self.grade.setEnabled(not ungraded)
        self._fill_sub_hazards()

    def _fill_sub_hazards(self) -> None:
        hazards = catalog.sub_hazards(self.category.currentText(), self._subtype())
        current = self.sub_hazard.currentText()
        self.sub_hazard.clear()
        self.sub_hazard.addItems([ANY_SUB_HAZARD, *hazards])
        if self.sub_hazard.findText(current) >= 0:
            self.sub_hazard.setCurrentText(current)
        self.sub_hazard.setEnabled(bool(hazards))

    def _show_schedule(self) -> None:
        """Only the fields the schedule reads are enabled."""
        schedule = self.schedule.currentText()
        daily = schedule == rp.DAILY
        self.minutes.setEnabled(not daily)
        self.unit.setEnabled(not daily)
        self.minutes_label.setText("间隔" if schedule == rp.PERIODIC else "时限")
        self.daily_at.setEnabled(daily)
        self.window_days.setEnabled(schedule == rp.ON_CASUALTY_CHANGE)
        self._show_hint()

    def _subtype(self) -> str:
        text = self.subtype.currentText()
        return "" if text == ANY_SUBTYPE else text

    def rule(self) -> dict[str, Any]:
        """The rule as the editor states it (whole)."""
        grade = self.grade.currentText()
        hazard = self.sub_hazard.currentText()
        time = self.daily_at.time()
        return {
            "category": self.category.currentText(),
            "subtype": self._subtype(),
            "sub_hazard": "" if hazard == ANY_SUB_HAZARD else hazard,
            "grade": "" if grade == ANY_GRADE else grade,
            "stage": self.stage.currentText(),
            "channel": self.channel.currentText(),
            "schedule": self.schedule.currentText(),
            "minutes": (
                rp.DAY_MINUTES
                if self.schedule.currentText() == rp.DAILY
                else self.minutes.value() * UNITS[self.unit.currentText()]
            ),
            "daily_at": time.hour() * 60 + time.minute(),
            "window_days": self.window_days.value(),
            "enabled": self.enabled.isChecked(),
            "source": self.source.currentText(),
            "basis": self.basis.text(),
        }

    def _show_hint(self) -> None:
        rule = self.rule()
        problem = rp.rule_problem(rule)
        if problem is None and rule["minutes"] > rp.MAX_MINUTES:
            problem = "时限不能超过 30 天"
        self.hint.setText(
            problem or f"{rule['stage']}（{rule['channel']}）：{rp.schedule_text(rule)}"
        )

    def _clear(self) -> None:
        """新建: the editor states a new rule (the selection is left alone)."""
        self._editing = None
        self.table.clearSelection()
        self.basis.clear()
        self.source.setCurrentText(rp.LOCAL)
        self.enabled.setChecked(True)
        self.message.setText("填写新规则后点“保存规则”")

    def _fill_from_selection(self) -> None:
        rule = self.selected()
        if rule is None:
            return
        self._editing = rule["id"]
        self.category.setCurrentText(rule["category"])
        self.subtype.setCurrentText(rule.get("subtype") or ANY_SUBTYPE)
        self.sub_hazard.setCurrentText(rule.get("sub_hazard") or ANY_SUB_HAZARD)
        self.grade.setCurrentText(rule["grade"] or ANY_GRADE)
        self.stage.setCurrentText(rule["stage"])
        self.channel.setCurrentText(rule["channel"])
        self.schedule.setCurrentText(rule.get("schedule") or rp.AFTER_RECEIPT)
        number, unit = split_minutes(int(rule["minutes"]))
        self.unit.setCurrentText(unit)
        self.minutes.setValue(number)
        daily = int(rule.get("daily_at") or 0)
        self.daily_at.setTime(QTime(daily // 60, daily % 60))
        self.window_days.setValue(int(rule.get("window_days") or 0))
        self.enabled.setChecked(bool(rule.get("enabled", True)))
        self.source.setCurrentText(rule.get("source") or rp.LOCAL)
        self.basis.setText(rule["basis"])

    def _save(self) -> None:
        incidents = self.context.incidents
        if incidents is None:
            return
        rule = self.rule()
        problem = rp.rule_problem(rule)
        if problem is None and rule["minutes"] > rp.MAX_MINUTES:
            problem = "时限不能超过 30 天"
        if problem is not None:
            self.message.setText(f"未保存：{problem}")
            return
        if self._editing is not None:
            rule["id"] = self._editing
        user = self._user()
        label = f"{rule['category']} {scope(rule)} {rule['grade'] or ANY_GRADE} {rule['stage']}"
        self._write(
            lambda: incidents.set_report_rule(rule, user=user),
            f"已保存：{label}（{rule['channel']}）{rp.schedule_text(rule)}",
            "未保存",
        )

    def _delete(self) -> None:
        rule = self.selected()
        incidents = self.context.incidents
        if rule is None or incidents is None:
            self.message.setText("请先在表中选择一条规则")
            return
        rule_id, user = rule["id"], self._user()
        self._write(
            lambda: incidents.delete_report_rule(rule_id, user=user), "已删除所选规则", "未删除"
        )
