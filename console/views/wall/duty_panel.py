"""今日值班 on the wall: Beijing time in big type and who is on duty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from console.views.wall.panels import WallPanel, panel_title

if TYPE_CHECKING:
    from console.views.pages.base import PageContext

WEEKDAYS = "一二三四五六日"
CLOCK_MS = 1000


def on_duty_now(context: PageContext) -> list[tuple[str, str]]:
    """(role, name) of the people on duty now, for the wall.

    For now the officer signed in here (or the 本机值班员 setting): swap this one function
    for the roster's reading (队伍与值班 > 排班) when that lands."""
    return [("值班员", context.session.officer)]


class DutyPanel(WallPanel):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, panel_title("duty"), parent)
        self.clock = QLabel("", self)
        self.clock.setObjectName("WallClock")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.date = QLabel("", self)
        self.date.setObjectName("WallMuted")
        self.date.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.clock)
        self.body.addWidget(self.date)
        self.body.addSpacing(16)
        self.people = QLabel("", self)
        self.people.setObjectName("WallLine")
        self.people.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.people.setWordWrap(True)
        self.body.addWidget(self.people)
        self.body.addStretch(1)
        self.ticker = QTimer(self)
        self.ticker.setInterval(CLOCK_MS)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start()
        context.session.officer_changed.connect(self._officer_changed)
        self.refresh()

    def _officer_changed(self, _name: str) -> None:
        self.refresh()

    def tick(self) -> None:
        now = self.context.clock()
        self.clock.setText(now.strftime("%H:%M:%S"))
        self.date.setText(f"{now:%Y年%m月%d日} 星期{WEEKDAYS[now.weekday()]}")

    def refresh(self) -> None:
        self.tick()
        self.people.setText(
            "\n".join(f"{role}：{name}" for role, name in on_duty_now(self.context))
        )

    def stop(self) -> None:
        super().stop()
        self.ticker.stop()
