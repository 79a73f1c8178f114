"""The 预案 library tab of 案例一个库: the county's plans (总体 / 专项 / 部门 / 乡镇预案) with
title, level, owner, version and dates; search by words of the document itself; plans past
their revision date flagged; add or revise a plan with its .docx / .pdf, open the document
with the system viewer.

Reads on the task runner (:func:`console.services.plans.search_plans`), writes through
:class:`PlanService` (one plan.upsert).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import catalog
from console.domain.schema import ENTITY_FIELDS
from console.services.files import server_fetch
from console.services.plans import (
    OVERDUE,
    UNINDEXED,
    PlanService,
    document_path,
    fetch_document,
    search_plans,
)
from console.ui.tasks import run_task
from console.views.pages.base import PageContext, headed_table, say, text_items
from console.views.pages.file_open import open_later, open_path

COLUMNS = ("预案名称", "类别", "层级", "编制单位", "版本", "印发日期", "修订期限", "状态")
_FIELDS = ENTITY_FIELDS["plans"]
LINE_FIELDS = ("title", "owner", "plan_version", "issued_on", "revise_by")


def plan_state(plan: dict[str, Any]) -> str:
    parts = [OVERDUE] if plan.get("overdue") else []
    if not plan.get("document"):
        parts.append("无文件")
    else:  # a file whose text could not be read (encrypted, broken, a scan) is not searched
        parts.append("有文件" if plan.get("indexed", True) else f"有文件；{UNINDEXED}")
    return "；".join(parts)


def open_plan(
    context: PageContext, receiver: QWidget, message: QLabel, plan: dict[str, Any]
) -> None:
    """Open the plan's document with the system viewer: at once when it is here, else
    after downloading it from the server (the message line says how it went)."""
    done = f"已打开：{plan['title']}"
    if not plan.get("document"):
        say(message, "该预案未附文件", error=True)
        return
    path = document_path(context.data_dir, plan)
    if path is not None:
        why = open_path(path)
        say(message, why or done, error=bool(why))
        return
    session = context.sync.session if context.sync is not None else None
    fetch = server_fetch(session)
    data_dir = context.data_dir
    open_later(
        context.tasks, receiver, message, lambda: fetch_document(data_dir, plan, fetch), done
    )


def save_cancel(dialog: QDialog, on_save: Callable[[], None]) -> QDialogButtonBox:
    """A dialog's 保存 / 取消 buttons."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    return buttons


class PlanDialog(QDialog):
    """Add or revise a plan: its fields (labels and lengths from the declarations) and,
    optionally, its document."""

    def __init__(self, plan: dict[str, Any] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan or {}
        self.setWindowTitle("修订预案" if plan else "新增预案")
        self.resize(560, 520)
        form = QFormLayout(self)
        self.lines: dict[str, QLineEdit] = {}
        for key in LINE_FIELDS:
            edit = QLineEdit(str(self.plan.get(key) or ""), self)
            edit.setMaxLength(int(_FIELDS[key].max_len or 0) or 32767)
            form.addRow(_FIELDS[key].label, edit)
            self.lines[key] = edit
        for key in ("issued_on", "revise_by"):
            self.lines[key].setPlaceholderText("如 2024-05-10")
        self.kind = QComboBox(self)
        self.kind.addItems(list(catalog.PLAN_KINDS))
        self.kind.setCurrentText(str(self.plan.get("kind") or "专项预案"))
        form.addRow(_FIELDS["kind"].label, self.kind)
        self.level = QComboBox(self)
        self.level.addItems(list(catalog.PLAN_LEVELS))
        self.level.setCurrentText(str(self.plan.get("level") or "县级"))
        form.addRow(_FIELDS["level"].label, self.level)
        self.category = QComboBox(self)
        self.category.addItem("（不限）", "")
        for category in catalog.EVENT_CATEGORIES:
            self.category.addItem(category, category)
        self.category.setCurrentIndex(max(0, self.category.findData(self.plan.get("category"))))
        form.addRow(_FIELDS["category"].label, self.category)
        self.subtype = QComboBox(self)
        form.addRow(_FIELDS["subtype"].label, self.subtype)
        self._fill_subtypes()
        self.subtype.setCurrentIndex(max(0, self.subtype.findData(self.plan.get("subtype"))))
        self.category.currentIndexChanged.connect(lambda _i: self._fill_subtypes())
        self.summary = QPlainTextEdit(str(self.plan.get("summary") or ""), self)
        self.summary.setMaximumHeight(90)
        form.addRow(_FIELDS["summary"].label, self.summary)
        file_row = QHBoxLayout()
        self.document = QLineEdit(self)
        self.document.setReadOnly(True)
        self.document.setPlaceholderText(str(self.plan.get("document") or "未附文件"))
        choose = QPushButton("选择文件…", self)
        choose.clicked.connect(self._choose)
        file_row.addWidget(self.document, 1)
        file_row.addWidget(choose)
        form.addRow(_FIELDS["document"].label, file_row)
        self.problem = QLabel(self)
        self.problem.setObjectName("FieldError")
        self.problem.setWordWrap(True)
        form.addRow(self.problem)
        form.addRow(save_cancel(self, self._accept))

    def _fill_subtypes(self) -> None:
        self.subtype.clear()
        self.subtype.addItem("（整个类别）", "")
        for subtype in catalog.EVENT_CATEGORIES.get(self.category.currentData() or "", ()):
            self.subtype.addItem(subtype, subtype)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择预案文件", "", "预案文件 (*.docx *.pdf)")
        if path:
            self.document.setText(path)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {k: e.text().strip() for k, e in self.lines.items()}
        for key in ("issued_on", "revise_by"):
            values[key] = values[key] or None
        values.update(
            kind=self.kind.currentText(),
            level=self.level.currentText(),
            category=self.category.currentData() or "",
            subtype=self.subtype.currentData() or "",
            summary=self.summary.toPlainText().strip(),
        )
        return values

    def document_file(self) -> Path | None:
        return Path(self.document.text()) if self.document.text() else None

    def _accept(self) -> None:
        problem = catalog.plan_problem(self.values())
        if not self.lines["title"].text().strip():
            problem = "请填写预案名称"
        if problem:
            self.problem.setText(problem)
            return
        self.accept()


class PlanPanel(QWidget):
    refreshed = Signal()  # the list landed (tests wait on it)

    def __init__(
        self,
        context: PageContext,
        service: PlanService | None,
        write: Callable[..., None],  # WritingPage._write(fn, done_text, after)
        message: QLabel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self._write = write
        self.message = message
        self.rows: list[dict[str, Any]] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("搜索预案及正文：如 撤离、地质")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        bar.addWidget(self.search)
        self.kind = QComboBox(self)
        self.kind.addItem("全部类别", "")
        for kind in catalog.PLAN_KINDS:
            self.kind.addItem(kind, kind)
        bar.addWidget(self.kind)
        bar.addStretch(1)
        self.add_button = QPushButton("新增预案…", self)
        self.edit_button = QPushButton("修订…", self)
        self.open_button = QPushButton("打开文件", self)
        self.open_button.setObjectName("PrimaryButton")
        for button in (self.add_button, self.edit_button, self.open_button):
            bar.addWidget(button)
        box.addLayout(bar)
        self.model, self.table = headed_table(self, COLUMNS, (0, 76, 56, 150, 64, 92, 92, 140))
        box.addWidget(self.table, 1)
        self.count = QLabel(self)
        self.count.setObjectName("Muted")
        box.addWidget(self.count)
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.kind.activated.connect(lambda _i: self.refresh())
        self.add_button.clicked.connect(lambda: self._ask(None))
        self.edit_button.clicked.connect(lambda: self._ask(self.selected()))
        self.open_button.clicked.connect(self.open_selected)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._buttons())
        self._buttons()

    def refresh(self) -> None:
        query, kind = self.search.text(), self.kind.currentData() or ""
        today = self.context.clock().date()
        run_task(
            self.context.tasks,
            lambda: search_plans(self.context.queries.store, query, kind, today),
            on_done=self._land,
            receiver=self,
        )

    def _land(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        danger = QColor(self.context.theme.colors().danger)
        for p in rows:
            values = (
                p["title"],
                p["kind"],
                p["level"],
                p["owner"] or "—",
                p["plan_version"] or "—",
                p["issued_on"] or "—",
                p["revise_by"] or "—",
                plan_state(p),
            )
            items = text_items(values, p["id"])
            if p["overdue"]:
                for item in items:
                    item.setForeground(danger)
                items[-1].setToolTip(f"修订期限 {p['revise_by']} 已过，请组织修订")
            self.model.appendRow(items)
        late = sum(1 for p in rows if p["overdue"])
        self.count.setText(f"共 {len(rows)} 项预案" + (f"，{late} 项{OVERDUE}" if late else ""))
        self._buttons()
        self.refreshed.emit()

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentIndex().row()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _buttons(self) -> None:
        chosen = self.selected() is not None
        self.add_button.setEnabled(self.service is not None)
        self.edit_button.setEnabled(self.service is not None and chosen)
        self.open_button.setEnabled(chosen)

    def open_selected(self) -> None:
        plan = self.selected()
        if plan is None:
            return
        open_plan(self.context, self, self.message, plan)

    def _ask(self, plan: dict[str, Any] | None) -> None:
        if self.service is None:
            return
        dialog = PlanDialog(plan, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.save(dialog.values(), plan["id"] if plan else None, dialog.document_file())

    def save(self, values: dict[str, Any], plan_id: str | None, document: Path | None) -> None:
        service = self.service
        if service is None:
            return
        user = self.context.session.officer

        def noted(saved: tuple[str, str]) -> None:
            if saved[1]:  # the file is kept, but its text could not be read
                say(self.message, f"预案已保存。{saved[1]}", error=True)

        self._write(
            lambda: service.save_noted(values, user=user, plan_id=plan_id, document=document),
            "预案已保存",
            noted,
        )
