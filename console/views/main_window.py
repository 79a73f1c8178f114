"""The main window: a thin composition of the rail, lazily built pages and the status bar.

Only the page on screen is built at start; every other page is imported and built on its
first visit, so start-up does not pay for pyqtgraph or big tables. Geometry, window state
and the last page are saved on close and restored on start.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QStatusBar,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, drill
from console.settings import GEOMETRY, LAST_VIEW, THEME, WINDOW_STATE, Settings
from console.ui.change_bus import ChangeBus
from console.ui.session import DutySession
from console.ui.theme import ThemeManager
from console.views.drill_banner import drill_bar, drill_title
from console.views.nav_rail import NAME_ROLE, NavRail
from console.views.pages.base import PageContext
from console.views.registry import (
    DEFAULT_VIEW,
    THEME_SHORTCUT,
    VIEW_NAMES,
    VIEWS,
    ViewSpec,
    is_view_name,
    split_view,
    view_spec,
)
from console.views.status_bar import DutyStatusBar

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
    from console.ui.situation_watch import SituationWatch
    from console.ui.sync_bridge import SyncBridge
    from console.ui.tasks import TaskRunner
    from console.views.alert_banner import DeadlineBanner, EscalationBanner, ThresholdBanner

log = logging.getLogger(__name__)

WINDOW_TITLE = "遂昌县综合应急指挥中心 · 值班台"


@dataclass
class WindowContext:
    """Everything the window and its pages need; built by the app, passed in."""

    queries: Queries
    bus: ChangeBus
    settings: Settings
    theme: ThemeManager
    session: DutySession
    data_dir: Path
    sync: SyncBridge | None = None  # None: no sync wiring (tests, screenshots)
    sync_issues: SyncIssues | None = None
    accounts: Accounts | None = None
    incidents: IncidentService | None = None  # incident writes (None: no intake saving)
    incident_source: IncidentSource | None = None  # incident reads (None: no alerts/list)
    tasks: TaskRunner | None = None  # background work (None: on the GUI thread; tools)
    reference: ReferenceData | None = None  # 基础数据 reads and writes (None: read-only)
    assessments: AssessmentService | None = None  # 研判一张单 (None: read-only)
    alerts: ThresholdAlerts | None = None  # threshold alerts (None: no alert banner)
    # The threshold engine's current Situation (None: the engine is not connected).
    situation: SituationProvider | None = None
    readings: ReadingsSource | None = None  # the workstation's station readings
    # False (a headless screenshot): the situation watch only reads the situation for the
    # map; it raises no alert and proposes no 研判一张单 (nothing left to push).
    situation_records: bool = True
    clock: Callable[[], datetime] = field(default=beijing.now)  # Beijing now; tests inject


NEW_CALL_SHORTCUT = "F2"
COMPACT_RAIL_BELOW = 1400  # window width under which the rail shows glyphs only

PageFactory = Callable[[PageContext], QWidget]


def _import_factory(path: str) -> PageFactory:
    module_name, _, attr = path.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    assert callable(factory)
    return cast(PageFactory, factory)


@dataclass
class ShellContext:
    """What the window frame needs before the store is open (start-up shows it first)."""

    settings: Settings
    theme: ThemeManager
    session: DutySession


class MainWindow(QMainWindow):
    """Built either with its full context, or as a frame (``shell``) that is shown at once
    and gets its data with :meth:`attach` once the store is open."""

    def __init__(
        self,
        context: WindowContext | None = None,
        parent: QWidget | None = None,
        *,
        shell: ShellContext | None = None,
    ) -> None:
        super().__init__(parent)
        if context is not None:
            shell = ShellContext(context.settings, context.theme, context.session)
        assert shell is not None, "MainWindow needs a context or a shell"
        self.shell = shell
        self._context: WindowContext | None = None
        self._pending_view: str | None = None
        self.setWindowTitle(drill_title(WINDOW_TITLE))
        self.setObjectName("MainWindow")
        self.setMinimumSize(960, 600)

        central = QWidget(self)
        self._column = QVBoxLayout(central)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(0)
        self.banner: DeadlineBanner | None = None
        self.threshold_banner: ThresholdBanner | None = None
        self.escalation_banner: EscalationBanner | None = None
        self.situation_watch: SituationWatch | None = None
        layout = QHBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.drill_bar: QLabel | None = None
        if drill.active():  # 演练: above everything, the other banners insert below it
            self.drill_bar = drill_bar(central)
            self._column.addWidget(self.drill_bar)
        self._column.addLayout(layout, 1)
        self.rail = NavRail(VIEWS, central)
        self.stack = QStackedWidget(central)
        layout.addWidget(self.rail)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._pages: dict[str, QWidget] = {}
        self.failed_pages: list[str] = []
        self.locked_view: str | None = None  # the only page allowed (a 只读 wall machine)
        for _spec in VIEWS:  # cheap stand-ins, replaced on first visit
            stand_in = QWidget(self.stack)
            stand_in.setObjectName("Page")
            self.stack.addWidget(stand_in)

        self.status: DutyStatusBar | None = None
        opening = QStatusBar(self)
        opening.addWidget(QLabel("正在打开本机数据……", opening))
        self.setStatusBar(opening)

        self.view_actions: dict[str, QAction] = {}
        for spec in VIEWS:
            action = QAction(f"转到{spec.title}", self)
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, name=spec.name: self.show_view(name))
            self.addAction(action)
            self.view_actions[spec.name] = action
        self.theme_action = QAction("切换深色/浅色主题", self)
        self.theme_action.setShortcut(QKeySequence(THEME_SHORTCUT))
        self.theme_action.triggered.connect(self.toggle_theme)
        self.addAction(self.theme_action)
        self.new_call_action = QAction("新接警（来电登记）", self)
        self.new_call_action.setShortcut(QKeySequence(NEW_CALL_SHORTCUT))
        self.new_call_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.new_call_action.triggered.connect(self.new_call)
        self.addAction(self.new_call_action)
        self.rail.view_requested.connect(self.show_view)
        if context is not None:
            self.attach(context)

    @property
    def context(self) -> WindowContext:
        assert self._context is not None, "the window has no data yet (attach first)"
        return self._context

    def _banner_row(self) -> int:
        """Where an alert banner goes: on top, or just below the 演练 bar."""
        return 0 if self.drill_bar is None else 1

    @property
    def attached(self) -> bool:
        return self._context is not None

    def attach(self, context: WindowContext) -> None:
        """Give the frame its data: status bar, deadline banner, and the requested page."""
        self._context = context
        if context.incident_source is not None:
            from console.views.alert_banner import DeadlineBanner

            self.banner = DeadlineBanner(
                context.incident_source, context.bus, context.clock, tasks=context.tasks
            )
            self.banner.setParent(self.centralWidget())
            self._column.insertWidget(self._banner_row(), self.banner)
            QTimer.singleShot(0, self.banner.check)  # after the window is up, not before
        if context.alerts is not None:
            self._attach_thresholds(context)
        if context.incidents is not None:
            self._attach_escalations(context)
        self.status = DutyStatusBar(
            context.queries,
            context.bus,
            context.session,
            self,
            sync=context.sync,
            tasks=context.tasks,
        )
        self.setStatusBar(self.status)
        if self._pending_view is not None:
            self.show_view(self._pending_view)
            self._pending_view = None

    def _attach_escalations(self, context: WindowContext) -> None:
        """The 叫应超时 banner (on top): silent recipients of open orders, 升级."""
        from console.services.orders import OrderService
        from console.views.alert_banner import EscalationBanner

        assert context.incidents is not None
        session = context.session
        orders = OrderService(context.queries.store, context.incidents.writer)
        self.escalation_banner = EscalationBanner(
            orders, lambda: session.officer, context.bus, context.clock, tasks=context.tasks
        )
        self.escalation_banner.setParent(self.centralWidget())
        self._column.insertWidget(self._banner_row(), self.escalation_banner)
        QTimer.singleShot(0, self.escalation_banner.check)

    def _attach_thresholds(self, context: WindowContext) -> None:
        """The threshold-alert banner (above the deadline banner) and, once the threshold
        engine is connected (``context.situation``), the watch that raises alerts and
        proposes 研判一张单 drafts."""
        from console.views.alert_banner import ThresholdBanner

        assert context.alerts is not None
        session = context.session
        self.threshold_banner = ThresholdBanner(
            context.alerts, lambda: session.officer, context.bus, tasks=context.tasks
        )
        self.threshold_banner.setParent(self.centralWidget())
        self._column.insertWidget(self._banner_row(), self.threshold_banner)
        QTimer.singleShot(0, self.threshold_banner.check)
        if context.situation is not None:
            from console.ui.situation_watch import SituationWatch

            sync = context.sync

            def role() -> str | None:
                signed_in = sync.session if sync is not None else None
                return signed_in.role if signed_in is not None else None

            self.situation_watch = SituationWatch(
                context.situation,
                context.alerts,
                context.assessments,
                lambda: session.officer,
                role,
                tasks=context.tasks,
                parent=self,
                record=context.situation_records,
            )
            context.bus.changed.connect(self.situation_watch.on_changes)
            self.situation_watch.start()

    def _follow_situation(self, page: QWidget) -> None:
        """A page that shows the situation (the map's warning colours) gets the watch's
        latest at once and every later one."""
        watch = self.situation_watch
        set_situation = getattr(page, "set_situation", None)
        if watch is None or not callable(set_situation):
            return
        watch.updated.connect(set_situation)
        if watch.latest is not None:
            set_situation(watch.latest)

    # -- pages ----------------------------------------------------------------------------
    def prepare_pending_view(self) -> None:
        """Import the code of the page waiting for its data (start-up: the GUI thread is
        idle while the store opens), so building it later costs only the widgets."""
        if self._pending_view is not None:
            _import_factory(view_spec(split_view(self._pending_view)[0]).factory)

    def current_view(self) -> str:
        return VIEW_NAMES[self.stack.currentIndex()]

    def page(self, name: str) -> QWidget | None:
        """The built page called ``name``, or None while it has not been visited."""
        return self._pages.get(name)

    def show_view(self, name: str) -> QWidget:
        """Show a page by name; ``NAME:TAB`` also opens one of its tabs (``teams:roster``)."""
        if self.locked_view is not None:
            name = self.locked_view
        requested = name
        name, tab = split_view(name)
        spec = view_spec(name)
        if self._context is None:  # still opening: show it once the data is there
            self._pending_view = requested
            self.rail.select(name)
            self.stack.setCurrentIndex(VIEW_NAMES.index(name))
            return cast(QWidget, self.stack.currentWidget())
        page = self._pages.get(name) or self._build(spec)
        self.stack.setCurrentWidget(page)
        self.rail.select(name)
        select_tab = getattr(page, "select_tab", None)
        if tab is not None and callable(select_tab):
            select_tab(tab)
        focus_entry = getattr(page, "focus_entry", None)
        if callable(focus_entry):
            focus_entry()
        return page

    def lock_to_view(self, name: str) -> QWidget:
        """Show only ``name`` from now on: the rail lists it alone, shortcuts and links to
        other pages land on it (a workstation signed in as 只读 gets the wall only)."""
        self.locked_view = None
        page = self.show_view(name)
        self.locked_view = name
        for row in range(self.rail.list.count()):
            item = self.rail.list.item(row)
            item.setHidden(item.data(NAME_ROLE) != name)
        return page

    def new_call(self) -> QWidget:
        """F2 from any page: the intake form, a call starting now, cursor in its first field."""
        page = self.show_view("intake")
        start = getattr(page, "start_new_call", None)
        if callable(start):
            start()
        return page

    def _build(self, spec: ViewSpec) -> QWidget:
        index = VIEW_NAMES.index(spec.name)
        ctx = self.context
        page_context = PageContext(
            spec=spec,
            queries=ctx.queries,
            bus=ctx.bus,
            settings=ctx.settings,
            theme=ctx.theme,
            session=ctx.session,
            data_dir=ctx.data_dir,
            sync=ctx.sync,
            sync_issues=ctx.sync_issues,
            accounts=ctx.accounts,
            incidents=ctx.incidents,
            incident_source=ctx.incident_source,
            tasks=ctx.tasks,
            reference=ctx.reference,
            assessments=ctx.assessments,
            alerts=ctx.alerts,
            situation=ctx.situation,
            readings=ctx.readings,
            clock=ctx.clock,
            open_view=self.show_view,
        )
        try:
            page = _import_factory(spec.factory)(page_context)
            self._follow_situation(page)
        except Exception:
            log.exception("page %s failed to build", spec.name)
            self.failed_pages.append(spec.name)
            page = self._failed_page(spec)
        page.setParent(self.stack)
        stand_in = self.stack.widget(index)
        if stand_in is not None:
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
        self.stack.insertWidget(index, page)
        self._pages[spec.name] = page
        return page

    def _failed_page(self, spec: ViewSpec) -> QWidget:
        label = QLabel(
            f"“{spec.title}”页面加载失败。其他页面不受影响。\n"
            "详细信息已写入日志文件，请联系技术保障人员。"
        )
        label.setObjectName("Page")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    # -- theme ----------------------------------------------------------------------------
    def toggle_theme(self) -> None:
        name = "light" if self.shell.theme.name == "dark" else "dark"
        self.shell.settings.set(THEME, name)
        self.shell.theme.apply(name)

    # -- geometry ---------------------------------------------------------------------------
    def restore_layout(self) -> bool:
        """Restore geometry and state saved on the last close; False when none was saved."""
        settings = self.shell.settings
        geometry = settings.get(GEOMETRY)
        restored = bool(geometry) and self.restoreGeometry(QByteArray(geometry))
        state = settings.get(WINDOW_STATE)
        if state:
            self.restoreState(QByteArray(state))
        return restored

    def place(self) -> None:
        """Before the first show: the screen, size and maximized state of the last close;
        on the first run, maximized on the primary screen (a normal size of three quarters
        of it, centred, for when the officer restores it down)."""
        if self.restore_layout():
            return
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            width = max(self.minimumWidth(), area.width() * 3 // 4)
            height = max(self.minimumHeight(), area.height() * 3 // 4)
            self.setGeometry(
                QStyle.alignedRect(
                    Qt.LayoutDirection.LeftToRight,
                    Qt.AlignmentFlag.AlignCenter,
                    QSize(width, height),
                    area,
                )
            )
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def save_layout(self) -> None:
        settings = self.shell.settings
        settings.set(GEOMETRY, bytes(self.saveGeometry().data()))
        settings.set(WINDOW_STATE, bytes(self.saveState().data()))
        settings.set(LAST_VIEW, self.current_view())
        settings.sync()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.rail.set_compact(event.size().width() < COMPACT_RAIL_BELOW)
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        if self._context is not None:
            self._context.bus.close()
        super().closeEvent(event)


def start_view(requested: str | None, settings: Settings) -> str:
    """The page to open: ``--view``, else the last one, else the default."""
    for name in (requested, settings.get(LAST_VIEW)):
        if name and is_view_name(name):
            return name
    return DEFAULT_VIEW


__all__ = ["MainWindow", "ShellContext", "WindowContext", "start_view"]
