"""The incident list: a lazy model that passes qtmodeltester, filters and server-side sorts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.models.incident_table_model import DEADLINE_COLUMN, ID_ROLE, IncidentTableModel
from console.models.incident_timeline_table_model import IncidentTimelineTableModel
from console.services.context import Workstation
from console.services.incident_list import IncidentFilter
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.views.main_window import MainWindow
from console.views.pages.incident_list import IncidentListView
from console.views.pages.intake_page import IntakePage

NOW = datetime(2026, 11, 28, 14, 0, tzinfo=beijing.BEIJING)

CALLS: list[dict[str, Any]] = [
    {
        "category": "自然灾害",
        "subtype": "地质",
        "grade": "较大",
        "township": "北界镇",
        "village": "苏村",
        "description": "山体滑坡，2人被困",
        "received_at": "2026-11-28 13:00",
    },
    {
        "category": "事故灾难",
        "subtype": "交通运输",
        "grade": "一般",
        "township": "妙高街道",
        "description": "两车相撞",
        "received_at": "2026-11-28 12:00",
    },
    {
        "category": "自然灾害",
        "subtype": "森林火灾",
        "grade": "特别重大",
        "township": "王村口镇",
        "description": "林区起火",
        "received_at": "2026-11-28 11:00",
    },
]


def seed(workstation: Workstation) -> list[str]:
    service = IncidentService(workstation.writer)
    return [service.take_call(c, user="测试", now=NOW) for c in CALLS]


def titles(model: IncidentTableModel) -> list[str]:
    return [model.index(r, 1).data() for r in range(model.rowCount())]


def test_model_passes_qtmodeltester(qtmodeltester: ModelTester, workstation: Workstation) -> None:
    seed(workstation)
    model = IncidentTableModel(IncidentSource(workstation.store), lambda: NOW)
    model.refresh()
    assert model.rowCount() == 3
    qtmodeltester.check(model, force_py=True)
    model.sort(2, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model, force_py=True)


def test_filters_and_sorts(workstation: Workstation) -> None:
    ids = seed(workstation)
    source = IncidentSource(workstation.store)
    model = IncidentTableModel(source, lambda: NOW)
    model.refresh()
    assert titles(model)[0] == "北界镇苏村地质灾害"  # newest first
    model.set_filter(IncidentFilter(text="滑坡"))
    assert titles(model) == ["北界镇苏村地质灾害"]
    service = IncidentService(workstation.writer)
    service.set_status(ids[1], "处置中", user="测试", now=NOW)
    model.set_filter(IncidentFilter(statuses=frozenset({"处置中"})))
    assert titles(model) == ["妙高街道交通运输事故"]
    model.set_filter(IncidentFilter())
    model.sort(2, Qt.SortOrder.AscendingOrder)  # grade: most severe first
    assert [model.index(r, 2).data() for r in range(3)] == ["特别重大", "较大", "一般"]
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert titles(model)[0] == "王村口镇森林火灾"
    assert model.index(0, 0).data(ID_ROLE) == ids[2]


def test_deadline_column_counts_down(workstation: Workstation) -> None:
    seed(workstation)
    moment = [NOW]
    model = IncidentTableModel(IncidentSource(workstation.store), lambda: moment[0])
    model.refresh()
    model.sort(0, Qt.SortOrder.DescendingOrder)
    first = model.index(0, DEADLINE_COLUMN)  # 较大 at 13:00: 电话 30 min -> overdue at 14:00
    assert "超时" in first.data()
    moment[0] = NOW - timedelta(minutes=40)
    model.tick()
    assert first.data() == "初报(电话) 剩 10 分"


def test_list_view_filters_by_text_and_refreshes_on_changes(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    ids = seed(workstation)
    view: IncidentListView = page.list
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    view.search.setText("滑坡")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.select(ids[0])
    qtbot.waitUntil(lambda: page.detail.incident_id() == ids[0], timeout=3000)
    view.search.clear()
    view.statuses["接报"].setChecked(False)
    qtbot.waitUntil(lambda: view.model.rowCount() == 0, timeout=3000)


def test_timeline_model_passes_qtmodeltester(
    qtmodeltester: ModelTester, workstation: Workstation
) -> None:
    ids = seed(workstation)
    IncidentService(workstation.writer).log(ids[0], "处置", "派出应急队", user="测试", now=NOW)
    model = IncidentTimelineTableModel(IncidentSource(workstation.store).timeline(ids[0]))
    assert [model.index(r, 1).data() for r in range(2)] == ["来电", "处置"]
    qtmodeltester.check(model, force_py=True)
