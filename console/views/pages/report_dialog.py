"""生成报告: compose a 首报 / 续报 / 终报 draft, edit it, export .docx or PDF, and record it
as sent (stage, channel, recipient), which meets the matching deadline."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing
from console.domain.reporting import CHANNELS, FIRST_STAGES, REPORT_STAGES, stages_for
from console.domain.schema import ENTITY_FIELDS
from console.services.deadlines import Deadline
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.services.report_text import ReportDraft, compose
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import TaskRunner, run_task

LOADING = "正在读取事件，生成报告草稿……"
_REPORT = ENTITY_FIELDS["incident_reports"]  # labels and lengths as declared


@dataclass(frozen=True)
class ReportData:
    """What composing a report reads (any thread); the stages are composed from it."""

    incident: dict[str, Any]
    timeline: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    names: dict[str, str]
    due: Deadline | None = None  # the report due first, if any


def read_report_data(source: IncidentSource, incident_id: str) -> ReportData | None:
    incident = source.incident(incident_id)
    if incident is None:
        return None
    reports = source.reports_for([incident_id]).get(incident_id, [])
    return ReportData(
        incident,
        source.timeline(incident_id),
        reports,
        source.place_names(),
        source.reporting(incident, reports=reports).next_due,
    )


class ReportDialog(QDialog):
    """Opens at once and composes when the incident has been read on the task runner
    (:attr:`ready`); the draft cannot be edited, exported or recorded before that."""

    recorded = Signal(bool)  # 标记为已报送 has been written (True) or refused (False)
    ready = Signal(bool)  # the incident has been read: composed (True) or it is gone (False)

    def __init__(
        self,
        incident_id: str,
        source: IncidentSource,
        service: IncidentService | None,
        officer: str,
        data_dir: Path,
        clock: Callable[[], datetime] = beijing.now,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._recording = False
        self.setObjectName("ReportDialog")
        self.setWindowTitle("生成报告")
        self.resize(760, 640)
        self._id = incident_id
        self._source = source
        self._service = service
        self._officer = officer
        self._data_dir = data_dir
        self._clock = clock
        self.sent: list[str] = []

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(_REPORT["stage"].label, self))
        self.stage = QComboBox(self)
        self.stage.addItems(list(REPORT_STAGES))
        top.addWidget(self.stage)
        top.addStretch(1)
        layout.addLayout(top)
        self.title = QLineEdit(self)
        self.title.setObjectName("ReportTitle")
        layout.addWidget(self.title)
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("ReportBody")
        self.body.setTabChangesFocus(True)
        layout.addWidget(self.body, 1)

        exports = QHBoxLayout()
        self.docx_button = QPushButton("导出 Word…", self)
        self.docx_button.clicked.connect(lambda: self._export("docx"))
        self.pdf_button = QPushButton("导出 PDF…", self)
        self.pdf_button.clicked.connect(lambda: self._export("pdf"))
        exports.addWidget(self.docx_button)
        exports.addWidget(self.pdf_button)
        exports.addStretch(1)
        layout.addLayout(exports)

        sent = QGridLayout()
        sent.addWidget(QLabel(_REPORT["channel"].label, self), 0, 0)
        self.channel = QComboBox(self)
        self.channel.addItems(list(CHANNELS))
        sent.addWidget(self.channel, 0, 1)
        sent.addWidget(QLabel(_REPORT["recipient"].label, self), 0, 2)
        self.recipient = QLineEdit(self)
        self.recipient.setPlaceholderText("如 丽水市应急管理局值班室")
        self.recipient.setMaxLength(_REPORT["recipient"].max_len or 32767)
        sent.addWidget(self.recipient, 0, 3)
        sent.setColumnStretch(3, 1)
        self.mark_button = QPushButton("标记为已报送", self)
        self.mark_button.setObjectName("PrimaryButton")
        self.mark_button.clicked.connect(self.mark_sent)
        sent.addWidget(self.mark_button, 0, 4)
        layout.addLayout(sent)
        self.message = QLabel(self)
        self.message.setObjectName("SavedNotice")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        close = QHBoxLayout()
        close.addStretch(1)
        self.close_button = QPushButton("关闭", self)
        self.close_button.clicked.connect(self.accept)
        close.addWidget(self.close_button)
        layout.addLayout(close)

        self._data: ReportData | None = None
        self.body.setPlaceholderText(LOADING)
        self._set_loaded(False)
        self.stage.currentTextChanged.connect(self.compose)
        run_task(tasks, read_report_data, source, incident_id, on_done=self._read, receiver=self)

    def _set_loaded(self, loaded: bool) -> None:
        for widget in (self.stage, self.title, self.body, self.docx_button, self.pdf_button):
            widget.setEnabled(loaded)
        self.mark_button.setEnabled(loaded and self._service is not None)

    def _read(self, data: ReportData | None) -> None:
        self._data = data
        if data is None:
            self.body.setPlaceholderText("")
            self._say("该事件已不存在（可能已被删除），无法生成报告。")
            self.ready.emit(False)
            return
        self._set_loaded(True)
        self.stage.blockSignals(True)
        self.stage.clear()
        self.stage.addItems(list(stages_for(data.incident["category"])))
        stage, channel = suggested(data)
        if self.stage.findText(stage) < 0:  # a county rule may ask for another kind
            self.stage.addItem(stage)
        self.stage.setCurrentText(stage)
        if channel:
            self.channel.setCurrentText(channel)
        self.stage.blockSignals(False)
        self.compose()
        self.ready.emit(True)

    def compose(self) -> ReportDraft | None:
        """The draft of the chosen stage, from what was read (None before that)."""
        data = self._data
        if data is None:
            return None
        draft = compose(
            self.stage.currentText(),
            data.incident,
            data.timeline,
            data.reports,
            data.names,
            now=self._clock(),
        )
        self.title.setText(draft.title)
        self.body.setPlainText(draft.body)
        return draft

    def draft(self) -> ReportDraft:
        """The report as edited by the officer."""
        return ReportDraft(self.stage.currentText(), self.title.text(), self.body.toPlainText())

    def default_path(self, suffix: str) -> Path:
        name = re.sub(r'[\\/:*?"<>|\s]+', "_", self.title.text()).strip("_") or "报告"
        stamp = self._clock().strftime("%Y%m%d-%H%M")
        return self._data_dir / "reports" / f"{name}-{stamp}.{suffix}"

    def ask_path(self, suffix: str) -> Path | None:
        """The save dialog (tests replace this)."""
        default = self.default_path(suffix)
        default.parent.mkdir(parents=True, exist_ok=True)
        kinds = "Word 文档 (*.docx)" if suffix == "docx" else "PDF 文件 (*.pdf)"
        path, _ = QFileDialog.getSaveFileName(self, "导出报告", str(default), kinds)
        return Path(path) if path else None

    def _export(self, suffix: str) -> Path | None:
        path = self.ask_path(suffix)
        if path is None:
            return None
        return self.export(path)

    def export(self, path: Path) -> Path | None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if path.suffix.lower() == ".pdf":
                from console.ui.pdf_export import export_pdf

                export_pdf(self.draft(), path, author=self._officer)
            else:  # python-docx costs ~50 ms to import: not at start-up, only when used
                from console.services.report_export import export_docx

                export_docx(self.draft(), path, author=self._officer)
        except OSError as exc:
            self._say(f"导出失败：{exc}")
            return None
        self._say(f"已导出：{path}")
        return path

    def mark_sent(self) -> bool:
        """Record the report as sent (in the background); False when there is no write path
        or one is running. :attr:`recorded` tells how it ended."""
        if self._service is None or self._recording or self._data is None:
            return False
        service, incident_id = self._service, self._id
        stage, channel = self.stage.currentText(), self.channel.currentText()
        body, recipient = self.body.toPlainText(), self.recipient.text().strip()
        user, sent_at = self._officer, self._clock()

        def write() -> object:
            return service.record_report_sent(
                incident_id,
                stage=stage,
                channel=channel,
                body=body,
                recipient=recipient,
                user=user,
                sent_at=sent_at,
            )

        def done(_result: object) -> None:
            self._set_recording(False)
            self.sent.append(f"{stage}({channel})")
            self._say(f"已记录：{stage}（{channel}）于 {beijing.display(sent_at)} 报送")
            self.recorded.emit(True)

        def failed(exc: BaseException) -> None:
            self._set_recording(False)
            if not isinstance(exc, WRITE_REFUSED):
                sys.excepthook(type(exc), exc, exc.__traceback__)
            self._say(f"未能记录：{exc}")
            self.recorded.emit(False)

        self._set_recording(True)
        run_task(self._tasks, write, on_done=done, on_error=failed, receiver=self)
        return True

    def _set_recording(self, recording: bool) -> None:
        self._recording = recording
        self.mark_button.setEnabled(not recording)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


def suggested(data: ReportData) -> tuple[str, str]:
    """The kind (and channel) of the report due first; else 续报 once a first report was
    sent, else the first report of the category (首报, or 初报 for natural disasters)."""
    due = data.due
    if due is not None:
        return due.stage, due.channel
    kinds = stages_for(data.incident["category"])
    sent_first = any(r["stage"] in FIRST_STAGES for r in data.reports)
    return ("续报" if sent_first else kinds[0]), ""
