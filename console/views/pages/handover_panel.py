"""交接班 tab of 队伍与值班 (issue 14): the shift handover.

The outgoing officer picks the shift (the current one by default), 生成交接单 (open
incidents with their next report due, orders not acknowledged, open checklists, the
shift's calls, team changes), writes the leader's instructions and notes, names the
incoming account; the incoming officer, signed in on any workstation, reviews the same
handover and signs it (接班签收). Signed, it is read-only everywhere (the server refuses
edits too); it prints and exports to .docx from its stored snapshot. A shift that ended
without a signed handover shows a red banner on top for the duty leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.domain import handover as ho
from console.domain.roles import allowed
from console.domain.shifts import Shift
from console.services.handover import TABLES, Flag, HandoverService, shift_label
from console.services.handover_export import (
    export_handover_docx,
    handover_html,
    handover_meta,
    handover_title,
)
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import PageContext, run_write, say, signed_in_role

EMPTY = (
    "本班次尚未生成交接单。交班前点击“生成交接单”，"
    "系统汇总未结事件、未叫应指令、未完成清单和本班接警。"
)


CHECK_MS = 60_000


@dataclass(frozen=True)
class Loaded:
    """What a refresh reads for the selected shift."""

    row: dict[str, Any] | None  # its handover (None: not generated)
    flags: list[Flag]  # shifts ended without a signed handover
    proposed: str  # the incoming account the roster proposes ("" none)
    accounts: list[str]  # accounts seen here, offered as 接班人


class HandoverPanel(QWidget):
    written = Signal(str)  # "" when saved, else the refusal
    loaded = Signal()  # the selected shift's handover (and the flags) landed

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        writer = context.incidents.writer if context.incidents is not None else None
        self.service = HandoverService(context.queries.store, writer)
        self.current: dict[str, Any] | None = None
        self.flags: list[Flag] = []
        self._build()
        self._fill_shifts()
        # A shift ends while the window is open: its flag (and the new shift) show up.
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        context.bus.changed.connect(self._on_changes)
        # The incoming officer signs in on this workstation: the buttons follow the account.
        context.session.officer_changed.connect(lambda _name: self._update_buttons())
        run_task(
            context.tasks,
            self.service.default_shift,
            context.clock(),
            on_done=self.select_shift,
            receiver=self,
        )

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        self.flag_bar = QFrame(self)
        self.flag_bar.setObjectName("HandoverFlag")
        flag_row = QHBoxLayout(self.flag_bar)
        flag_row.setContentsMargins(12, 6, 12, 6)
        tag = QLabel("交接提醒", self.flag_bar)
        tag.setObjectName("BannerTag")
        flag_row.addWidget(tag)
        self.flag_text = QLabel(self.flag_bar)
        self.flag_text.setWordWrap(True)
        flag_row.addWidget(self.flag_text, 1)
        self.flag_bar.hide()
        box.addWidget(self.flag_bar)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("班次", self))
        self.shift_box = QComboBox(self)
        self.shift_box.setMinimumContentsLength(26)
        bar.addWidget(self.shift_box)
        self.generate_button = QPushButton("生成交接单", self)
        self.generate_button.setObjectName("PrimaryButton")
        self.save_button = QPushButton("保存修改", self)
        self.sign_button = QPushButton("接班签收", self)
        for b in (self.generate_button, self.save_button, self.sign_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.print_button = QPushButton("打印…", self)
        self.docx_button = QPushButton("导出 Word…", self)
        bar.addWidget(self.print_button)
        bar.addWidget(self.docx_button)
        box.addLayout(bar)
        self.message = QLabel(self)
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        box.addWidget(self.message)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.preview = QTextBrowser(split)
        self.preview.setOpenLinks(False)
        side = QWidget(split)
        form = QFormLayout(side)
        form.setContentsMargins(8, 0, 0, 0)
        self.status = QLabel(side)
        self.status.setWordWrap(True)
        self.status.setObjectName("Muted")
        form.addRow(self.status)
        self.incoming = QComboBox(side)
        self.incoming.setEditable(True)
        self.incoming.setToolTip(
            "接班人的登录账号；指定后只有该账号可以签收。留空则交班人以外的任何账号可签收。"
        )
        line = self.incoming.lineEdit()
        if line is not None:
            line.setMaxLength(64)
            line.setPlaceholderText("接班人账号（可留空）")
        form.addRow("接班人", self.incoming)
        self.instructions = QPlainTextEdit(side)
        self.instructions.setPlaceholderText("带班领导交办、需下一班继续落实的事项")
        form.addRow("领导交办事项", self.instructions)
        self.notes = QPlainTextEdit(side)
        self.notes.setPlaceholderText("交班备注：设备、通讯、需要提醒的情况")
        form.addRow("交班备注", self.notes)
        self.remarks = QLineEdit(side)
        self.remarks.setMaxLength(ho.REMARKS_MAX_LEN)
        self.remarks.setPlaceholderText("接班意见（签收时填写，可留空）")
        form.addRow("接班意见", self.remarks)
        split.addWidget(self.preview)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        box.addWidget(split, 1)

        self.shift_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.generate_button.clicked.connect(self.generate)
        self.save_button.clicked.connect(self.save)
        self.sign_button.clicked.connect(self.sign)
        self.print_button.clicked.connect(self._ask_print)
        self.docx_button.clicked.connect(self._ask_docx)

    def _fill_shifts(self) -> None:
        self.shift_box.blockSignals(True)
        self.shift_box.clear()
        for n, shift in enumerate(self.service.recent_shifts(self.context.clock())):
            label = shift_label(shift) + ("（本班）" if n == 0 else "")
            self.shift_box.addItem(label, shift)
        self.shift_box.blockSignals(False)

    # -- reading ----------------------------------------------------------------------------
    def user(self) -> str:
        return self.context.session.officer

    def shift(self) -> Shift:
        shift: Shift = self.shift_box.currentData()
        return shift

    def select_shift(self, shift: Shift) -> None:
        index = next(
            (i for i in range(self.shift_box.count()) if self.shift_box.itemData(i) == shift), -1
        )
        if index < 0:
            self.shift_box.insertItem(0, shift_label(shift), shift)
            index = 0
        self.shift_box.blockSignals(True)
        self.shift_box.setCurrentIndex(index)
        self.shift_box.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        now = self.context.clock()
        if self.service.shift_at(now) != self.shift_box.itemData(0):  # a new shift began
            chosen = self.shift()
            self._fill_shifts()
            index = self.shift_box.findText(shift_label(chosen), Qt.MatchFlag.MatchStartsWith)
            self.shift_box.blockSignals(True)
            self.shift_box.setCurrentIndex(max(index, 0))
            self.shift_box.blockSignals(False)
        shift = self.shift()

        def load() -> Loaded:
            service = self.service
            service.reload_pattern()  # the county's 班制 may have changed
            return Loaded(
                service.for_shift(shift),
                service.flags(now),
                service.incoming_for(shift),
                service.accounts_seen(),
            )

        run_task(self.context.tasks, load, on_done=self._land, receiver=self)

    def _land(self, found: Loaded) -> None:
        row, flags, proposed = found.row, found.flags, found.proposed
        typed = self.incoming.currentText()
        self.incoming.blockSignals(True)
        self.incoming.clear()
        self.incoming.addItems([a for a in found.accounts if a != self.user()])
        self.incoming.setEditText(typed)
        self.incoming.blockSignals(False)
        self.current = row
        self.flags = flags
        self.flag_text.setText("；".join(f.text() for f in flags))
        self.flag_bar.setVisible(bool(flags))
        if row is None:
            self.preview.setPlainText(EMPTY)
            self.status.setText("状态：未生成")
            self.instructions.setPlainText("")
            self.notes.setPlainText("")
            self.incoming.setEditText(proposed)
            self.remarks.clear()
        else:
            self.preview.setHtml(handover_html(row))
            self.status.setText("\n".join(f"{k}：{v}" for k, v in handover_meta(row)))
            self.instructions.setPlainText(row["instructions"])
            self.notes.setPlainText(row["notes"])
            self.incoming.setEditText(row["incoming"])
            self.remarks.setText(row["remarks"] if row["status"] == ho.SIGNED else "")
        self._update_buttons()
        self.loaded.emit()

    # -- permissions --------------------------------------------------------------------------
    def _may(self, mutation: str) -> bool:
        role = signed_in_role(self.context)
        return self.service.writable and (role is None or allowed(role, mutation))

    def _update_buttons(self) -> None:
        row = self.current
        pending = row is not None and row["status"] == ho.PENDING
        signed = row is not None and row["status"] == ho.SIGNED
        self.generate_button.setText("重新生成" if pending else "生成交接单")
        # Only the outgoing officer takes the snapshot again: the incoming one signs what
        # they were handed.
        others = pending and row is not None and row["author"] != self.user()
        self.generate_button.setEnabled(
            not signed
            and not others
            and self._may("handover.create" if row is None else "handover.update")
        )
        self.save_button.setEnabled(pending and self._may("handover.update"))
        problem = ho.sign_problem(row, self.user()) if pending and row is not None else None
        self.sign_button.setEnabled(pending and problem is None and self._may("handover.sign"))
        self.sign_button.setToolTip(problem or "以当前登录账号签收本交接单；签收后不能再修改")
        for w in (self.instructions, self.notes):
            w.setReadOnly(signed)
        self.incoming.setEnabled(not signed)
        self.remarks.setReadOnly(not pending)
        self.print_button.setEnabled(row is not None)
        self.docx_button.setEnabled(row is not None)

    # -- writing ----------------------------------------------------------------------------
    def _write(self, fn: Any, done: str) -> None:
        run_write(
            self.context.tasks,
            self,
            fn,
            message=self.message,
            written=self.written,
            done_text=done,
            after=lambda _r: self.refresh(),
        )

    def generate(self) -> None:
        """A new handover for the shift, or the pending one taken again from today's data."""
        shift, user, now = self.shift(), self.user(), self.context.clock()
        row = self.current
        if row is not None and row["status"] == ho.PENDING:
            handover_id = str(row["id"])
            self._write(
                lambda: self.service.regenerate(handover_id, user=user, now=now),
                "交接单已按当前数据重新生成",
            )
            return
        instructions, notes = self.instructions.toPlainText(), self.notes.toPlainText()
        incoming = self.incoming.currentText().strip()
        self._write(
            lambda: self.service.create(
                shift, user=user, now=now, instructions=instructions, notes=notes, incoming=incoming
            ),
            "交接单已生成，请接班人审阅后签收",
        )

    def save(self) -> None:
        row = self.current
        if row is None:
            return
        handover_id, user = str(row["id"]), self.user()
        instructions, notes = self.instructions.toPlainText(), self.notes.toPlainText()
        incoming = self.incoming.currentText()
        self._write(
            lambda: self.service.save_text(
                handover_id, user=user, instructions=instructions, notes=notes, incoming=incoming
            ),
            "已保存",
        )

    def sign(self) -> None:
        row = self.current
        if row is None:
            return
        handover_id, user, at = str(row["id"]), self.user(), self.context.clock()
        remarks = self.remarks.text().strip()
        self._write(
            lambda: self.service.sign(handover_id, user=user, remarks=remarks, at=at),
            f"已由 {user} 签收，交接完成",
        )

    # -- documents --------------------------------------------------------------------------
    def document(self) -> QTextDocument:
        doc = QTextDocument(self)
        if self.current is not None:
            doc.setHtml(handover_html(self.current))
        return doc

    def print_to(self, printer: QPrinter) -> None:
        self.document().print_(printer)

    def export_docx(self, path: Path) -> None:
        row = self.current
        if row is None:
            return
        export_handover_docx(row, path)
        say(self.message, f"已导出：{path.name}")

    def export_pdf(self, path: Path) -> None:
        from console.ui.pdf_export import write_pdf

        if self.current is not None:
            write_pdf(handover_html(self.current), path, title=handover_title(self.current))
            say(self.message, f"已导出：{path.name}")

    def _ask_print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec():
            self.print_to(printer)

    def _ask_docx(self) -> None:
        if self.current is None:
            return
        name = f"{handover_title(self.current)}.docx"
        path, _ = QFileDialog.getSaveFileName(
            self, "导出交接单", str(Path.home() / name), "Word (*.docx)"
        )
        if path:
            self.export_docx(Path(path))

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()
