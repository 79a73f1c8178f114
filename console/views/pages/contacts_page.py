"""通讯录: find a person as you type (name, unit, role, place, pinyin initials), see who is
responsible for a place, copy a number in one key, log a call onto an open incident.

Every read and write runs on the task runner through :class:`ContactsService`; the page
keeps only what the last answer returned.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import (
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog
from console.services.contacts import TABLES, Contact, ContactIndex, ContactsService, Responsible
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import Page, PageContext, read_only_table, text_items

RESULT_COLUMNS = ("姓名", "单位", "职务", "责任", "手机", "座机")
RESPONSIBLE_COLUMNS = ("责任", "姓名", "手机", "座机 / 浙政钉", "单位 / 职务")
ALL = ""  # the "whole township" / "nothing chosen" entry of a picker
CONTACTS_VIEW = "contacts"
OBJECT_KINDS = (("risk_point", "风险点"), ("shelter", "避灾场所"), ("station", "站点"))


class ContactsPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.service = ContactsService(context.queries.store, context.incidents)
        self.index: ContactIndex | None = None
        self.current: Contact | None = None
        self._search_seq = 0  # answers to an older keystroke are dropped
        self._place_seq = 0
        self._pending_place: tuple[str, str] | None = None  # asked before the index landed
        self.header.subtitle.setText(
            "按姓名、单位、职务、责任、乡镇村名或拼音首字母（如 zwq）查找；选择地点查看谁负责这里。"
        )

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("查找：姓名、拼音首字母、单位、责任、乡镇或村……")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(300)
        bar.addWidget(self.search, 1)
        self.copy_button = QPushButton("复制号码", self)
        self.copy_button.setToolTip("复制所选人员的手机号（Ctrl+C）")
        bar.addWidget(self.copy_button)
        self.call_button = QPushButton("记录通话…", self)
        self.call_button.setToolTip("把与所选人员的通话记入一起未结案事件的处置记录")
        bar.addWidget(self.call_button)
        self.layout_.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(left)
        self.summary.setObjectName("Muted")
        left_layout.addWidget(self.summary)
        self.results_model = QStandardItemModel(0, len(RESULT_COLUMNS), self)
        self.results_model.setHorizontalHeaderLabels(list(RESULT_COLUMNS))
        self.results = read_only_table(left, self.results_model, RESULT_COLUMNS.index("责任"))
        for column, width in ((0, 64), (1, 124), (2, 96), (4, 108), (5, 96)):
            self.results.setColumnWidth(column, width)
        left_layout.addWidget(self.results, 1)

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("谁负责这里", right)
        title.setObjectName("FormHeading")
        right_layout.addWidget(title)
        pickers = QFormLayout()
        self.township = QComboBox(right)
        self.village = QComboBox(right)
        self.object = QComboBox(right)
        for combo in (self.township, self.village, self.object):
            combo.setMinimumContentsLength(12)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        pickers.addRow("乡镇", self.township)
        pickers.addRow("村（社区）", self.village)
        pickers.addRow("风险点/场所/站点", self.object)
        right_layout.addLayout(pickers)
        self.place_label = QLabel(right)
        self.place_label.setObjectName("Muted")
        self.place_label.setWordWrap(True)
        right_layout.addWidget(self.place_label)
        self.responsible_model = QStandardItemModel(0, len(RESPONSIBLE_COLUMNS), self)
        self.responsible_model.setHorizontalHeaderLabels(list(RESPONSIBLE_COLUMNS))
        self.responsible = read_only_table(
            right, self.responsible_model, RESPONSIBLE_COLUMNS.index("单位 / 职务")
        )
        for column, width in ((0, 112), (1, 60), (2, 108), (3, 96)):
            self.responsible.setColumnWidth(column, width)
        right_layout.addWidget(self.responsible, 1)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 11)
        splitter.setStretchFactor(1, 9)
        splitter.setSizes([1100, 900])
        self.layout_.addWidget(splitter, 1)

        self.status = QLabel(self)
        self.status.setObjectName("Muted")
        self.layout_.addWidget(self.status)

        self.search.textChanged.connect(self._run_search)
        self.search.returnPressed.connect(self.results.setFocus)  # Enter: on to the results
        self.results.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._select(self.results_model, current.row())
        )
        self.responsible.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._select(self.responsible_model, current.row())
        )
        self.copy_button.clicked.connect(self.copy_number)
        self.call_button.clicked.connect(self.open_call_dialog)
        for table in (self.results, self.responsible):
            shortcut = QShortcut(QKeySequence.StandardKey.Copy, table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.copy_number)
        self.township.currentIndexChanged.connect(self._township_changed)
        self.village.currentIndexChanged.connect(self._village_changed)
        self.object.currentIndexChanged.connect(self._show_responsible)
        context.bus.changed.connect(self._on_changes)
        self._update_buttons()
        self.refresh()

    # -- reading ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read (or reuse) the index in the background, then fill the pickers and results."""
        run_task(self.context.tasks, self.service.index, on_done=self._land, receiver=self)

    def _land(self, index: ContactIndex) -> None:
        first = self.index is None
        self.index = index
        self.header.set_sample(index.sample)
        self._fill_pickers(first)
        self._run_search()
        if self._pending_place is not None:
            self.show_place(*self._pending_place)

    def _run_search(self) -> None:
        self._search_seq += 1
        seq, text = self._search_seq, self.search.text()
        run_task(
            self.context.tasks,
            self.service.search,
            text,
            on_done=lambda found: self._show_results(seq, text, found),
            receiver=self,
        )

    def _show_results(self, seq: int, text: str, found: list[Contact]) -> None:
        if seq != self._search_seq:
            return  # a later keystroke's answer is on its way
        self.results_model.removeRows(0, self.results_model.rowCount())
        for c in found:
            self.results_model.appendRow(
                text_items((c.name, c.unit, c.post, c.duties, c.mobile, c.landline), c)
            )
        total = len(self.index.contacts) if self.index is not None else len(found)
        if text.strip():
            self.summary.setText(f"找到 {len(found)} 人（共 {total} 人）")
        else:
            self.summary.setText(
                f"共 {total} 人" + (f"，显示前 {len(found)} 人" if len(found) < total else "")
            )
        if found:
            self.results.selectRow(0)

    def _fill_pickers(self, first: bool) -> None:
        """Fill the place pickers from the index, keeping the place chosen (when it is still
        there): places may have been added, renamed or deleted."""
        assert self.index is not None
        chosen = (
            self.township.currentData(),
            self.village.currentData(),
            self.object.currentData(),
        )
        self.township.blockSignals(True)
        self.township.clear()
        self.township.addItem("（选择乡镇）", ALL)
        for pid, name, _t in self.index.places["township"]:
            self.township.addItem(name, pid)
        if first and self.township.count() > 1:  # the panel starts on a township, not empty
            self.township.setCurrentIndex(1)
        else:
            self.township.setCurrentIndex(max(0, self.township.findData(chosen[0])))
        self.township.blockSignals(False)
        self._township_changed(show=False)
        for combo, data in ((self.village, chosen[1]), (self.object, chosen[2])):
            if data and combo.findData(data) > 0:
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(data))
                combo.blockSignals(False)
        self._show_responsible()

    def _township_changed(self, _index: int = 0, *, show: bool = True) -> None:
        township_id = self.township.currentData() or ALL
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem("（整个乡镇）", ALL)
        self.object.blockSignals(True)
        self.object.clear()
        self.object.addItem("（无）", None)
        if self.index is not None and township_id:
            for pid, name, t in self.index.places["village"]:
                if t == township_id:
                    self.village.addItem(name, pid)
            for kind, label in OBJECT_KINDS:
                for pid, name, t in self.index.places[kind]:
                    if t == township_id:
                        self.object.addItem(f"{label}：{name}", (kind, pid))
        self.village.blockSignals(False)
        self.object.blockSignals(False)
        if show:
            self._show_responsible()

    def _village_changed(self) -> None:
        if self.object.currentIndex() != 0:
            self.object.blockSignals(True)
            self.object.setCurrentIndex(0)
            self.object.blockSignals(False)
        self._show_responsible()

    def chosen_place(self) -> tuple[str, str, str] | None:
        """(kind, id, name) of the place the pickers name, most specific first."""
        target = self.object.currentData()
        if target:
            return target[0], target[1], self.object.currentText()
        if self.village.currentData():
            return (
                "village",
                self.village.currentData(),
                (self.township.currentText() + self.village.currentText()),
            )
        if self.township.currentData():
            return "township", self.township.currentData(), self.township.currentText()
        return None

    def show_place(self, kind: str, place_id: str) -> None:
        """Point the pickers at a place (谁负责这里 from the map and the incident detail);
        asked before the index has been read, it is done once it has."""
        if self.index is None:
            self._pending_place = (kind, place_id)
            return
        self._pending_place = None
        if kind == "township":
            township_id = place_id
        else:
            found = [t for i, _n, t in self.index.places.get(kind, []) if i == place_id]
            if not found:
                self.place_label.setText("该地点已不在基础数据中")
                return
            township_id = found[0]
        self.township.setCurrentIndex(self.township.findData(township_id))
        if kind == "village":
            self.village.setCurrentIndex(self.village.findData(place_id))
        elif kind != "township":
            # findData does not match Python tuples (they are wrapped, not compared): look.
            for i in range(self.object.count()):
                if self.object.itemData(i) == (kind, place_id):
                    self.object.setCurrentIndex(i)
                    break

    def _show_responsible(self) -> None:
        self._place_seq += 1
        seq, place = self._place_seq, self.chosen_place()
        if place is None:
            self.place_label.setText("选择乡镇、村或风险点、避灾场所、站点，查看责任人。")
            self.responsible_model.removeRows(0, self.responsible_model.rowCount())
            return
        kind, place_id, name = place
        run_task(
            self.context.tasks,
            self.service.responsible,
            kind,
            place_id,
            on_done=lambda found: self._land_responsible(seq, name, found),
            receiver=self,
        )

    def _land_responsible(self, seq: int, name: str, found: list[Responsible]) -> None:
        if seq != self._place_seq:
            return
        self.responsible_model.removeRows(0, self.responsible_model.rowCount())
        for r in found:
            c = r.contact
            who = " ".join(p for p in (c.unit, c.post) if p)
            role = r.role if r.place == name or not r.place else f"{r.role}（{r.place}）"
            other = " / ".join(
                p for p in (c.landline, f"浙政钉 {c.zzd_id}" if c.zzd_id else "") if p
            )
            self.responsible_model.appendRow(text_items((role, c.name, c.mobile, other, who), c))
        # A handful of rows: the role (with the township for its leaders) is shown whole.
        self.responsible.resizeColumnToContents(0)
        if found:
            self.place_label.setText(f"{name}：{len(found)} 位责任人，按职责主次排列")
        else:
            self.place_label.setText(f"{name}：尚未登记责任人")

    def _select(self, model: QStandardItemModel, row: int) -> None:
        item = model.item(row, 0) if row >= 0 else None
        self.current = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self._update_buttons()

    def _update_buttons(self) -> None:
        person = self.current
        self.copy_button.setEnabled(person is not None and bool(person.mobile or person.landline))
        self.call_button.setEnabled(person is not None and self.context.incidents is not None)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()

    # -- actions ----------------------------------------------------------------------

    def copy_number(self) -> None:
        """Put the selected person's mobile (their landline when they have none) on the
        clipboard, and say so."""
        person = self.current
        if person is None:
            self.status.setText("请先选择一位人员")
            return
        number = person.mobile or person.landline
        if not number:
            self.status.setText(f"{person.name} 没有登记电话")
            return
        QGuiApplication.clipboard().setText(number)
        kind = "手机号" if person.mobile else "座机号"
        self.status.setText(f"已复制 {person.name} 的{kind} {number}")

    def open_call_dialog(self) -> None:
        person = self.current
        if person is None or self.context.incidents is None:
            return
        run_task(
            self.context.tasks,
            self.service.open_incidents,
            on_done=lambda incidents: self._ask_call(person, incidents),
            receiver=self,
        )

    def _ask_call(self, person: Contact, incidents: list[dict[str, Any]]) -> None:
        if not incidents:
            self.status.setText("没有未结案的事件，通话无处记录")
            return
        dialog = CallDialog(person, incidents, self.context, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        incident_id, number, outcome, at, note = dialog.values()
        user = self.context.session.officer

        def write() -> None:
            self.service.log_call(incident_id, person, number, outcome, user=user, at=at, note=note)

        run_task(
            self.context.tasks,
            write,
            on_done=lambda _r: self.status.setText(f"已记录：致电 {person.name}，{outcome}"),
            on_error=lambda exc: self.status.setText(f"通话记录未保存：{exc}"),
            receiver=self,
        )


def open_responsible(context: PageContext, kind: str, place_id: str) -> bool:
    """谁负责这里 in one step: switch to the 通讯录 showing the place's responsible people.
    False when this page cannot switch pages (built alone)."""
    if context.open_view is None:
        return False
    page = context.open_view(CONTACTS_VIEW)
    if isinstance(page, ContactsPage):
        page.show_place(kind, place_id)
        return True
    return False


class CallDialog(QDialog):
    """Which incident, which number, what came of it, when."""

    def __init__(
        self,
        person: Contact,
        incidents: list[dict[str, Any]],
        context: PageContext,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"记录通话：{person.name}")
        form = QFormLayout(self)
        self.incident = QComboBox(self)
        for row in incidents:
            when = str(row["received_at"] or "")[:16].replace("T", " ")
            self.incident.addItem(f"{when} {row['title']}（{row['status']}）", row["id"])
        self.incident.setMinimumContentsLength(30)
        form.addRow("事件", self.incident)
        self.number = QComboBox(self)
        self.number.setEditable(True)
        for label, value in (("手机", person.mobile), ("座机", person.landline)):
            if value:
                self.number.addItem(value, label)
        form.addRow("号码", self.number)
        self.outcome = QComboBox(self)
        self.outcome.addItems(list(catalog.CALL_OUTCOMES))
        form.addRow("结果", self.outcome)
        self.at = QDateTimeEdit(self)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        now = context.clock()
        self.at.setDateTime(QDateTime(now.year, now.month, now.day, now.hour, now.minute, 0))
        form.addRow("时间", self.at)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText("通话要点（可不填）")
        form.addRow("备注", self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("记录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str, Any, str]:
        """(incident id, number, outcome, Beijing time of the call, note)."""
        qt = self.at.dateTime()
        d, t = qt.date(), qt.time()
        at = beijing.now().replace(
            year=d.year(),
            month=d.month(),
            day=d.day(),
            hour=t.hour(),
            minute=t.minute(),
            second=0,
            microsecond=0,
        )
        return (
            str(self.incident.currentData()),
            self.number.currentText().strip(),
            self.outcome.currentText(),
            at,
            self.note.text(),
        )
