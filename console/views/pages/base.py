"""What every page is built with, and the header (title, subtitle, 样例数据 badge) they share.

Pages receive a :class:`PageContext` in their constructor: services and Qt infrastructure
are passed in explicitly, never looked up globally.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing
from console.settings import Settings
from console.ui.change_bus import ChangeBus
from console.ui.session import DutySession
from console.ui.theme import ThemeManager
from console.views.registry import ViewSpec

if TYPE_CHECKING:
    from console.services.accounts import Accounts
    from console.services.assessments import AssessmentService, SituationProvider
    from console.services.incident_source import IncidentSource
    from console.services.incidents import IncidentService
    from console.services.queries import Queries
    from console.services.readings_source import ReadingsSource
    from console.services.reference_data import ReferenceData
    from console.services.sync_issues import SyncIssues
    from console.services.threshold_alerts import ThresholdAlerts
    from console.ui.sync_bridge import SyncBridge
    from console.ui.tasks import TaskRunner

SAMPLE_BADGE_TEXT = "样例数据"
SAMPLE_TOOLTIP = "当前显示的是遂昌县演示用样例数据：乡镇名称真实，位置为近似值，其余均为示例。"


@dataclass
class PageContext:
    spec: ViewSpec
    queries: Queries
    bus: ChangeBus
    settings: Settings
    theme: ThemeManager
    session: DutySession
    data_dir: Path
    sync: SyncBridge | None = None
    sync_issues: SyncIssues | None = None
    accounts: Accounts | None = None
    incidents: IncidentService | None = None  # the incident write path (None: read-only)
    incident_source: IncidentSource | None = None  # incident reads for list/detail/alerts
    tasks: TaskRunner | None = None  # background work (None: on the GUI thread; tools)
    reference: ReferenceData | None = None  # 基础数据 reads and writes (None: read-only)
    assessments: AssessmentService | None = None  # 研判一张单 (None: read-only)
    alerts: ThresholdAlerts | None = None  # threshold alerts (None: no alert banner)
    # The threshold engine's current Situation (None: the engine is not connected).
    situation: SituationProvider | None = None
    # The workstation's station readings (None: none connected; the views say so).
    readings: ReadingsSource | None = None
    clock: Callable[[], datetime] = field(default=beijing.now)  # Beijing now; tests inject
    # Show another page by its view name and return it (the window's show_view; None: a
    # page built alone, e.g. a screenshot tool, cannot switch pages).
    open_view: Callable[[str], QWidget] | None = None


def signed_in_role(context: PageContext) -> str | None:
    """The signed-in account's role; None standalone (every action allowed locally: the
    server judges what is pushed)."""
    sync = context.sync
    session = sync.session if sync is not None else None
    return session.role if session is not None else None


def sample_badge(parent: QWidget | None = None) -> QLabel:
    badge = QLabel(SAMPLE_BADGE_TEXT, parent)
    badge.setObjectName("SampleBadge")
    badge.setToolTip(SAMPLE_TOOLTIP)
    return badge


class PageHeader(QWidget):
    """Title on the left, optional subtitle below; badges on the right."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(12)
        self.title = QLabel(title, self)
        self.title.setObjectName("PageTitle")
        row.addWidget(self.title)
        self.badge = sample_badge(self)
        self.badge.hide()
        row.addWidget(self.badge)
        row.addStretch(1)
        self.right = row
        outer.addLayout(row)
        self.subtitle = QLabel(subtitle, self)
        self.subtitle.setObjectName("PageSubtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setVisible(bool(subtitle))
        outer.addWidget(self.subtitle)

    def set_sample(self, present: bool) -> None:
        self.badge.setVisible(present)


class Page(QWidget):
    """Base of the pages: an object name for the style sheet and a vertical layout."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("Page")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 20, 24, 16)
        self.layout_.setSpacing(14)
        self.header = PageHeader(context.spec.title, context.spec.summary, self)
        self.layout_.addWidget(self.header)


def read_only_table(
    parent: QWidget, model: QAbstractItemModel, stretch: int | None = None
) -> QTableView:
    """The pages' list table: read-only, one whole row selected at a time, alternating
    rows, no row numbers, no wrapping; column ``stretch`` (if given) takes the spare width."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    if stretch is not None:
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
    return table


def headed_table(
    parent: QWidget, columns: Sequence[str], widths: Sequence[int], stretch: int = 0
) -> tuple[QStandardItemModel, QTableView]:
    """A list model with these column headings and its :func:`read_only_table`, column
    ``stretch`` taking the spare width and the others ``widths`` wide (by position)."""
    model = QStandardItemModel(0, len(columns), parent)
    model.setHorizontalHeaderLabels(list(columns))
    table = read_only_table(parent, model, stretch)
    for column, width in enumerate(widths):
        if column != stretch:
            table.setColumnWidth(column, width)
    return model, table


def sorted_table(parent: QWidget, model: QAbstractItemModel, sort_column: int) -> QTableView:
    """A :func:`read_only_table` the officer sorts by clicking a header; by
    ``sort_column`` at first."""
    table = read_only_table(parent, model)
    table.setSortingEnabled(True)
    table.sortByColumn(sort_column, Qt.SortOrder.AscendingOrder)
    return table


def text_items(values: Sequence[str], payload: Any = None) -> list[QStandardItem]:
    """One read-only row of a QStandardItemModel: each value its own cell (with itself as
    the tooltip, for what the column cuts off), ``payload`` under UserRole on every cell."""
    out = []
    for value in values:
        item = QStandardItem(value)
        item.setEditable(False)
        item.setToolTip(value)
        item.setData(payload, Qt.ItemDataRole.UserRole)
        out.append(item)
    return out


def say(label: QLabel, text: str, *, error: bool = False) -> None:
    """A page's message line: muted, or in the error style."""
    label.setText(text)
    label.setObjectName("FieldError" if error else "Muted")
    label.style().unpolish(label)
    label.style().polish(label)


def run_write(
    tasks: TaskRunner | None,
    receiver: QObject,
    fn: Callable[[], Any],
    *,
    message: QLabel,
    written: SignalInstance,
    done_text: str,
    after: Callable[[Any], None] | None = None,
) -> None:
    """A page's write on the task runner: ``done_text`` (then ``after(result)``, which may
    say more) when saved, "未保存：<the refusal>" when not; ``written`` tells "" or the
    refusal either way."""
    from console.ui.tasks import run_task

    def ok(result: object) -> None:
        say(message, done_text)
        if after is not None:
            after(result)
        written.emit("")

    def failed(exc: BaseException) -> None:
        text = str(getattr(exc, "message", None) or exc)
        say(message, f"未保存：{text}", error=True)
        written.emit(text)

    run_task(tasks, fn, on_done=ok, on_error=failed, receiver=receiver)


class WritingPage(Page):
    """A page that writes through services on the task runner and says how it went on its
    ``message`` line (which the subclass builds); ``written`` tells "" or the refusal."""

    written = Signal(str)
    message: QLabel

    def _user(self) -> str:
        return self.context.session.officer

    def _write(self, fn: Callable[[], Any], done_text: str, after: Any = None) -> None:
        run_write(
            self.context.tasks,
            self,
            fn,
            message=self.message,
            written=self.written,
            done_text=done_text,
            after=after,
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        say(self.message, text, error=error)
