"""A time axis that reads Beijing time whatever zone the machine runs in.

pyqtgraph's ``DateAxisItem`` places ticks in the machine's local zone unless told otherwise,
and labels them in English (``Mon 05``, ``Jan``). The machines run UTC; the officers read
Beijing time (UTC+8, no daylight saving) in Chinese, so both are set here explicitly.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from datetime import datetime
from typing import Any

import pyqtgraph as pg

from console.domain.beijing import BEIJING

BEIJING_UTC_OFFSET = -8 * 3600  # pyqtgraph's sign: seconds *west* of UTC
DAY_S = 86_400
MONTH_S = 28 * DAY_S
YEAR_S = 365 * DAY_S


def tick_label(epoch_s: float, spacing: float) -> str:
    """The label of a tick at ``epoch_s`` among ticks ``spacing`` seconds apart."""
    moment = datetime.fromtimestamp(epoch_s, BEIJING)
    if spacing >= YEAR_S:
        return f"{moment.year}年"
    if spacing >= MONTH_S:
        return f"{moment.year}年1月" if moment.month == 1 else f"{moment.month}月"
    if spacing >= DAY_S:
        return f"{moment.month}月{moment.day}日"
    if spacing >= 60:
        return moment.strftime("%H:%M")
    return moment.strftime("%H:%M:%S")


class BeijingAxis(pg.DateAxisItem):
    """Bottom axis of epoch seconds, ticks and labels in Beijing time, Chinese formats."""

    def __init__(self, orientation: str = "bottom", **kwargs: Any) -> None:
        super().__init__(orientation, utcOffset=BEIJING_UTC_OFFSET, **kwargs)
        # Chinese labels are wider than pyqtgraph's examples ("Mon 05"): size the zoom
        # levels by what we actually print so the labels do not collide.
        # The zoom levels are pyqtgraph module globals: copy before changing them.
        examples = {"YYYY": "2026年", "MMM": "12月", "MMM 00": "12月31日"}
        levels: OrderedDict[float, Any] = OrderedDict()
        inherited: OrderedDict[float, Any] = self.zoomLevels  # type: ignore[has-type]
        for density, level in inherited.items():
            mine = copy.copy(level)
            mine.exampleText = examples.get(level.exampleText, level.exampleText)
            levels[density] = mine
        self.zoomLevels = levels

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [tick_label(v, spacing) for v in values]
