"""研判一张单: the sheets and their versions on the left, the chosen sheet on the right.

A draft is edited here (研判意见, the warning per township, the response level, the tasks one
a line, numbered on saving) and signed by the duty leader (签发; the server checks the role
again). A signed version never changes: 修订 makes a new draft version. 立即生成 builds a
sheet from the current situation, which comes from the threshold engine through
``context.situation`` (a callable; None until the engine is connected). Export to Word and
PDF. Reads and writes run on the task runner; the page only binds to models and the service.

Keys: Ctrl+G 立即生成, Ctrl+S 保存, Ctrl+Enter 签发, Ctrl+R 修订.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing
from console.domain.assessment_rules import DRAFT, SIGNED, parse_content
from console.domain.fields import MutationRejected
from console.domain.roles import allowed
from console.domain.situation import RESPONSE_LEVELS, WARNING_LEVELS
from console.models.assessment_table_model import AssessmentTableModel, VersionTableModel
from console.models.record_table import RECORD_ROLE
from console.services.assessment_export import export_docx, sheet_document, sheet_html
from console.services.assessments import (
    NO_SITUATION,
    SIGN_REFUSAL,
    AssessmentService,
    may_sign,
)
from console.services.orders import TABLES as ORDER_TABLES
from console.services.orders import OrderService, SheetOrder
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import Page, PageContext, signed_in_role

TABLES = ("assessments",)
COMMAND_VIEW = "command"
ORDER_HEADER = ("下达时间", "指令", "状态", "已叫应/接收人")
NO_SERVICE = "本窗口只能查看研判单。"
EMPTY = "还没有研判单。超过阈值时将自动生成研判单草稿；也可按“立即生成”。"
NO_RESPONSE = "不启动"


def _table_view(parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("FormHeading")
    return label


class AssessmentPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.service: AssessmentService | None = context.assessments
        self.header.subtitle.setText(
            "防汛防台风险研判单：雨情、水情、受威胁村和风险点、预警与响应建议、工作任务。"
            "值班员拟稿，带班领导签发；签发后不再改动，修改将生成新版本。"
        )
        self.sheet: dict[str, Any] | None = None  # the version shown
        self.order_service = OrderService(context.queries.store, None)  # reads only here
        self.sheet_orders: list[SheetOrder] = []
        self._orders_seq = 0
        self._select_after: str | None = None
        self._warning_boxes: dict[str, QComboBox] = {}
        self.exported: list[Path] = []
        self._focus_pending = False

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.generate_button = QPushButton("立即生成", self)
        self.generate_button.setObjectName("PrimaryButton")
        self.generate_button.setToolTip("按当前雨情水情生成研判单草稿（Ctrl+G）")
        bar.addWidget(self.generate_button)
        self.message = QLabel(self)
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        bar.addWidget(self.message, 1)
        self.layout_.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(_heading("研判单", left))
        self.model = AssessmentTableModel(parent=self)
        self.table = _table_view(left)
        self.table.setModel(self.model)
        left_box.addWidget(self.table, 3)
        left_box.addWidget(_heading("历史版本", left))
        self.versions_model = VersionTableModel(parent=self)
        self.versions = _table_view(left)
        self.versions.setModel(self.versions_model)
        left_box.addWidget(self.versions, 1)
        splitter.addWidget(left)

        scroll = QScrollArea(splitter)
        scroll.setObjectName("FormScroll")
        scroll.setWidgetResizable(True)
        editor = QWidget(scroll)
        editor.setObjectName("Page")
        box = QVBoxLayout(editor)
        box.setContentsMargins(12, 0, 12, 12)
        box.setSpacing(8)
        self.sheet_title = QLabel(editor)
        self.sheet_title.setObjectName("DetailTitle")
        self.sheet_title.setWordWrap(True)
        box.addWidget(self.sheet_title)
        self.marks = QLabel(editor)
        self.marks.setObjectName("FieldError")
        box.addWidget(self.marks)
        self.meta = QLabel(editor)
        self.meta.setObjectName("Muted")
        self.meta.setWordWrap(True)
        box.addWidget(self.meta)

        box.addWidget(_heading("研判意见", editor))
        self.summary = QPlainTextEdit(editor)
        self.summary.setTabChangesFocus(True)
        self.summary.setFixedHeight(84)
        box.addWidget(self.summary)

        box.addWidget(_heading("雨情（毫米）", editor))
        self.rain = QTableWidget(editor)
        box.addWidget(self.rain)
        box.addWidget(_heading("水情", editor))
        self.stations = QLabel(editor)
        self.stations.setWordWrap(True)
        box.addWidget(self.stations)
        box.addWidget(_heading("受威胁村和风险点", editor))
        self.points = QTableWidget(editor)
        box.addWidget(self.points)

        box.addWidget(_heading("预警与响应建议", editor))
        self.warnings_form = QFormLayout()
        box.addLayout(self.warnings_form)
        self.response = QComboBox(editor)
        self.response.addItems([NO_RESPONSE, *(f"{r}级" for r in RESPONSE_LEVELS)])
        response_form = QFormLayout()
        response_form.addRow("建议响应等级", self.response)
        box.addLayout(response_form)
        self.reasons = QLabel(editor)
        self.reasons.setObjectName("Muted")
        self.reasons.setWordWrap(True)
        box.addWidget(self.reasons)

        box.addWidget(_heading("工作任务（每行一项，保存时自动编号）", editor))
        self.tasks = QPlainTextEdit(editor)
        self.tasks.setTabChangesFocus(True)
        self.tasks.setMinimumHeight(210)
        box.addWidget(self.tasks)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存修改", editor)
        self.save_button.setToolTip("Ctrl+S")
        self.sign_button = QPushButton("签发", editor)
        self.sign_button.setObjectName("PrimaryButton")
        self.revise_button = QPushButton("修订", editor)
        self.revise_button.setToolTip("已签发的研判单不能修改：修订生成新的草稿版本（Ctrl+R）")
        self.discard_button = QPushButton("删除草稿", editor)
        self.response_button = QPushButton("启动应急响应…", editor)
        self.response_button.setToolTip("按本单建议的等级在应急一指南中启动应急响应（带班领导）")
        self.docx_button = QPushButton("导出 Word", editor)
        self.pdf_button = QPushButton("导出 PDF", editor)
        for button in (
            self.save_button,
            self.sign_button,
            self.revise_button,
            self.discard_button,
            self.response_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.docx_button)
        buttons.addWidget(self.pdf_button)
        box.addLayout(buttons)

        # The orders issued from this sheet, and 下达指令… to issue one linked to it.
        self.order_button = QPushButton("下达指令…", editor)
        self.order_button.setToolTip(
            "在指挥一平台新建指令并关联本单：自动勾选本单预警的乡镇，取本单最高预警等级"
        )
        orders_bar = QHBoxLayout()
        orders_bar.addWidget(_heading("本单下达的指令", editor), 1)
        orders_bar.addWidget(self.order_button)
        box.addLayout(orders_bar)
        self.orders = QTableWidget(editor)
        box.addWidget(self.orders)
        self.orders_note = QLabel(editor)
        self.orders_note.setObjectName("Muted")
        box.addWidget(self.orders_note)
        box.addStretch(1)
        scroll.setWidget(editor)
        self.editor = scroll
        self.placeholder = QLabel(
            "选择左侧的研判单查看和编辑；没有研判单时可按“立即生成”（Ctrl+G）。", splitter
        )
        self.placeholder.setObjectName("Muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        right = QWidget(splitter)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(scroll, 1)
        right_box.addWidget(self.placeholder, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([440, 760])
        self.layout_.addWidget(splitter, 1)

        self.generate_button.clicked.connect(self.generate)
        self.save_button.clicked.connect(self.save)
        self.sign_button.clicked.connect(self.sign)
        self.revise_button.clicked.connect(self.revise)
        self.discard_button.clicked.connect(self.discard)
        self.docx_button.clicked.connect(lambda: self.export_docx())
        self.response_button.clicked.connect(self.start_response)
        self.order_button.clicked.connect(self.issue_order)
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._chosen_sheet())
        self.versions.selectionModel().selectionChanged.connect(lambda *_: self._chosen_version())
        for keys, slot in (
            ("Ctrl+G", self.generate),
            ("Ctrl+S", self.save),
            ("Ctrl+Return", self.sign),
            ("Ctrl+R", self.revise),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        context.bus.changed.connect(self._on_changes)
        self._show(None)
        self.refresh()

    def focus_entry(self) -> None:
        """Shown: the keyboard starts in the list of sheets (arrows choose, Tab edits); while
        the list is still loading, once it has landed."""
        self._focus_pending = not self.table.isEnabled()
        self.table.setFocus()

    # -- roles and state -----------------------------------------------------------------------
    def role(self) -> str | None:
        """The signed-in account's role; None standalone."""
        return signed_in_role(self.context)

    def _user(self) -> str:
        return self.context.session.officer

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setObjectName("FieldError" if error else "Muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def _update_buttons(self) -> None:
        sheet = self.sheet
        writable = self.service is not None and self.role() != "readonly"
        draft = sheet is not None and sheet["status"] == DRAFT
        latest = sheet is not None and self._is_latest(sheet)
        self.generate_button.setEnabled(writable)
        self.save_button.setEnabled(writable and draft)
        self.discard_button.setEnabled(writable and draft)
        self.sign_button.setEnabled(writable and draft and may_sign(self.role()))
        self.sign_button.setToolTip(
            "签发研判单（Ctrl+Enter）" if may_sign(self.role()) else SIGN_REFUSAL
        )
        self.revise_button.setEnabled(
            writable and sheet is not None and sheet["status"] == SIGNED and latest
        )
        self.docx_button.setEnabled(sheet is not None)
        self.pdf_button.setEnabled(sheet is not None)
        role = self.role()
        self.order_button.setEnabled(
            sheet is not None
            and self.context.incidents is not None
            and self.context.open_view is not None
            and (role is None or allowed(role, "order.issue"))
        )
        self.response_button.setEnabled(
            writable
            and sheet is not None
            and sheet["status"] == SIGNED
            and (role is None or allowed(role, "response.activate"))
        )
        for widget in (self.summary, self.tasks):
            widget.setReadOnly(not (writable and draft))
        self.response.setEnabled(writable and draft)
        for combo in self._warning_boxes.values():
            combo.setEnabled(writable and draft)

    def start_response(self) -> None:
        """启动应急响应… from a signed sheet: 应急一指南's dialog on it, at its level."""
        from console.views.pages.guide_page import open_activation

        if self.sheet is not None:
            open_activation(self.context, str(self.sheet["id"]))

    def issue_order(self) -> None:
        """下达指令… from the sheet shown: 指挥一平台's 新建指令 linked to it."""
        from console.views.pages.command_page import CommandPage

        if self.sheet is None or self.context.open_view is None:
            return
        page = self.context.open_view(COMMAND_VIEW)
        if isinstance(page, CommandPage):
            page.ask_new(str(self.sheet["id"]))

    def _is_latest(self, sheet: dict[str, Any]) -> bool:
        versions = self.versions_model.records()
        return not versions or versions[0]["id"] == sheet["id"]

    # -- reads --------------------------------------------------------------------------------
    def refresh(self) -> None:
        service = self.service
        if service is None:
            self._say(NO_SERVICE)
            self._update_buttons()
            return
        self._say("正在读取……")
        self.table.setEnabled(False)

        chosen = self._select_after or (self.sheet["series_id"] if self.sheet else None)

        def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
            rows = service.latest_per_series()
            series = next((r["series_id"] for r in rows if r["id"] == chosen), chosen)
            if series is None and rows:
                series = rows[0]["series_id"]  # first visit: the newest sheet
            history = service.history(series) if series else []
            return rows, history, any(r.get("is_sample") for r in rows)

        run_task(self.context.tasks, read, on_done=self._land, receiver=self)

    def _land(self, read: tuple[list[dict[str, Any]], list[dict[str, Any]], bool]) -> None:
        rows, history, sample = read
        self.table.setEnabled(True)
        if self._focus_pending:
            self._focus_pending = False
            self.table.setFocus()
        self.header.set_sample(sample)
        wanted = self._select_after or (self.sheet["id"] if self.sheet else None)
        self._select_after = None
        self.model.set_records(rows)
        self.versions_model.set_records(history)
        self._say("" if rows else EMPTY)
        shown = next((v for v in history if v["id"] == wanted), None)
        if shown is None and history:
            shown = history[0]
        if shown is None and rows:
            shown = rows[0]
        self._select_row(shown)
        self._show(shown)

    def _select_row(self, sheet: dict[str, Any] | None) -> None:
        blockers = [self.table.selectionModel(), self.versions.selectionModel()]
        for b in blockers:
            b.blockSignals(True)
        try:
            self.table.clearSelection()
            self.versions.clearSelection()
            if sheet is None:
                return
            for row, record in enumerate(self.model.records()):
                if record["series_id"] == sheet["series_id"]:
                    self.table.selectRow(row)
            for row, record in enumerate(self.versions_model.records()):
                if record["id"] == sheet["id"]:
                    self.versions.selectRow(row)
        finally:
            for b in blockers:
                b.blockSignals(False)

    def _chosen_sheet(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            record = rows[0].data(RECORD_ROLE)
            self._select_after = record["id"]
            self.sheet = record
            self.refresh()

    def _chosen_version(self) -> None:
        rows = self.versions.selectionModel().selectedRows()
        if rows:
            self._show(rows[0].data(RECORD_ROLE))

    # -- the sheet ------------------------------------------------------------------------------
    def _show(self, sheet: dict[str, Any] | None) -> None:
        self.sheet = sheet
        while self.warnings_form.rowCount():
            self.warnings_form.removeRow(0)
        self._warning_boxes = {}
        if sheet is None:
            self.sheet_title.setText("未选择研判单")
            self.editor.hide()
            self.placeholder.show()
            for label in (self.marks, self.meta, self.stations, self.reasons):
                label.clear()
            self.summary.clear()
            self.tasks.clear()
            self.rain.clear()
            self.rain.setRowCount(0)
            self.points.clear()
            self.points.setRowCount(0)
            self._update_buttons()
            return
        self.placeholder.hide()
        self.editor.show()
        doc = sheet_document(sheet)
        content = parse_content(sheet["content"])
        self.sheet_title.setText(f"{doc.number}　{doc.title}")
        self.marks.setText("　".join(f"【{m}】" for m in doc.marks))
        self.marks.setVisible(bool(doc.marks))
        self.meta.setText("；".join((*doc.meta, doc.signature)))
        self.summary.setPlainText(doc.summary)
        self._fill(self.rain, doc.rain_header, doc.rain_rows)
        self.stations.setText("\n".join(doc.station_lines) or "无站点超过警戒（汛限）水位。")
        self._fill(self.points, doc.endangered_header, doc.endangered_rows)
        self.points.setToolTip("\n".join(doc.notes))
        for item in content.get("warnings", []):
            combo = QComboBox(self)
            combo.addItems(["无", *(f"{level}色" for level in WARNING_LEVELS)])
            level = str(item.get("level") or "")
            combo.setCurrentIndex(0 if not level else WARNING_LEVELS.index(level) + 1)
            self.warnings_form.addRow(str(item.get("name", "")), combo)
            self._warning_boxes[str(item.get("township_id"))] = combo
        if not self._warning_boxes:
            self.warnings_form.addRow("乡镇预警", QLabel("无乡镇达到预警等级", self))
        response = sheet.get("proposed_response") or ""
        self.response.setCurrentIndex(0 if not response else RESPONSE_LEVELS.index(response) + 1)
        self.reasons.setText("；".join(content.get("response_reasons", [])))
        self.tasks.setPlainText("\n".join(str(t.get("text", "")) for t in content.get("tasks", [])))
        self.load_orders()
        self._update_buttons()

    def load_orders(self) -> None:
        """The orders linked to the shown sheet (any version of it), read in the
        background."""
        self._orders_seq += 1
        seq, sheet = self._orders_seq, self.sheet
        if sheet is None:
            self._show_orders(seq, [])
            return
        ids = [str(v["id"]) for v in self.versions_model.records()
               if v["series_id"] == sheet["series_id"]] or [str(sheet["id"])]  # fmt: skip
        service, now = self.order_service, self.context.clock()
        run_task(
            self.context.tasks,
            lambda: service.sheet_orders(ids, now=now),
            on_done=lambda rows: self._show_orders(seq, rows),
            receiver=self,
        )

    def _show_orders(self, seq: int, rows: list[SheetOrder]) -> None:
        if seq != self._orders_seq:
            return
        self.sheet_orders = rows
        lines = tuple(
            (
                beijing.display(r.order["issued_at"])[5:],
                f"{r.order['kind']}：{r.order['title']}",
                r.order["status"],
                r.progress,
            )
            for r in rows
        )
        self._fill(self.orders, ORDER_HEADER, lines)
        self.orders.setVisible(bool(rows))
        self.orders_note.setText(
            "" if rows else "尚未据本单下达指令；可按“下达指令…”发出预警叫应或转移指令。"
        )
        self.orders_note.setVisible(not rows)

    def _fill(
        self, table: QTableWidget, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]
    ) -> None:
        table.clear()
        table.setColumnCount(len(header))
        table.setHorizontalHeaderLabels(list(header))
        table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                table.setItem(r, c, item)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        height = table.horizontalHeader().height() + 2 * table.frameWidth() + 8
        height += sum(table.rowHeight(r) for r in range(len(rows)))
        table.setFixedHeight(min(max(height, 60), 260))

    def edits(self) -> dict[str, Any]:
        """What the editor holds, as ``AssessmentService.edit`` takes it."""
        warnings = {
            tid: ("" if combo.currentIndex() == 0 else WARNING_LEVELS[combo.currentIndex() - 1])
            for tid, combo in self._warning_boxes.items()
        }
        index = self.response.currentIndex()
        return {
            "summary": self.summary.toPlainText().strip(),
            "tasks": self.tasks.toPlainText().splitlines(),
            "warnings": warnings,
            "proposed_response": "" if index == 0 else RESPONSE_LEVELS[index - 1],
        }

    # -- writes ---------------------------------------------------------------------------------
    def _write(self, work: Any, done_text: str) -> None:
        def landed(result: object) -> None:
            if isinstance(result, str):
                self._select_after = result
            self._say(done_text)
            self.refresh()

        def failed(error: BaseException) -> None:
            if isinstance(error, MutationRejected):
                self._say(error.message, error=True)
            else:
                self._say(f"操作失败：{error}", error=True)

        run_task(self.context.tasks, work, on_done=landed, on_error=failed, receiver=self)

    def generate(self) -> None:
        service, provider = self.service, self.context.situation
        if service is None:
            self._say(NO_SERVICE, error=True)
            return
        if provider is None:
            self._say(NO_SITUATION, error=True)
            return
        user = self._user()

        def work() -> str:
            situation = provider()
            if situation is None:
                raise MutationRejected("no_situation", NO_SITUATION)
            return service.generate(situation, user=user)

        self._write(work, "已生成研判单草稿，请核对后提交带班领导签发。")

    def save(self) -> None:
        sheet, service = self.sheet, self.service
        if sheet is None or service is None or sheet["status"] != DRAFT:
            return
        edits, user, sheet_id = self.edits(), self._user(), sheet["id"]

        def work() -> str:
            service.edit(sheet_id, user=user, **edits)
            return sheet_id

        self._write(work, "已保存。")

    def sign(self) -> None:
        sheet, service = self.sheet, self.service
        if sheet is None or service is None or sheet["status"] != DRAFT:
            return
        if not may_sign(self.role()):
            self._say(SIGN_REFUSAL, error=True)
            return
        edits, user, role, sheet_id = self.edits(), self._user(), self.role(), sheet["id"]

        def work() -> str:
            service.edit(sheet_id, user=user, **edits)
            service.sign(sheet_id, user=user, role=role)
            return sheet_id

        self._write(work, "已签发。签发后的研判单不再改动；如需修改请“修订”。")

    def revise(self) -> None:
        sheet, service = self.sheet, self.service
        if sheet is None or service is None or sheet["status"] != SIGNED:
            return
        user, sheet_id = self._user(), sheet["id"]
        self._write(
            lambda: service.revise(sheet_id, user=user),
            "已生成修订稿（新版本），修改后请重新签发。",
        )

    def discard(self) -> None:
        sheet, service = self.sheet, self.service
        if sheet is None or service is None or sheet["status"] != DRAFT:
            return
        user, sheet_id = self._user(), sheet["id"]
        self.sheet = None
        self._write(lambda: service.discard(sheet_id, user=user), "已删除草稿。")

    # -- export ---------------------------------------------------------------------------------
    def _target(self, suffix: str, path: Path | None) -> Path | None:
        if path is not None or self.sheet is None:
            return path
        name = f"{self.sheet['number']}-第{self.sheet['revision']}版{suffix}"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "导出研判单", str(Path.home() / name), f"*{suffix}"
        )
        return Path(chosen) if chosen else None

    def export_docx(self, path: Path | None = None) -> None:
        sheet = self.sheet
        target = self._target(".docx", path)
        if sheet is None or target is None:
            return

        def done(written: Path) -> None:
            self.exported.append(written)
            self._say(f"已导出：{written}")

        run_task(
            self.context.tasks,
            export_docx,
            sheet,
            target,
            on_done=done,
            on_error=lambda e: self._say(f"导出失败：{e}", error=True),
            receiver=self,
        )

    def export_pdf(self, path: Path | None = None) -> None:
        from console.ui.pdf_export import write_pdf

        sheet = self.sheet
        target = self._target(".pdf", path)
        if sheet is None or target is None:
            return
        try:  # Qt's printer lives on the GUI thread
            written = write_pdf(
                sheet_html(sheet), target, title=f"{sheet['number']} {sheet['title']}"
            )
        except OSError as error:
            self._say(f"导出失败：{error}", error=True)
            return
        self.exported.append(written)
        self._say(f"已导出：{written}")

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()
        elif changes.touches(*ORDER_TABLES):
            self.load_orders()
