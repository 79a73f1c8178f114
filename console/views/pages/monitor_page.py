"""雨水情: rain and water level per station, several stations side by side.

Left, the station list (filter by township and kind, type to search; the newest reading of
each); tick up to four stations to chart them on the right, all on one linked Beijing-time
axis: rain as hourly bars with the accumulated rain, levels against their 汛限/警戒/保证水位.
Time presets from 24 小时 to 1 年; wheel zoom down to an hour.

Readings come through a :class:`~console.services.readings_source.ReadingsSource` handed to
the constructor or :meth:`MonitorPage.set_readings`; the station records through
:class:`~console.services.monitoring.MonitorStations`. With no source, or a source without
readings, the page says so in Chinese instead of drawing empty axes. New readings (the
readings channel's pages, a phoned-in report) are announced on the change bus as the
``readings`` table: the page on screen reloads at once (one reload at a time; a burst during
one makes one more). A slow poll of the source's ``stamp()`` stays as a fallback (a source
that announces nothing), and showing the page catches up with what it missed off screen.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import catalog
from console.models.record_table import SORT_ROLE
from console.models.station_table_model import MAX_CHARTED, StationFilterProxy, StationTableModel
from console.services.monitoring import MonitorStation, MonitorStations
from console.services.readings_report import PhonedReadings
from console.services.readings_source import ReadingsSource, Times, Values
from console.store.changes import READINGS, Changes
from console.ui.tasks import run_task
from console.views.charts.base import StationChart, link_time_axes
from console.views.charts.station_chart import station_chart
from console.views.pages.base import Page, PageContext, sorted_table
from console.views.reading_report_dialog import ReadingReportDialog

TABLES = ("stations", "townships")
HOUR_S = 3600
PRESETS: tuple[tuple[str, int], ...] = (
    ("24 小时", 24 * HOUR_S),
    ("3 天", 3 * 24 * HOUR_S),
    ("7 天", 7 * 24 * HOUR_S),
    ("30 天", 30 * 24 * HOUR_S),
    ("1 年", 365 * 24 * HOUR_S),
)
DEFAULT_PRESET = 1  # 3 天
POLL_MS = 30_000  # fallback only: new readings are announced on the change bus
LIST_WIDTH = 400
EMPTY_HEADING = "暂无雨水情数据"
EMPTY_TEXT = (
    "本机尚未收到雨量站、水位站的监测数据。"
    "数据接入后，这里将按站显示时雨量、累计雨量和水位过程线，并标出警戒、保证和汛限水位。"
)
PICK_TEXT = f"在左侧勾选站点（最多 {MAX_CHARTED} 个）查看雨量、水位过程线。"


@dataclass(frozen=True)
class ChartData:
    """What one chart needs, read in the background."""

    station: MonitorStation
    times: Times
    values: Values
    simulated: bool


class MonitorPage(Page):
    def __init__(
        self,
        context: PageContext,
        parent: QWidget | None = None,
        readings: ReadingsSource | None = None,
    ) -> None:
        super().__init__(context, parent)
        self.stations_service = MonitorStations(context.queries)
        self.report_dialog: ReadingReportDialog | None = None
        self.readings = readings if readings is not None else context.readings
        self._stamp: int | None = None
        self._have_readings = False
        self._refreshing = False  # a refresh is being read
        self._refresh_again = False  # readings changed meanwhile: one more when it lands
        self._load_seq = 0  # answers to an older request are dropped
        self.range_s = PRESETS[DEFAULT_PRESET][1]
        self.span: tuple[int, int] = (0, 0)
        self.charts: list[StationChart] = []
        self.header.subtitle.setText(
            "勾选站点对照查看雨量、水位过程线（北京时间）。"
            "滚轮缩放时间轴，拖动平移，最细到 1 小时。"
        )

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("查找：站名、站码、乡镇……")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.setMaximumWidth(300)
        bar.addWidget(self.search)
        self.township = QComboBox(self)
        self.township.addItem("全部乡镇", "")
        self.township.setMinimumContentsLength(8)
        bar.addWidget(self.township)
        self.kind = QComboBox(self)
        self.kind.addItem("全部类型", "")
        for kind in catalog.STATION_KINDS:
            self.kind.addItem(kind, kind)
        bar.addWidget(self.kind)
        self.report_button = QPushButton("登记报送读数…", self)
        self.report_button.setToolTip(
            "记录灾害信息员电话报送的雨量、水位（立即显示，联网后同步到各值班台）"
        )
        self.report_button.setEnabled(context.incidents is not None)
        self.report_button.clicked.connect(lambda: self.open_report())
        bar.addWidget(self.report_button)
        bar.addStretch(1)
        self.presets = QButtonGroup(self)
        self.presets.setExclusive(True)
        for i, (label, _seconds) in enumerate(PRESETS):
            button = QToolButton(self)  # the themes mark a checked tool button
            button.setText(label)
            button.setCheckable(True)
            button.setChecked(i == DEFAULT_PRESET)
            self.presets.addButton(button, i)
            bar.addWidget(button)
        self.layout_.addLayout(bar)

        body = QHBoxLayout()
        body.setSpacing(14)
        left = QVBoxLayout()
        left.setSpacing(6)
        self.model = StationTableModel(self)
        self.proxy = StationFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = sorted_table(self, self.proxy, 1)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setFixedWidth(LIST_WIDTH)
        left.addWidget(self.table, 1)
        self.summary = QLabel(self)
        self.summary.setObjectName("Muted")
        self.summary.setWordWrap(True)
        self.summary.setFixedWidth(LIST_WIDTH)
        left.addWidget(self.summary)
        body.addLayout(left)

        self.area = QStackedWidget(self)
        self.empty = self._card(EMPTY_HEADING, EMPTY_TEXT)
        self.pick = self._card("未选择站点", PICK_TEXT)
        self.grid_host = QWidget(self.area)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(10)
        for widget in (self.empty, self.pick, self.grid_host):
            self.area.addWidget(widget)
        body.addWidget(self.area, 1)
        self.layout_.addLayout(body, 1)

        self.search.textChanged.connect(lambda _t: self._filter())
        self.township.currentIndexChanged.connect(lambda _i: self._filter())
        self.kind.currentIndexChanged.connect(lambda _i: self._filter())
        self.presets.idClicked.connect(self.set_preset)
        self.model.checked_changed.connect(self.load_series)
        self.model.refused.connect(self._refused)
        self.table.doubleClicked.connect(self._toggle_row)
        context.bus.changed.connect(self._on_changes)
        context.theme.changed.connect(lambda _name: self._restyle())
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll)
        self.poll_timer.start()
        self.refresh()

    def _card(self, heading: str, text: str) -> QWidget:
        host = QWidget(self)
        outer = QVBoxLayout(host)
        outer.setContentsMargins(0, 24, 0, 0)
        card = QFrame(host)
        card.setObjectName("Card")
        card.setFixedWidth(600)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(10)
        title = QLabel(heading, card)
        title.setObjectName("CardHeading")
        inner.addWidget(title)
        body = QLabel(text, card)
        body.setWordWrap(True)
        inner.addWidget(body)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        return host

    def open_report(self, station_id: str | None = None) -> ReadingReportDialog | None:
        """登记报送读数 for ``station_id`` (default: the first ticked station)."""
        incidents = self.context.incidents
        if incidents is None:
            return None
        stations = self.model.records()
        ticked = self.model.checked()
        chosen = station_id or (ticked[0].id if ticked else None)
        dialog = ReadingReportDialog(
            stations,
            PhonedReadings(incidents.writer),
            user=lambda: self.context.session.officer,
            now=self.context.clock,
            tasks=self.context.tasks,
            chosen=chosen,
            parent=self,
        )
        self.report_dialog = dialog
        dialog.open()
        return dialog

    # -- the source -------------------------------------------------------------------------
    def set_readings(self, readings: ReadingsSource | None) -> None:
        """Read from ``readings`` from now on (the lead wires the workstation's service)."""
        self.readings = readings
        self._stamp = None
        self.refresh()

    def poll(self) -> None:
        """Reload when the source's stamp has moved since the last load (only while the page
        is on screen; showing it polls at once)."""
        source = self.readings
        if source is None or not self.isVisible():
            return
        run_task(self.context.tasks, source.stamp, on_done=self._on_stamp, receiver=self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.poll()

    def _on_stamp(self, stamp: int) -> None:
        if stamp != self._stamp:
            self.refresh()

    # -- stations ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read stations, townships and the newest readings (in the background); asked while
        a read is running, it runs once more when that one lands (which is drawn too)."""
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        service, source = self.stations_service, self.readings

        def read() -> tuple[list[MonitorStation], dict[str, tuple[int, float]], bool, int | None]:
            stations = service.stations()
            latest: dict[str, tuple[int, float]] = {}
            stamp = None
            if source is not None:
                stamp = source.stamp()
                latest.update(source.latest("rain"))
                latest.update(source.latest("level"))
            return stations, latest, service.sample_present(), stamp

        run_task(
            self.context.tasks,
            read,
            on_done=self._land_stations,
            on_error=self._refresh_failed,
            receiver=self,
        )

    def _refresh_failed(self, error: BaseException) -> None:
        self._refreshing = self._refresh_again = False  # the next change tries again
        sys.excepthook(type(error), error, error.__traceback__)  # logged, officer told

    def _land_stations(
        self, read: tuple[list[MonitorStation], dict[str, tuple[int, float]], bool, int | None]
    ) -> None:
        self._refreshing = False
        if self._refresh_again:  # drawn all the same: a long pull still shows its progress
            self._refresh_again = False
            self.refresh()
        stations, latest, sample, stamp = read
        self._stamp = stamp
        self._have_readings = bool(latest)
        self.header.set_sample(sample)
        self._fill_townships(stations)
        self.model.set_stations(stations, latest)
        if latest and not self.model.user_picked and not self.model.checked():
            self.model.set_checked(default_selection(stations, latest))
        else:
            self.load_series()
        self._update_summary()

    def _fill_townships(self, stations: list[MonitorStation]) -> None:
        current = self.township.currentData()
        towns = sorted({(s.township, s.township_id) for s in stations if s.township_id})
        self.township.blockSignals(True)
        self.township.clear()
        self.township.addItem("全部乡镇", "")
        for name, tid in towns:
            self.township.addItem(name, tid)
        found = self.township.findData(current)
        self.township.setCurrentIndex(max(found, 0))
        self.township.blockSignals(False)

    def _filter(self) -> None:
        self.proxy.set_filter(
            str(self.township.currentData() or ""),
            str(self.kind.currentData() or ""),
            self.search.text(),
        )
        self._update_summary()

    def _toggle_row(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index.siblingAtColumn(0))
        state = self.model.data(source, Qt.ItemDataRole.CheckStateRole)
        new = Qt.CheckState.Unchecked if state == Qt.CheckState.Checked else Qt.CheckState.Checked
        self.model.setData(source, new, Qt.ItemDataRole.CheckStateRole)

    def _refused(self, name: str) -> None:
        self.summary.setText(
            f"最多同时显示 {MAX_CHARTED} 个站点：请先取消勾选一个，再勾选“{name}”。"
        )

    def _update_summary(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        with_data = sum(1 for s in self.model.records() if self.model.latest(s.id) is not None)
        text = f"共 {total} 个站点，{with_data} 个有数据；已勾选 {len(self.model.checked())} 个"
        if shown != total:
            text += f"；筛选后显示 {shown} 个"
        self.summary.setText(text)

    # -- series -----------------------------------------------------------------------------
    def set_preset(self, index: int) -> None:
        """Show the last 24 小时 / 3 天 / … (index into PRESETS)."""
        button = self.presets.button(index)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self.range_s = PRESETS[index][1]
        self.load_series()

    def load_series(self) -> None:
        """Read the ticked stations' readings over the chosen range (in the background)."""
        self._update_summary()
        source = self.readings
        chosen = self.model.checked()
        if source is None or not self._have_readings:
            self.area.setCurrentWidget(self.empty)
            return
        if not chosen:
            self.area.setCurrentWidget(self.pick)
            return
        end = int(self.context.clock().timestamp())
        start = end - self.range_s
        self._load_seq += 1
        seq = self._load_seq

        def read() -> list[ChartData]:
            out = []
            for station in chosen:
                times, values = source.series(station.id, station.reading_kind, start, end)
                out.append(
                    ChartData(station, times, values, source.simulated(station.id, start, end))
                )
            return out

        def land(data: list[ChartData]) -> None:
            if seq == self._load_seq:
                self._draw(data, start, end)

        run_task(self.context.tasks, read, on_done=land, receiver=self)

    def _draw(self, data: list[ChartData], start: int, end: int) -> None:
        self.span = (start, end)
        self._discard_charts()
        colors = self.context.theme.colors()
        columns = 1 if len(data) == 1 else 2
        for i, item in enumerate(data):
            chart = station_chart(
                item.station,
                item.times,
                item.values,
                (start, end),
                colors,
                simulated=item.simulated,
                parent=self.grid_host,
            )
            chart.setMinimumSize(280, 200)
            self.grid.addWidget(chart, i // columns, i % columns)
            chart.show()  # now, not on the layout's queued show: no empty frame between
            self.charts.append(chart)
        link_time_axes(self.charts)
        self.area.setCurrentWidget(self.grid_host)

    def _discard_charts(self) -> None:
        """Take the charts down (their C++ side on the GUI thread, at the next turn of the
        event loop)."""
        for old in self.charts:
            self.grid.removeWidget(old)
            old.hide()
            old.deleteLater()
        self.charts = []

    def _restyle(self) -> None:
        colors = self.context.theme.colors()
        for chart in self.charts:
            chart.apply_colors(colors)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()
        elif changes.touches(READINGS) and self.isVisible():
            self.refresh()  # off screen: showing the page polls the stamp


def default_selection(
    stations: list[MonitorStation], latest: dict[str, tuple[int, float]]
) -> list[str]:
    """What to chart on first opening: two rain and two level stations that have data (the
    list order), topped up with any others that have data."""
    with_data = [s for s in stations if s.id in latest]
    rain = [s.id for s in with_data if s.reading_kind == "rain"][:2]
    level = [s.id for s in with_data if s.reading_kind == "level"][:2]
    rest = [s.id for s in with_data if s.id not in rain and s.id not in level]
    return [*rain, *level, *rest][:MAX_CHARTED]
