"""设置 > 信息报送时限: the deadline table a duty leader edits (per category, grade, stage and
channel: minutes after the call is received). Changes go through the write path and sync;
the server accepts them from duty leaders and administrators only."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import catalog
from console.domain.reporting import CHANNELS, REPORT_STAGES
from console.domain.roles import ADMIN, LEADER
from console.domain.schema import ENTITY_FIELDS
from console.models.record_table import RECORD_ROLE
from console.models.report_rule_table_model import ReportRuleTableModel, Rule
from console.store.changes import Changes
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import run_task
from console.views.pages.base import PageContext

ANY_GRADE = "全部等级"
_BASIS = ENTITY_FIELDS["report_rules"]["basis"]


class ReportRulesPanel(QWidget):
    refreshed = Signal()  # the rules read on the task runner are in the table

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("信息报送时限（接报后多少分钟内须报送）", self)
        title.setObjectName("CardHeading")
        layout.addWidget(title)
        self.note = QLabel(self)
        self.note.setObjectName("Muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)

        self.model = ReportRuleTableModel(parent=self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(180)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)

        row = QHBoxLayout()
        self.category = QComboBox(self)
        self.category.addItems(list(catalog.EVENT_CATEGORIES))
        self.grade = QComboBox(self)
        self.grade.addItems([ANY_GRADE, *catalog.GRADES])
        self.stage = QComboBox(self)
        self.stage.addItems(list(REPORT_STAGES))
        self.channel = QComboBox(self)
        self.channel.addItems(list(CHANNELS))
        self.minutes = QSpinBox(self)
        self.minutes.setRange(1, 60 * 24 * 30)
        self.minutes.setSuffix(" 分钟")
        self.minutes.setValue(60)
        self.basis = QLineEdit(self)
        self.basis.setPlaceholderText(f"{_BASIS.label}（文件或本地规定）")
        self.basis.setMaxLength(_BASIS.max_len or 200)
        self.save = QPushButton("保存规则", self)
        self.delete = QPushButton("删除所选", self)
        for widget in (self.category, self.grade, self.stage, self.channel, self.minutes):
            row.addWidget(widget)
        row.addWidget(self.basis, 1)
        row.addWidget(self.save)
        row.addWidget(self.delete)
        layout.addLayout(row)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.save.clicked.connect(self._save)
        self.delete.clicked.connect(self._delete)
        self.table.selectionModel().selectionChanged.connect(self._fill_from_selection)
        context.bus.changed.connect(self._on_changes)
        self.note.setText("正在读取报送时限……")
        for button in (self.save, self.delete):  # until the rules are there
            button.setEnabled(False)
        self.refresh()

    def _user(self) -> str:
        return self.context.session.officer

    def may_edit(self) -> bool:
        """Leaders and admins; standalone (no account) edits locally."""
        sync = self.context.sync
        session = sync.session if sync is not None else None
        return session is None or session.role in (LEADER, ADMIN)

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
        for widget in (self.save, self.delete):
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

    def _fill_from_selection(self) -> None:
        rule = self.selected()
        if rule is None:
            return
        self.category.setCurrentText(rule["category"])
        self.grade.setCurrentText(rule["grade"] or ANY_GRADE)
        self.stage.setCurrentText(rule["stage"])
        self.channel.setCurrentText(rule["channel"])
        self.minutes.setValue(int(rule["minutes"]))
        self.basis.setText(rule["basis"])

    def _save(self) -> None:
        incidents = self.context.incidents
        if incidents is None:
            return
        grade = "" if self.grade.currentText() == ANY_GRADE else self.grade.currentText()
        category, stage = self.category.currentText(), self.stage.currentText()
        channel, minutes, basis = (
            self.channel.currentText(),
            self.minutes.value(),
            self.basis.text(),
        )
        user = self._user()
        label = f"{category} {grade or ANY_GRADE} {stage}"
        self._write(
            lambda: incidents.set_report_rule(
                category=category,
                grade=grade,
                stage=stage,
                channel=channel,
                minutes=minutes,
                basis=basis,
                user=user,
            ),
            f"已保存：{label}（{channel}）{minutes} 分钟",
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

    def _write(self, write: Callable[[], object], saved: str, refused: str) -> None:
        """One rule write on the task runner; the buttons wait for it, the input stays."""
        for widget in (self.save, self.delete):
            widget.setEnabled(False)

        def done(_result: object) -> None:
            self.refresh()
            self.message.setText(saved)

        def failed(exc: BaseException) -> None:
            self.refresh()
            if not isinstance(exc, WRITE_REFUSED):
                sys.excepthook(type(exc), exc, exc.__traceback__)
            self.message.setText(f"{refused}：{getattr(exc, 'message', exc)}")

        run_task(self.context.tasks, write, on_done=done, on_error=failed, receiver=self)
