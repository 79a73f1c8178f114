"""The change bus: a lone change goes out at once, a burst is coalesced, none is lost.

A long window (1 s) tells "at once" from "at the window's end" without racing the machine's
load: the first change must arrive well before the window could have ended."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.domain.rows import RowChange
from console.store.changes import Changes
from console.ui.change_bus import ChangeBus

WINDOW_MS = 1000


def _ms() -> float:
    return time.monotonic() * 1000


def _change(row: str) -> Changes:
    return Changes(rows=(RowChange("transfer_events", row),))


@pytest.fixture
def bus(qapp: QApplication) -> Iterator[ChangeBus]:
    b = ChangeBus(coalesce_ms=WINDOW_MS)
    yield b
    b.close()


def test_a_lone_change_goes_out_at_once_and_a_burst_after_it_once(
    qtbot: QtBot, bus: ChangeBus
) -> None:
    heard: list[tuple[float, set[str]]] = []
    bus.changed.connect(lambda c: heard.append((_ms(), c.ids("transfer_events"))))
    start = _ms()
    bus.post(_change("a"))
    qtbot.waitUntil(lambda: len(heard) == 1, timeout=WINDOW_MS // 2)
    assert heard[0][1] == {"a"} and heard[0][0] - start < WINDOW_MS / 2

    # Within the window: held, then all of them in one announcement at its end.
    for row in ("b", "c", "d"):
        bus.post(_change(row))
    qtbot.wait(WINDOW_MS // 4)
    assert len(heard) == 1
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=3 * WINDOW_MS)
    assert heard[1][1] == {"b", "c", "d"} and heard[1][0] - start >= WINDOW_MS * 0.9

    # That announcement opened another window; once it has passed quietly, the next lone
    # change is again at once.
    qtbot.wait(int(WINDOW_MS * 1.2))
    assert len(heard) == 2
    again = _ms()
    bus.post(_change("e"))
    qtbot.waitUntil(lambda: len(heard) == 3, timeout=WINDOW_MS // 2)
    assert heard[2][1] == {"e"} and heard[2][0] - again < WINDOW_MS / 2


def test_changes_queued_together_are_one_announcement(qtbot: QtBot, bus: ChangeBus) -> None:
    """Saves made in one go on the GUI thread (the store posts each as it commits, so all are
    queued when the first is handled) reach the pages as one change holding every row."""
    heard: list[Changes] = []
    bus.changed.connect(heard.append)
    rows = [f"r{i}" for i in range(5)]
    for row in rows:
        bus.post(_change(row))
    qtbot.waitUntil(lambda: len(heard) == 1, timeout=WINDOW_MS // 2)
    qtbot.wait(WINDOW_MS // 4)
    assert len(heard) == 1 and heard[0].ids("transfer_events") == set(rows)
