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
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from console.cli import STARTED_AT, GuiOptions
from console.resources import resource
from console.settings import APPLICATION, ORGANIZATION, THEME, WATCHDOG_MS, Settings
from console.store.errors import StoreError
from console.ui.change_bus import ChangeBus
from console.ui.errors import error_text, show_store_error
from console.ui.logging_setup import route_qt_messages, setup_logging
from console.ui.session import DutySession
from console.ui.theme import ThemeManager
from console.ui.watchdog import GuiWatchdog
from console.views.main_window import MainWindow, WindowContext, start_view

if TYPE_CHECKING:
    from console.services.context import Workstation
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
DEFAULT_SIZE = (1440, 900)


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
    fonts = resource("fonts")
    if fonts.is_dir():
        for path in sorted(fonts.iterdir()):
            if path.suffix.lower() in (".otf", ".ttf"):
                font_id = QFontDatabase.addApplicationFont(str(path))
                if font_id >= 0:
                    families.extend(QFontDatabase.applicationFontFamilies(font_id))
    font = QFont(app.font())
    font.setFamilies([*dict.fromkeys(families), *CJK_FALLBACKS])
    font.setPointSizeF(max(font.pointSizeF(), 10.5))
    app.setFont(font)
    return families


class _ExposeWatcher(QObject):
    """Quits the app the first time the window is exposed, printing the time since start."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and getattr(watched, "isExposed", lambda: False)():
            watched.removeEventFilter(self)
            print(f"shown {seconds_since_start():.3f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
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


class _Opening:
    """Opens the workstation on a worker thread while the GUI thread starts Qt.

    Importing SQLAlchemy and opening the store is the largest part of start-up; Qt's own
    start (fonts, platform, style) mostly runs in C++ without the GIL, so the two overlap.
    The GUI thread waits for the result before it builds the window.
    """

    def __init__(self, options: GuiOptions) -> None:
        self._options = options
        self.workstation: Workstation | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="open-store", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            from console.services.context import open_workstation

            options = self._options
            interactive = not (options.screenshot is not None or options.quit_after_shown)
            # Interactive: sign-in decides whether this first run loads the sample county.
            self.workstation = open_workstation(
                options.data_dir, demo=options.demo, autoload=not interactive
            )
        except BaseException as exc:  # handed to the GUI thread, which reports it
            self.error = exc

    def result(self) -> Workstation:
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.workstation is not None
        return self.workstation


def _sign_in(
    app: QApplication, workstation: Workstation, session: DutySession, options: GuiOptions
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

    bridge = SyncBridge(workstation.store, app)
    bridge.accounts = Accounts(workstation.store)
    bridge.issues = SyncIssues(workstation.writer)
    if not options.standalone:
        dialog = LoginDialog(bridge.accounts)
        if not dialog.exec():
            return False, bridge
        if dialog.session is not None:
            bridge.start(dialog.session)
            session.sign_in(dialog.session.username)
            return True, bridge
    load_standalone_defaults(workstation)  # standalone: sample county on first run
    return True, bridge


def run_gui(options: GuiOptions) -> int:
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
    opening = _Opening(options)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("值班台")
    app.setStyle("Fusion")
    load_fonts(app)
    setup_logging(options.data_dir)
    if not headless:
        route_qt_messages()

    scratch = (
        tempfile.TemporaryDirectory(prefix="duty-console-settings-")
        if (headless or options.quit_after_shown)
        else None
    )
    if scratch is not None:
        qsettings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
    else:
        qsettings = QSettings()
    settings = Settings(qsettings)

    try:
        workstation = opening.result()
    except StoreError as error:
        log.error("cannot open workstation: %s", error_text(error).replace("\n", " | "))
        if headless or options.quit_after_shown:
            print(error_text(error), file=sys.stderr)
        else:
            show_store_error(None, error)
        return 2

    theme = ThemeManager(app, options.theme or settings.get(THEME))
    theme.apply()
    bus = ChangeBus(app)
    bus.attach(workstation.store)
    session = DutySession(settings, options.officer)
    sync: SyncBridge | None = None
    if interactive:
        proceed, sync = _sign_in(app, workstation, session, options)
        if not proceed:  # the officer closed the sign-in window: do not start
            sync.stop()
            bus.close()
            workstation.close()
            return 0
    from console.services.incident_source import IncidentSource
    from console.services.incidents import IncidentService

    window = MainWindow(
        WindowContext(
            queries=workstation.queries,
            bus=bus,
            settings=settings,
            theme=theme,
            session=session,
            data_dir=options.data_dir,
            sync=sync,
            sync_issues=sync.issues if sync is not None else None,
            accounts=sync.accounts if sync is not None else None,
            incidents=IncidentService(workstation.writer),
            incident_source=IncidentSource(workstation.store),
        )
    )
    view = start_view(options.view, settings)
    try:
        if options.screenshot is not None:
            return _screenshot(app, window, view, options.screenshot, options.size)
        if not window.restore_layout():
            window.resize(*DEFAULT_SIZE)
        window.show_view(view)
        watcher = _ExposeWatcher(window)
        if options.quit_after_shown:
            window.winId()
            handle = window.windowHandle()
            if handle is not None:
                handle.installEventFilter(watcher)
        window.show()
        watchdog = GuiWatchdog(settings.get(WATCHDOG_MS), app)
        QTimer.singleShot(0, watchdog.start)
        code = app.exec()
        watchdog.stop()
        if window.isVisible():
            window.close()
        return code
    finally:
        if sync is not None:
            sync.stop()
        bus.close()
        workstation.close()
        if scratch is not None:
            qsettings.sync()
            scratch.cleanup()


def _screenshot(
    app: QApplication, window: MainWindow, view: str, path: Path, size: tuple[int, int]
) -> int:
    window.setMinimumSize(1, 1)
    window.resize(*size)
    window.show_view(view)
    window.show()
    _settle(150)
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
