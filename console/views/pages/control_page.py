"""管控一张表: for the evacuation under way, every township and village with 应转 / 已转 /
拒转 / 返回 / 在外 and the progress, the villages silent too long, the shelters filling up;
for the selected village its responsibility chain with phones, its reports, and a one-line
form to record what a village or township phones in (and to correct a report).

Reads run on the task runner through :class:`ControlTable`; writes through
:class:`TransferService` (one mutation each, so reports from several workstations add up).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog
from console.models.control_table_model import ControlTableModel
from console.services import control_io
from console.services.contacts import ContactsService, Responsible
from console.services.control_table import (
    TOWNSHIP,
    VILLAGE,
    ControlRow,
    ControlSnapshot,
    ControlTable,
)
from console.services.transfers import TransferService
from console.settings import laggard_minutes
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.control_return_dialog import ReturnImportDialog
from console.views.pages.base import (
    PageContext,
    WritingPage,
    read_only_table,
    text_items,
)

WHOLE_VILLAGE = "（全村）"
Candidates = list[tuple[dict[str, Any], list[dict[str, Any]]]]  # (township, its villages)
TABLES = (
    "evacuations",
    "evacuation_areas",
    "transfer_events",
    "villages",
    "townships",
    "shelters",
)
EVENT_COLUMNS = ("报告时间", "类别", "人数", "户数", "去向", "报告人", "录入", "备注")
CHAIN_COLUMNS = ("责任", "姓名", "手机")
HOME_COLUMNS = ("户主", "人数", "类别", "转移需求", "帮扶人", "帮扶人电话")
SHELTER_COLUMNS = ("避灾场所", "乡镇", "容纳", "现有")
NO_SHELTER = "（不指定）"


class ControlPage(WritingPage):
    refreshed = Signal()  # a snapshot landed (tests wait on it)
    village_shown = Signal()  # the selected village's reports are listed
    return_ready = Signal()  # a returned table's preview is shown

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        writer = context.incidents.writer if context.incidents is not None else None
        self.transfers = TransferService(context.queries.store, writer)
        self.table_service = ControlTable(self.transfers)
        self.contacts = ContactsService(context.queries.store, context.incidents)
        self.snapshot = ControlSnapshot()
        self.village: ControlRow | None = None
        self.return_dialog: ReturnImportDialog | None = None
        self._chain_seq = 0
        self._reading = False  # a snapshot is being read
        self._stale = False  # something changed meanwhile: read again when it lands
        self._wanted: str | None = None  # the evacuation asked for by the last refresh
        # The tables changed since the last read began (None: not known, read everything).
        self._since: set[str] | None = None
        self.header.subtitle.setText(
            "按乡镇、村汇总应转、已转、拒转、返回人数；转移记录逐条登记，多台值班台同时登记也不会互相覆盖。"
        )

        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(QLabel("转移行动", self))
        self.evacuation = QComboBox(self)
        self.evacuation.setMinimumContentsLength(24)
        bar.addWidget(self.evacuation)
        self.new_button = QPushButton("新建转移行动…", self)
        self.expand_button = QPushButton("扩面转移…", self)
        self.expand_dialog: ExpandDialog | None = None  # while it asks (tests reach it)
        self.expand_button.setToolTip("把更多村纳入本次转移范围，应转人数取其风险点的受威胁人数")
        self.close_button = QPushButton("结束行动", self)
        for button in (self.new_button, self.expand_button, self.close_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self.export_button = QPushButton("导出管控表…", self)
        self.export_button.setToolTip(
            "导出本次转移范围内各村的应转、已转等数字（乡镇报送的表式）：全部乡镇或单个乡镇"
        )
        self.export_menu = QMenu(self.export_button)
        self.export_menu.aboutToShow.connect(self._fill_export_menu)
        self.export_button.setMenu(self.export_menu)
        self.return_button = QPushButton("导入乡镇回传表…", self)
        self.return_button.setToolTip("乡镇填报的累计数与已登记数比对，差额登记为转移记录")
        bar.addWidget(self.export_button)
        bar.addWidget(self.return_button)
        self.layout_.addLayout(bar)

        strip = QWidget(self)
        kpis = QHBoxLayout(strip)
        kpis.setContentsMargins(0, 0, 0, 0)
        kpis.setSpacing(32)
        self.kpi: dict[str, QLabel] = {}
        for key in ("应转", "已转", "拒转", "返回", "在外", "进度", "超时未报"):
            box = QVBoxLayout()
            box.setSpacing(0)
            value = QLabel("—", strip)
            value.setObjectName("KpiValue")
            label = QLabel(
                f"{key}（人）" if key in ("应转", "已转", "拒转", "返回", "在外") else key, strip
            )
            label.setObjectName("Muted")
            box.addWidget(value)
            box.addWidget(label)
            kpis.addLayout(box)
            self.kpi[key] = value
        kpis.addStretch(1)
        strip.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.layout_.addWidget(strip)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        self.model = ControlTableModel(self)
        colors = context.theme.colors()
        self.model.set_colors(colors.danger, colors.ok)
        self.table = read_only_table(left, self.model, 0)
        for column, width in enumerate((0, 56, 56, 48, 48, 48, 48, 52, 68, 104)):
            if column:
                self.table.setColumnWidth(column, width)
        left_box.addWidget(self.table, 3)
        shelters_title = QLabel("避灾场所安置情况", left)
        shelters_title.setObjectName("FormHeading")
        left_box.addWidget(shelters_title)
        self.shelter_model = QStandardItemModel(0, len(SHELTER_COLUMNS), self)
        self.shelter_model.setHorizontalHeaderLabels(list(SHELTER_COLUMNS))
        self.shelters = read_only_table(left, self.shelter_model, 0)
        left_box.addWidget(self.shelters, 1)

        right = QWidget(splitter)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        self.village_title = QLabel("请选择一个村", right)
        self.village_title.setObjectName("FormHeading")
        right_box.addWidget(self.village_title)
        self.people_tabs = QTabWidget(right)
        self.people_tabs.setDocumentMode(True)
        self.chain_model = QStandardItemModel(0, len(CHAIN_COLUMNS), self)
        self.chain_model.setHorizontalHeaderLabels(list(CHAIN_COLUMNS))
        self.chain = read_only_table(self.people_tabs, self.chain_model, 1)
        self.chain.setColumnWidth(0, 120)
        self.people_tabs.addTab(self.chain, "责任人")
        self.home_model = QStandardItemModel(0, len(HOME_COLUMNS), self)
        self.home_model.setHorizontalHeaderLabels(list(HOME_COLUMNS))
        self.homes = read_only_table(self.people_tabs, self.home_model, 3)
        self.people_tabs.addTab(self.homes, "一户一策")
        right_box.addWidget(self.people_tabs, 3)

        form = QGridLayout()
        form.setHorizontalSpacing(8)
        self.kind = QComboBox(right)
        self.kind.addItems(list(catalog.TRANSFER_KINDS))
        self.persons = QSpinBox(right)
        self.persons.setRange(0, 100_000)
        self.households = QSpinBox(right)
        self.households.setRange(0, 100_000)
        self.destination = QComboBox(right)
        self.destination.addItem("（未填）", "")
        for d in catalog.DESTINATIONS:
            self.destination.addItem(d, d)
        self.shelter = QComboBox(right)
        self.reported_by = QLineEdit(right)
        self.reported_by.setPlaceholderText("报告人，如 村人员转移 李春花（电话）")
        self.reported_by.setMaxLength(80)
        self.note = QLineEdit(right)
        self.note.setMaxLength(200)
        self.note.setPlaceholderText("备注")
        self.record_button = QPushButton("登记", right)
        self.record_button.setObjectName("PrimaryButton")
        form.addWidget(QLabel("类别", right), 0, 0)
        form.addWidget(self.kind, 0, 1)
        form.addWidget(QLabel("人数", right), 0, 2)
        form.addWidget(self.persons, 0, 3)
        form.addWidget(QLabel("户数", right), 0, 4)
        form.addWidget(self.households, 0, 5)
        form.addWidget(QLabel("去向", right), 1, 0)
        form.addWidget(self.destination, 1, 1)
        form.addWidget(QLabel("避灾场所", right), 1, 2)
        form.addWidget(self.shelter, 1, 3, 1, 3)
        form.addWidget(self.reported_by, 2, 0, 1, 4)
        form.addWidget(self.record_button, 2, 4, 1, 2)
        self.point = QComboBox(right)
        self.point.setToolTip("本村整村纳入时可不选；只纳入了风险点的村须选择报告的风险点")
        form.addWidget(QLabel("风险点", right), 3, 0)
        form.addWidget(self.point, 3, 1)
        form.addWidget(self.note, 3, 2, 1, 4)
        right_box.addLayout(form)
        self.message = QLabel(right)
        self.message.setWordWrap(True)
        right_box.addWidget(self.message)

        events_bar = QHBoxLayout()
        events_title = QLabel("本村转移记录", right)
        events_title.setObjectName("FormHeading")
        events_bar.addWidget(events_title)
        events_bar.addStretch(1)
        self.correct_button = QPushButton("更正所选…", right)
        self.correct_button.setToolTip("登记一条更正（增减人数），原记录保留")
        events_bar.addWidget(self.correct_button)
        right_box.addLayout(events_bar)
        self.event_model = QStandardItemModel(0, len(EVENT_COLUMNS), self)
        self.event_model.setHorizontalHeaderLabels(list(EVENT_COLUMNS))
        self.events = read_only_table(right, self.event_model, len(EVENT_COLUMNS) - 1)
        right_box.addWidget(self.events, 2)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 460])
        self.layout_.addWidget(splitter, 1)

        self.evacuation.activated.connect(lambda _i: self.refresh())
        self.new_button.clicked.connect(self._ask_new)
        self.expand_button.clicked.connect(self._ask_expand)
        self.close_button.clicked.connect(self.toggle_closed)
        self.return_button.clicked.connect(self._ask_return)
        self.record_button.clicked.connect(self.record)
        self.persons.editingFinished.connect(self._persons_done)
        self.correct_button.clicked.connect(self._ask_correct)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._row_selected(current.row())
        )
        self.events.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._update_buttons()
        )
        context.bus.changed.connect(self._on_changes)
        self._update_buttons()
        self.refresh()

    # -- reading ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """Shown again after 设置 changed the 超时未报 minutes: flagged afresh."""
        super().showEvent(event)
        if laggard_minutes(self.context.settings) != self.laggard_minutes:
            self.refresh()

    def refresh(self) -> None:
        """Read the whole table again in the background."""
        self._since = None
        self._read()

    def _read(self) -> None:
        """One read at a time: changes arriving while one runs start one more read when it
        lands (a burst of pulls is not a queue of reads, and an older read never lands over
        a newer one). After changes to transfer events only, only the new events are read."""
        self._wanted = self.evacuation.currentData()
        if self._reading:
            self._stale = True
            return
        self._reading, self._stale = True, False
        chosen = self._wanted
        since = None if self._since is None else frozenset(self._since)
        self._since = set()
        self.laggard_minutes = minutes = laggard_minutes(self.context.settings)
        run_task(
            self.context.tasks,
            lambda: self.table_service.snapshot(
                chosen, now=self.context.clock(), minutes=minutes, since=since
            ),
            on_done=self._landed,
            on_error=self._read_failed,
            receiver=self,
        )

    def _landed(self, snapshot: ControlSnapshot) -> None:
        self._reading = False
        chosen = snapshot.evacuation["id"] if snapshot.evacuation is not None else None
        if not (self._stale and self._wanted not in (None, chosen)):
            self._land(snapshot)  # else another evacuation was chosen meanwhile
        if self._stale:
            self._stale = False
            if self._wanted is not None:
                self.evacuation.setCurrentIndex(max(0, self.evacuation.findData(self._wanted)))
            self._read()

    def _read_failed(self, exc: BaseException) -> None:
        self._reading = self._stale = False
        self._since = None
        self._say(f"无法读取管控表：{getattr(exc, 'message', None) or exc}", error=True)

    def _land(self, snapshot: ControlSnapshot) -> None:
        self.snapshot = snapshot
        self.evacuation.blockSignals(True)
        self.evacuation.clear()
        for e in snapshot.evacuations:
            state = "" if e["status"] == catalog.EVACUATION_OPEN else "（已结束）"
            self.evacuation.addItem(f"{e['title']}{state}", e["id"])
        if snapshot.evacuation is not None:
            self.evacuation.setCurrentIndex(self.evacuation.findData(snapshot.evacuation["id"]))
        self.evacuation.blockSignals(False)
        selected = self.village.id if self.village is not None else None
        self.model.set_records(snapshot.rows)
        county = snapshot.county
        self.kpi["应转"].setText(str(county.planned_persons))
        self.kpi["已转"].setText(str(county.moved))
        self.kpi["拒转"].setText(str(county.refused))
        self.kpi["返回"].setText(str(county.returned))
        self.kpi["在外"].setText(str(county.away))
        self.kpi["进度"].setText("—" if county.progress is None else f"{county.progress:.0%}")
        late = snapshot.rows[0].laggards if snapshot.rows else 0
        self.kpi["超时未报"].setText(f"{late} 个村")
        self.kpi["超时未报"].setToolTip(
            f"转移行动进行中，{self.laggard_minutes} 分钟以上没有报告的村（在“设置”中修改）"
        )
        self.shelter_model.removeRows(0, self.shelter_model.rowCount())
        for s in snapshot.shelters:
            row = text_items((s.name, s.township, str(s.capacity or "—"), str(s.present)), s.id)
            if s.over:
                for item in row:
                    item.setForeground(self.model.danger)
                    item.setToolTip(f"{s.name} 已超过容纳人数 {s.capacity}")
            self.shelter_model.appendRow(row)
        if snapshot.evacuation is None:
            self.village_title.setText("尚无转移行动：点击“新建转移行动…”开始")
        rows = [r for r in snapshot.rows if r.level == VILLAGE]
        again = next((i for i, r in enumerate(snapshot.rows) if r.id == selected), None)
        if again is None and rows:
            again = snapshot.rows.index(rows[0])
        if again is not None:
            self.table.selectRow(again)
            self._row_selected(again)
        else:
            self.village = None
            self._show_village()
        self._update_buttons()
        self.refreshed.emit()

    def _row_selected(self, row: int) -> None:
        record = self.model.record(row) if 0 <= row < self.model.rowCount() else None
        self.village = record if record is not None and record.level == VILLAGE else None
        self._show_village()
        self._update_buttons()

    def _show_village(self) -> None:
        village = self.village
        self.event_model.removeRows(0, self.event_model.rowCount())
        self.chain_model.removeRows(0, self.chain_model.rowCount())
        self.home_model.removeRows(0, self.home_model.rowCount())
        if village is None:
            if self.snapshot.evacuation is not None:
                self.village_title.setText("请选择一个村")
            return
        t = village.tally
        self.village_title.setText(
            f"{village.name}：应转 {t.planned_persons} 人，已转 {t.moved}，拒转 {t.refused}，"
            f"返回 {t.returned}"
        )
        self._fill_shelters(village.township_id)
        self._chain_seq += 1
        seq, village_id = self._chain_seq, village.id
        run_task(
            self.context.tasks,
            self.contacts.responsible,
            "village",
            village_id,
            on_done=lambda found: self._show_chain(seq, found),
            receiver=self,
        )
        run_task(
            self.context.tasks,
            self.table_service.households,
            village_id,
            on_done=lambda homes: self._show_homes(seq, homes),
            receiver=self,
        )
        evacuation = self.snapshot.evacuation
        self.point.clear()
        if evacuation is not None:
            circle_of = self.transfers.circle
            run_task(
                self.context.tasks,
                lambda: circle_of(str(evacuation["id"])).get(village_id, {}),
                on_done=lambda held: self._show_points(seq, held),
                receiver=self,
            )
            run_task(
                self.context.tasks,
                self.transfers.village_events,
                evacuation["id"],
                village_id,
                on_done=lambda events: self._show_events(seq, events),
                receiver=self,
            )

    def _show_points(self, seq: int, held: dict[str | None, str]) -> None:
        """The report's place: the whole village (when it is in the circle whole) or one of
        its risk points in the circle."""
        if seq != self._chain_seq:
            return
        self.point.clear()
        if None in held:
            self.point.addItem(WHOLE_VILLAGE, None)
        for point, name in sorted(((p, n) for p, n in held.items() if p), key=lambda x: x[1]):
            self.point.addItem(name, point)
        self._update_buttons()

    def _show_homes(self, seq: int, homes: list[dict[str, Any]]) -> None:
        if seq != self._chain_seq:
            return
        self.home_model.removeRows(0, self.home_model.rowCount())
        for h in homes:
            self.home_model.appendRow(
                text_items(
                    (
                        h["head_name"],
                        str(h["persons"]),
                        h["condition"],
                        h["needs"],
                        h["helper_name"] or "",
                        h["helper_mobile"] or "",
                    ),
                    h,
                )
            )
        self.people_tabs.setTabText(1, f"一户一策（{len(homes)} 户）" if homes else "一户一策")

    def _show_events(self, seq: int, events: list[dict[str, Any]]) -> None:
        if seq != self._chain_seq:
            return  # another village was selected meanwhile
        self.event_model.removeRows(0, self.event_model.rowCount())
        for e in events:
            kind = f"{e['kind']}（更正）" if e["correction_of"] else e["kind"]
            self.event_model.appendRow(
                text_items(
                    (
                        beijing.display(e["reported_at"])[5:],
                        kind,
                        str(e["persons"]),
                        str(e["households"]),
                        e["destination"] or "",
                        e["reported_by"],
                        e["author"],
                        e["note"],
                    ),
                    e,
                )
            )
        self._update_buttons()
        self.village_shown.emit()

    def _fill_shelters(self, township_id: str) -> None:
        current = self.shelter.currentData()
        self.shelter.clear()
        self.shelter.addItem(NO_SHELTER, None)
        shelters = sorted(
            self.snapshot.shelter_choices,
            key=lambda s: (s.get("township_id") != township_id, str(s["name"])),
        )
        for s in shelters:
            self.shelter.addItem(str(s["name"]), s["id"])
        self.shelter.setCurrentIndex(max(0, self.shelter.findData(current)))

    def _show_chain(self, seq: int, found: list[Responsible]) -> None:
        if seq != self._chain_seq:
            return
        self.chain_model.removeRows(0, self.chain_model.rowCount())
        for r in found:
            self.chain_model.appendRow(text_items((r.role, r.contact.name, r.contact.mobile), r))
        if not found:
            self.chain_model.appendRow(text_items(("尚未登记责任人", "", "")))

    def _update_buttons(self) -> None:
        evacuation = self.snapshot.evacuation
        writable = self.transfers.writable
        is_open = evacuation is not None and evacuation["status"] == catalog.EVACUATION_OPEN
        self.new_button.setEnabled(writable)
        self.expand_button.setEnabled(writable and is_open)
        self.close_button.setEnabled(writable and evacuation is not None)
        self.close_button.setText("结束行动" if is_open or evacuation is None else "重新开始")
        self.export_button.setEnabled(evacuation is not None)
        self.return_button.setEnabled(writable and evacuation is not None)
        can_record = writable and self.village is not None
        for widget in (self.record_button, self.persons, self.households, self.kind):
            widget.setEnabled(can_record)
        self.point.setEnabled(can_record and self.point.count() > 1)
        self.correct_button.setEnabled(can_record and self.events.currentIndex().isValid())

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            if self._since is not None:
                self._since |= changes.tables.intersection(TABLES)
            self._read()

    # -- writing ------------------------------------------------------------------------
    def _persons_done(self) -> None:
        if self.persons.hasFocus() and self.persons.value() > 0:
            self.record()

    def record(self) -> None:
        """登记: the form's report for the selected village; the form keeps its values on a
        refusal, and clears the numbers once saved."""
        village, evacuation = self.village, self.snapshot.evacuation
        if village is None or evacuation is None:
            return
        kind, persons, households = (
            self.kind.currentText(),
            self.persons.value(),
            self.households.value(),
        )
        if persons == 0 and households == 0:
            self._say("请填写人数或户数", error=True)
            return
        shelter = self.shelter.currentData()
        destination = self.destination.currentData() or ""
        reported_by, note, user = self.reported_by.text(), self.note.text(), self._user()
        evacuation_id, point = evacuation["id"], self.point.currentData()

        def write() -> str:
            return self.transfers.record(
                evacuation_id,
                village.id,
                kind,
                persons,
                households=households,
                destination=destination,
                shelter_id=shelter,
                reported_by=reported_by,
                note=note,
                user=user,
                risk_point_id=point,
            )

        def saved(_result: object) -> None:
            self.persons.setValue(0)
            self.households.setValue(0)
            self.note.clear()

        self._write(write, f"已登记：{village.name} {kind} {persons} 人", saved)

    def open_evacuation(self, title: str) -> None:
        user = self._user()
        self._write(lambda: self.transfers.open(title, user=user), f"已新建转移行动：{title}")

    def expand(
        self, villages: list[str], reason: str, points: list[tuple[str, str]] | None = None
    ) -> None:
        """扩面转移: ``villages`` whole and the risk points ``points`` into the circle."""
        evacuation = self.snapshot.evacuation
        points = points or []
        if evacuation is None or not (villages or points):
            return
        evacuation_id, user = evacuation["id"], self._user()
        said = "、".join(
            x for x in (f"{len(villages)} 个村" if villages else "",
                        f"{len(points)} 个风险点" if points else "") if x
        )  # fmt: skip
        self._write(
            lambda: self.transfers.add_areas(
                evacuation_id, villages, reason=reason, user=user, points=points
            ),
            f"已纳入转移范围：{said}",
        )

    def toggle_closed(self) -> None:
        evacuation = self.snapshot.evacuation
        if evacuation is None:
            return
        evacuation_id, user = evacuation["id"], self._user()
        if evacuation["status"] == catalog.EVACUATION_OPEN:
            self._write(lambda: self.transfers.close(evacuation_id, user=user), "转移行动已结束")
        else:
            self._write(
                lambda: self.transfers.reopen(evacuation_id, user=user), "转移行动已重新开始"
            )

    def correct(self, event: dict[str, Any], persons: int, households: int, note: str) -> None:
        user = self._user()
        self._write(
            lambda: self.transfers.correct(
                event["id"], persons, households=households, note=note, user=user
            ),
            f"已登记更正：{persons:+d} 人",
        )

    # -- Excel ----------------------------------------------------------------------------
    def export_to(self, path: Path, township_id: str | None = None, name: str = "") -> None:
        """The circle's table (only ``township_id``'s villages when given) to ``path``."""
        evacuation = self.snapshot.evacuation
        if evacuation is None:
            return
        evacuation_id = evacuation["id"]
        self._write(
            lambda: control_io.export_table(
                self.table_service, evacuation_id, path, township_id=township_id
            ),
            f"已导出{name}管控表：{path}",
        )

    def open_return(self, path: Path) -> None:
        """Preview a township's returned table, then the import dialog."""
        evacuation = self.snapshot.evacuation
        if evacuation is None or self.context.incidents is None:
            return
        evacuation_id = evacuation["id"]
        writer = self.context.incidents.writer

        def show(preview: control_io.ReturnPreview) -> None:
            self.return_dialog = ReturnImportDialog(
                preview,
                writer,
                user=self._user,
                colors=self.context.theme.colors(),
                tasks=self.context.tasks,
                parent=self,
            )
            self.return_dialog.open()
            self.return_ready.emit()

        run_task(
            self.context.tasks,
            lambda: control_io.preview_return(
                self.table_service, evacuation_id, path, now=self.context.clock()
            ),
            on_done=show,
            on_error=lambda exc: self._say(f"无法读取：{getattr(exc, 'message', exc)}", error=True),
            receiver=self,
        )

    def _fill_export_menu(self) -> None:
        """导出管控表: the whole circle, or one township's table (what it sends up)."""
        menu = self.export_menu
        menu.clear()
        menu.addAction("全部乡镇…", lambda: self._ask_export())
        towns = [r for r in self.snapshot.rows if r.level == TOWNSHIP]
        if towns:
            menu.addSeparator()
        for r in towns:
            menu.addAction(f"{r.name}…", self._exporter(r.id, r.name))

    def _exporter(self, township_id: str, name: str) -> Callable[[], None]:
        return lambda: self._ask_export(township_id, name)

    def _ask_export(self, township_id: str | None = None, name: str = "") -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, f"导出{name}管控表", f"{name or '管控一张表'}{'管控表' if name else ''}.xlsx",
            "Excel 工作簿 (*.xlsx)",
        )  # fmt: skip
        if path:
            self.export_to(Path(path), township_id, name)

    def _ask_return(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择乡镇回传表", "", "表格 (*.xlsx *.csv)")
        if path:
            self.open_return(Path(path))

    # -- dialogs ------------------------------------------------------------------------
    def _ask_new(self) -> None:
        default = f"{beijing.display(self.context.clock())[:10]} 人员转移"
        title, ok = QInputDialog.getText(self, "新建转移行动", "转移行动名称：", text=default)
        if ok and title.strip():
            self.open_evacuation(title.strip())

    def _ask_expand(self) -> None:
        """Read every township's villages and their people at risk in the background, then
        ask: the dialog itself never touches the store."""
        queries, table = self.context.queries, self.table_service
        evacuation = self.snapshot.evacuation
        evacuation_id = str(evacuation["id"]) if evacuation is not None else ""

        def read() -> tuple[Candidates, dict[str, dict[str | None, str]]]:
            candidates = [(t, table.candidates(str(t["id"]))) for t in queries.townships()]
            return candidates, self.transfers.circle(evacuation_id)

        self.expand_button.setEnabled(False)  # one dialog at a time
        run_task(self.context.tasks, read, on_done=self._show_expand, receiver=self)

    def _show_expand(self, read: tuple[Candidates, dict[str, dict[str | None, str]]]) -> None:
        self.expand_button.setEnabled(self.snapshot.evacuation is not None)
        dialog = self.expand_dialog = ExpandDialog(self, *read)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                villages, points = dialog.chosen_areas()
                self.expand(villages, dialog.reason.text(), points)
        finally:
            dialog.deleteLater()
            self.expand_dialog = None

    def _ask_correct(self) -> None:
        index = self.events.currentIndex()
        item = self.event_model.item(index.row(), 0) if index.isValid() else None
        event = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if event is None:
            return
        if event["correction_of"]:
            self._say("请选择原始记录进行更正（更正记录本身不能再更正）", error=True)
            return
        delta, ok = QInputDialog.getInt(
            self,
            "更正转移记录",
            f"原记录：{event['kind']} {event['persons']} 人。增减人数（减少填负数）：",
            0,
            -100_000,
            100_000,
        )
        if ok and delta:
            note, _ok = QInputDialog.getText(self, "更正转移记录", "更正原因：")
            self.correct(event, delta, 0, note)


class ExpandDialog(QDialog):
    """扩面转移: a township's villages with their people at risk, each with its risk points;
    tick a whole village, or only some of its points. What the circle already holds is
    shown and not added again (a village in whole, or points of it, never counted twice)."""

    def __init__(
        self,
        parent: QWidget,
        candidates: list[tuple[dict[str, Any], list[dict[str, Any]]]],
        circle: dict[str, dict[str | None, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("扩面转移：纳入更多村或风险点")
        self._candidates = {str(t["id"]): villages for t, villages in candidates}
        self._circle = circle or {}
        form = QFormLayout(self)
        self.township = QComboBox(self)
        for t, _villages in candidates:
            self.township.addItem(str(t["name"]), t["id"])
        form.addRow("乡镇", self.township)
        self.villages = QTreeWidget(self)
        self.villages.setHeaderHidden(True)
        self.villages.setMinimumSize(380, 280)
        self.villages.setToolTip("勾选村即整村纳入；只勾选其中的风险点则仅纳入这些风险点")
        form.addRow("村 / 风险点", self.villages)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText("纳入原因，如 雨量达橙色临界")
        form.addRow("原因", self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("纳入")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.township.currentIndexChanged.connect(lambda _i: self._fill())
        self._fill()

    def _fill(self) -> None:
        self.villages.clear()
        township = self.township.currentData()
        if not township:
            return
        for v in self._candidates.get(str(township), []):
            held = self._circle.get(str(v["id"]), {})
            item = QTreeWidgetItem([f"{v['name']}（受威胁 {v['persons']} 人）"])
            item.setData(0, Qt.ItemDataRole.UserRole, v["id"])
            self.villages.addTopLevelItem(item)
            if None in held:  # the whole village is in: nothing of it to add
                item.setText(0, f"{v['name']}（已整村纳入）")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                continue
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
            if not held:  # points already in: only the others, one by one
                flags |= Qt.ItemFlag.ItemIsAutoTristate
            item.setFlags(flags)
            for p in v.get("points", []):
                child = QTreeWidgetItem([f"{p['name']}（{p['persons']} 人）"])
                child.setData(0, Qt.ItemDataRole.UserRole, p["id"])
                item.addChild(child)
                if p["id"] in held:
                    child.setText(0, f"{p['name']}（已纳入）")
                    child.setFlags(child.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                    continue
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Unchecked)
            if held:
                item.setText(0, f"{v['name']}（部分风险点已纳入，可再选其余风险点）")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            else:
                checked = Qt.CheckState.Checked if v["persons"] else Qt.CheckState.Unchecked
                item.setCheckState(0, checked)

    def chosen(self) -> list[str]:
        """The villages ticked whole (every point ticked, or a village without points)."""
        return self.chosen_areas()[0]

    def chosen_areas(self) -> tuple[list[str], list[tuple[str, str]]]:
        """(villages ticked whole, (village, risk point) ticked on their own)."""
        villages: list[str] = []
        points: list[tuple[str, str]] = []
        for i in range(self.villages.topLevelItemCount()):
            item = self.villages.topLevelItem(i)
            if item is None:
                continue
            village = str(item.data(0, Qt.ItemDataRole.UserRole))
            whole = item.flags() & Qt.ItemFlag.ItemIsUserCheckable
            if whole and item.checkState(0) == Qt.CheckState.Checked:
                villages.append(village)
                continue
            for j in range(item.childCount()):
                child = item.child(j)
                if child is not None and (child.flags() & Qt.ItemFlag.ItemIsEnabled
                        and child.checkState(0) == Qt.CheckState.Checked):  # fmt: skip
                    points.append((village, str(child.data(0, Qt.ItemDataRole.UserRole))))
        return villages, points
