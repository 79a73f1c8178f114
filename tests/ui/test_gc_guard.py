"""The cyclic garbage collector never runs on a pool thread (console.ui.gc_guard): collected
there, Qt wrappers deadlock the GUI thread (seen in two test workers, 2026-11-30)."""

from __future__ import annotations

import gc
import threading
import weakref

from pytestqt.qtbot import QtBot

from console.memory import collection_on, pause_collector, resume_collector
from console.ui.gc_guard import ensure_gui_collector, installed
from console.ui.tasks import TaskRunner


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _make_garbage(collected_on: list[int], kept: list[object]) -> int:
    """Pool thread: leave a reference cycle behind, then allocate (and keep) well past the
    collector's thresholds, which would have collected it here were collection automatic."""
    cycle = _Cycle()
    weakref.finalize(cycle, lambda: collected_on.append(threading.get_ident()))
    del cycle
    kept.extend([] for _ in range(50 * gc.get_threshold()[0]))  # containers: tracked by gc
    return threading.get_ident()


def test_background_work_leaves_cycles_to_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    collected_on: list[int] = []
    worker: list[int] = []
    kept: list[object] = []
    runner.run(_make_garbage, collected_on, kept, on_done=worker.append)
    assert runner.wait_idle(5000)
    assert installed() is not None and not gc.isenabled()
    assert worker and worker[0] != threading.get_ident()
    assert collected_on == []  # the pool thread collected nothing
    qtbot.waitUntil(lambda: bool(collected_on), timeout=5000)  # the timer's collection
    assert collected_on == [threading.get_ident()]
    runner.shutdown()


def test_the_collector_is_installed_once_and_only_from_the_gui_thread(qtbot: QtBot) -> None:
    first = ensure_gui_collector()
    assert first is not None and ensure_gui_collector() is first
    from_thread: list[object] = []
    thread = threading.Thread(target=lambda: from_thread.append(ensure_gui_collector()))
    thread.start()
    thread.join(5)
    assert from_thread == [None]


def test_collect_due_frees_cycles_once_past_the_threshold(qtbot: QtBot) -> None:
    collector = ensure_gui_collector()
    assert collector is not None
    gc.collect()
    box: list[int] = []
    cycle = _Cycle()
    weakref.finalize(cycle, lambda: box.append(1))
    del cycle
    assert collector.collect_due() == 0 and box == []  # below the threshold: left for later
    churn = [[] for _ in range(2 * collector.threshold[0])]  # alive: the count stays up
    assert collector.collect_due() > 0 and box == [1]
    del churn


def test_start_up_pause_holds_the_gui_collector_too(qtbot: QtBot) -> None:
    collector = ensure_gui_collector()
    assert collector is not None
    gc.collect()
    box: list[int] = []
    pause_collector()
    try:
        cycle = _Cycle()
        weakref.finalize(cycle, lambda: box.append(1))
        del cycle
        churn = [[] for _ in range(2 * collector.threshold[0])]
        assert collector.collect_due() == 0 and not collection_on() and box == []
    finally:
        resume_collector()
    assert collection_on() and not gc.isenabled()  # on again, still only on this thread
    assert collector.collect_due() > 0 and box == [1]
    del churn
