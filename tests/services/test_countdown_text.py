"""Time left or overdue reads as people say it: 超时 3 天 4 小时, never 超时 1608889 分."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from console.domain import beijing
from console.services.deadlines import Deadline, countdown_text, span_text

DUE = datetime(2026, 11, 28, 14, 0, tzinfo=beijing.BEIJING)


def deadline() -> Deadline:
    return Deadline("i1", "首报", "电话", DUE, "依据", None)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 分"),
        (12, "12 分"),
        (60, "1 小时"),
        (125, "2 小时 5 分"),
        (24 * 60, "1 天"),
        (3 * 24 * 60 + 4 * 60 + 59, "3 天 4 小时"),
        (1608889, "1117 天 6 小时"),
    ],
)
def test_span_text(minutes: int, text: str) -> None:
    assert span_text(minutes) == text


def test_overdue_by_days_reads_in_days_and_hours() -> None:
    now = DUE + timedelta(days=3, hours=4, minutes=10)
    assert countdown_text(deadline(), now) == "首报(电话) 超时 3 天 4 小时"


def test_overdue_rounds_up_and_time_left_rounds_down() -> None:
    assert countdown_text(deadline(), DUE + timedelta(seconds=1)) == "首报(电话) 超时 1 分"
    left = DUE - timedelta(hours=1, minutes=30, seconds=59)
    assert countdown_text(deadline(), left) == "首报(电话) 剩 1 小时 30 分"
