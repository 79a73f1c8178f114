"""Benchmark: an officer saves calls while the workstation's first sync of ~100,000 records runs.

1. A scratch PostgreSQL database gets the sample county and ``--records`` records, seeded
   exactly as bench/sync_first.py does (its ``seed``), and a real ``duty-server`` process
   serves it on loopback.
2. The GUI runs as the console does: a QApplication (offscreen unless a display is set), the
   main window open on 接警处置 (intake) over a fresh, empty workstation, the window's change
   bus attached to the store, the start-up objects frozen for the garbage collector
   (console/memory.py), and the GUI watchdog (console/ui/watchdog.py) with a 100 ms
   threshold. A 10 ms heartbeat timer also records the longest gap of the GUI thread.
3. The first sync (``SyncEngine.sync_once``) runs on a background thread. Meanwhile, every
   ``--every-ms`` a timer on the GUI thread saves a call the way the intake form does
   (``IncidentService.take_call``: incident.create + its 来电 timeline entry, one write-path
   transaction), timing each save.
   This runs ``--rounds`` times (a fresh workstation each), the saves pooled.
4. The same first sync also runs once without saves (fresh workstation, same GUI), for the
   throughput cost of stepping aside. Each workstation with saves syncs again (pushes them:
   the kept database grows by them) and its digest must equal the server's: no save lost,
   none doubled. The watchdog's stalls are listed by where the GUI thread was when the
   stall crossed 100 ms (work that had just finished does not show), and every refresh of
   the intake page's incident list (on each announced change) is timed.

Targets: save p99 <= 50 ms; no GUI stall > 100 ms (watchdog). Exit code 1 if one fails, a
save fails, or the replica does not converge.

    python bench/save_during_sync.py [--records 100000] [--every-ms 200] [--reuse --keep]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from _sync_common import (
    DEFAULT_ADMIN_URL,
    PASSWORD,
    machine_line,
    percentile,
    print_table,
    running_server,
    server_cli,
)
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication
from sync_first import USER, seeded_database, store_counts

from console.domain.digest import database_digest
from console.memory import freeze_startup_objects
from console.services.context import Workstation, open_workstation
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.settings import Settings
from console.store.gate import WriteGate
from console.store.paths import DATABASE_FILE
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from console.ui.change_bus import ChangeBus
from console.ui.session import DutySession
from console.ui.theme import ThemeManager
from console.ui.watchdog import GuiWatchdog
from console.views.main_window import MainWindow, WindowContext

WATCHDOG_MS = 100
HEARTBEAT_MS = 10
OFFICER = "值班员甲"
CALL = {
    "received_at": "",  # empty: now
    "caller_name": "王先生",
    "caller_phone": "13905781234",
    "category": "自然灾害",
    "subtype": "地质",
    "grade": "一般",
    "address": "某村后山",
    "description": "村民来电：后山出现裂缝，有少量落石，暂无人员伤亡。",
}


class StallLog(logging.Handler):
    """Collects the watchdog's reports: each stall's total and where the GUI thread was."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.totals_ms: list[float] = []
        self.places: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not isinstance(record.args, tuple) or not record.args:
            return
        if "in total" in str(record.msg):
            self.totals_ms.append(float(str(record.args[0])))  # already in ms
        elif "its stack" in str(record.msg) and len(record.args) > 1:
            self.places.append(_deepest_console_frame(str(record.args[1])))


def _deepest_console_frame(stack: str) -> str:
    """``console/x/y.py:function`` of the innermost frame in this project's code (else the
    innermost frame)."""
    found = re.findall(r'File "[^"]*/(console/[^"]+)", line \d+, in (\w+)', stack)
    if found:
        return f"{found[-1][0]}:{found[-1][1]}"
    frames = re.findall(r'File "([^"]+)", line \d+, in (\w+)', stack)
    return f"{Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else "(no stack)"


class TimedGate(WriteGate):
    """The store's gate, also timing how long each save waited for it."""

    def __init__(self) -> None:
        super().__init__()
        self.save_waits_ms: list[float] = []

    @contextmanager
    def urgent(self) -> Iterator[None]:
        t0 = time.perf_counter()
        with super().urgent():
            self.save_waits_ms.append((time.perf_counter() - t0) * 1000)
            yield


@dataclass
class Run:
    sync_s: float = 0.0
    rows: int = 0
    saves_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stalls: int = 0
    longest_stall_ms: float = 0.0
    longest_gap_ms: float = 0.0
    saved_ids: list[str] = field(default_factory=list)
    gate_waits_ms: list[float] = field(default_factory=list)
    stall_places: list[str] = field(default_factory=list)
    refreshes_ms: list[float] = field(default_factory=list)


def _window(app: QApplication, ws: Workstation, data_dir: Path) -> tuple[MainWindow, ChangeBus]:
    settings = Settings(QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat))
    theme = ThemeManager(app, "dark")
    theme.apply()
    bus = ChangeBus(app)
    bus.attach(ws.store)
    context = WindowContext(
        queries=ws.queries,
        bus=bus,
        settings=settings,
        theme=theme,
        session=DutySession(settings, OFFICER),
        data_dir=data_dir,
        incidents=IncidentService(ws.writer),
        incident_source=IncidentSource(ws.store),
    )
    window = MainWindow(context)
    window.resize(1600, 1000)
    window.show_view("intake")
    window.show()
    return window, bus


def _time_list_refreshes(window: MainWindow, into: list[float]) -> None:
    """Time each refresh of the intake page's incident list (the page refreshes it on every
    change announcement: each save and each pull page), to tell its cost from the saves'."""
    view = getattr(window.page("intake"), "list", None)
    refresh = getattr(view, "refresh", None)
    if view is None or refresh is None:
        return

    def timed() -> None:
        t0 = time.perf_counter()
        refresh()
        into.append((time.perf_counter() - t0) * 1000)

    view.refresh = timed


def first_sync(app: QApplication, server_url: str, data_dir: Path, every_ms: int | None) -> Run:
    """One first sync on a background thread with the intake page open; saves every
    ``every_ms`` on the GUI thread (None: no saves)."""
    run = Run()
    ws = open_workstation(data_dir, autoload=False)  # a workstation joining a server
    gate = ws.store.gate = TimedGate()
    client = SyncClient(server_url)
    client.login(USER, PASSWORD)
    window, bus = _window(app, ws, data_dir)
    freeze_startup_objects()  # as the console does once its window holds its data
    _time_list_refreshes(window, run.refreshes_ms)
    service = IncidentService(ws.writer)
    places = service.places()  # the intake page keeps the county's names, as here
    stall_log = StallLog()
    logging.getLogger("console.watchdog").addHandler(stall_log)
    watchdog = GuiWatchdog(WATCHDOG_MS)
    loop = QEventLoop()
    done = threading.Event()
    errors: list[BaseException] = []

    def pull() -> None:
        t0 = time.perf_counter()
        try:
            run.rows = SyncEngine(ws.store, client).sync_once().pulled_rows
        except BaseException as exc:  # reported below, never lost in a thread
            errors.append(exc)
        run.sync_s = time.perf_counter() - t0
        done.set()

    last_beat = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        run.longest_gap_ms = max(run.longest_gap_ms, (now - last_beat[0]) * 1000)
        last_beat[0] = now
        if done.is_set():
            loop.quit()

    def save() -> None:
        t0 = time.perf_counter()
        try:
            run.saved_ids.append(service.take_call(CALL, user=OFFICER, places=places))
        except Exception as exc:  # a refused save is a failure of this benchmark
            run.failures.append(f"{type(exc).__name__}: {exc}")
            return
        run.saves_ms.append((time.perf_counter() - t0) * 1000)

    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)
    saver = QTimer()
    if every_ms:
        saver.setInterval(every_ms)
        saver.timeout.connect(save)
    try:
        for _ in range(20):  # let the window settle before the clock starts
            app.processEvents()
        watchdog.start()
        heartbeat.start()
        last_beat[0] = time.perf_counter()
        thread = threading.Thread(target=pull, name="first-sync", daemon=True)
        thread.start()
        if every_ms:
            saver.start()
        loop.exec()
        thread.join()
    finally:
        saver.stop()
        heartbeat.stop()
        watchdog.stop()
        logging.getLogger("console.watchdog").removeHandler(stall_log)
        window.close()
        bus.close()
        window.deleteLater()
        app.processEvents()
        client.close()
    run.stalls = watchdog.stalls
    run.longest_stall_ms = max(stall_log.totals_ms, default=0.0)
    run.stall_places = stall_log.places
    run.gate_waits_ms = gate.save_waits_ms
    if errors:
        ws.close()
        raise RuntimeError("the first sync failed") from errors[0]
    if every_ms:
        _push_and_compare(ws, server_url, run)
    ws.close()
    return run


def _push_and_compare(ws: Workstation, server_url: str, run: Run) -> None:
    """Every save is in the store; after one more sync the replica equals the server."""
    with ws.store.engine.connect() as conn:
        have = {r[0] for r in conn.exec_driver_sql("SELECT id FROM incidents")}
    lost = [i for i in run.saved_ids if i not in have]
    if lost:
        run.failures.append(f"{len(lost)} saved incidents missing from the store")
    sync_again(ws, server_url)


def sync_again(ws: Workstation, server_url: str) -> None:
    client = SyncClient(server_url)
    try:
        client.login(USER, PASSWORD)
        SyncEngine(ws.store, client).sync_once()
    finally:
        client.close()


def workstation_digest(data_dir: Path, server_url: str) -> str:
    """The digest after one more sync (which brings the other rounds' saves)."""
    ws = open_workstation(data_dir, autoload=False)
    try:
        sync_again(ws, server_url)
        with ws.store.engine.connect() as conn:
            return database_digest(conn)[0]
    finally:
        ws.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--records", type=int, default=100_000, help="records to seed (default 100000)")
    p.add_argument("--logs-per-incident", type=int, default=4, help="timeline entries each")
    p.add_argument("--every-ms", type=int, default=200, help="a save every N ms (default 200)")
    p.add_argument(
        "--rounds", type=int, default=3, help="first syncs with saves, pooled (default 3)"
    )
    p.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="libpq URL of an admin db")
    p.add_argument("--db-name", default="duty_bench_save_sync", help="scratch database name")
    p.add_argument("--keep", action="store_true", help="keep the seeded database afterwards")
    p.add_argument("--reuse", action="store_true", help="reuse a kept database (skip seeding)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--goal-p99-ms", type=float, default=50.0)
    p.add_argument("--goal-stall-ms", type=float, default=WATCHDOG_MS)
    args = p.parse_args(argv)

    print(machine_line())
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="save-sync-") as tmp_name:
        tmp = Path(tmp_name)
        with seeded_database(args) as (db_url, expected):
            total = sum(expected.values())
            print(f"server holds {total} records")
            with running_server(db_url, tmp / "server.log") as srv:
                quiet = first_sync(app, srv.url, tmp / "quiet", None)
                quiet_ok = store_counts(tmp / "quiet" / DATABASE_FILE) == expected
                rounds = [
                    first_sync(app, srv.url, tmp / f"busy{i}", args.every_ms)
                    for i in range(args.rounds)
                ]
                digests = {
                    workstation_digest(tmp / f"busy{i}", srv.url) for i in range(args.rounds)
                }
            converged = digests == {server_cli(db_url, "digest").strip()}
            load = os.getloadavg()

    busy = Run(
        sync_s=statistics.median(r.sync_s for r in rounds),
        saves_ms=[ms for r in rounds for ms in r.saves_ms],
        failures=[f for r in rounds for f in r.failures],
        stalls=sum(r.stalls for r in rounds),
        longest_stall_ms=max(r.longest_stall_ms for r in rounds),
        longest_gap_ms=max(r.longest_gap_ms for r in rounds),
        gate_waits_ms=[ms for r in rounds for ms in r.gate_waits_ms],
        stall_places=[p for r in rounds for p in r.stall_places],
        refreshes_ms=[ms for r in rounds for ms in r.refreshes_ms],
    )
    saves = busy.saves_ms
    waits = busy.gate_waits_ms
    refreshes = busy.refreshes_ms
    p99 = percentile(saves, 99)
    quiet_rate = total / quiet.sync_s
    busy_rate = total / busy.sync_s
    ok_p99 = bool(saves) and p99 <= args.goal_p99_ms
    ok_stall = busy.longest_stall_ms <= args.goal_stall_ms
    print(machine_line())
    print_table(
        f"saves every {args.every_ms} ms during a first sync of {total} records "
        "(PostgreSQL server, loopback HTTP, intake page open)",
        [
            ("saves (incident + 来电)", f"{len(saves)} ok, {len(busy.failures)} failed", "", None),
            ("save p50", f"{percentile(saves, 50):.1f} ms", "", None),
            ("save p95", f"{percentile(saves, 95):.1f} ms", "", None),
            ("save p99", f"{p99:.1f} ms", f"<= {args.goal_p99_ms:g} ms", ok_p99),
            ("save max", f"{max(saves, default=0.0):.1f} ms", "", None),
            (
                f"GUI stalls > {WATCHDOG_MS} ms (watchdog)",
                f"{busy.stalls}, longest {busy.longest_stall_ms:.0f} ms",
                f"none > {args.goal_stall_ms:g} ms",
                ok_stall,
            ),
            ("GUI longest gap (10 ms heartbeat)", f"{busy.longest_gap_ms:.0f} ms", "", None),
            (
                "  intake list refreshes on the GUI thread",
                f"{len(refreshes)}: p50 {percentile(refreshes, 50):.0f}, "
                f"max {max(refreshes, default=0.0):.0f} ms",
                "",
                None,
            ),
            (
                "  of a save: waiting for the write gate",
                f"p50 {percentile(waits, 50):.1f}, p99 {percentile(waits, 99):.1f}, "
                f"max {max(waits, default=0.0):.1f} ms",
                "",
                None,
            ),
            (
                f"sync with saves (median of {len(rounds)})",
                f"{busy.sync_s:.2f} s, {busy_rate:,.0f} records/s",
                "",
                None,
            ),
            ("sync without saves", f"{quiet.sync_s:.2f} s, {quiet_rate:,.0f} records/s", "", None),
            (
                "  GUI stalls without saves",
                f"{quiet.stalls}, longest {quiet.longest_stall_ms:.0f} ms, "
                f"gap {quiet.longest_gap_ms:.0f} ms",
                "",
                None,
            ),
            ("replica without saves = server", "yes" if quiet_ok else "NO", "", quiet_ok),
            ("with saves: pushed, digest = server", "yes" if converged else "NO", "", converged),
            ("load average at the end", f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", "", None),
        ],
    )
    for title, run in (("with saves", busy), ("without saves", quiet)):
        if run.stall_places:
            print(f"where the GUI thread was in its stalls ({title}):")
            for place, n in Counter(run.stall_places).most_common():
                print(f"  {n} x {place}")
    for failure in busy.failures[:5]:
        print(f"save failed: {failure}", file=sys.stderr)
    ok = ok_p99 and ok_stall and not busy.failures and quiet_ok and converged
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
