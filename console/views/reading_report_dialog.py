"""登记报送读数: a station reading a 灾害信息员 phones in, typed by the officer on duty.

Saved through the write path (``reading.report``): it shows in the charts at once, offline
too, and reaches every workstation on the readings channel once pushed. A refusal (a value
out of range, a time in the future) is shown under the form; what was typed stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from console.domain import beijing
from console.services.monitoring import MonitorStation
from console.services.readings_report import PhonedReadings
from console.ui.tasks import TaskRunner, run_task

RAIN, LEVEL = "雨量", "水位"
INTERVALS = ((5, "5 分钟"), (60, "1 小时"))


class ReadingReportDialog(QDialog):
    saved = Signal(str)  # the record's id
    failed = Signal(str)  # the Chinese refusal

    def __init__(
        self,
        stations: Sequence[MonitorStation],
        service: PhonedReadings,
        *,
        user: Callable[[], str],
        now: Callable[[], datetime],
        tasks: TaskRunner | None,
        chosen: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("登记报送读数（灾害信息员电话报送）")
        self._service, self._user, self._tasks = service, user, tasks
        form = QFormLayout(self)
        self.station = QComboBox(self)
        for s in stations:
            place = f"（{s.township}）" if s.township else ""
            self.station.addItem(f"{s.name}{place}", s)
        if chosen:
            index = next((i for i, s in enumerate(stations) if s.id == chosen), -1)
            self.station.setCurrentIndex(max(0, index))
        self.kind = QComboBox(self)
        self.kind.addItems([RAIN, LEVEL])
        moment = beijing.to_beijing(now()).replace(second=0, microsecond=0)
        moment = moment.replace(minute=moment.minute - moment.minute % 5)
        start = QDateTime(
            QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute)
        )
        self.observed = QDateTimeEdit(start, self)
        self.observed.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.observed.setCalendarPopup(True)
        self.value = QDoubleSpinBox(self)
        self.value.setDecimals(2)
        self.value.setRange(-100, 10_000)
        self.interval = QComboBox(self)
        for minutes, label in INTERVALS:
            self.interval.addItem(label, minutes)
        self.reporter = QLineEdit(self)
        self.reporter.setMaxLength(40)
        self.reporter.setPlaceholderText("如 村级灾害信息员 李某某")
        self.phone = QLineEdit(self)
        self.phone.setMaxLength(20)
        self.note = QLineEdit(self)
        self.note.setMaxLength(500)
        form.addRow("测站", self.station)
        form.addRow("类型", self.kind)
        form.addRow("观测时间（北京时间）", self.observed)
        form.addRow("数值（毫米 / 米）", self.value)
        form.addRow("雨量时段", self.interval)
        form.addRow("报告人", self.reporter)
        form.addRow("联系电话", self.phone)
        form.addRow("备注", self.note)
        self.message = QLabel(self)
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        form.addRow(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.station.currentIndexChanged.connect(lambda _i: self._follow_station())
        self.kind.currentIndexChanged.connect(lambda _i: self._follow_kind())
        self._follow_station()

    def _follow_station(self) -> None:
        station = self.station.currentData()
        if isinstance(station, MonitorStation):
            self.kind.setCurrentText(RAIN if station.reading_kind == "rain" else LEVEL)
        self._follow_kind()

    def _follow_kind(self) -> None:
        self.interval.setEnabled(self.kind.currentText() == RAIN)

    def submit(self) -> None:
        station = self.station.currentData()
        if not isinstance(station, MonitorStation):
            self.message.setText("请选择测站")
            return
        kind = self.kind.currentText()
        when = self.observed.dateTime().toPython()
        assert isinstance(when, datetime)
        observed_at = beijing.canonical(when.replace(tzinfo=beijing.BEIJING))
        value = self.value.value()
        interval = int(self.interval.currentData()) if kind == RAIN else 0
        reporter, phone, note = self.reporter.text(), self.phone.text(), self.note.text()
        user = self._user()

        def save() -> str:
            return self._service.report(
                station_id=station.id,
                kind=kind,
                observed_at=observed_at,
                value=value,
                interval_min=interval,
                user=user,
                reporter=reporter,
                reporter_phone=phone,
                note=note,
            )

        self.buttons.setEnabled(False)
        self.message.clear()

        def done(record_id: str) -> None:
            self.buttons.setEnabled(True)
            self.saved.emit(record_id)
            self.accept()

        def refused(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            text = str(getattr(exc, "message", None) or exc)
            self.message.setText(f"未保存：{text}")
            self.failed.emit(text)

        run_task(
            self._tasks,
            save,
            on_done=done,
            on_error=refused,
            receiver=self,
        )
