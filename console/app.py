"""The desktop app: ``run_gui`` builds the QApplication, opens the workstation and the window.

Also the headless modes the command line offers: ``--screenshot`` renders one page offscreen
with real data to a PNG, and ``--quit-after-shown`` prints ``shown <seconds>`` once the main
window is first exposed (for the start-up benchmark). Both use a temporary settings scope so
they never touch the officer's saved settings.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from console import resources
from console.cli import STARTED_AT, GuiOptions
from console.memory import freeze_startup_objects, resume_collector
from console.settings import (
    APPLICATION,
    ORGANIZATION,
    THEME,
    WATCHDOG_MS,
    Settings,
    readings_window_days,
)
from console.store.errors import StoreError
from console.ui.change_bus import ChangeBus
from console.ui.crash import CrashReporter
from console.ui.errors import error_text, show_store_error
from console.ui.gc_guard import ensure_gui_collector
from console.ui.logging_setup import route_qt_messages, setup_logging
from console.ui.opening import Opening
from console.ui.session import DutySession
from console.ui.tasks import TaskRunner
from console.ui.theme import ThemeManager
from console.ui.watchdog import GuiWatchdog
from console.views.main_window import MainWindow, ShellContext, WindowContext, start_view

if TYPE_CHECKING:
    from console.domain.situation import Situation
    from console.services.assessments import SituationProvider
    from console.services.context import Workstation
    from console.services.readings_source import ReadingsSource
    from console.store.database import Store
    from console.store.external import ExternalWrites
    from console.ui.sync_bridge import SyncBridge

log = logging.getLogger(__name__)

CJK_FALLBACKS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
)
SCREENSHOT_DEADLINE_MS = 60_000
DRILL_SETTINGS_SUFFIX = "-drill"


def seconds_since_start() -> float:
    """Age of this process: from the OS where it tells (Linux), else from the CLI import."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - STARTED_AT


def load_fonts(app: QApplication) -> list[str]:
    """Load bundled fonts and make a CJK-capable family the default; returns the families."""
    families: list[str] = []
    fonts = resources.resource("fonts")
    entries = sorted(fonts.iterdir(), key=lambda f: f.name) if fonts.is_dir() else []
    for item in entries:
        if item.name.lower().endswith((".otf", ".ttf")):
            # From bytes: package data need not be a file on disk (importlib.resources).
            font_id = QFontDatabase.addApplicationFontFromData(item.read_bytes())
            if font_id >= 0:
                families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if not families:
        # Chinese text then depends on the system's fonts (CJK_FALLBACKS), if it has any.
        resources.log_unusable(("fonts",), "no loadable .otf/.ttf font")
    font = QFont(app.font())
    font.setFamilies([*dict.fromkeys(families), *CJK_FALLBACKS])
    font.setPointSizeF(max(font.pointSizeF(), 10.5))
    app.setFont(font)
    return families


class _ExposeWatcher(QObject):
    """Prints the time since start when the window is first exposed (``shown``); the app
    quits once it has also got its data (``ready``)."""

    def __init__(self, started: _Started, parent: QObject) -> None:
        super().__init__(parent)
        self._started = started

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and getattr(watched, "isExposed", lambda: False)():
            watched.removeEventFilter(self)
            if self._started.options.quit_after_shown:
                print(f"shown {seconds_since_start():.3f}", flush=True)
            self._started.shown = True
            # Painted: now open the data (the store has been opening in the background).
            QTimer.singleShot(0, self._started.continue_once)
        return False


def _settle(ms: int) -> None:
    """Let layouts, polish and deferred paints run (screenshots only)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _no_display() -> bool:
    """Linux without X11/Wayland and no platform chosen: Qt would abort the interpreter."""
    return (
        sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        and not os.environ.get("QT_QPA_PLATFORM")
    )


def _sign_in(
    app: QApplication,
    workstation: Workstation,
    session: DutySession,
    options: GuiOptions,
    tasks: TaskRunner,
    settings: Settings,
) -> tuple[bool, SyncBridge]:
    """The 登录 dialog (unless --standalone), then background sync for the account.

    Returns (go on?, the bridge: syncing, or idle when working standalone); go on is False
    when the officer closed the dialog.
    """
    from console.services.accounts import Accounts
    from console.services.context import load_standalone_defaults
    from console.services.sync_issues import SyncIssues
    from console.ui.sync_bridge import SyncBridge
    from console.views.login_dialog import LoginDialog
    from console.views.sample_question import keep_sample_on_joining

    bridge = SyncBridge(workstation.store, app)
    bridge.accounts = Accounts(workstation.store)
    bridge.issues = SyncIssues(workstation.writer)
    bridge.readings_window_days = readings_window_days(settings)
    if not options.standalone:
        resume_collector()  # paused for start-up; the dialog may wait for the officer long
        dialog = LoginDialog(bridge.accounts, tasks=tasks, drill=options.drill)
        if not dialog.exec():
            return False, bridge
        if dialog.switch_drill is not None:  # 演练模式 switched: reopen on the other store
            _reopen(options, dialog.switch_drill)
            return False, bridge
        if dialog.session is not None:
            keep = keep_sample_on_joining(None, bridge.local_only_pending())
            bridge.start(dialog.session, keep_sample=keep)
            session.sign_in(dialog.session.username)
            return True, bridge
    # Standalone: the sample county on a first run (hundreds of writes), in the background;
    # the pages fill in through the change bus as it lands.
    tasks.run(load_standalone_defaults, workstation, on_error=_standalone_load_failed)
    return True, bridge


def _reopen(options: GuiOptions, drill: bool) -> None:
    """Start the console again on the drill store (or the real one); this one then quits."""
    from PySide6.QtCore import QProcess

    from console.domain.drill import restart_arguments

    args = restart_arguments(sys.argv[1:], options.data_dir, drill=drill)
    # In the installer's bundle the program is the app itself; else the interpreter.
    prefix = [] if getattr(sys, "frozen", False) else ["-m", "console"]
    if not QProcess.startDetached(sys.executable, [*prefix, *args]):
        log.error("could not restart the console for drill=%s", drill)


def _standalone_load_failed(error: BaseException) -> None:
    if not isinstance(error, StoreError):
        raise error  # the crash reporter logs it and tells the officer
    show_store_error(None, error)


def _situation_provider(store: Store, readings: ReadingsSource) -> SituationProvider:
    """The threshold engine over this workstation's readings, now; None while no station
    has reported (nothing to judge: no alert, no proposal)."""

    def situation() -> Situation | None:
        from console.services.situation import evaluate

        newest = [ts for kind in ("rain", "level") for ts, _v in readings.latest(kind).values()]
        if not newest:
            return None
        # As of the newest reading: stale data (gauges silent, a replayed drill) is judged
        # as it last stood, never as "no rain since" (which would clear its alerts).
        return evaluate(store, readings, min(int(time.time()), max(newest)))

    return situation


def run_gui(options: GuiOptions) -> int:
    """The desktop app (and its headless ``--screenshot`` / ``--quit-after-shown`` modes)."""
    headless = options.screenshot is not None
    interactive = not (headless or options.quit_after_shown)
    if headless or (options.quit_after_shown and _no_display()):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif _no_display():
        print(
            "错误：没有可用的图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY）。"
            "请在桌面环境中启动值班台；无界面环境可用 --screenshot 离屏截图。",
            file=sys.stderr,
        )
        return 2
    # The store opens on the task runner while Qt starts (mostly C++, without the GIL).
    # Started here, not earlier: the widgets' imports above would compete for the GIL.
    tasks = TaskRunner()
    opening = Opening(options, tasks)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("值班台（演练）" if options.drill else "值班台")
    app.setStyle("Fusion")
    ensure_gui_collector()  # before any page starts background reads
    setup_logging(options.data_dir)  # first: a font missing from the install is logged
    load_fonts(app)
    from console.views.drill_banner import install_drill_titles

    install_drill_titles(app)  # 演练: 【演练】 before every window's title
    crash = CrashReporter(windowed=interactive)
    crash.install()
    if not headless:
        route_qt_messages()

    scratch = (
        tempfile.TemporaryDirectory(prefix="duty-console-settings-")
        if (headless or options.quit_after_shown)
        else None
    )
    if scratch is not None:
        qsettings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
    elif options.drill:  # 演练: its own settings scope (window, theme, filters, server)
        qsettings = QSettings(
            QSettings.defaultFormat(),
            QSettings.Scope.UserScope,
            ORGANIZATION,
            APPLICATION + DRILL_SETTINGS_SUFFIX,
        )
    else:
        qsettings = QSettings()
    settings = Settings(qsettings)

    theme = ThemeManager(app, options.theme or settings.get(THEME))
    theme.apply()
    session = DutySession(settings, options.officer)
    started = _Started(options, scratch, qsettings, tasks)
    started.opening = opening
    try:
        if options.screenshot is not None:
            workstation = started.open(opening)
            if workstation is None:
                return 2
            context = started.context(workstation, settings, theme, session, app)
            context.situation_records = False  # a picture changes nothing (no alert, no sheet)
            window = MainWindow(context)
            view = start_view(options.view, settings)
            return _screenshot(app, window, view, options.screenshot, options.size, tasks)
        # The window frame first, the data as soon as the store is open: the officer sees
        # the console at once, and a big store never delays it.
        window = MainWindow(shell=ShellContext(settings, theme, session))
        started.window = window
        window.place()
        window.show_view(start_view(options.view, settings))
        started.then = lambda: started.finish(
            app, window, opening, settings, theme, session, interactive
        )
        opening.then = started.continue_if_shown
        window.winId()
        handle = window.windowHandle()
        if handle is not None:
            handle.installEventFilter(_ExposeWatcher(started, window))
        window.show()
        QTimer.singleShot(1000, started.continue_once)  # in case no expose ever comes
        return app.exec()
    finally:
        started.close()
        crash.uninstall()


def wall_only(role: str | None) -> bool:
    """Signed in with the 只读 role: this machine is a wall, it gets nothing else."""
    from console.domain.roles import READONLY

    return role == READONLY


def start_wall(window: MainWindow, options: GuiOptions, role: str | None) -> None:
    """``--wall`` or a 只读 sign-in (``role``): the 大屏模式 page, the wall started from the
    saved preset (on the same screens by name); 只读 also locks the window to that page."""
    locked = wall_only(role)
    if not (options.wall or locked):
        return
    page = window.lock_to_view("wall") if locked else window.show_view("wall")
    start = getattr(page, "start_saved", None)
    if callable(start):
        QTimer.singleShot(0, start)


class _Started:
    """The second half of start-up (store open, sign-in, data into the window) and what
    must be released at exit."""

    def __init__(
        self, options: GuiOptions, scratch: object, qsettings: QSettings, tasks: TaskRunner
    ) -> None:
        self.options = options
        self.tasks = tasks
        self.scratch = scratch
        self.qsettings = qsettings
        self.workstation: Workstation | None = None
        self.bus: ChangeBus | None = None
        self.sync: SyncBridge | None = None
        self.watchdog: GuiWatchdog | None = None
        self.external: ExternalWrites | None = None
        self.shown = False
        self.then: Callable[[], None] | None = None  # the rest of start-up, run once
        self.opening: Opening | None = None
        self.window: MainWindow | None = None  # the frame shown while the store opens

    def continue_once(self) -> None:
        """Painted (or gave up waiting for it): go on once the store has opened too."""
        self.shown = True
        if self.window is not None and not self.opening_done():
            self.window.prepare_pending_view()  # meanwhile (an import: done once)
        if self.opening_done():
            then, self.then = self.then, None
            if then is not None:
                then()

    def continue_if_shown(self) -> None:
        """The store has opened: go on if the frame is on screen already."""
        if self.shown:
            self.continue_once()

    def opening_done(self) -> bool:
        return self.opening is None or self.opening.done

    def open(self, opening: Opening) -> Workstation | None:
        try:
            self.workstation = opening.result()
        except StoreError as error:
            log.error("cannot open workstation: %s", error_text(error).replace("\n", " | "))
            if self.options.screenshot is not None or self.options.quit_after_shown:
                print(error_text(error), file=sys.stderr)
            else:
                resume_collector()  # the message waits for the officer
                show_store_error(None, error)
            return None
        return self.workstation

    def context(
        self,
        workstation: Workstation,
        settings: Settings,
        theme: ThemeManager,
        session: DutySession,
        app: QApplication,
    ) -> WindowContext:
        from console.services.assessments import AssessmentService, load_templates
        from console.services.incident_source import IncidentSource
        from console.services.incidents import IncidentService
        from console.services.reference_data import ReferenceData
        from console.services.threshold_alerts import ThresholdAlerts

        self.bus = ChangeBus(app)
        self.bus.attach(workstation.store)
        # Writes by another process (the command line) into this data folder, on the bus too.
        from console.store.external import ExternalWrites  # SQLAlchemy: not before the frame

        self.external = ExternalWrites(workstation.store)
        self.external.start()
        from console.services.readings import ReadingsService

        readings = ReadingsService(workstation.store)
        return WindowContext(
            queries=workstation.queries,
            bus=self.bus,
            settings=settings,
            theme=theme,
            session=session,
            data_dir=self.options.data_dir,
            sync=self.sync,
            sync_issues=self.sync.issues if self.sync is not None else None,
            accounts=self.sync.accounts if self.sync is not None else None,
            incidents=IncidentService(workstation.writer),
            incident_source=IncidentSource(workstation.store),
            tasks=self.tasks,
            reference=ReferenceData(workstation.writer),
            assessments=AssessmentService(
                workstation.writer, templates=load_templates(self.options.data_dir)
            ),
            alerts=ThresholdAlerts(workstation.writer),
            situation=_situation_provider(workstation.store, readings),
            readings=readings,
        )

    def finish(
        self,
        app: QApplication,
        window: MainWindow,
        opening: Opening,
        settings: Settings,
        theme: ThemeManager,
        session: DutySession,
        interactive: bool,
    ) -> None:
        workstation = self.open(opening)
        if workstation is None:
            window.hide()
            app.exit(2)
            return
        if interactive:
            proceed, self.sync = _sign_in(
                app, workstation, session, self.options, self.tasks, settings
            )
            if not proceed:  # the officer closed the sign-in window: do not start
                window.hide()
                app.exit(0)
                return
        window.attach(self.context(workstation, settings, theme, session, app))
        if interactive:
            account = self.sync.session if self.sync is not None else None
            start_wall(window, self.options, account.role if account is not None else None)
        freeze_startup_objects()
        self.watchdog = GuiWatchdog(settings.get(WATCHDOG_MS), app)
        QTimer.singleShot(0, self.watchdog.start)
        if self.options.quit_after_shown:  # ready = the first page has its data
            if self.tasks.pending:
                self.tasks.idle.connect(self._ready, Qt.ConnectionType.SingleShotConnection)
            else:
                self._ready()

    def _ready(self) -> None:
        print(f"ready {seconds_since_start():.3f}", flush=True)
        QTimer.singleShot(0, QApplication.quit)

    def close(self) -> None:
        self.tasks.shutdown()
        if self.watchdog is not None:
            self.watchdog.stop()
        if self.sync is not None:
            self.sync.stop()
        if self.external is not None:
            self.external.stop()
        if self.bus is not None:
            self.bus.close()
        if self.workstation is not None:
            self.workstation.close()
        if self.scratch is not None:
            self.qsettings.sync()
            self.scratch.cleanup()  # type: ignore[attr-defined]


def _screenshot(
    app: QApplication,
    window: MainWindow,
    view: str,
    path: Path,
    size: tuple[int, int],
    tasks: TaskRunner,
) -> int:
    window.setMinimumSize(1, 1)
    window.resize(*size)
    window.show_view(view)
    window.show()
    if not tasks.wait_idle(SCREENSHOT_DEADLINE_MS):  # the page's data, read in the background
        print("错误：页面数据读取超时", file=sys.stderr)
        return 1
    _settle(150)
    # A page that shows something arriving later (the video page's first frames) says when
    # it is ready; it is shot as it is after the deadline.
    ready = getattr(window.show_view(view), "ready_for_screenshot", None)
    deadline = time.monotonic() + SCREENSHOT_DEADLINE_MS / 1000
    while callable(ready) and not ready() and time.monotonic() < deadline:
        _settle(100)
    if window.failed_pages:
        print(f"错误：页面 {', '.join(window.failed_pages)} 加载失败，详见日志", file=sys.stderr)
        return 1
    pixmap = window.grab()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(path), "PNG"):
        print(f"错误：无法写入截图文件 {path}", file=sys.stderr)
        return 1
    window.close()
    app.processEvents()
    return 0
