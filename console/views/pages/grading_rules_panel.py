"""设置 > 定级标准: the grading table a duty leader edits. A row gives, for a category and
optionally one subtype, one metric (死亡, 过火面积...) and the lowest value at which each
grade begins, with the rule it comes from (493号令, 森林防火条例, the county's own). Changes
go through the write path and sync; the intake form and the incident detail offer the grade
the numbers imply from them."""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from console.domain import catalog
from console.domain.grading import (
    BOUND_COLUMNS,
    GRADING_METRICS,
    METRIC_UNITS,
    grading_rule_id,
)
from console.domain.schema import ENTITY_FIELDS
from console.models.grading_rule_table_model import (
    ANY_SUBTYPE,
    GradingRow,
    GradingRuleTableModel,
)
from console.models.record_table import RECORD_ROLE
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import PageContext
from console.views.pages.rule_panel import RulePanel

_ROW = ENTITY_FIELDS["grading_rules"]
_BASIS = _ROW["basis"]
GRADED_CATEGORIES = tuple(
    c for c in catalog.EVENT_CATEGORIES if c not in catalog.UNGRADED_CATEGORIES
)


def parse_bound(text: str, label: str) -> tuple[float | None, str | None]:
    """The bound an editor field states: "" is no bound; otherwise a number >= 0."""
    text = text.strip().replace("，", "").replace(",", "")
    if not text:
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, f"“{label}”应为数字（不设下限请留空）"
    if value < 0 or value != value:
        return None, f"“{label}”应为 0 或正数"
    return value, None


class GradingRulesPanel(RulePanel):
    refreshed = Signal()  # the rows read on the task runner are in the table

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = GradingRuleTableModel(parent=self)
        layout = self._build_top("定级标准（伤亡、损失达到多少时应定为何种等级）", self.model)

        form = QGridLayout()
        form.setHorizontalSpacing(8)
        self.category = QComboBox(self)
        self.category.addItems(list(GRADED_CATEGORIES))
        self.subtype = QComboBox(self)
        self.metric_box = QComboBox(self)
        for metric in GRADING_METRICS:
            self.metric_box.addItem(f"{metric}（{METRIC_UNITS[metric]}）", metric)
        self.bounds: dict[str, QLineEdit] = {}
        for grade, column in BOUND_COLUMNS.items():
            line = QLineEdit(self)
            line.setPlaceholderText("不设")
            line.setMaxLength(14)
            line.setToolTip(f"达到此数（含本数）即为{grade}；留空表示不按此指标定为{grade}")
            self.bounds[column] = line
        self.basis = QLineEdit(self)
        self.basis.setPlaceholderText(f"{_BASIS.label}（法规名称和条款，或本县规定）")
        self.basis.setMaxLength(_BASIS.max_len or 200)
        self.unit = QLabel(self)
        self.unit.setObjectName("Muted")

        def cell(r: int, c: int, label: str, widget: QWidget) -> None:
            form.addWidget(QLabel(label, self), r, c)
            form.addWidget(widget, r, c + 1)

        cell(0, 0, _ROW["category"].label, self.category)
        cell(0, 2, _ROW["subtype"].label, self.subtype)
        cell(0, 4, _ROW["metric"].label, self.metric_box)
        form.addWidget(self.unit, 0, 6, 1, 2)
        for n, column in enumerate(BOUND_COLUMNS.values()):
            cell(1, 2 * n, _ROW[column].label, self.bounds[column])
        form.addWidget(QLabel(_BASIS.label, self), 2, 0)
        form.addWidget(self.basis, 2, 1, 1, 7)
        for stretch in (1, 3, 5, 7):
            form.setColumnStretch(stretch, 1)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.hint = QLabel("下限含本数；留空表示不设。数值须随等级升高而增大。", self)
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)
        buttons.addWidget(self.hint, 1)
        self.new = QPushButton("新建", self)
        self.save = QPushButton("保存定级规则", self)
        self.delete = QPushButton("删除所选", self)
        for button in (self.new, self.save, self.delete):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.save.clicked.connect(self._save)
        self.delete.clicked.connect(self._delete)
        self.new.clicked.connect(self._clear)
        self.category.currentTextChanged.connect(self._fill_subtypes)
        self.metric_box.currentIndexChanged.connect(self._show_unit)
        self._editing: str | None = None  # id of the row being edited, None for a new one
        self._fill_subtypes()
        self._show_unit()
        self.table.selectionModel().selectionChanged.connect(self._fill_from_selection)
        context.bus.changed.connect(self._on_changes)
        self.note.setText("正在读取定级标准……")
        for button in (self.save, self.delete, self.new):  # until the rows are there
            button.setEnabled(False)
        self.refresh()

    def refresh(self) -> None:
        """Read the rows on the task runner; the table fills in when they land
        (:attr:`refreshed`)."""
        source = self.context.incident_source
        run_task(
            self.context.tasks,
            source.grading_rules if source is not None else list,
            on_done=self._show_rows,
            receiver=self,
        )

    def _show_rows(self, rows: list[GradingRow]) -> None:
        self.model.set_rows(rows)
        editable = self.may_edit() and self.context.incidents is not None
        for widget in (self.save, self.delete, self.new):
            widget.setEnabled(editable)
        self.note.setText(
            "接报表单和事件详情按此表提示应定等级；未列出的类别不作提示，可按本县规定补充。"
            "由带班领导或管理员修改，同步到各值班台。" + ("" if editable else "当前账号只能查看。")
        )
        self.refreshed.emit()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("grading_rules"):
            self.refresh()

    def selected(self) -> GradingRow | None:
        rows = self.table.selectionModel().selectedRows()
        return cast(GradingRow, rows[0].data(RECORD_ROLE)) if rows else None

    # -- the editor ------------------------------------------------------------------------
    def _fill_subtypes(self) -> None:
        current = self.subtype.currentText()
        self.subtype.clear()
        self.subtype.addItems(
            [ANY_SUBTYPE, *catalog.EVENT_CATEGORIES.get(self.category.currentText(), ())]
        )
        if self.subtype.findText(current) >= 0:
            self.subtype.setCurrentText(current)

    def _show_unit(self) -> None:
        metric = self.metric_box.currentData() or GRADING_METRICS[0]
        self.unit.setText(f"下限单位：{METRIC_UNITS[metric]}")

    def set_metric(self, metric: str) -> None:
        self.metric_box.setCurrentIndex(max(0, self.metric_box.findData(metric)))

    def row(self) -> tuple[dict[str, Any], str | None]:
        """The row as the editor states it, or the first problem in its bounds."""
        subtype = self.subtype.currentText()
        row: dict[str, Any] = {
            "category": self.category.currentText(),
            "subtype": "" if subtype == ANY_SUBTYPE else subtype,
            "metric": self.metric_box.currentData(),
            "basis": self.basis.text().strip(),
        }
        for column, line in self.bounds.items():
            value, problem = parse_bound(line.text(), _ROW[column].label)
            if problem is not None:
                return row, problem
            row[column] = value
        return row, None

    def _clear(self) -> None:
        """新建: the editor states a new row (the selection is left alone)."""
        self._editing = None
        self.table.clearSelection()
        for line in self.bounds.values():
            line.clear()
        self.basis.clear()
        self.message.setText("填写新的定级规则后点“保存定级规则”")

    def _fill_from_selection(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._editing = row["id"]
        self.category.setCurrentText(row["category"])
        self.subtype.setCurrentText(row.get("subtype") or ANY_SUBTYPE)
        self.set_metric(row["metric"])
        for column, line in self.bounds.items():
            bound = row.get(column)
            line.setText("" if bound is None else f"{bound:g}")
        self.basis.setText(row.get("basis") or "")
        self.message.clear()

    def _save(self) -> None:
        incidents = self.context.incidents
        if incidents is None:
            return
        row, problem = self.row()
        if problem is not None:
            self.message.setText(f"未保存：{problem}")
            return
        if self._editing is not None:
            row["id"] = self._editing
        user = self._user()
        label = f"{row['category']} {row['subtype'] or ANY_SUBTYPE} {row['metric']}"

        def saved() -> None:
            # the row now lives under the id of its class and metric (see set_grading_rule)
            if self._editing is not None:
                self._editing = grading_rule_id(row["category"], row["subtype"], row["metric"])

        self._write(
            lambda: incidents.set_grading_rule(row, user=user),
            f"已保存：{label}",
            "未保存",
            saved,
        )

    def _delete(self) -> None:
        row = self.selected()
        incidents = self.context.incidents
        if row is None or incidents is None:
            self.message.setText("请先在表中选择一条定级规则")
            return
        rule_id, user = row["id"], self._user()
        label = f"{row['category']} {row.get('subtype') or ANY_SUBTYPE} {row['metric']}"

        def deleted() -> None:
            self._editing = None

        self._write(
            lambda: incidents.delete_grading_rule(rule_id, user=user),
            f"已删除：{label}",
            "未删除",
            deleted,
        )
