"""Saving a call in the background: 正在保存 while the write runs, no second submit, 已保存
only once the write has returned, and the input kept when the store refuses."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from console import faults
from console.services.context import Workstation
from console.services.incident_list import IncidentFilter, query_rowids
from console.store.errors import DiskFullError
from console.views.main_window import MainWindow
from console.views.pages.intake_page import IntakePage

CALL = {
    "caller_name": "王某某",
    "township": "北界镇",
    "village": "苏村",
    "category": "自然灾害",
    "subtype": "地质",
    "description": "后山发生滑坡，一户民房受威胁",
}


def _page(window: MainWindow) -> IntakePage:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    return page


def _fill(page: IntakePage) -> None:
    form = page.form
    form.line("caller_name").setText(CALL["caller_name"])
    form.line("township").setText(CALL["township"])
    form.line("village").setText(CALL["village"])
    form.category.setCurrentText(CALL["category"])
    form.description.setPlainText(CALL["description"])


@pytest.fixture
def arm_fault() -> Iterator[Callable[[str, faults.Action], None]]:
    """Arm a fault point of the write path for this test only (see console/faults.py)."""
    yield faults.arm
    faults.disarm()


def test_one_save_at_a_time_and_saved_only_after_the_write(
    qtbot: QtBot,
    window: MainWindow,
    workstation: Workstation,
    arm_fault: Callable[[str, faults.Action], None],
) -> None:
    page = _page(window)
    release = threading.Event()

    def slow(point: str) -> None:  # the write waits inside its transaction
        if point == "before_commit":
            release.wait(5)

    arm_fault("before_commit", slow)
    before = len(query_rowids(workstation.store, IncidentFilter()))
    _fill(page)
    page.form.submit()
    assert page.saving and page.form.notice.text() == "正在保存……"
    assert not page.form.save_button.isEnabled()
    page.form.submit()  # Ctrl+Enter again while the first save runs: ignored
    page.save_call(page.form.values())  # and the page refuses a second save too
    assert not page.form.notice.text().startswith("已保存")
    with qtbot.waitSignal(page.save_finished, timeout=5000) as saved:
        release.set()
    assert saved.args is not None and saved.args[0]
    assert page.form.notice.text().startswith("已保存：北界镇苏村自然灾害")
    assert len(query_rowids(workstation.store, IncidentFilter())) == before + 1  # exactly one
    assert page.form.save_button.isEnabled() and page.form.values()["caller_name"] == ""


def test_a_store_failure_keeps_the_input(
    qtbot: QtBot,
    window: MainWindow,
    workstation: Workstation,
    arm_fault: Callable[[str, faults.Action], None],
) -> None:
    page = _page(window)

    def full(point: str) -> None:
        if point == "before_commit":
            raise DiskFullError("磁盘空间不足，无法写入。", "清理磁盘后重试。")

    arm_fault("before_commit", full)
    before = len(query_rowids(workstation.store, IncidentFilter()))
    _fill(page)
    page.form.description.setFocus()
    with qtbot.waitSignal(page.save_finished, timeout=5000) as saved:
        page.form.submit()
    assert saved.args == [""]
    assert window.focusWidget() is page.form.description  # back where the officer typed
    assert page.form.notice.text().startswith("未能保存：")
    assert "草稿已保留" in page.form.notice.text()
    assert page.form.values()["caller_name"] == CALL["caller_name"]
    assert page.form.values()["description"] == CALL["description"]
    assert page.form.save_button.isEnabled() and not page.saving
    assert len(query_rowids(workstation.store, IncidentFilter())) == before
