"""识别一张图 in the window over the sample county: layer toggles and legend, warning colours
from a hand-built Situation, the card of a clicked point (responsible people from the
sample roles), 谁负责这里 and 复制电话, search-to-zoom, PNG/PDF export, a base layer from a
tile folder and an MBTiles file made here with Qt, GeoJSON layers, the call form's picker
and 谁负责这里 from the incident detail."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.domain.ids import new_id
from console.domain.situation import Endangered, Situation, TownshipState
from console.services.context import Workstation
from console.services.map_data import CAMERAS, STATIONS, VILLAGES, MapFeature, risk_layer
from console.settings import MAP_BASE_LAYER
from console.views.main_window import MainWindow
from console.views.pages import map_base_dialog
from console.views.pages.contacts_page import ContactsPage
from console.views.pages.intake_page import IntakePage
from console.views.pages.map_base_dialog import NO_BASE_LAYER
from console.views.pages.map_canvas import WARNING_COLORS, MapCanvas, layer_style
from console.views.pages.map_export import BAND_PX, SIMULATED_COLOR, SIMULATED_MARK, bands
from console.views.pages.map_picker import MapPickerDialog
from console.views.pages.risk_map_page import RiskMapPage
from console.views.pages.settings_page import SettingsPage
from testkit.tiles import png_tile, tiles_over, write_mbtiles
from tests.views.conftest import activate
from tests.views.test_intake_detail import page_with_incident

FLOOD = risk_layer("山洪危险区")


def settle(window: MainWindow) -> None:
    assert window.context.tasks is not None and window.context.tasks.wait_idle(5000)


def map_page(window: MainWindow) -> RiskMapPage:
    page = window.show_view("risk-map")
    settle(window)
    assert isinstance(page, RiskMapPage)
    return page


def screen_pos(canvas: MapCanvas, feature: MapFeature) -> QPointF:
    """Where a feature is on the canvas's viewport, in widget pixels."""
    x, y = canvas.projection.xy(feature.lon, feature.lat)
    scene = canvas.plot_item.vb.mapViewToScene(QPointF(x, y))
    return QPointF(canvas.mapFromScene(scene))


def test_layer_toggles_hide_and_show_and_the_legend_follows(window: MainWindow) -> None:
    page = map_page(window)
    boxes = page.layer_panel.boxes
    assert {FLOOD, VILLAGES, STATIONS, "shelters", "teams", "incidents", CAMERAS} <= set(boxes)
    assert "山洪危险区 4" in boxes[FLOOD].text()
    assert boxes[CAMERAS].isEnabled() and boxes[CAMERAS].text() == "视频监控 20"  # the sample's
    assert page.map.scatters[FLOOD].isVisible()
    labels = [e.label for e in page.legend_entries()]
    assert "山洪危险区" in labels and "避灾安置场所" in labels
    assert "未结案事件" not in labels  # nothing open in this county: not in the legend

    boxes[FLOOD].setChecked(False)
    assert not page.map.scatters[FLOOD].isVisible()
    assert "山洪危险区" not in [e.label for e in page.legend_entries()]
    boxes["townships"].setChecked(False)
    assert not any(label.isVisible() for label in page.map.labels)
    boxes[FLOOD].setChecked(True)
    assert page.map.scatters[FLOOD].isVisible()
    page.draw(fit=False)  # a redraw (data or theme) keeps what the officer hid
    assert not page.layer_panel.boxes["townships"].isChecked()
    assert not any(label.isVisible() for label in page.map.labels)


def _warning_spots(page: RiskMapPage) -> dict[tuple[str, str], tuple[str, str]]:
    item = page.map.warning_item
    if item is None:
        return {}
    return {p.data().key: (p.pen().color().name(), p.brush().color().name()) for p in item.points()}


def test_situation_colours_places_and_townships(window: MainWindow) -> None:
    page = map_page(window)
    snap = page.snapshot
    point = snap.layer(FLOOD)[0]
    village = snap.layer(VILLAGES)[0]
    town = snap.layer("townships")[0]

    def endangered(kind: str, f: MapFeature, level: str) -> Endangered:
        return Endangered(kind, f.id, f.name, f.township_id, None, level, "", None, "", None)

    situation = Situation(
        at=1_790_000_000,
        townships=(TownshipState(town.id, town.name, proposed_warning="橙"),),
        endangered=(endangered("risk_point", point, "红"), endangered("village", village, "黄")),
    )
    page.set_situation(situation)
    spots = _warning_spots(page)
    assert spots == {
        point.key: (WARNING_COLORS["红"], WARNING_COLORS["红"]),
        village.key: (WARNING_COLORS["黄"], WARNING_COLORS["黄"]),
        town.key: (WARNING_COLORS["橙"], WARNING_COLORS["橙"]),
    }
    assert "红色预警" in [e.label for e in page.legend_entries()]
    page.layer_panel.boxes[FLOOD].setChecked(False)  # a hidden layer's colours go with it
    assert point.key not in _warning_spots(page)
    page.set_situation(None)
    assert page.map.warning_item is None
    assert "红色预警" not in [e.label for e in page.legend_entries()]


def test_hover_tip_and_click_opens_the_card(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = map_page(window)
    point = page.snapshot.layer(FLOOD)[0]
    # Only the flood layer, so the click cannot land on a neighbour of another layer.
    for key, box in page.layer_panel.boxes.items():
        box.setChecked(key == FLOOD)
    page.map.zoom_to(point.lon, point.lat, 1.0)
    QApplication.processEvents()
    pos = screen_pos(page.map, point).toPoint()
    qtbot.mouseMove(page.map.viewport(), pos)
    qtbot.waitUntil(lambda: point.name in page.map.plot_item.vb.toolTip())  # the hover tip
    assert f"影响 {point.persons} 人" in page.map.plot_item.vb.toolTip()
    qtbot.mouseClick(page.map.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    settle(window)
    card = page.card.card
    assert card is not None and card.id == point.id
    assert page.tabs.currentWidget() is page.card
    assert page.map.scatters[FLOOD].opts["tip"](x=0, y=0, data=point) == point.tip()
    responsible = page.cards._contacts.responsible("risk_point", point.id)
    names = [
        page.card.people_model.index(r, 1).data() for r in range(page.card.people_model.rowCount())
    ]
    assert names == [r.contact.name for r in responsible] and names
    assert "转移路线" in page.card.facts.text()

    page.card.copy_button.click()
    assert responsible[0].contact.mobile in QGuiApplication.clipboard().text()

    # A role added elsewhere reaches the open card (the page reads again on the change).
    person = {"id": new_id(), "name": "测试责任人", "mobile": "13900000001"}
    role = {
        "id": new_id(),
        "person_id": person["id"],
        "role": responsible[0].role,
        "risk_point_id": point.id,
    }
    workstation.writer.apply([("person.upsert", person), ("person_role.upsert", role)], user="测试")
    qtbot.waitUntil(lambda: page.card.people_model.rowCount() == len(responsible) + 1)

    page.card.responsible_button.click()  # 谁负责这里: the 通讯录 on this risk point
    settle(window)
    assert window.current_view() == "contacts"
    contacts = window.page("contacts")
    assert isinstance(contacts, ContactsPage)
    qtbot.waitUntil(lambda: contacts.responsible_model.rowCount() == len(responsible) + 1)
    chosen = contacts.chosen_place()
    assert chosen is not None and chosen[:2] == ("risk_point", point.id)


def test_keyboard_pans_and_zooms_the_map(qtbot: QtBot, window: MainWindow) -> None:
    page = map_page(window)
    vb = page.map.plot_item.vb
    page.map.setFocus()
    start = vb.viewRect()
    qtbot.keyClick(page.map, Qt.Key.Key_Right)
    moved = vb.viewRect()
    assert moved.center().x() > start.center().x() + 0.05 * start.width()
    qtbot.keyClick(page.map, Qt.Key.Key_Plus)
    assert vb.viewRect().width() < moved.width() * 0.9
    qtbot.keyClick(page.map, Qt.Key.Key_Home)
    assert abs(vb.viewRect().center().x() - start.center().x()) < 0.01 * start.width()


def test_search_zooms_to_the_place(qtbot: QtBot, window: MainWindow) -> None:
    page = map_page(window)
    assert page.search.hasFocus()  # arriving on the page puts the cursor there
    town = next(f for f in page.snapshot.layer("townships") if f.name == "北界镇")
    qtbot.keyClicks(page.search, "bjz")
    assert page.search_model.stringList()[0].startswith("北界镇")
    assert page.results.isVisibleTo(page)
    qtbot.keyClick(page.search, Qt.Key.Key_Down)  # into the hits; Enter goes there
    assert page.results.hasFocus()
    qtbot.keyClick(page.results, Qt.Key.Key_Return)
    settle(window)
    rect = page.map.plot_item.vb.viewRect()
    x, y = page.projection.xy(town.lon, town.lat)
    assert rect.contains(QPointF(x, y)) and rect.width() < 30  # zoomed in, on it
    assert abs(rect.center().x() - x) < 1 and abs(rect.center().y() - y) < 1
    assert page.card.card is not None and page.card.card.title == "北界镇"
    assert page.search_to("没有这个地方") is None
    assert "没有找到" in page.card.subtitle.text()


def test_export_png_and_pdf(window: MainWindow, tmp_path: Path) -> None:
    page = map_page(window)
    png = page.export_view(tmp_path / "map.png")
    image = QImage(str(png))
    assert not image.isNull()
    assert image.width() >= page.map.width() and image.height() > page.map.height()
    pdf = page.export_view(tmp_path / "map.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:] and len(data) > 10_000
    assert not list(tmp_path.glob("*.part"))
    # Drawn for paper in the light colours; the screen keeps its dark theme and its notice.
    assert page.map.backgroundBrush().color().name() == window.context.theme.colors().panel
    assert page.map.notice is not None and page.map.notice.isVisibleTo(page)
    assert QColor(image.pixel(image.width() // 2, 30)).name() == "#ffffff"


def test_simulated_colours_are_marked_on_the_map_and_the_export(
    window: MainWindow, tmp_path: Path
) -> None:
    """Colours from the simulator's readings say 模拟: a badge on the map, a band across the
    top of the PNG/PDF; real readings' colours carry neither."""
    page = map_page(window)
    town = page.snapshot.layer("townships")[0]
    real = Situation(
        at=1_790_000_000,
        townships=(TownshipState(town.id, town.name, proposed_warning="红"),),
    )
    badge = page.map.simulated_badge
    assert badge is not None and "模拟" in badge.text()
    page.set_situation(real)
    assert not badge.isVisibleTo(page)
    plain = QImage(str(page.export_view(tmp_path / "real.png")))

    page.set_situation(replace(real, simulated=True))
    assert badge.isVisibleTo(page)
    assert "红色预警" in [e.label for e in page.legend_entries()]
    marked = QImage(str(page.export_view(tmp_path / "sim.png")))
    assert [text for text, _c in bands(simulated=True)] == [SIMULATED_MARK]
    assert marked.height() == plain.height() + BAND_PX
    assert QColor(marked.pixel(5, 5)).name() == SIMULATED_COLOR
    assert QColor(plain.pixel(5, 5)).name() == "#ffffff"
    band = [marked.pixelColor(x, BAND_PX // 2) for x in range(marked.width())]
    assert sum(1 for c in band if c.name() != SIMULATED_COLOR) > 50  # the words are drawn
    assert badge.isVisibleTo(page)  # back on screen after the grab
    pdf = page.export_view(tmp_path / "sim.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000

    page.set_situation(None)
    assert not badge.isVisibleTo(page)


def _county_tiles(z: int) -> list[tuple[int, int, int]]:
    return tiles_over(z, 118.8, 28.3, 119.6, 28.9)


def _assert_tiles_placed(page: RiskMapPage) -> None:
    assert page.map.tile_items
    for (z, x, y), item in page.map.tile_items.items():
        rect = item.mapRectToParent(item.boundingRect())
        from console.services.map_tiles import tile_bounds_km

        west, south, east, north = tile_bounds_km(z, x, y)
        x0, y0 = page.projection.from_mercator(west, south)
        x1, y1 = page.projection.from_mercator(east, north)
        assert abs(rect.left() - x0) < 1e-6 and abs(rect.right() - x1) < 1e-6
        assert abs(rect.top() - y0) < 1e-6 and abs(rect.bottom() - y1) < 1e-6


def test_base_layer_from_mbtiles_and_from_a_tile_folder(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    page = map_page(window)
    tiles = {key: png_tile("#ff0000") for z in (8, 9, 10) for key in _county_tiles(z)}
    path = write_mbtiles(tmp_path / "county.mbtiles", tiles, "县底图")

    assert page.set_base_layer(str(path)) == ""
    settle(window)  # tiles are read and decoded on the task runner
    assert window.context.settings.get(MAP_BASE_LAYER) == str(path)
    assert "县底图" in page.base_label.text()
    _assert_tiles_placed(page)
    page.map.plot_item.vb.translateBy((0.5, 0.5))  # moving: tiles scaled fast, then smooth
    smooth = Qt.TransformationMode.SmoothTransformation
    assert all(i.transformationMode() != smooth for i in page.map.tile_items.values())
    qtbot.waitUntil(
        lambda: all(i.transformationMode() == smooth for i in page.map.tile_items.values())
    )
    for key in page.layer_panel.boxes.values():
        key.setChecked(False)
    page.map.set_overlays([])
    shot = page.map.grab().toImage()
    centre = shot.pixelColor(shot.width() // 2, shot.height() // 2)
    assert centre.red() > 200 and centre.green() < 60  # the tile shows through the land

    folder = tmp_path / "tiles"
    for z, x, y in _county_tiles(9):
        (folder / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
        (folder / str(z) / str(x) / f"{y}.png").write_bytes(png_tile("#0000ff"))
    assert page.set_base_layer(str(folder)) == ""
    settle(window)
    _assert_tiles_placed(page)
    assert {k[0] for k in page.map.tile_items} == {9}

    assert "找不到底图" in page.set_base_layer(str(tmp_path / "gone.mbtiles"))
    assert window.context.settings.get(MAP_BASE_LAYER) == str(folder)  # a bad choice not kept
    assert page.base_path == str(folder) and page.map.tile_items  # the old one stays


def test_base_layer_chosen_on_the_settings_page(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = map_page(window)
    assert page.map.tiles is None and "未设置" in page.base_label.text()
    path = write_mbtiles(
        tmp_path / "county.mbtiles",
        {key: png_tile("#00ff00") for key in _county_tiles(9)},
        "设置页底图",
    )
    settings = window.show_view("settings")
    assert isinstance(settings, SettingsPage)
    assert settings.base_layer.text() == NO_BASE_LAYER
    monkeypatch.setattr(map_base_dialog, "ask_base_layer", lambda _parent: str(path))
    settings.base_button.click()
    assert settings.base_layer.text() == str(path)
    assert window.context.settings.get(MAP_BASE_LAYER) == str(path)
    window.show_view("risk-map")  # the map takes the new base layer on arrival
    settle(window)
    assert page.base_path == str(path) and "设置页底图" in page.base_label.text()
    _assert_tiles_placed(page)


def test_geojson_layer_import_toggle_remove_and_refusal(window: MainWindow, tmp_path: Path) -> None:
    page = map_page(window)
    river = tmp_path / "乌溪江.geojson"
    river.write_text(
        json.dumps({"type": "LineString", "coordinates": [[119.0, 28.5], [119.3, 28.6]]}),
        encoding="utf-8",
    )
    refusals: list[str] = []
    page.import_overlay(river, on_refused=refusals.append)
    settle(window)  # read, checked and copied in the background
    assert refusals == []
    [layer] = page.overlays.layers()
    assert layer.name == "乌溪江"
    item = page.map.overlay_items[layer.id]
    assert item.isVisible() and not item.path().isEmpty()
    box = page.layer_panel.findChild(type(page.layer_panel.boxes[FLOOD]), f"overlay_{layer.id}")
    assert box is not None
    box.setChecked(False)
    assert not item.isVisible() and not page.overlays.layers()[0].visible
    assert "乌溪江" not in [e.label for e in page.legend_entries()]
    page.remove_overlay(layer.id)
    settle(window)
    assert page.overlays.layers() == [] and layer.id not in page.map.overlay_items

    bad = tmp_path / "points.geojson"
    bad.write_text(json.dumps({"type": "Point", "coordinates": [119.0, 28.5]}), encoding="utf-8")
    page.import_overlay(bad, on_refused=refusals.append)
    settle(window)
    assert len(refusals) == 1 and "没有线或面要素" in refusals[0]
    assert page.overlays.layers() == [] and not page.map.overlay_items


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: dialogs, popups
def test_picker_dialog_click_keys_and_nearest_village(qtbot: QtBot, window: MainWindow) -> None:
    page = map_page(window)
    village = page.snapshot.layer(VILLAGES)[3]
    dialog = MapPickerDialog(page.snapshot, window.context.theme.colors(), None, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.map.zoom_to(village.lon, village.lat, 2.0)
    QApplication.processEvents()
    pos = screen_pos(dialog.map, village).toPoint() + QPointF(3, 0).toPoint()
    qtbot.mouseClick(dialog.map.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert dialog.point is not None
    assert abs(dialog.point[0] - village.lon) < 0.001 and abs(dialog.point[1] - village.lat) < 0.001
    assert village.name in dialog.nearest.text()
    before = dialog.point
    dialog.map.setFocus()
    qtbot.keyClick(dialog.map, Qt.Key.Key_Right)
    qtbot.keyClick(dialog.map, Qt.Key.Key_Up)
    assert dialog.point[0] > before[0] and dialog.point[1] > before[1]
    dialog.lat.setValue(28.6)  # typed coordinates move the cross too
    assert dialog.point[1] == 28.6
    qtbot.keyClick(dialog.map, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    picked = dialog.picked()
    assert picked is not None and picked.lat == 28.6 and picked.village


def when_picker_opens(act: Callable[[MapPickerDialog], None]) -> QTimer:
    """Act on the picker once it is open (its modal loop runs the timer); keep the timer."""
    timer = QTimer()
    timer.setInterval(20)

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, MapPickerDialog):
            timer.stop()
            act(dialog)

    timer.timeout.connect(check)
    timer.start()
    return timer


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_call_form_takes_the_picked_point(qtbot: QtBot, window: MainWindow) -> None:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    form = page.form
    assert form.pick_button.isVisible()
    village = next(f for f in map_page(window).snapshot.layer(VILLAGES) if f.name == "苏村")
    window.show_view("intake")

    def choose(dialog: MapPickerDialog) -> None:
        dialog.set_point(village.lon, village.lat)
        dialog.accept()

    poll = when_picker_opens(choose)
    form.pick_button.click()  # the places are read in the background, then it opens
    settle(window)
    assert not poll.isActive()  # it opened and was answered
    assert form.position == (round(village.lon, 6), round(village.lat, 6))
    assert form.line("township").text() == village.township
    assert form.line("village").text() == "苏村"
    values = form.values()
    assert float(values["lon"]) == round(village.lon, 6)

    def cancel(dialog: MapPickerDialog) -> None:
        assert dialog.point == form.position  # opens on the form's point
        dialog.reject()

    activate(qtbot, window)  # the closed dialog took the activation with it
    form.line("address").setFocus()
    poll = when_picker_opens(cancel)
    qtbot.keyClick(form.line("address"), Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    settle(window)
    assert not poll.isActive()
    assert form.position == (round(village.lon, 6), round(village.lat, 6))  # cancel: kept
    form.clear()
    assert form.position is None and "lon" not in form.values()


def test_who_is_responsible_from_the_incident_detail(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page, _incident_id = page_with_incident(window, workstation)
    assert page.detail.responsible_button.isEnabled()
    kind, village_id = page.detail.responsible_place() or ("", "")
    assert kind == "village"
    page.detail.responsible_button.click()
    settle(window)
    assert window.current_view() == "contacts"
    contacts = window.page("contacts")
    assert isinstance(contacts, ContactsPage)
    qtbot.waitUntil(lambda: contacts.chosen_place() is not None)
    chosen = contacts.chosen_place()
    assert chosen is not None and chosen[:2] == ("village", village_id) and "苏村" in chosen[2]


def test_stored_areas_are_outlined_under_their_points_and_hide_with_their_layer(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = map_page(window)
    snapshot = page.map.snapshot
    assert snapshot is not None and page.map.area_items == {}  # the sample has no areas
    point, village = snapshot.layer(FLOOD)[0], snapshot.layer(VILLAGES)[0]

    def square(lon: float, lat: float, half: float) -> str:
        ring = [
            [lon - half, lat - half],
            [lon + half, lat - half],
            [lon + half, lat + half],
            [lon - half, lat + half],
            [lon - half, lat - half],
        ]
        return json.dumps({"type": "Polygon", "coordinates": [ring]})

    workstation.writer.apply(
        [
            ("risk_point.upsert", {"id": point.id, "area": square(point.lon, point.lat, 0.004)}),
            ("village.upsert", {"id": village.id, "area": square(village.lon, village.lat, 0.01)}),
        ],
        user="测试",
    )
    # the change bus has the map read a fresh snapshot and redraw
    qtbot.waitUntil(lambda: len(page.map.area_items) == 2, timeout=5000)
    items = page.map.area_items
    assert set(items) == {FLOOD, VILLAGES}
    flood = items[FLOOD]
    assert flood.isVisible() and flood.zValue() < page.map.scatters[FLOOD].zValue()
    x, y = page.map.projection.xy(point.lon, point.lat)
    box = flood.path().boundingRect()
    assert box.contains(QPointF(x, y))
    assert 0.7 < box.width() < 0.9  # 0.008 degrees of longitude, in kilometres
    assert flood.pen().color().name() == QColor(layer_style(FLOOD).color).name()
    page.layer_panel.boxes[FLOOD].setChecked(False)
    assert not flood.isVisible() and items[VILLAGES].isVisible()
    page.draw(fit=False)  # a redraw keeps the layer hidden, its area too
    assert not page.map.area_items[FLOOD].isVisible()
    page.layer_panel.boxes[FLOOD].setChecked(True)
    assert page.map.area_items[FLOOD].isVisible()
