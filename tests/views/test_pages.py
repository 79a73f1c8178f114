"""The pages with real content: teams, sync, settings and the risk map."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot

from console.domain.ids import reference_id
from console.services.context import Workstation
from console.settings import OFFICER, THEME
from console.views.main_window import MainWindow
from console.views.pages.risk_map_page import RiskMapPage
from console.views.pages.settings_page import SettingsPage
from console.views.pages.sync_page import SyncPage
from console.views.pages.team_panel import TeamPanel
from console.views.pages.teams_page import TeamsPage


def test_teams_page_filters_and_counts(window: MainWindow, workstation: Workstation) -> None:
    duty = window.show_view("teams")
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)
    assert isinstance(duty, TeamsPage) and duty.current_tab() == "teams"
    page = duty.panel("teams")
    assert isinstance(page, TeamPanel)
    total = len(workstation.queries.teams())
    assert page.proxy.rowCount() == total
    assert duty.header.badge.isVisibleTo(duty)
    assert f"共 {total} 支队伍" in page.summary.text()
    page.filter.setText("北界镇")
    assert 0 < page.proxy.rowCount() < total
    assert "筛选后显示" in page.summary.text()
    chips = [page.chips.itemAt(i).widget() for i in range(page.chips.count() - 1)]
    assert any(c is not None and c.text().startswith("乡镇森林消防队") for c in chips)


def test_sync_page_lists_pending_work(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = window.show_view("sync")
    assert isinstance(page, SyncPage)
    pending = workstation.queries.sync_counters().pending
    assert pending == 0  # the sample county (and its default rules) never leave this machine
    assert "服务器" in page.note.text()
    call = (
        "shelter.upsert",
        {
            "id": str(uuid.uuid4()),
            "name": "测试避灾点",
            "township_id": reference_id("township", "妙高街道"),
        },
    )
    with qtbot.waitSignal(page.refreshed, timeout=3000):
        workstation.writer.apply([call], user="测试值班员")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)  # read in the background
    newest = page.proxy.index(0, 1).data()
    assert newest == "新增或修改避灾安置场所"
    assert page.proxy.index(0, 2).data() == "测试避灾点"
    assert page.proxy.index(0, 4).data() == "测试值班员"
    assert f"{pending + 1} 项" in page.counts.text()


def test_settings_page_switches_theme_and_officer(window: MainWindow) -> None:
    page = window.show_view("settings")
    assert isinstance(page, SettingsPage)
    assert str(window.context.data_dir) == page.data_dir.text()
    page.theme_buttons["light"].click()
    assert window.context.theme.name == "light"
    assert window.context.settings.get(THEME) == "light"
    rows = {page.model.index(r, 0).data(): r for r in range(page.model.rowCount())}
    assert page.model.index(rows[THEME.key], 2).data() == "light"
    window.toggle_theme()  # the shortcut's path keeps the radio buttons in step
    assert page.theme_buttons["dark"].isChecked()
    page.officer.setText("赵某某")
    page.save_officer.click()
    assert window.context.settings.get(OFFICER) == "赵某某"
    assert window.status.officer.text() == "值班员：赵某某"
    assert page.model.index(rows[OFFICER.key], 2).data() == "赵某某"


def test_risk_map_draws_every_layer(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = window.show_view("risk-map")
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)
    assert isinstance(page, RiskMapPage)
    q = workstation.queries
    assert page.types.rowCount() == len({p["type"] for p in q.risk_points()})
    items = page.map.getPlotItem().items
    names = {getattr(i, "opts", {}).get("name") for i in items}
    assert {"山洪危险区", "避灾安置场所", "救援队伍", "水文雨量站"} <= names
    texts = [i for i in items if type(i).__name__ == "TextItem"]
    assert len(texts) == len(q.townships())
    assert page.map.notice is not None and page.map.notice.isVisibleTo(page)
    assert "近似" in page.map.notice.text()
    persons_before = sum(page.types.record(r).count for r in range(page.types.rowCount()))
    point = (
        "risk_point.upsert",
        {
            "id": str(uuid.uuid4()),
            "type": "地质灾害隐患点",
            "name": "测试隐患点",
            "township_id": reference_id("township", "北界镇"),
            "lon": 119.41,
            "lat": 28.70,
        },
    )
    with qtbot.waitSignal(window.context.bus.changed, timeout=3000):
        workstation.writer.apply([point], user="测试值班员")

    def total() -> int:
        return sum(page.types.record(r).count for r in range(page.types.rowCount()))

    qtbot.waitUntil(lambda: total() == persons_before + 1, timeout=3000)
    window.toggle_theme()  # redraw in the other theme without warnings
    assert page.map.backgroundBrush().color().name() == window.context.theme.colors().panel


def test_a_tab_of_the_duty_page_opens_by_name(window: MainWindow) -> None:
    page = window.show_view("teams:roster")
    assert isinstance(page, TeamsPage) and page.current_tab() == "roster"
    assert window.current_view() == "teams"
    assert page.tabs.tabText(page.tabs.currentIndex()) == "排班"
    assert window.show_view("teams") is page and page.current_tab() == "roster"  # stays
    page.tabs.setCurrentIndex(0)
    assert page.current_tab() == "teams" and isinstance(page.panel("teams"), TeamPanel)
