"""The incident list: a filter bar over a lazy :class:`IncidentTableModel` in a QTableView.

Sorting by a header click re-queries the store (the model's ``sort``); the filter bar builds
an :class:`IncidentFilter` (status, category, township, grade, date range, bigram full-text
search). The countdown column repaints every 30 s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog
from console.models.incident_table_model import (
    DEADLINE_COLUMN,
    ID_ROLE,
    LIST_TABLES,
    IncidentTableModel,
)
from console.services.incident_list import IncidentFilter
from console.services.incident_source import IncidentSource
from console.ui.tasks import run_task

if TYPE_CHECKING:
    from console.store.changes import Changes
    from console.ui.tasks import TaskRunner

TICK_MS = 30_000
SEARCH_DEBOUNCE_MS = 300
TOWNSHIP_COLUMN = 4
TITLE_MIN = 80  # the title column's least width
TITLE_READABLE = 160  # below this the 乡镇 column gives its width to the title
LONG_COUNTDOWN = "首报(书面) 超时 23 小时 59 分"  # the longest 报送时限 text


class IncidentListView(QWidget):
    """Emits :attr:`incident_selected` with the id of the selected incident (or "")."""

    incident_selected = Signal(str)

    def __init__(
        self,
        source: IncidentSource,
        clock: Callable[[], datetime] = beijing.now,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._selected = ""
        self._select_next = ""  # an incident to select once the running refresh lands
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("搜索：标题、经过、地址、来电人（如 滑坡）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        bar.addWidget(self.search, 1)
        self.category = self._choice(("全部类别", *catalog.EVENT_CATEGORIES), "类别")
        self.grade = self._choice(("全部等级", *catalog.GRADES), "等级")
        self.township = QComboBox(self)
        self.township.setToolTip("乡镇")
        self.township.addItem("全部乡镇", None)  # the names follow from the task runner
        self.township.currentIndexChanged.connect(self._apply)
        for w in (self.category, self.grade, self.township):
            bar.addWidget(w)
        layout.addLayout(bar)

        second = QHBoxLayout()
        second.setSpacing(6)
        self.statuses: dict[str, QToolButton] = {}
        for status in catalog.INCIDENT_STATUSES:
            button = QToolButton(self)
            button.setText(status)
            button.setCheckable(True)
            button.setObjectName("StatusChip")
            button.setToolTip(f"显示“{status}”的事件")
            button.setChecked(status != "已结案")
            button.toggled.connect(self._apply)
            self.statuses[status] = button
            second.addWidget(button)
        second.addSpacing(12)
        self.date_on = QToolButton(self)
        self.date_on.setText("按日期")
        self.date_on.setCheckable(True)
        self.date_on.toggled.connect(self._apply)
        now = clock()
        today = QDate(now.year, now.month, now.day)
        self.date_from = QDateEdit(today.addDays(-7), self)
        self.date_to = QDateEdit(today, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("2026-11-28") + 44)
            edit.dateChanged.connect(self._date_changed)
        second.addWidget(self.date_on)
        self.summary = QLabel(self)
        self.summary.setObjectName("Muted")
        second.addStretch(1)
        second.addWidget(self.summary)
        layout.addLayout(second)
        self.dates = QWidget(self)  # shown while 按日期 is on
        dates = QHBoxLayout(self.dates)
        dates.setContentsMargins(0, 0, 0, 0)
        dates.setSpacing(6)
        dates.addWidget(QLabel("接报日期", self.dates))
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("至", self.dates))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        self.dates.hide()
        self.date_on.toggled.connect(self.dates.setVisible)
        layout.addWidget(self.dates)

        self.model = IncidentTableModel(source, clock, self, tasks)
        self.table = QTableView(self)
        self.table.setObjectName("IncidentTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.ensurePolished()  # the theme's font, which the widths are measured in
        metrics = self.table.fontMetrics()
        widths = {0: 88, 2: 64, 3: 60, 4: 76, 5: 62}
        widths[DEADLINE_COLUMN] = metrics.horizontalAdvance(LONG_COUNTDOWN) + 14
        for column, width in widths.items():
            label = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            header.resizeSection(column, max(width, metrics.horizontalAdvance(label) + 30))
        header.setMinimumSectionSize(min(widths.values()) - 8)
        self._fixed = sum(header.sectionSize(c) for c in widths)
        # Narrow (1280 wide): the 乡镇 column goes first (the title names the township), so
        # 报送时限 stays in view; the list's minimum width makes the splitter narrow the form.
        extra = self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth()
        narrow = self._fixed - header.sectionSize(TOWNSHIP_COLUMN) + TITLE_MIN + extra
        self.setMinimumWidth(narrow)
        self.table.viewport().installEventFilter(self)
        header.sectionClicked.connect(lambda _c: self._after_reset(self._selected))
        layout.addWidget(self.table, 1)

        self.model.modelAboutToBeReset.connect(self._remember)
        self.model.layoutAboutToBeChanged.connect(self._remember)
        self.model.modelReset.connect(lambda: self._after_reset(self._selected))
        self.model.refreshed.connect(self._refreshed)
        self.model.layoutChanged.connect(lambda: self._after_reset(self._selected))
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._apply)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply)

        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self.model.tick)
        self.ticker.start()
        self._tasks = tasks
        self._apply()
        self.read_townships()
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit_columns()
        return False

    def _fit_columns(self) -> None:
        """Hide 乡镇 when the list is too narrow for every column and a readable title."""
        narrow = self.table.viewport().width() < self._fixed + TITLE_READABLE
        self.table.setColumnHidden(TOWNSHIP_COLUMN, narrow)

    def read_townships(self) -> None:
        """Fill the 乡镇 filter from the store, on the task runner."""
        run_task(self._tasks, self._source.townships, on_done=self._set_townships, receiver=self)

    def _set_townships(self, townships: list[tuple[str, str]]) -> None:
        chosen = self.township.currentData()
        self.township.blockSignals(True)  # the filter itself does not change
        self.township.clear()
        self.township.addItem("全部乡镇", None)
        for tid, name in townships:
            self.township.addItem(name, tid)
        self.township.setCurrentIndex(max(0, self.township.findData(chosen)))
        self.township.blockSignals(False)
        if self.township.currentData() != chosen:
            self._apply()  # the chosen township is gone

    def _choice(self, items: tuple[str, ...], tip: str) -> QComboBox:
        combo = QComboBox(self)
        combo.addItems(list(items))
        combo.setToolTip(tip)
        combo.currentIndexChanged.connect(self._apply)
        return combo

    # -- filter ----------------------------------------------------------------------------
    def current_filter(self) -> IncidentFilter:
        statuses = frozenset(s for s, b in self.statuses.items() if b.isChecked())
        if len(statuses) == len(self.statuses):
            statuses = frozenset()
        date_from = date_to = None
        if self.date_on.isChecked():
            start: date = self.date_from.date().toPython()  # type: ignore[assignment]
            last: date = self.date_to.date().toPython()  # type: ignore[assignment]
            end = last + timedelta(days=1)
            date_from = beijing.canonical(
                datetime(start.year, start.month, start.day, tzinfo=beijing.BEIJING)
            )
            date_to = beijing.canonical(
                datetime(end.year, end.month, end.day, tzinfo=beijing.BEIJING)
            )
        return IncidentFilter(
            statuses=statuses,
            category=self.category.currentText() if self.category.currentIndex() > 0 else None,
            township_id=self.township.currentData(),
            grade=self.grade.currentText() if self.grade.currentIndex() > 0 else None,
            date_from=date_from,
            date_to=date_to,
            text=self.search.text().strip(),
        )

    def _date_changed(self) -> None:
        if self.date_on.isChecked():
            self._apply()

    def _apply(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(self.current_filter())

    def refresh(self, select: str = "") -> None:
        """Re-query; ``select``: the incident to select once the rows have landed."""
        self._select_next = select or self._select_next
        self.model.set_focus(self._select_next or self._selected)
        self.model.refresh()

    def on_changes(self, changes: Changes) -> None:
        """Shown rows edited: update them in place; anything else: one refresh."""
        if changes.touches(*LIST_TABLES) and not self.model.update_rows(changes):
            self.refresh()
        if changes.touches("townships"):
            self.read_townships()

    def _refreshed(self) -> None:
        self.summary.setText(f"共 {self.model.rowCount()} 起")
        select, self._select_next = self._select_next, ""
        if select:
            self.select(select)

    # -- selection -------------------------------------------------------------------------
    def selected_id(self) -> str:
        index = self.table.currentIndex()
        return str(index.data(ID_ROLE) or "") if index.isValid() else ""

    def _remember(self) -> None:
        self._selected = self.selected_id() or self._selected

    def _after_reset(self, incident_id: str) -> None:
        if incident_id:
            self.select(incident_id)

    def select(self, incident_id: str) -> bool:
        row = self.model.row_of(incident_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _current_changed(self) -> None:
        incident_id = self.selected_id()
        if incident_id:
            self._selected = incident_id
            self.model.set_focus(incident_id)  # later refreshes read its page up front
        self.incident_selected.emit(incident_id)
