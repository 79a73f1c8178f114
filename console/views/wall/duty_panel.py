"""今日值班 on the wall: Beijing time in big type and who is on duty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from console.domain import beijing
from console.ui.tasks import run_task
from console.views.wall.panels import WallPanel, panel_title
from console.views.wall.style import CLOCK_PX, fitting_px, set_font_px

if TYPE_CHECKING:
    from console.services.on_duty import OnDuty
    from console.views.pages.base import PageContext

WEEKDAYS = "一二三四五六日"
CLOCK_MS = 1000
CLOCK_MIN_PX = 48  # a small cell's clock: still the biggest thing in it
GAP = 16
DUTY_REFRESH_MS = 60_000  # the roster may change; the shift change is also timed exactly


def duty_lines(duty: OnDuty | None, officer: str) -> list[tuple[str, str]]:
    """(label, names) for the wall: the roster's crew of the shift now and the next shift's;
    with nothing planned, the officer signed in here (or the 本机值班员 setting)."""
    if duty is None or not duty.now.planned:
        lines = [("值班员", officer or "未登记")]
        if duty is not None:
            lines.append(("排班", "本班次未排班"))
        return lines
    crew = duty.now
    lines = [("带班领导", crew.leader or "未排"), ("值班员", "、".join(crew.officers) or "未排")]
    start = duty.next.shift.start
    lines.append((f"下一班 {start:%H:%M}", duty.next.text()))
    return lines


def on_duty_now(context: PageContext) -> list[tuple[str, str]]:
    """(role, name) of the people on duty now, read from the roster (队伍与值班 > 排班).
    Reads the store: call it off the GUI thread (the panel does)."""
    from console.services.on_duty import on_duty

    return duty_lines(on_duty(context.queries.store, context.clock()), context.session.officer)


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
        self.body.addSpacing(GAP)
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
        self.reader = QTimer(self)
        self.reader.setInterval(DUTY_REFRESH_MS)
        self.reader.timeout.connect(self.refresh)
        self.reader.start()
        self.duty: OnDuty | None = None
        self.clock_px = CLOCK_PX
        self.compact = False  # date and time in the title, not under it
        context.session.officer_changed.connect(self._officer_changed)
        self.refresh()

    def needed_height(self, clock_px: int) -> int:
        """The body's height with the clock at ``clock_px``: clock, date, gap, the crew."""
        font = QFont(self.clock.font())
        font.setPixelSize(clock_px)
        spacing = self.body.spacing()
        return (
            QFontMetrics(font).height()
            + self.date.sizeHint().height()
            + GAP
            + self.people.heightForWidth(max(self.clip.viewport().width(), 1))
            + 3 * spacing
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_clock()

    def fit_clock(self) -> None:
        """Who is on duty matters more than the clock: in a small cell the clock shrinks
        until the date and the crew show whole; where even that is too tall (a 2x2 on a
        720p monitor), the date and time move up into the title and the crew keeps the
        cell."""
        height = self.clip.viewport().height()
        px = fitting_px(CLOCK_PX, CLOCK_MIN_PX, 4, self.needed_height, height)
        compact = self.needed_height(px) > height
        if px != self.clock_px:
            self.clock_px = px
            set_font_px([self.clock], px, CLOCK_PX)
        if compact != self.compact:
            self.compact = compact
            self.clock.setVisible(not compact)
            self.date.setVisible(not compact)
            self.tick()

    def _officer_changed(self, _name: str) -> None:
        self._show()

    def tick(self) -> None:
        now = self.context.clock()
        self.clock.setText(now.strftime("%H:%M:%S"))
        weekday = f"星期{WEEKDAYS[now.weekday()]}"
        self.date.setText(f"{now:%Y年%m月%d日} {weekday}")
        title = panel_title("duty")
        self.title.setText(
            f"{title}  {now.month}月{now.day}日 {now:%H:%M}" if self.compact else title
        )

    def refresh(self) -> None:
        """Read the roster's crews in the background, then show them."""
        self.tick()
        store, moment = self.context.queries.store, self.context.clock()

        def read() -> OnDuty:
            from console.services.on_duty import on_duty

            return on_duty(store, moment)

        run_task(self.context.tasks, read, on_done=self._land, receiver=self)

    def _land(self, duty: OnDuty) -> None:
        self.duty = duty
        self._show()
        # Turn over at the shift change, not up to a minute late.
        wait_ms = (duty.changes_at - beijing.now()).total_seconds() * 1000
        if 0 < wait_ms < DUTY_REFRESH_MS:
            QTimer.singleShot(int(wait_ms) + 500, self, self.refresh)

    def _show(self) -> None:
        lines = duty_lines(self.duty, self.context.session.officer)
        self.people.setText("\n".join(f"{label}：{names}" for label, names in lines))
        self.fit_clock()

    def stop(self) -> None:
        super().stop()
        self.ticker.stop()
        self.reader.stop()
