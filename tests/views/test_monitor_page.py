"""雨水情 page over the sample county: the empty state without readings; with a synthetic
typhoon (ArrayReadings), four stations side by side on one linked Beijing-time axis,
filters, the tick limit, presets, the theme, and a reload when the source's stamp moves.

Set ``SHOTS_DIR`` to keep the rendered PNGs (both themes) for a look."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.app import load_fonts
from console.domain.beijing import BEIJING
from console.services.context import Workstation
from console.services.monitoring import MonitorStation, MonitorStations, WaterLine
from console.ui.theme import COLORS
from console.views.charts.base import StationChart
from console.views.charts.level_chart import LevelChart
from console.views.charts.rain_chart import RainChart
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.monitor_page import EMPTY_HEADING, PRESETS, MonitorPage
from testkit.readings_arrays import ArrayReadings, five_minute_times, level_response, typhoon_rain
from tests.views.conftest import Clock

NOW = datetime(2026, 9, 15, 14, 0, tzinfo=BEIJING)
NOW_S = int(NOW.timestamp())
HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def monitor(
    qtbot: QtBot, window_context: WindowContext
) -> Iterator[tuple[MainWindow, MonitorPage]]:
    window_context.clock = Clock(NOW)
    win = MainWindow(window_context)
    win.resize(1400, 900)
    page = win.show_view("monitor")
    win.show()
    qtbot.waitExposed(win)
    assert isinstance(page, MonitorPage)
    _settle(window_context)
    yield win, page
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def cjk_font(qapp: QApplication) -> Iterator[None]:
    """The bundled Chinese font as the app's, as ``duty-console`` does (readable PNGs)."""
    original = qapp.font()
    load_fonts(qapp)
    yield
    qapp.setFont(original)


@pytest.fixture
def fed(
    monitor: tuple[MainWindow, MonitorPage],
    window_context: WindowContext,
    workstation: Workstation,
) -> tuple[MonitorPage, ArrayReadings, dict[str, MonitorStation]]:
    """The page reading a two-day typhoon, its first charts drawn."""
    _win, page = monitor
    stations = _stations(workstation)
    source = typhoon(stations, days=2)
    page.set_readings(source)
    _settle(window_context)
    return page, source, stations


def _settle(context: WindowContext) -> None:
    assert context.tasks is not None and context.tasks.wait_idle(5000)


def _stations(workstation: Workstation) -> dict[str, MonitorStation]:
    return {s.name: s for s in MonitorStations(workstation.queries).stations()}


def typhoon(stations: dict[str, MonitorStation], days: int = 7) -> ArrayReadings:
    """Every station reporting every 5 minutes for ``days`` up to NOW; the typhoon passed
    20 hours ago; 苏村雨量站's readings come from the simulator."""
    source = ArrayReadings()
    times = five_minute_times(NOW_S - days * DAY, NOW_S)
    for i, station in enumerate(stations.values()):
        rain = typhoon_rain(times, NOW_S - 20 * HOUR, 25.0 + i, seed=i)
        if station.reading_kind == "rain":
            source.add(station.id, "rain", times, rain, simulated=station.name == "苏村雨量站")
        else:
            warning = next((ln.level_m for ln in station.lines if ln.label == "警戒水位"), 3.0)
            source.add(station.id, "level", times, level_response(rain, warning - 1.2, 0.006))
    return source


def _save(page: MonitorPage, tmp_path: Path, name: str) -> Path:
    out = tmp_path / f"{name}.png"
    image = page.grab()
    assert image.save(str(out))
    shots = os.environ.get("SHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(shots) / f"{name}.png"))
    return out


def test_without_readings_a_chinese_empty_state_not_empty_axes(
    monitor: tuple[MainWindow, MonitorPage], window_context: WindowContext
) -> None:
    _win, page = monitor
    assert page.readings is None
    assert page.area.currentWidget() is page.empty
    assert page.empty.isVisible() and not page.charts
    texts = [label.text() for label in page.empty.findChildren(type(page.summary))]
    assert EMPTY_HEADING in texts and EMPTY_HEADING.startswith("暂无雨水情数据")
    assert page.model.rowCount() == len(window_context.queries.stations())  # listed all the same
    assert page.model.data(page.model.index(0, 3)) == "—"

    page.set_readings(ArrayReadings())  # a source that has nothing yet
    _settle(window_context)
    assert page.area.currentWidget() is page.empty
    assert "0 个有数据" in page.summary.text()


def test_four_stations_side_by_side_on_one_time_axis(
    cjk_font: None,  # first: the window is built with the font, as in the app
    qtbot: QtBot,
    monitor: tuple[MainWindow, MonitorPage],
    window_context: WindowContext,
    workstation: Workstation,
    tmp_path: Path,
) -> None:
    win, page = monitor
    stations = _stations(workstation)
    page.set_readings(typhoon(stations))
    _settle(window_context)
    assert page.area.currentWidget() is page.grid_host
    names = [s.name for s in page.model.checked()]
    assert names == ["苏村雨量站", "大源雨量站", "松阴溪城南水位站", "柘溪水位站"]
    kinds = [type(chart) for chart in page.charts]
    assert kinds == [RainChart, RainChart, LevelChart, LevelChart]
    cells = [page.grid.itemAtPosition(row, column) for row in (0, 1) for column in (0, 1)]
    assert [cell.widget() if cell else None for cell in cells] == page.charts  # 2 x 2
    assert page.charts[0].station_title == "苏村雨量站 · 北界镇"
    # the 3 天 preset: the loaded range ends now
    assert page.span == (NOW_S - 3 * DAY, NOW_S)
    for chart in page.charts:
        lo, hi = chart.x_range()
        assert (lo, hi) == pytest.approx((NOW_S - 3 * DAY, NOW_S), abs=1)
    # the simulated station, and only it, says 模拟
    assert [c.badge is not None and c.badge.isVisibleTo(c) for c in page.charts] == [
        True,
        False,
        False,
        False,
    ]
    level = page.charts[2]
    assert isinstance(level, LevelChart)
    assert level.line_levels() == {"警戒水位": 3.8, "保证水位": 5.2}
    rain = page.charts[0]
    assert isinstance(rain, RainChart)
    ends, sums = rain.visible_bars()
    assert len(ends) >= 72 and sums.max() > 10  # hourly bars of the typhoon
    # zooming one chart moves the others with it
    page.charts[3].view.setXRange(NOW_S - 6 * HOUR, NOW_S, padding=0)
    for chart in page.charts:
        assert chart.x_range() == pytest.approx((NOW_S - 6 * HOUR, NOW_S), abs=60)
    # the newest value per station, in the list
    row = next(r for r in range(page.model.rowCount()) if page.model.record(r).name == "柘溪水位站")
    latest = page.model.data(page.model.index(row, 3))
    assert latest.endswith(" m") and float(latest[:-2]) > 2.0
    tip = page.model.data(page.model.index(row, 3), Qt.ItemDataRole.ToolTipRole)
    assert "2026-09-15 14:00" in tip

    page.charts[3].view.setXRange(NOW_S - 3 * DAY, NOW_S, padding=0)
    shot = _save(page, tmp_path, "monitor-dark")
    assert shot.stat().st_size > 20_000
    win.toggle_theme()
    light = COLORS["light"].panel
    assert all(c.backgroundBrush().color() == QColor(light) for c in page.charts)
    _save(page, tmp_path, "monitor-light")


def test_filter_by_township_kind_and_text(
    monitor: tuple[MainWindow, MonitorPage], window_context: WindowContext
) -> None:
    _win, page = monitor

    def shown() -> list[MonitorStation]:
        from console.models.record_table import RECORD_ROLE

        return [page.proxy.index(r, 0).data(RECORD_ROLE) for r in range(page.proxy.rowCount())]

    assert len(shown()) == len(window_context.queries.stations())
    page.township.setCurrentIndex(page.township.findText("王村口镇"))
    assert sorted(s.name for s in shown()) == sorted(["大源雨量站", "乌溪江王村口水文站"])
    page.kind.setCurrentIndex(page.kind.findText("水文站"))
    assert [s.name for s in shown()] == ["乌溪江王村口水文站"]
    page.township.setCurrentIndex(0)
    assert len(shown()) == 4 and all(s.kind == "水文站" for s in shown())
    page.kind.setCurrentIndex(0)
    page.search.setText("柘")
    assert sorted(s.name for s in shown()) == sorted(["柘溪水位站", "源里雨量站", "岱口水位站"])
    assert "筛选后显示 3 个" in page.summary.text()


def test_at_most_four_ticked_and_unticking_redraws(
    fed: tuple[MonitorPage, ArrayReadings, dict[str, MonitorStation]],
    window_context: WindowContext,
) -> None:
    page, _source, _stations = fed
    assert len(page.model.checked()) == 4
    model = page.model
    rows = {model.record(r).name: r for r in range(model.rowCount())}
    check = Qt.ItemDataRole.CheckStateRole
    fifth = model.index(rows["横溪水位站"], 0)
    assert not model.setData(fifth, Qt.CheckState.Checked, check)
    assert "最多同时显示 4 个站点" in page.summary.text()
    first = model.index(rows["苏村雨量站"], 0)
    assert model.setData(first, Qt.CheckState.Unchecked, check)
    _settle(window_context)
    assert len(page.charts) == 3
    assert model.setData(fifth, Qt.CheckState.Checked, check)
    _settle(window_context)
    assert [c.station_title.split(" · ")[0] for c in page.charts][-1] == "横溪水位站"
    assert model.data(fifth, check) == Qt.CheckState.Checked


def test_presets_from_a_day_to_a_year(
    cjk_font: None,
    fed: tuple[MonitorPage, ArrayReadings, dict[str, MonitorStation]],
    window_context: WindowContext,
    tmp_path: Path,
) -> None:
    page, _source, _stations = fed
    labels = [label for label, _s in PRESETS]
    assert labels == ["24 小时", "3 天", "7 天", "30 天", "1 年"]
    page.presets.button(0).click()
    _settle(window_context)
    assert page.span == (NOW_S - DAY, NOW_S)
    assert page.charts[0].x_range() == pytest.approx((NOW_S - DAY, NOW_S), abs=1)
    assert all(chart.isVisible() for chart in page.charts)  # redrawn charts are shown
    _save(page, tmp_path, "monitor-24h")
    page.presets.button(4).click()
    _settle(window_context)
    assert page.span == (NOW_S - 365 * DAY, NOW_S)
    rain = page.charts[0]
    assert isinstance(rain, RainChart)
    ends, _sums = rain.visible_bars()
    assert all(datetime.fromtimestamp(int(e), BEIJING).hour == 0 for e in ends)  # day bars
    _save(page, tmp_path, "monitor-year")


def test_new_readings_reload_the_list_and_the_charts(
    monitor: tuple[MainWindow, MonitorPage],
    fed: tuple[MonitorPage, ArrayReadings, dict[str, MonitorStation]],
    window_context: WindowContext,
) -> None:
    win, _page = monitor
    page, source, stations = fed
    loads = page._load_seq
    page.poll()  # nothing new: nothing reread
    _settle(window_context)
    assert page._load_seq == loads

    su = stations["苏村雨量站"]
    source.add(su.id, "rain", np.array([NOW_S], np.int64), np.array([42.0]))  # replaces 14:00
    page.poll()
    _settle(window_context)
    assert page._load_seq == loads + 1
    rain = page.charts[0]
    assert isinstance(rain, RainChart)
    ends, sums = rain.visible_bars()
    assert ends[-1] == NOW_S and sums[-1] >= 42.0
    row = next(r for r in range(page.model.rowCount()) if page.model.record(r).id == su.id)
    assert page.model.data(page.model.index(row, 3)) == "42.0 mm"

    # Off screen the page does not poll; back on screen it catches up at once.
    win.show_view("teams")
    _settle(window_context)
    source.add(su.id, "rain", np.array([NOW_S], np.int64), np.array([7.0]))
    page.poll()
    _settle(window_context)
    assert page._load_seq == loads + 1
    win.show_view("monitor")
    _settle(window_context)
    assert page._load_seq == loads + 2
    assert page.model.data(page.model.index(row, 3)) == "7.0 mm"


def _channel_page(station_id: str, ts: int, mm: float, seq: int) -> dict[str, Any]:
    """One page of the readings channel as the server sends it: a 5-minute rain reading."""
    return {
        "epoch": "e1",
        "last_seq": seq,
        "more": False,
        "stations": [station_id],
        "s": [0],
        "k": [0],  # rain
        "t": [ts],
        "v": [mm],
        "i": [300],
        "m": [False],
    }


def _latest_text(page: MonitorPage, station_id: str) -> str:
    row = next(r for r in range(page.model.rowCount()) if page.model.record(r).id == station_id)
    return str(page.model.data(page.model.index(row, 3)))


def test_pulled_readings_show_at_once_without_the_poll(
    qtbot: QtBot,
    monitor: tuple[MainWindow, MonitorPage],
    window_context: WindowContext,
    workstation: Workstation,
) -> None:
    """Readings the channel writes into the store are announced on the change bus: the page
    on screen shows them within a second, long before its fallback poll (30 s)."""
    from console.services.readings import ReadingsService
    from console.sync import readings as channel

    win, page = monitor
    assert page.poll_timer.interval() >= 30_000
    page.set_readings(ReadingsService(workstation.store))
    _settle(window_context)
    assert page.area.currentWidget() is page.empty
    station = next(s for s in _stations(workstation).values() if s.reading_kind == "rain")

    def pulled(mm: float, ts: int, seq: int) -> None:
        page_ = _channel_page(station.id, ts, mm, seq)
        report = channel.pull(workstation.store, lambda *_a: page_, now=NOW_S)
        assert report.rows == 1

    title = f"{station.name} · {station.township}"
    pulled(12.5, NOW_S - 300, 1)
    qtbot.waitUntil(lambda: _latest_text(page, station.id) == "12.5 mm", timeout=1000)
    qtbot.waitUntil(lambda: [c.station_title for c in page.charts] == [title], timeout=1000)
    loads = page._load_seq
    pulled(30.0, NOW_S, 2)
    qtbot.waitUntil(lambda: _latest_text(page, station.id) == "30.0 mm", timeout=1000)
    qtbot.waitUntil(lambda: page._load_seq > loads, timeout=1000)
    _settle(window_context)  # the series read, the chart redrawn
    rain = page.charts[0]
    assert isinstance(rain, RainChart)
    ends, sums = rain.visible_bars()
    assert ends[-1] == NOW_S and sums[-1] == pytest.approx(42.5)  # 13:55 and 14:00

    # Off screen nothing is reread; showing the page again catches up.
    win.show_view("teams")
    _settle(window_context)
    loads = page._load_seq
    pulled(4.0, NOW_S, 3)
    _settle(window_context)
    qtbot.wait(200)
    assert page._load_seq == loads and _latest_text(page, station.id) == "30.0 mm"
    win.show_view("monitor")
    qtbot.waitUntil(lambda: _latest_text(page, station.id) == "4.0 mm", timeout=1000)


def test_a_burst_of_changes_rereads_once_more_not_once_each(
    monitor: tuple[MainWindow, MonitorPage], window_context: WindowContext
) -> None:
    _win, page = monitor
    landed: list[int] = []
    original = page._land_stations

    def counting(read: Any) -> None:
        landed.append(1)
        original(read)

    page._land_stations = counting  # type: ignore[method-assign]
    for _ in range(5):
        page.refresh()
    _settle(window_context)
    assert len(landed) == 2  # the one running, then one for the four asked meanwhile
    assert not page._refreshing and not page._refresh_again


def test_a_reservoir_shows_its_flood_limit_line(
    monitor: tuple[MainWindow, MonitorPage],
    window_context: WindowContext,
    workstation: Workstation,
) -> None:
    from console.services.reference_data import ReferenceData

    _win, page = monitor
    ReferenceData(workstation.writer).save(
        "stations",
        {
            "code": "S900",
            "name": "测试水库",
            "kind": "水库",
            "flood_limit_level_m": 120.5,
            "warning_level_m": 122.0,
            "guarantee_level_m": 124.0,
        },
        user="测试",
    )
    _settle(window_context)
    reservoir = _stations(workstation)["测试水库"]
    assert reservoir.lines[0] == WaterLine("汛限水位", 120.5)
    source = ArrayReadings()
    times = five_minute_times(NOW_S - DAY, NOW_S)
    source.add(reservoir.id, "level", times, np.linspace(119.0, 121.0, len(times)))
    page.set_readings(source)
    _settle(window_context)
    assert [c.station_title for c in page.charts] == ["测试水库"]
    level = page.charts[0]
    assert isinstance(level, LevelChart)
    assert level.line_levels() == {"汛限水位": 120.5, "警戒水位": 122.0, "保证水位": 124.0}


def test_redrawn_charts_are_freed(
    fed: tuple[MonitorPage, ArrayReadings, dict[str, MonitorStation]],
    window_context: WindowContext,
) -> None:
    page, _source, _stations = fed
    for preset in (0, 2, 1, 0):
        page.set_preset(preset)
        _settle(window_context)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, StationChart)]
    assert len(page.charts) == 4
    assert len(alive) == 4, "discarded charts are still alive"


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_phoned_in_reading_is_saved_and_charted_at_once(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    """登记报送读数: a 灾害信息员's phoned rain total through the write path, in the local
    readings at once (offline too); a refusal keeps what was typed."""
    from console.services.readings import ReadingsService

    page = window.show_view("monitor")
    assert isinstance(page, MonitorPage)
    readings = ReadingsService(workstation.store)
    page.set_readings(readings)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    station = next(s for s in page.model.records() if s.kind == "雨量站")
    dialog = page.open_report(station.id)
    assert dialog is not None
    assert dialog.kind.currentText() == "雨量" and dialog.interval.isEnabled()
    dialog.value.setValue(-5)
    with qtbot.waitSignal(dialog.failed, timeout=5000) as refused:
        dialog.submit()
    assert dialog.message.text().startswith("未保存：") and refused.args[0]
    assert dialog.isVisible() and dialog.value.value() == -5
    dialog.value.setValue(12.5)
    dialog.reporter.insert("村级灾害信息员 李某某")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.submit()
    latest = readings.latest("rain")
    assert station.id in latest and latest[station.id][1] == 12.5
    assert workstation.queries.sync_counters().pending >= 1  # pushed with the next sync
