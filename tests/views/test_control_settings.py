"""管控一张表's configurable parts: the 超时未报 minutes set in 设置 (this workstation's
setting) change which villages are flagged; one township's table exported on its own (the
layout a township sends up)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.domain import catalog
from console.domain.ids import reference_id
from console.services.context import Workstation
from console.services.transfers import TransferService
from console.settings import LAGGARD_MINUTES
from console.views.main_window import MainWindow
from console.views.pages.control_page import ControlPage
from console.views.pages.settings_page import SettingsPage
from tests.views.conftest import idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TOWN = reference_id("township", "北界镇")
OTHER = reference_id("township", "王村口镇")


def _control(window: MainWindow) -> ControlPage:
    page = window.show_view("control-table")
    assert isinstance(page, ControlPage)
    idle(page)
    return page


def _late(page: ControlPage) -> set[str]:
    return {r.name for r in page.model.records() if r.laggard}


def _villages(workstation: Workstation, township: str, n: int) -> list[dict[str, Any]]:
    return [v for v in workstation.queries.villages() if v["township_id"] == township][:n]


def test_the_laggard_minutes_set_in_settings_change_the_flags(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = _control(window)
    service = TransferService.of(workstation.writer)
    start = page.context.clock()
    evac = service.open("转移", user="zhang", started_at=start - timedelta(minutes=45))
    villages = _villages(workstation, TOWN, 2)
    service.add_areas(evac, [v["id"] for v in villages], user="zhang",
                      at=start - timedelta(minutes=45))  # fmt: skip
    service.record(evac, villages[0]["id"], catalog.MOVED, 5, user="zhang",
                   reported_at=start - timedelta(minutes=10))  # fmt: skip
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    assert _late(page) == {villages[1]["name"]}  # the default: 30 minutes
    assert "30 分钟" in page.kpi["超时未报"].toolTip()

    settings = window.show_view("settings")
    assert isinstance(settings, SettingsPage)
    settings.tabs.setCurrentIndex(settings.tabs.count() - 1)  # 全部设置项
    assert settings.laggard.isVisible() and settings.laggard.value() == 30
    settings.laggard.setFocus()
    settings.laggard.selectAll()
    qtbot.keyClicks(settings.laggard, "60")
    qtbot.keyClick(settings.laggard, Qt.Key.Key_Tab)
    assert window.context.settings.get(LAGGARD_MINUTES) == 60
    shown = {r.key: r for r in settings.model.records()}
    assert shown[LAGGARD_MINUTES.key].value == "60" and shown[LAGGARD_MINUTES.key].changed

    assert _control(window) is page  # shown again: flagged afresh with 60 minutes
    qtbot.waitUntil(lambda: "60 分钟" in page.kpi["超时未报"].toolTip(), timeout=5000)
    idle(page)
    assert _late(page) == set() and page.kpi["超时未报"].text() == "0 个村"

    window.context.settings.set(LAGGARD_MINUTES, 10)
    page.refresh()
    qtbot.waitUntil(lambda: len(_late(page)) == 2, timeout=5000)  # both silent > 10 min


def test_one_townships_table_exported_on_its_own(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    page = _control(window)
    service = TransferService.of(workstation.writer)
    evac = service.open("转移", user="zhang")
    mine, other = _villages(workstation, TOWN, 2), _villages(workstation, OTHER, 2)
    service.add_areas(evac, [v["id"] for v in mine + other], user="zhang")
    service.record(evac, mine[0]["id"], catalog.MOVED, 7, user="zhang")
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 7, timeout=5000)

    menu = page.export_button.menu()
    assert menu is not None
    menu.aboutToShow.emit()
    labels = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert labels[0] == "全部乡镇…" and set(labels[1:]) == {"北界镇…", "王村口镇…"}
    out = tmp_path / "北界镇管控表.xlsx"
    asked: list[str] = []

    def save_name(*args: Any) -> tuple[str, str]:
        asked.append(str(args[2]))
        return str(out), ""

    monkeypatch.setattr("console.views.pages.control_page.QFileDialog.getSaveFileName", save_name)
    action = next(a for a in menu.actions() if a.text() == "北界镇…")
    with qtbot.waitSignal(page.written, timeout=5000) as said:
        action.trigger()
    assert said.args == [""]
    idle(page)
    assert asked and asked[0].endswith("北界镇管控表.xlsx")  # the file named after it
    sheet = load_workbook(out).active
    assert sheet is not None
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert {line[0] for line in lines[1:]} == {"北界镇"}
    assert sorted(line[1] for line in lines[1:]) == sorted(v["name"] for v in mine)
    moved = lines[0].index("已转人数")
    assert sum(int(line[moved] or 0) for line in lines[1:]) == 7
    assert "已导出北界镇管控表" in page.message.text()
