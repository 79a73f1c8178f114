"""队伍 tab of 队伍与值班: the status board of the rescue teams.

Left, the board: every team with its status and since when, available people of its
headcount, key equipment and certificate warnings; chips count teams by status and kind; a
text filter; and the reach filter "what can reach 北界镇 with 风力灭火机" (a township, an
equipment name, a distance, standby only). Right, the chosen team: its status (set by
hand), members with their certificates (flagged 30 days before they lapse and when
lapsed), equipment with counts, and the incidents it is out on. Members, equipment and
certificates are edited through the 基础数据 record forms (RecordForm).

Reads come from ``TeamService`` on the task runner; the panel refreshes only when a change
touches the tables it shows.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog
from console.domain import teams as rules
from console.domain.reference_tables import reference_table
from console.models.record_table import RECORD_ROLE, SORT_ROLE
from console.models.team_table_model import STATUS_COLORS, TeamTableModel
from console.services.reference_data import ReferenceSnapshot
from console.services.teams import TABLES, Board, TeamDetail, TeamService
from console.store.changes import Changes
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import run_task
from console.views.forms.record_form import RecordForm
from console.views.pages.base import PageContext, sorted_table

ALL_TOWNSHIPS = "（不限乡镇）"
DEFAULT_KM = 20.0
MEMBER_COLUMNS = ("姓名", "队内职务", "证书", "在岗", "技能特长", "手机")
CERTIFICATE_COLUMN = MEMBER_COLUMNS.index("证书")
EQUIPMENT_COLUMNS = ("装备名称", "数量")
LAPSED_COLOR, LAPSING_COLOR = "#f5222d", "#fa8c16"


class _BoardFilter(QSortFilterProxyModel):
    """The text filter plus the reach filter's team ids (None: every team)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.allowed: set[str] | None = None

    def set_allowed(self, allowed: set[str] | None) -> None:
        self.beginFilterChange()
        self.allowed = allowed
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self.allowed is not None:
            record = self.sourceModel().index(row, 0, parent).data(RECORD_ROLE)
            if record is None or record["id"] not in self.allowed:
                return False
        return super().filterAcceptsRow(row, parent)


def _cell_table(parent: QWidget, headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def certificate_text(certificates: list[dict[str, Any]]) -> str:
    """'红十字救护员证 至2026-07-20（即将到期）' for each of a member's certificates."""
    parts = []
    for c in certificates:
        until = f" 至{c['expires_on']}" if c.get("expires_on") else ""
        state = f"（{c['state']}）" if c.get("state") else ""
        parts.append(f"{c['name']}{until}{state}")
    return "；".join(parts)


class TeamPanel(QWidget):
    sample_present = Signal(bool)  # the page's 样例数据 badge follows it
    loaded = Signal()  # the board has been (re)read
    detail_shown = Signal(str)  # the team whose detail is now shown
    written = Signal(str)  # "" saved, else the refusal

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        writer = context.incidents.writer if context.incidents is not None else None
        self.service = TeamService(context.queries.store, writer)
        self.board: Board | None = None
        self.detail: TeamDetail | None = None
        self.form: RecordForm | None = None
        self._reading_detail = 0
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 12, 0, 0)
        self.layout_.setSpacing(10)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("筛选：队伍名称、乡镇、负责人、装备……")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMinimumWidth(280)
        self.filter.setMaximumWidth(360)
        bar.addWidget(self.filter)
        self.summary = QLabel(self)
        self.summary.setObjectName("Muted")
        bar.addWidget(self.summary)
        bar.addStretch(1)
        self.layout_.addLayout(bar)

        self.chips = QHBoxLayout()
        self.chips.setSpacing(8)
        self.chips.addStretch(1)
        self.layout_.addLayout(self.chips)
        self._reach_row()

        self.model = TeamTableModel(parent=self)
        self.proxy = _BoardFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.table = sorted_table(splitter, self.proxy, 3)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        splitter.addWidget(self.table)
        splitter.addWidget(self._detail_pane(splitter))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 440])
        self.layout_.addWidget(splitter, 1)

        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(lambda _text: self._update_summary())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._chosen())
        context.bus.changed.connect(self._on_changes)
        self.refresh()

    # -- layout ----------------------------------------------------------------------------
    def _reach_row(self) -> None:
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(QLabel("能到", self))
        self.reach_township = QComboBox(self)
        self.reach_township.addItem(ALL_TOWNSHIPS, None)
        self.reach_township.setMinimumWidth(130)
        row.addWidget(self.reach_township)
        row.addWidget(QLabel("距离", self))
        self.reach_km = QDoubleSpinBox(self)
        self.reach_km.setRange(1, 200)
        self.reach_km.setDecimals(0)
        self.reach_km.setValue(DEFAULT_KM)
        self.reach_km.setSuffix(" 公里内")
        row.addWidget(self.reach_km)
        row.addWidget(QLabel("带", self))
        self.reach_equipment = QComboBox(self)
        self.reach_equipment.setEditable(True)
        self.reach_equipment.setMinimumWidth(150)
        line = self.reach_equipment.lineEdit()
        if line is not None:
            line.setPlaceholderText("装备（不限）")
        row.addWidget(self.reach_equipment)
        self.reach_standby = QCheckBox("只看待命", self)
        self.reach_standby.setChecked(True)
        row.addWidget(self.reach_standby)
        self.reach_button = QPushButton("查找", self)
        self.reach_button.clicked.connect(self.apply_reach)
        row.addWidget(self.reach_button)
        self.reach_clear = QPushButton("清除", self)
        self.reach_clear.clicked.connect(self.clear_reach)
        row.addWidget(self.reach_clear)
        self.reach_result = QLabel(self)
        self.reach_result.setObjectName("Muted")
        row.addWidget(self.reach_result, 1)
        self.layout_.addLayout(row)

    def _detail_pane(self, parent: QWidget) -> QWidget:
        """The chosen team, in a scroll area: on a short window it scrolls rather than
        squeezing its tables into each other."""
        scroll = QScrollArea(parent)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(400)
        pane = QFrame(scroll)
        pane.setObjectName("TeamDetail")
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.setSpacing(6)
        self.detail_title = QLabel("选择一支队伍查看成员和装备", pane)
        self.detail_title.setObjectName("CardHeading")
        self.detail_title.setWordWrap(True)
        layout.addWidget(self.detail_title)
        self.detail_facts = QLabel(pane)
        self.detail_facts.setObjectName("Muted")
        self.detail_facts.setWordWrap(True)
        layout.addWidget(self.detail_facts)

        status_row = QHBoxLayout()
        self.status_label = QLabel(pane)
        status_row.addWidget(self.status_label)
        status_row.addStretch(1)
        status_row.addWidget(QLabel("改为", pane))
        self.status_box = QComboBox(pane)
        self.status_box.addItems(list(catalog.TEAM_STATUSES))
        status_row.addWidget(self.status_box)
        self.status_button = QPushButton("设置", pane)
        self.status_button.setToolTip("把队伍状态改为左侧所选")
        self.status_button.clicked.connect(self.set_status)
        status_row.addWidget(self.status_button)
        self.edit_team_button = QPushButton("修改队伍…", pane)
        self.edit_team_button.setToolTip("修改队伍名称、类型、人数、负责人和驻地位置")
        self.edit_team_button.clicked.connect(self.edit_team)
        status_row.addWidget(self.edit_team_button)
        layout.addLayout(status_row)
        self.out_on = QLabel(pane)  # the incidents the team is out on
        self.out_on.setWordWrap(True)
        layout.addWidget(self.out_on)

        # Each table's buttons beside its title: the pane keeps its rows for the tables.
        member_buttons = QHBoxLayout()
        self.members_title = QLabel("成员", pane)
        self.members_title.setObjectName("Muted")
        self.members_title.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        member_buttons.addWidget(self.members_title)
        member_buttons.addStretch(1)
        self.add_member_button = QPushButton("添加…", pane)
        self.add_member_button.setToolTip("添加队伍成员（从人员中选择）")
        self.add_member_button.clicked.connect(self.add_member)
        self.edit_member_button = QPushButton("修改…", pane)
        self.edit_member_button.setToolTip("修改所选成员的职务、技能和在岗情况")
        self.edit_member_button.clicked.connect(self.edit_member)
        self.add_certificate_button = QPushButton("证书…", pane)
        self.add_certificate_button.setToolTip("为所选成员登记证书及有效期")
        self.add_certificate_button.clicked.connect(self.add_certificate)
        for b in (self.add_member_button, self.edit_member_button, self.add_certificate_button):
            member_buttons.addWidget(b)
        layout.addLayout(member_buttons)
        self.members = _cell_table(pane, MEMBER_COLUMNS)
        self.members.setFixedHeight(140)  # the header and three members; more scroll
        layout.addWidget(self.members)

        gear_buttons = QHBoxLayout()
        self.equipment_title = QLabel("装备", pane)
        self.equipment_title.setObjectName("Muted")
        gear_buttons.addWidget(self.equipment_title)
        gear_buttons.addStretch(1)
        self.add_equipment_button = QPushButton("添加…", pane)
        self.add_equipment_button.setToolTip("添加装备及数量")
        self.add_equipment_button.clicked.connect(self.add_equipment)
        self.edit_equipment_button = QPushButton("修改…", pane)
        self.edit_equipment_button.setToolTip("修改所选装备的数量")
        self.edit_equipment_button.clicked.connect(self.edit_equipment)
        for b in (self.add_equipment_button, self.edit_equipment_button):
            gear_buttons.addWidget(b)
        layout.addLayout(gear_buttons)
        self.equipment = _cell_table(pane, EQUIPMENT_COLUMNS)
        self.equipment.setFixedHeight(140)
        layout.addWidget(self.equipment)
        self.message = QLabel(pane)
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._show_detail(None)
        scroll.setWidget(pane)
        return scroll

    # -- the board -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the board (in the background), then fill the table."""
        service, today = self.service, self.context.clock().date()
        run_task(
            self.context.tasks, lambda: service.board(today), on_done=self._land, receiver=self
        )

    def _land(self, board: Board) -> None:
        chosen = self.chosen_id()
        self.board = board
        self.model.set_teams(board.teams)
        self._fill_reach_choices(board)
        if self.proxy.allowed is not None:
            self.apply_reach()
        self.sample_present.emit(board.sample)
        self._update_chips()
        self._update_summary()
        if not (chosen and self.select(chosen)) and self.proxy.rowCount():
            self.table.selectRow(0)  # the first team's detail, rather than an empty pane
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        self.loaded.emit()

    def _fill_reach_choices(self, board: Board) -> None:
        current = self.reach_township.currentData()
        self.reach_township.blockSignals(True)
        self.reach_township.clear()
        self.reach_township.addItem(ALL_TOWNSHIPS, None)
        for town in board.townships:
            self.reach_township.addItem(town["name"], town["id"])
        index = self.reach_township.findData(current)
        self.reach_township.setCurrentIndex(max(0, index))
        self.reach_township.blockSignals(False)
        typed = self.reach_equipment.currentText()
        self.reach_equipment.blockSignals(True)
        self.reach_equipment.clear()
        keys = [k for k in rules.KEY_EQUIPMENT if k in board.equipment_names]
        others = [n for n in board.equipment_names if n not in keys]
        self.reach_equipment.addItems(keys + others)
        self.reach_equipment.setCurrentText(typed)
        self.reach_equipment.blockSignals(False)

    def set_reach(
        self,
        township: str | None,
        equipment: str = "",
        km: float = DEFAULT_KM,
        standby: bool = True,
    ) -> list[tuple[dict[str, Any], float | None]]:
        """Choose the reach filter by township name and apply it (the tests' and the
        keyboard's path); returns the matches."""
        index = self.reach_township.findText(township) if township else 0
        self.reach_township.setCurrentIndex(max(0, index))
        self.reach_equipment.setCurrentText(equipment)
        self.reach_km.setValue(km)
        self.reach_standby.setChecked(standby)
        return self.apply_reach()

    def apply_reach(self) -> list[tuple[dict[str, Any], float | None]]:
        board = self.board
        if board is None:
            return []
        town = board.township(self.reach_township.currentData())
        origin = (town["lon"], town["lat"]) if town is not None else None
        reach = rules.Reach(
            equipment=self.reach_equipment.currentText().strip(),
            township_id=town["id"] if town is not None else None,
            origin=origin,
            max_km=self.reach_km.value() if town is not None else None,
            standby_only=self.reach_standby.isChecked(),
        )
        found = board.reach(reach)
        self.proxy.set_allowed({team["id"] for team, _km in found})
        parts = []
        if town is not None:
            parts.append(f"{self.reach_km.value():g} 公里内能到{town['name']}")
        if reach.equipment:
            parts.append(f"带{reach.equipment}")
        if reach.standby_only:
            parts.append("待命")
        nearest = "；".join(
            f"{team['name']} {km:.1f} 公里" for team, km in found[:3] if km is not None
        )
        self.reach_result.setText(
            f"{'、'.join(parts) or '全部'}的队伍：{len(found)} 支"
            + (f"（最近：{nearest}）" if nearest else "")
        )
        self._update_summary()
        return found

    def clear_reach(self) -> None:
        self.reach_township.setCurrentIndex(0)
        self.reach_equipment.setCurrentText("")
        self.proxy.set_allowed(None)
        self.reach_result.clear()
        self._update_summary()

    def _update_summary(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = (
            f"共 {total} 支队伍，{self.model.total_members()} 人，"
            f"可用 {self.model.total_available()} 人"
        )
        if shown != total:
            text += f"；筛选后显示 {shown} 支"
        self.summary.setText(text)

    def _update_chips(self) -> None:
        while self.chips.count() > 1:
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        position = 0
        for status, count in self.model.counts_by_status():
            chip = QLabel(f"● {status} {count}", self)
            chip.setObjectName("CountChip")
            chip.setStyleSheet(f"color: {STATUS_COLORS[status]};")
            self.chips.insertWidget(position, chip)
            position += 1
        for kind, count in self.model.counts_by_kind():
            chip = QLabel(f"{kind} {count}", self)
            chip.setObjectName("CountChip")
            self.chips.insertWidget(position, chip)
            position += 1

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()
            if self.chosen_id():
                self.show_team(self.chosen_id())

    # -- the chosen team -------------------------------------------------------------------
    def chosen_id(self) -> str:
        if self.detail is not None:
            return str(self.detail.team["id"])
        index = self.table.currentIndex()
        record = index.data(RECORD_ROLE) if index.isValid() else None
        return str(record["id"]) if record else ""

    def select(self, team_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            record = self.proxy.index(row, 0).data(RECORD_ROLE)
            if record is not None and record["id"] == team_id:
                self.table.selectRow(row)
                self.table.setCurrentIndex(self.proxy.index(row, 0))
                return True
        return False

    def select_name(self, name: str) -> bool:
        for record in self.model.records():
            if record["name"] == name:
                return self.select(str(record["id"]))
        return False

    def _chosen(self) -> None:
        index = self.table.currentIndex()
        record = index.data(RECORD_ROLE) if index.isValid() else None
        if record is not None and (self.detail is None or self.detail.team["id"] != record["id"]):
            self.show_team(str(record["id"]))

    def show_team(self, team_id: str) -> None:
        self._reading_detail += 1
        asked, service, today = self._reading_detail, self.service, self.context.clock().date()

        def land(detail: TeamDetail | None) -> None:
            if asked == self._reading_detail:
                self._show_detail(detail)

        run_task(
            self.context.tasks,
            lambda: service.detail(team_id, today),
            on_done=land,
            receiver=self,
        )

    def _show_detail(self, detail: TeamDetail | None) -> None:
        self.detail = detail
        writable = detail is not None and self.service.writable
        self.status_button.setEnabled(writable)
        forms = writable and self.context.reference is not None
        for button in (
            self.add_member_button,
            self.edit_member_button,
            self.add_certificate_button,
            self.add_equipment_button,
            self.edit_equipment_button,
            self.edit_team_button,
        ):
            button.setEnabled(forms)
        if detail is None:
            self.detail_title.setText("选择一支队伍查看成员和装备")
            self.detail_facts.clear()
            self.status_label.clear()
            self.members.setRowCount(0)
            self.equipment.setRowCount(0)
            self.out_on.clear()
            self.detail_shown.emit("")
            return
        team = detail.team
        sample = "〔样例〕" if team.get("is_sample") else ""
        self.detail_title.setText(f"{sample}{team['name']}")
        facts = [team["kind"], f"人数 {team['members']}"]
        if team.get("leader"):
            facts.append(f"负责人 {team['leader']} {team.get('phone') or ''}".strip())
        if not detail.equipment and team.get("equipment"):
            facts.append(f"原装备记录：{team['equipment']}")
        self.detail_facts.setText("　".join(facts))
        status = team.get("status") or catalog.TEAM_STANDBY
        since = f"，{beijing.display(team['status_at'])} 起" if team.get("status_at") else ""
        color = STATUS_COLORS.get(status, "#8c8c8c")
        self.status_label.setText(
            f"状态：<span style='color:{color};font-weight:bold'>{status}</span>{since}"
        )
        self.status_box.setCurrentText(status)
        self._fill_members(detail)
        self._fill_equipment(detail)
        if detail.dispatches:
            self.out_on.setText(
                "出动中："
                + "；".join(
                    f"{d['incident_title']}（{beijing.display(d['dispatched_at'])} 出动）"
                    for d in detail.dispatches
                )
            )
        else:
            self.out_on.clear()
        self.out_on.setVisible(bool(detail.dispatches))
        self.detail_shown.emit(str(team["id"]))

    def _fill_members(self, detail: TeamDetail) -> None:
        self.members.setRowCount(len(detail.members))
        warned = 0
        for row, m in enumerate(detail.members):
            certs = certificate_text(m["certificates"])
            cells = (
                m["name"],
                m["role"],
                certs,
                "在岗" if m["available"] else "不在岗",
                m["skills"],
                m["mobile"],
            )
            lapsing = any(c["state"] for c in m["certificates"])
            warned += lapsing
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, m["id"])
                if column == CERTIFICATE_COLUMN and lapsing:
                    lapsed = any(c["state"] == rules.LAPSED for c in m["certificates"])
                    item.setForeground(QColor(LAPSED_COLOR if lapsed else LAPSING_COLOR))
                    item.setToolTip(certs)
                self.members.setItem(row, column, item)
        text = f"成员 {len(detail.members)} 人"
        self.members_title.setText(text + (f"（{warned} 人证书需关注）" if warned else ""))

    def _fill_equipment(self, detail: TeamDetail) -> None:
        self.equipment.setRowCount(len(detail.equipment))
        for row, e in enumerate(detail.equipment):
            for column, value in enumerate((e["name"], f"{e['count']} {e['unit']}".strip())):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, e["id"])
                self.equipment.setItem(row, column, item)
        self.equipment_title.setText(f"装备（{len(detail.equipment)} 项）")

    # -- writes ----------------------------------------------------------------------------
    def _user(self) -> str:
        return self.context.session.officer

    def set_status(self) -> bool:
        if self.detail is None or not self.service.writable:
            return False
        service, team_id, status = (
            self.service,
            self.detail.team["id"],
            self.status_box.currentText(),
        )
        user, now = self._user(), self.context.clock()
        self._write(lambda: service.set_status(team_id, status, user=user, at=now))
        return True

    def _write(self, write: Any, form: RecordForm | None = None) -> None:
        def done(_result: object) -> None:
            self.message.hide()
            if form is not None:
                form.accept()
            self.written.emit("")

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, WRITE_REFUSED):
                sys.excepthook(type(exc), exc, exc.__traceback__)
            text = f"未能保存：{getattr(exc, 'message', exc)}"
            if form is not None:
                form.show_refusal(text)
            else:
                self.message.setText(text)
                self.message.show()
            self.written.emit(text)

        run_task(self.context.tasks, write, on_done=done, on_error=failed, receiver=self)

    def _selected_id(self, table: QTableWidget) -> str | None:
        item = table.item(table.currentRow(), 0) if table.currentRow() >= 0 else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _open_form(
        self, table: str, record: dict[str, Any] | None, preset: dict[str, Any]
    ) -> RecordForm | None:
        reference = self.context.reference
        if reference is None or self.detail is None:
            return None
        if self.form is not None:
            self.form.close()
        snapshot: ReferenceSnapshot = reference.snapshot()
        form = RecordForm(reference_table(table), snapshot, record, parent=self)
        for name, value in preset.items():
            form.set_value(name, value)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.save_requested.connect(lambda values: self._save(form, values))
        form.finished.connect(lambda _r: setattr(self, "form", None))
        self.form = form
        form.open()
        return form

    def _save(self, form: RecordForm, values: dict[str, Any]) -> None:
        reference = self.context.reference
        assert reference is not None
        record, user = form.record, self._user()
        record_id = record["id"] if record is not None else None
        is_sample = bool(record and record.get("is_sample"))
        table = form.spec.table
        self._write(
            lambda: reference.save(
                table, values, user=user, record_id=record_id, is_sample=is_sample
            ),
            form,
        )

    def _selected(self, table: QTableWidget, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The record of the row chosen in one of the detail's tables."""
        row_id = self._selected_id(table)
        return next((r for r in rows if r["id"] == row_id), None)

    def _add(self, table: str) -> RecordForm | None:
        """A new member or equipment row of the chosen team (its team preset)."""
        team_id = self.detail.team["id"] if self.detail else None
        return self._open_form(table, None, {"team_id": team_id})

    def add_member(self) -> RecordForm | None:
        return self._add("team_members")

    def add_equipment(self) -> RecordForm | None:
        return self._add("team_equipment")

    def edit_member(self) -> RecordForm | None:
        record = self._selected(self.members, self.detail.members if self.detail else [])
        return self._open_form("team_members", record, {}) if record is not None else None

    def edit_equipment(self) -> RecordForm | None:
        record = self._selected(self.equipment, self.detail.equipment if self.detail else [])
        return self._open_form("team_equipment", record, {}) if record is not None else None

    def add_certificate(self) -> RecordForm | None:
        """A certificate of the chosen member (any person when none is chosen)."""
        member = self._selected(self.members, self.detail.members if self.detail else [])
        preset = {"person_id": member["person_id"]} if member is not None else {}
        return self._open_form("person_certificates", None, preset)

    def edit_team(self) -> RecordForm | None:
        if self.detail is None:
            return None
        return self._open_form("teams", self.detail.team, {})
