"""视频监控: the frame pacer repaints the cells with a new frame together, once per screen
refresh, each once however many frames it got in between, and stops ticking when idle."""

from __future__ import annotations

from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from console.views.pages.frame_pacer import FramePacer


class Counting(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0
        self.resize(40, 30)

    def paintEvent(self, _event: QPaintEvent) -> None:
        self.paints += 1


def test_cells_repainted_together_once_per_tick(qtbot: QtBot) -> None:
    pacer = FramePacer()
    cells = [Counting() for _ in range(3)]
    for cell in cells:
        qtbot.addWidget(cell)
        cell.show()
        qtbot.waitExposed(cell)
    qtbot.waitUntil(lambda: all(c.paints for c in cells))
    before = [c.paints for c in cells]
    for _ in range(5):  # five frames for the first cell within one refresh
        pacer.request(cells[0])
    pacer.request(cells[1])
    assert [c.paints for c in cells] == before  # nothing painted before the tick
    qtbot.waitUntil(lambda: cells[1].paints > before[1], timeout=1000)
    qtbot.wait(100)  # several more refreshes: nothing more was asked for
    assert cells[0].paints == before[0] + 1
    assert cells[1].paints == before[1] + 1
    assert cells[2].paints == before[2]
    assert not pacer._timer.isActive()  # idle: no timer ticking without video


def test_a_cell_closed_before_the_tick_is_skipped(qtbot: QtBot) -> None:
    pacer = FramePacer()
    gone, kept = Counting(), Counting()
    qtbot.addWidget(kept)
    kept.show()
    qtbot.waitExposed(kept)
    qtbot.waitUntil(lambda: kept.paints > 0)
    painted = kept.paints
    pacer.request(gone)
    pacer.request(kept)
    Shiboken.delete(gone)  # its C++ side gone now, before the tick
    qtbot.waitUntil(lambda: kept.paints > painted, timeout=1000)
    qtbot.waitUntil(lambda: not pacer._timer.isActive(), timeout=1000)  # ticked, then idle
    assert not Shiboken.isValid(gone)  # (an update() on it would have raised in the slot)
