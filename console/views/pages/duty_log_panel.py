"""值班日志 tab of 队伍与值班 (issue 14): the duty day's log.

One duty day (08:30 to 08:30) at a time: every incident timeline entry (calls, reports
sent, orders, responses), the orders of no incident, the handovers generated and signed,
and what the officer writes by hand (记一笔), to the minute. The search box filters as you
type (two-character words such as 山洪 work); the day exports to .docx and PDF.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing
from console.domain import handover as ho
from console.domain.roles import allowed
from console.services.duty_log import TABLES, DutyLogService, LogLine, day_window, search
from console.services.handover_export import duty_log_html, export_duty_log_docx, log_title
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import (
    PageContext,
    read_only_table,
    run_write,
    say,
    signed_in_role,
    text_items,
)

COLUMNS = ("时间", "类别", "内容", "记录人")


class DutyLogPanel(QWidget):
    written = Signal(str)  # "" when saved, else the refusal
    loaded = Signal()  # the day's lines landed

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        writer = context.incidents.writer if context.incidents is not None else None
        self.service = DutyLogService(context.queries.store, writer)
        self.lines: list[LogLine] = []
        self.shown: list[LogLine] = []
        self._build()
        context.bus.changed.connect(self._on_changes)
        self.refresh()

    def _build(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("值班日", self))
        self.day_edit = QDateEdit(self)
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        today = self.service.duty_day(self.context.clock())
        self.day_edit.setDate(QDate(today.year, today.month, today.day))
        bar.addWidget(self.day_edit)
        self.span = QLabel(self)
        self.span.setObjectName("Muted")
        bar.addWidget(self.span)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("搜索日志，如：山洪、报送、张三")
        self.query.setClearButtonEnabled(True)
        bar.addWidget(self.query, 1)
        self.count = QLabel(self)
        self.count.setObjectName("Muted")
        bar.addWidget(self.count)
        self.docx_button = QPushButton("导出 Word…", self)
        self.pdf_button = QPushButton("导出 PDF…", self)
        bar.addWidget(self.docx_button)
        bar.addWidget(self.pdf_button)
        box.addLayout(bar)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = read_only_table(self, self.model, 2)
        self.table.setColumnWidth(0, 64)
        self.table.setColumnWidth(1, 90)
        self.table.setColumnWidth(3, 110)
        box.addWidget(self.table, 1)

        add = QHBoxLayout()
        self.entry = QLineEdit(self)
        self.entry.setMaxLength(ho.TEXT_MAX_LEN)
        self.entry.setPlaceholderText("记一笔：如 09:10 县气象局来电通报雨情，已转报带班领导")
        add.addWidget(self.entry, 1)
        self.add_button = QPushButton("记入日志", self)
        self.add_button.setObjectName("PrimaryButton")
        add.addWidget(self.add_button)
        box.addLayout(add)
        self.message = QLabel(self)
        self.message.setObjectName("Muted")
        box.addWidget(self.message)

        self.day_edit.dateChanged.connect(lambda _d: self.refresh())
        self.query.textChanged.connect(lambda _t: self._show())
        self.entry.returnPressed.connect(self.add)
        self.add_button.clicked.connect(self.add)
        self.docx_button.clicked.connect(self._ask_docx)
        self.pdf_button.clicked.connect(self._ask_pdf)
        role = signed_in_role(self.context)
        may = self.service.writable and (role is None or allowed(role, "duty_log.add"))
        self.add_button.setEnabled(may)
        self.entry.setEnabled(may)

    def day(self) -> date:
        d = self.day_edit.date()
        return date(d.year(), d.month(), d.day())

    def set_day(self, day: date) -> None:
        self.day_edit.setDate(QDate(day.year, day.month, day.day))

    def span_text(self) -> str:
        start, end = day_window(self.day(), self.service.pattern)
        return f"{beijing.display(start)} 至 {beijing.display(end)}"

    def refresh(self) -> None:
        day, service = self.day(), self.service

        def load() -> list[LogLine]:
            service.reload_pattern()  # the county's 班制 may have changed
            return service.lines(day)

        run_task(self.context.tasks, load, on_done=self._land, receiver=self)

    def _land(self, lines: list[LogLine]) -> None:
        self.lines = lines
        self.span.setText(self.span_text())
        self._show()
        self.loaded.emit()

    def _show(self) -> None:
        self.shown = search(self.lines, self.query.text())
        self.model.removeRows(0, self.model.rowCount())
        for line in self.shown:
            self.model.appendRow(
                text_items((line.minute, line.kind, line.text, line.author), line.ref)
            )
        total = len(self.lines)
        found = len(self.shown)
        text = f"共 {total} 条" if found == total else f"找到 {found} 条（共 {total} 条）"
        self.count.setText(text)

    def add(self) -> None:
        body = self.entry.text().strip()
        if not body:
            return
        user, at = self.context.session.officer, self.context.clock()

        def done(_r: object) -> None:
            self.entry.clear()
            self.refresh()

        run_write(
            self.context.tasks,
            self,
            lambda: self.service.add(body, user=user, at=at),
            message=self.message,
            written=self.written,
            done_text="已记入值班日志",
            after=done,
        )

    # -- export -----------------------------------------------------------------------------
    def export_docx(self, path: Path) -> None:
        export_duty_log_docx(self.day(), self.lines, self.span_text(), path)
        say(self.message, f"已导出：{path.name}")

    def export_pdf(self, path: Path) -> None:
        from console.ui.pdf_export import write_pdf

        html = duty_log_html(self.day(), self.lines, self.span_text())
        write_pdf(html, path, title=log_title(self.day()))
        say(self.message, f"已导出：{path.name}")

    def _ask(self, kind: str, pattern: str) -> Path | None:
        name = f"{log_title(self.day())}.{kind}"
        default = str(Path.home() / name)
        path, _ = QFileDialog.getSaveFileName(self, "导出值班日志", default, pattern)
        return Path(path) if path else None

    def _ask_docx(self) -> None:
        path = self._ask("docx", "Word (*.docx)")
        if path is not None:
            self.export_docx(path)

    def _ask_pdf(self) -> None:
        path = self._ask("pdf", "PDF (*.pdf)")
        if path is not None:
            self.export_pdf(path)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()
