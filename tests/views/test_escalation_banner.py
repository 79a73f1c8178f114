"""The 叫应超时 banner: a recipient silent past the order's minutes shows on the main
window with the next person up proposed and sounds once; 升级 escalates (a synced record),
after which the banner clears; a silence with nobody further up is muted here."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.domain.ids import reference_id
from console.services.context import Workstation
from console.services.orders import OrderService
from console.views.alert_banner import EscalationBanner
from console.views.main_window import MainWindow, WindowContext
from tests.views.conftest import Clock, flush_deletes

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TOWN = reference_id("township", "北界镇")
T0 = datetime(2026, 7, 1, 6, 0, tzinfo=beijing.BEIJING)


class CountingSound:
    def __init__(self) -> None:
        self.requests = 0

    def play(self) -> None:
        self.requests += 1


def test_silence_past_the_time_alarms_and_escalates_on_every_workstation(
    qtbot: QtBot, workstation: Workstation, window_context: WindowContext
) -> None:
    clock = Clock(T0)
    win = MainWindow(dataclasses.replace(window_context, clock=clock))
    try:
        win.show()
        qtbot.waitExposed(win)
        banner = win.escalation_banner
        assert isinstance(banner, EscalationBanner)
        tasks = window_context.tasks
        assert tasks is not None and tasks.wait_idle(5000)
        assert not banner.isVisible() and banner.sound is None
        banner.sound = CountingSound()  # no sound device here

        service = OrderService.of(workstation.writer)
        chain = service.chain([TOWN])
        low = next(c for c in chain if c.rank >= 2)
        head = next(c for c in chain if c.rank == 1)
        order = service.issue("预警叫应", [low], user="甲", now=T0)  # 5 minutes
        clock.advance(4)
        with qtbot.waitSignal(banner.checked, timeout=5000) as seen:
            banner.check()
        assert seen.args == [[]] and not banner.isVisible()

        clock.advance(1)
        with qtbot.waitSignal(banner.checked, timeout=5000) as seen:
            banner.check()
        [(order_id, recipient_id)] = seen.args[0]
        assert order_id == order and banner.isVisible()
        text = banner.text.text()
        assert low.name in text and "5 分钟未叫应" in text
        assert f"建议升级至乡镇第一责任人 {head.name}" in text
        assert banner.sound.requests == 1
        with qtbot.waitSignal(banner.checked, timeout=5000):
            banner.check()  # still silent: shown, not sounded again
        assert banner.sound.requests == 1

        with qtbot.waitSignal(banner.checked, timeout=5000) as seen:
            banner.acknowledge()
        assert seen.args == [[]] and not banner.isVisible()
        rows = service.board(order, now=clock()).rows
        assert [(r.name, r.escalated_from) for r in rows] == [
            (low.name, ""),
            (head.name, recipient_id),
        ]

        # The head stays silent too: next up is the county leader; then nobody.
        clock.advance(5)
        with qtbot.waitSignal(banner.checked, timeout=5000):
            banner.check()
        assert head.name in banner.text.text() and "县领导包乡" in banner.text.text()
        with qtbot.waitSignal(banner.checked, timeout=5000):
            banner.acknowledge()
        clock.advance(5)
        with qtbot.waitSignal(banner.checked, timeout=5000):
            banner.check()
        assert "链上无更上一级责任人" in banner.text.text()
        with qtbot.waitSignal(banner.checked, timeout=5000) as seen:
            banner.acknowledge()  # muted on this workstation, nothing written
        assert seen.args == [[]] and len(service.board(order, now=clock()).rows) == 3
    finally:
        win.close()
        win.deleteLater()
        flush_deletes()


def test_a_whole_chain_called_at_once_is_one_line_per_order(
    qtbot: QtBot, workstation: Workstation, window_context: WindowContext
) -> None:
    service = OrderService.of(workstation.writer)
    chain = service.chain([TOWN])
    assert len(chain) > 5
    order = service.issue("预警叫应", chain, user="甲", now=T0)
    single = service.issue("预警叫应", [chain[0]], user="甲", now=T0)
    clock = Clock(T0)
    clock.advance(7)
    banner = EscalationBanner(service, lambda: "甲", clock=clock, tasks=window_context.tasks)
    banner.sound = CountingSound()
    try:
        with qtbot.waitSignal(banner.checked, timeout=5000) as seen:
            banner.check()
        shown = seen.args[0]
        assert len([o for o, _r in shown if o == order]) == len(chain)  # each one counted
        text = banner.text.text()
        lines = text.split("；")
        assert len(lines) == 2  # one line per order, not one per person
        board = service.board(order, now=clock()).rows
        names = "、".join(r.name for r in board[:3])
        whole = next(line for line in lines if f"{len(chain)} 人未叫应" in line)
        assert f"（{names}等，最长 7 分钟）" in whole
        assert all(r.name not in whole for r in board[3:] if r.name not in names)
        alone = next(line for line in lines if line is not whole)
        assert f"{chain[0].name}（" in alone and "7 分钟未叫应" in alone
        assert banner.sound.requests == 1
        assert single in {o for o, _r in shown}
    finally:
        banner.deleteLater()
