"""Benchmark: five minutes of new readings of every station, from ingest to the views.

A real ``duty-server`` (``--backend``, PostgreSQL by default) with ``--stations`` stations and
a day of their readings; a workstation that has pulled them runs the sync engine in the
background (event stream + rounds), with a ``ReadingsService`` on its store. Each round,
the next 5-minute reading of every station is POSTed to /readings by the ingest account;
the clock runs until ``ReadingsService.latest`` shows that timestamp for every station (the
poke, the pull, the local write and the query). ``--rounds`` rounds.

With ``--page`` the clock runs until the 雨水情 page shows it instead: a real window (Qt,
offscreen unless a display is set) on the workstation's store with the page on screen, its
station list's newest reading of every station at that timestamp (the service, the change
bus's announcement, the page's reread in the background and its model).

Goal: every round <= 5 s. Exit 1 if one is slower.

    python bench/readings_live.py [--stations 1000] [--rounds 5] [--backend postgresql] [--page]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import requests
from _readings_common import (
    DEFAULT_ADMIN_URL,
    PASSWORD,
    STEP_S,
    machine_line,
    make_stations,
    now_step,
    print_table,
    rows_at,
    scratch,
    seed,
    window,
)

from console.services.context import Workstation
from console.services.readings import ReadingsService
from console.store.database import Store, open_store
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import running_server


class PageWatch:
    """The 雨水情 page in a real window over the workstation's store (``--page``)."""

    def __init__(self, store: Store, data_dir: Path) -> None:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from console.services.incidents import IncidentService
        from console.services.queries import Queries
        from console.settings import Settings
        from console.store.writer import Writer
        from console.ui.change_bus import ChangeBus
        from console.ui.session import DutySession
        from console.ui.tasks import TaskRunner
        from console.ui.theme import ThemeManager
        from console.views.main_window import MainWindow, WindowContext
        from console.views.pages.monitor_page import MonitorPage

        existing = QApplication.instance()
        app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
        ws = Workstation(store, Writer(store), Queries(store), first_run=False)
        settings = Settings(QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat))
        theme = ThemeManager(app, "dark")
        theme.apply()
        self.bus = ChangeBus(app)
        self.bus.attach(store)
        self.tasks = TaskRunner()
        context = WindowContext(
            queries=ws.queries,
            bus=self.bus,
            settings=settings,
            theme=theme,
            session=DutySession(settings, "测试值班员"),
            data_dir=data_dir,
            incidents=IncidentService(ws.writer),
            tasks=self.tasks,
            readings=ReadingsService(store),
        )
        self.app = app
        self.window = MainWindow(context)
        self.window.resize(1600, 1000)
        page = self.window.show_view("monitor")
        assert isinstance(page, MonitorPage)
        self.page = page
        self.window.show()
        self.tasks.wait_idle(60_000)

    def shows(self, ts: int, count: int) -> bool:
        self.app.processEvents()
        model = self.page.model
        newest = [model.latest(s.id) for s in model.records()]
        return sum(1 for n in newest if n is not None and n[0] == ts) >= count

    def close(self) -> None:
        self.window.close()
        self.tasks.shutdown()
        self.bus.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--backend", default="postgresql")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--page", action="store_true", help="time until the 雨水情 page shows it")
    args = ap.parse_args()
    print(machine_line())
    rng = random.Random(5)
    # The rounds' timestamps are the next 5-minute steps; the seeded day ends before them
    # (and the newest is at most 10 minutes ahead of now: ingest refuses beyond).
    first_new = now_step() - (args.rounds - 1) * STEP_S
    with scratch(args.backend, args.admin_url) as db:
        codes = make_stations(db, args.stations)
        seed(db, codes, window(first_new - STEP_S, 1.0), rng)
        db.create_user("zhang", "officer", PASSWORD)
        db.create_user("feed", "ingest", PASSWORD)
        db.dispose()
        with running_server(db) as server, tempfile.TemporaryDirectory() as folder:
            store = open_store(Path(folder) / "ws")
            client = SyncClient(server.url)
            client.login("zhang", PASSWORD)
            engine = SyncEngine(store, client)
            engine.sync_once()  # the window first (not timed here: readings_first_pull)
            service = ReadingsService(store)
            watch = PageWatch(store, Path(folder)) if args.page else None
            engine.start()
            feed = requests.Session()
            token = feed.post(
                f"{server.url}/auth/login",
                json={"username": "feed", "password": PASSWORD},
                timeout=30,
            ).json()["token"]
            time.sleep(2.0)  # the event stream is up
            latencies = []
            try:
                for n in range(args.rounds):
                    ts = first_new + n * STEP_S
                    rows = rows_at(codes, ts, rng)
                    t0 = time.perf_counter()
                    r = feed.post(
                        f"{server.url}/readings",
                        json={"rows": rows},
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=60,
                    )
                    r.raise_for_status()
                    while True:
                        if watch is not None:
                            if watch.shows(ts, len(codes)):
                                break
                        else:
                            newest = {**service.latest("rain"), **service.latest("level")}
                            if len(newest) == len(codes) and all(
                                t == ts for t, _ in newest.values()
                            ):
                                break
                        if time.perf_counter() - t0 > 30:
                            raise SystemExit(f"round {n}: not visible after 30 s")
                        time.sleep(0.01 if watch is not None else 0.05)
                    latencies.append(time.perf_counter() - t0)
            finally:
                if watch is not None:
                    watch.close()
                engine.stop()
                client.close()
                store.close()
    worst = max(latencies)
    print_table(
        f"{args.stations} stations: 5 minutes of readings, ingest -> "
        + ("the 雨水情 page" if args.page else "ReadingsService"),
        [
            ("rounds", str(args.rounds), "", None),
            ("median latency (s)", f"{sorted(latencies)[len(latencies) // 2]:.2f}", "", None),
            ("worst latency (s)", f"{worst:.2f}", "<= 5", worst <= 5.0),
        ],
    )
    return 0 if worst <= 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
