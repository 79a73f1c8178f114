"""大屏模式 offscreen: the page lists the screens and saves a preset; the wall's windows show
the chosen panels in big type with no input widgets; rotation; the panels' data (warnings,
deadlines, duty officer); a 只读 workstation gets the wall page only; the panel registry
takes a new kind (the video grid plugs in this way)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from console.app import start_wall, wall_only
from console.cli import GuiOptions
from console.domain import beijing
from console.domain.roles import OFFICER, READONLY
from console.domain.situation import Endangered, Situation, StationState, TownshipState
from console.services.deadlines import Deadline
from console.services.on_duty import on_duty
from console.services.wall_layout import (
    PAIR,
    QUAD,
    ScreenPlan,
    WallPreset,
    preset_from_json,
    preset_to_json,
)
from console.settings import WALL_PRESET
from console.ui.theme import COLORS
from console.views.main_window import MainWindow
from console.views.pages.video_layouts import VideoLayout
from console.views.pages.wall_page import WallPage
from console.views.wall import panels as wall_panels
from console.views.wall.controller import screen_name
from console.views.wall.duty_panel import DutyPanel, duty_lines, on_duty_now
from console.views.wall.kpi_panel import KpiPanel, kpis
from console.views.wall.map_panel import LABELS_MIN_HEIGHT, MapPanel
from console.views.wall.panels import (
    MissingPanel,
    PanelKind,
    WallPanel,
    build_panel,
    panel_kind,
    panel_title,
)
from console.views.wall.style import CLOCK_PX, KPI_PX, MIN_PX, wall_stylesheet
from console.views.wall.ticker_panel import TickerPanel, ticker_lines
from console.views.wall.video_panel import VideoPanel, wall_layout
from console.views.wall.window import WallWindow
from testkit.qt_logs import VIDEO_WARNINGS

# The offscreen platform says so for every full-screen window (xcb does not: test_wall_xvfb).
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def wall(window: MainWindow) -> WallPage:
    page = window.show_view("wall")
    assert isinstance(page, WallPage)
    return page


def settle(page: WallPage) -> None:
    assert page.context.tasks is not None and page.context.tasks.wait_idle(5000)


def start(
    page: WallPage, layout_index: int, panels: tuple[str, ...], rotate: int = 0
) -> WallWindow:
    row = page.screen_rows[0]
    row.use.setChecked(True)
    row.layout_box.setCurrentIndex(layout_index)
    row.set_panels(panels)
    row.rotate.setValue(rotate)
    page.start_button.click()
    name = row.info.name
    window = page.controller.windows[name]
    settle(page)
    return window


def situation() -> Situation:
    return Situation(
        at=int(beijing.now().timestamp()),
        townships=(TownshipState("t1", "妙高街道", proposed_warning="橙"),),
        stations=(
            StationState("s1", "S1", "城关站", "rain", "t1", rain={1: 21.5, 24: 88.0}),
            StationState(
                "s2", "S2", "湖山站", "rain", "t1", rain={1: 3.0, 24: 12.0}, over=("警戒水位",)
            ),
        ),
        endangered=(
            Endangered("village", "v1", "某村", "t1", "v1", "橙", "", None, "雨量达标", "s1"),
        ),
        proposed_response="Ⅳ级",
    )


def test_the_page_lists_each_screen_names_missing_ones_and_starts_a_default(
    window: MainWindow,
) -> None:
    page = wall(window)
    names = [screen_name(s) for s in QGuiApplication.screens()]
    assert [r.info.name for r in page.screen_rows] == names
    assert page.diagram.screens and page.diagram.screens[0].name == names[0]
    page.screen_rows[0].use.setChecked(True)
    assert page.diagram.chosen == {names[0]}
    assert not page.stop_button.isEnabled()
    assert "未启动" in page.message.text()
    # Nothing saved: --wall puts the map on the first screen.
    page.start_saved()
    (win,) = page.controller.windows.values()
    assert win.visible_panels() == ["map"]
    page.stop_wall()
    # A saved screen that is not connected now is named, and kept when saving again.
    away = ScreenPlan("HDMI-9", PAIR, ("map", "kpi"), 0, (1920, 0, 1920, 1080))
    page.context.settings.set(WALL_PRESET, preset_to_json(WallPreset((away,))))
    page.load_screens()
    assert "HDMI-9" in page.message.text()
    assert page.current_preset().screens == (away,)


def test_start_shows_a_frameless_full_screen_window_without_input_widgets(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wall(window)
    win = start(page, 2, ("map", "kpi", "ticker", "control"))
    qtbot.waitUntil(win.isVisible, timeout=5000)
    assert win.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert win.isFullScreen()
    assert win.geometry() == win.screen().geometry()
    assert win.placement is not None and win.placement.layout == QUAD
    assert win.visible_panels() == ["map", "kpi", "ticker", "control"]
    for kind in (QAbstractButton, QLineEdit, QTextEdit, QComboBox, QAbstractSpinBox):
        assert win.findChildren(kind) == [], kind
    assert page.stop_button.isEnabled() and "大屏运行中" in page.message.text()
    page.stop_button.click()
    assert page.controller.windows == {} and not page.controller.running
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=5000)


def test_every_label_on_the_wall_is_at_least_28_px_in_both_themes(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wall(window)
    win = start(page, 2, ("kpi", "ticker", "control", "duty"))
    win.set_situation(situation())
    settle(page)
    for theme in ("dark", "light"):
        page.context.theme.apply(theme)
        qtbot.wait(10)
        labels = [label for label in win.findChildren(QLabel) if label.isVisible()]
        assert len(labels) > 30
        small = [
            (label.objectName(), label.text())
            for label in labels
            if label.font().pixelSize() < MIN_PX
        ]
        assert small == []
        assert COLORS[theme].text in win.styleSheet()
    page.stop_wall()


def test_rotation_cycles_the_pages(window: MainWindow) -> None:
    page = wall(window)
    win = start(page, 1, ("map", "kpi", "duty"), rotate=7)
    assert win.placement is not None and win.placement.layout == PAIR
    assert win.rotation.isActive() and win.rotation.interval() == 7000
    assert win.visible_panels() == ["map", "kpi"]
    assert win.page_label.text() == "第 1/2 页"
    win.next_page()
    assert win.visible_panels() == ["duty"]
    win.next_page()
    assert win.visible_panels() == ["map", "kpi"]
    page.stop_wall()


def test_preset_saved_and_read_back_by_a_new_page(window: MainWindow) -> None:
    page = wall(window)
    row = page.screen_rows[0]
    row.use.setChecked(True)
    row.layout_box.setCurrentIndex(1)
    row.set_panels(("duty", "ticker"))
    row.rotate.setValue(2)  # below the minimum: saved as 5
    page.save_preset()
    saved = preset_from_json(page.context.settings.get(WALL_PRESET))
    (plan,) = saved.screens
    assert (plan.screen, plan.layout, set(plan.panels), plan.rotate_s) == (
        row.info.name,
        PAIR,
        {"duty", "ticker"},
        5,
    )
    again = WallPage(page.context)
    assert again.screen_rows[0].use.isChecked()
    assert again.screen_rows[0].plan() == plan
    again.deleteLater()


def test_township_names_show_only_where_the_map_has_room_for_them(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wall(window)
    panel = MapPanel(page.context)
    qtbot.addWidget(panel)
    settle(page)
    assert panel.map.labels  # the sample county's townships
    panel.resize(940, 1000)  # a whole 1080p screen
    panel.show()
    qtbot.waitUntil(lambda: panel.map.height() >= LABELS_MIN_HEIGHT, timeout=5000)
    assert all(label.isVisible() for label in panel.map.labels)
    panel.resize(600, 300)  # a 2x2 cell of a 720p monitor: names would run together
    qtbot.waitUntil(lambda: panel.map.height() < LABELS_MIN_HEIGHT, timeout=5000)
    assert not any(label.isVisible() for label in panel.map.labels)


def test_kpis_and_map_follow_the_situation(window: MainWindow) -> None:
    page = wall(window)
    win = start(page, 1, ("map", "kpi"))
    page.set_situation(situation())
    settle(page)
    kpi = next(p for p in win.panels if isinstance(p, KpiPanel))
    values = [v.text() for v in kpi.values]
    assert values[:4] == ["橙色", "Ⅳ级", "1", "1"]
    assert values[4] == "21.5 mm" and values[5] == "88.0 mm"
    assert kpi.values[0].objectName() == "WallKpiAlert"
    map_panel = next(p for p in win.panels if isinstance(p, MapPanel))
    assert map_panel.map.warning_colors[("township", "t1")] == "橙"
    badge = map_panel.map.simulated_badge
    assert badge is not None and not badge.isVisibleTo(win)
    page.set_situation(dataclasses.replace(situation(), simulated=True))  # a drill's colours
    settle(page)
    assert badge.isVisibleTo(win) and badge.text().startswith("模拟")
    assert badge.font().pixelSize() >= MIN_PX  # the wall's own style sheet: big enough
    page.set_situation(None)
    assert [v.text() for v in kpi.values][:2] == ["无", "无"]
    page.stop_wall()


def wall_host(qtbot: QtBot, page: WallPage) -> QWidget:
    """A stand-in wall window (its id and style sheet) to hold one panel at a chosen size."""
    host = QWidget()
    host.setObjectName("WallWindow")
    host.setStyleSheet(wall_stylesheet(page.context.theme.colors()))
    qtbot.addWidget(host)
    return host


def test_in_a_small_cell_the_clock_shrinks_and_the_whole_crew_shows(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wall(window)
    host = wall_host(qtbot, page)
    panel = DutyPanel(page.context, host)
    QVBoxLayout(host).addWidget(panel)
    host.resize(940, 1000)
    host.show()
    settle(page)
    qtbot.waitUntil(lambda: panel.people.text().count("\n") >= 1, timeout=5000)
    assert panel.clock_px == CLOCK_PX and panel.date.isVisible() and "月" not in panel.title.text()
    host.resize(620, 320)  # a 2x2 cell of a 720p monitor
    qtbot.waitUntil(lambda: panel.clock_px < CLOCK_PX, timeout=5000)
    qtbot.wait(50)
    viewport = panel.clip.viewport()
    people = panel.people
    assert people.mapTo(viewport, people.rect().bottomLeft()).y() < viewport.height()
    if panel.compact:  # date and time moved into the title rather than being cut
        assert not panel.date.isVisible() and not panel.clock.isVisible()
        assert "月" in panel.title.text() and ":" in panel.title.text()
    else:
        assert panel.date.isVisible() and panel.clock.isVisible()


def test_kpi_figures_shrink_to_fit_a_small_cell_never_under_the_minimum(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wall(window)
    host = wall_host(qtbot, page)
    panel = KpiPanel(page.context, host)
    QVBoxLayout(host).addWidget(panel)
    host.resize(940, 1000)  # a whole 1080p screen: big figures and the chart
    host.show()
    qtbot.waitUntil(panel.chart.isVisible, timeout=5000)
    assert panel.value_px == KPI_PX
    host.resize(620, 320)  # a 2x2 cell of a 720p monitor
    qtbot.waitUntil(lambda: not panel.chart.isVisible(), timeout=5000)
    qtbot.wait(50)
    assert MIN_PX <= panel.value_px < KPI_PX
    viewport = panel.clip.viewport()
    for value in panel.values:  # both rows whole, none cut at the bottom
        assert value.font().pixelSize() == panel.value_px
        assert value.mapTo(viewport, value.rect().bottomLeft()).y() < viewport.height()


def test_kpis_without_a_situation() -> None:
    assert [k.value for k in kpis(None)] == ["无", "无", "0", "0", "—", "—"]


def test_ticker_lines_soonest_first_overdue_marked() -> None:
    now = datetime(2026, 7, 1, 10, 0, tzinfo=beijing.BEIJING)

    def due(minutes: int) -> Deadline:
        return Deadline("i1", "续报", "书面", now + timedelta(minutes=minutes), "收到", None)

    items = [({"title": f"事件{i}"}, due(m)) for i, m in enumerate((30, -5, 10))]
    lines, more = ticker_lines(items, now, limit=2)
    assert [line.text.split("　")[0] for line in lines] == ["事件1", "事件2"]
    assert lines[0].overdue and "超时" in lines[0].text and not lines[1].overdue
    assert more == 1


def row_px(label: QLabel) -> int:
    return label.fontInfo().pixelSize()


def test_a_long_title_is_shortened_and_its_deadline_kept_whole(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wall(window)
    screen = QWidget()  # as on a wall window: its style sheet (30 px lines) applies
    screen.setObjectName("WallWindow")
    screen.setStyleSheet(wall_stylesheet(page.context.theme.colors()))
    qtbot.addWidget(screen)
    panel = TickerPanel(page.context, screen)
    settle(page)
    now = page.context.clock()
    late = Deadline("i1", "续报", "书面", now - timedelta(hours=37), "收到", None)
    title = "湖山乡溪水暴涨冲毁便桥致两村群众出行受阻并有车辆被困"
    panel.resize(600, 300)
    screen.show()
    panel._land([({"title": title}, late)], now)
    assert row_px(panel.rows[0]) >= MIN_PX
    countdown = panel.lines[0].countdown
    row = panel.rows[0]
    assert row.text().endswith(countdown) and "…" in row.text()
    assert row.fontMetrics().horizontalAdvance(row.text()) <= panel.width() - 40
    panel.resize(1900, 300)  # room enough: the whole title again
    qtbot.waitUntil(lambda: row.text() == f"{title}　{countdown}", timeout=5000)


def test_duty_panel_shows_the_roster_and_falls_back_to_the_officer(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wall(window)
    store = page.context.queries.store
    duty = on_duty(store, page.context.clock())
    assert duty.now.planned  # the sample plans this month and the next
    lines = on_duty_now(page.context)
    assert lines[0] == ("带班领导", duty.now.leader)
    assert lines[1] == ("值班员", "、".join(duty.now.officers))
    win = start(page, 0, ("duty",))
    panel = win.panels[0]
    qtbot.waitUntil(lambda: duty.now.leader in panel.people.text(), timeout=10_000)  # type: ignore[attr-defined]
    assert "下一班" in panel.people.text()  # type: ignore[attr-defined]
    page.stop_wall()
    # Nothing planned for the shift: the officer signed in here, and the gap said.
    empty = dataclasses.replace(duty, now=dataclasses.replace(duty.now, leader="", officers=()))
    assert duty_lines(empty, "李四") == [("值班员", "李四"), ("排班", "本班次未排班")]
    assert duty_lines(None, "") == [("值班员", "未登记")]


def test_a_new_panel_kind_plugs_in_and_unknown_ones_show_a_stand_in(window: MainWindow) -> None:
    page = wall(window)
    kind = PanelKind("probe", "探针画面", "tests.views.test_wall_page:make_probe_panel")
    assert wall_panels.panel_kind("probe") is None
    wall_panels.register_panel(kind)
    try:
        assert wall_panels.panel_kind("probe") == kind
        built = build_panel("probe", page.context)
        assert isinstance(built, WallPanel) and built.title.text() == "探针画面"
        built.deleteLater()
        other = WallPage(page.context)
        listed = other.screen_rows[0].panels
        row_names = [listed.item(i).data(Qt.ItemDataRole.UserRole) for i in range(listed.count())]
        other.deleteLater()
        assert "probe" in row_names
    finally:
        wall_panels._KINDS.pop("probe", None)  # the registry is the process's: leave it as found
    stand_in = build_panel("probe", page.context)
    assert isinstance(stand_in, MissingPanel) and "未知画面" in stand_in.title.text()
    stand_in.deleteLater()


def make_probe_panel(context: object, parent: object = None) -> WallPanel:
    return WallPanel(context, "探针画面", parent)  # type: ignore[arg-type]


def test_read_only_workstation_is_locked_to_the_wall(window: MainWindow) -> None:
    page = window.lock_to_view("wall")
    assert isinstance(page, WallPage)
    assert window.show_view("intake") is page
    assert window.new_call() is page
    shown = [
        window.rail.list.item(r).text()
        for r in range(window.rail.list.count())
        if not window.rail.list.item(r).isHidden()
    ]
    assert shown == ["大屏模式"]


def test_wall_stylesheet_has_big_type_in_both_themes() -> None:
    for colors in COLORS.values():
        qss = wall_stylesheet(colors)
        assert "font-size: 30px" in qss and colors.text in qss and colors.window in qss


def test_wall_option_and_read_only_role_start_the_saved_wall(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    name = screen_name(QGuiApplication.screens()[0])
    preset = WallPreset((ScreenPlan(name, PAIR, ("duty", "ticker")),))
    window.context.settings.set(WALL_PRESET, preset_to_json(preset))
    start_wall(window, GuiOptions(data_dir=tmp_path), None)  # neither: nothing happens
    assert window.current_view() == "intake" and window.locked_view is None
    start_wall(window, GuiOptions(data_dir=tmp_path), READONLY)
    page = window.page("wall")
    assert isinstance(page, WallPage) and window.locked_view == "wall"
    qtbot.waitUntil(lambda: bool(page.controller.windows), timeout=5000)
    assert page.controller.windows[name].visible_panels() == ["duty", "ticker"]
    page.stop_wall()
    assert wall_only(READONLY) and not wall_only(OFFICER) and not wall_only(None)


@pytest.mark.qt_log_ignore(*VIDEO_WARNINGS)
def test_the_video_grid_plays_on_the_wall_read_only(qtbot: QtBot, window: MainWindow) -> None:
    page = wall(window)
    assert panel_kind("video") is not None and panel_title("video") == "视频监控"
    win = start(page, 0, ("video",))  # the sample county's cameras play the bundled clip
    panel = win.panels[0]
    assert isinstance(panel, VideoPanel)
    qtbot.waitUntil(lambda: len(panel.grid.cells) == 4, timeout=10_000)  # never set: 2x2
    assert all(cell.camera_id for cell in panel.grid.cells)
    assert not any(cell.acceptDrops() for cell in panel.grid.cells)
    assert all(cell.caption_px >= MIN_PX for cell in panel.grid.cells)  # read from 5 m too
    qtbot.waitUntil(lambda: all(c.frames >= 3 for c in panel.grid.cells), timeout=20_000)
    page.stop_wall()
    assert not any(c.camera_id for c in panel.grid.cells)  # stopped with the wall


def test_the_wall_follows_the_video_pages_layout() -> None:
    cams = [{"id": f"c{i}", "name": f"摄像机{i}"} for i in range(12)]
    assert wall_layout("", cams) == VideoLayout("4", ["c0", "c1", "c2", "c3"])
    saved = VideoLayout("9", ["c5", "gone", "c7"]).to_json()
    layout = wall_layout(saved, cams)
    assert layout.grid == "9" and layout.cells[:3] == ["c5", "", "c7"] and len(layout.cells) == 9
