"""基础数据: every reference table of the county, listed, filtered and edited.

A table chooser (乡镇街道, 村（社区）, 风险点...), a filter (乡镇; name search), the records
(:class:`ReferenceTableModel`, columns from the field declarations) and 新增 / 修改 / 删除
through :class:`RecordForm`. Reads and writes run on the task runner through
:class:`console.services.reference_data.ReferenceData`; the list refreshes from the change
bus. Buttons follow the signed-in role (:mod:`console.domain.roles`); the server enforces the
same rules regardless.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from console.domain.reference_tables import REFERENCE_TABLES, ReferenceTable, reference_table
from console.domain.roles import allowed
from console.models.record_table import RECORD_ROLE, SORT_ROLE
from console.models.reference_table_model import ReferenceTableModel
from console.services.io.layout import LAYOUTS
from console.services.io.service import ReferenceIO
from console.services.reference_data import ReferenceData, ReferenceSnapshot
from console.store.changes import Changes
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import run_task
from console.views.forms.record_form import RecordForm
from console.views.import_dialog import ImportDialog
from console.views.pages.base import Page, PageContext, signed_in_role, sorted_table
from console.views.pages.warning_call import ISSUE, WarningCaller, may_call

WARNINGS = "warnings"  # 预警信号: a warning saved here may be called down the chain

ALL_TOWNSHIPS = "全部乡镇"
COLUMN_CAP = 200  # a column sized to its content is at most this wide
TABLES = tuple(t.table for t in REFERENCE_TABLES)
ImportExport = Callable[[str], object]  # called with the table shown


def _capped(widths: list[int], floors: list[int], cap: int) -> list[int]:
    return [max(floor, min(width, cap)) for width, floor in zip(widths, floors, strict=True)]


def _cap_to_fit(widths: list[int], floors: list[int], budget: int) -> int:
    """The largest width cap under which ``widths`` fit ``budget``, no column going below
    its floor (its header); the floors' cap when even they do not fit."""
    low, high = 0, max(widths, default=0)
    while low < high:
        mid = (low + high + 1) // 2
        if sum(_capped(widths, floors, mid)) <= budget:
            low = mid
        else:
            high = mid - 1
    return low


class _Filter(QSortFilterProxyModel):
    """Rows of one township (a township row: itself; a role or a person: through the place
    or unit they point at) whose name holds the search text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.township: str | None = None
        self.text = ""
        self.name_column = "name"
        self.township_of: Callable[[dict[str, Any]], str | None] = lambda r: r.get("township_id")

    def set_filter(
        self,
        township: str | None,
        text: str,
        name_column: str,
        township_of: Callable[[dict[str, Any]], str | None],
    ) -> None:
        self.beginFilterChange()
        self.township, self.text, self.name_column = township, text.strip(), name_column
        self.township_of = township_of
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        record = self.sourceModel().index(row, 0, parent).data(RECORD_ROLE)
        if record is None:
            return False
        if self.township is not None and self.township_of(record) != self.township:
            return False
        return not self.text or self.text in str(record.get(self.name_column) or "")


class DataPage(Page):
    refreshed = Signal()  # the rows of a read have landed (tests wait on it)
    written = Signal()  # a write finished (saved or refused)

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.header.subtitle.setText(
            "本县乡镇街道、村（社区）、风险点、避灾安置场所、救援队伍、水文雨量站，"
            "单位、人员和责任角色的名录，以及临界雨量、面雨量预报和预警信号。"
            "值班员可新增、修改；删除和暴雨信号标准、应急响应条件由带班领导或管理员操作。"
            "修改同步到各值班台。"
        )
        self.service: ReferenceData | None = context.reference
        self.snapshot = ReferenceSnapshot()
        self.form: RecordForm | None = None
        self.confirm: QMessageBox | None = None
        self._import_export: ImportExport | None = None
        self.import_dialog: ImportDialog | None = None
        self._pending_select: str | None = None  # a record just saved: selected when listed
        self.refusal: QMessageBox | None = None
        self._reads = 0  # refreshes started
        self._sized_with_rows = False  # the columns were last sized on rows, not headers
        self._content_widths: list[int] = []  # the list's columns at their content (capped)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.chooser = QComboBox(self)
        for spec in REFERENCE_TABLES:
            self.chooser.addItem(spec.title, spec.table)
        bar.addWidget(QLabel("数据表", self))
        bar.addWidget(self.chooser)
        self.township = QComboBox(self)
        self.township.setMinimumWidth(140)
        self.township.addItem(ALL_TOWNSHIPS, None)
        bar.addWidget(self.township)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("按名称筛选")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(260)
        bar.addWidget(self.search)
        self.summary = QLabel(self)
        self.summary.setObjectName("Muted")
        bar.addWidget(self.summary)
        bar.addStretch(1)
        self.add_button = QPushButton("新增…", self)
        self.add_button.setObjectName("PrimaryButton")
        self.edit_button = QPushButton("修改…", self)
        self.delete_button = QPushButton("删除", self)
        # The import/export dialog on the table and township shown (a read-only window,
        # without the write path, has none; set_import_export() may replace it).
        self.import_export_button = QPushButton("导入/导出…", self)
        self.import_export_button.setToolTip("从 Excel、CSV 或 GeoJSON 导入本表，或导出本表")
        self.import_export_button.hide()
        # 预警信号 only: the 预警叫应 of the selected warning, confirmed by the officer.
        self.call_button = QPushButton(f"{ISSUE}…", self)
        self.call_button.setToolTip(
            "向所选预警乡镇的责任链逐级叫应（确认后下达，在指挥一平台查看）"
        )
        self.caller = WarningCaller(context, self)
        for button in (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.call_button,
            self.import_export_button,
        ):
            bar.addWidget(button)
        self.layout_.addLayout(bar)

        self.model = ReferenceTableModel(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = sorted_table(self, self.proxy, 0)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(60)
        self.layout_.addWidget(self.table, 1)
        self.table.viewport().installEventFilter(self)  # a new width: the columns fit again
        self.note = QLabel(self)
        self.note.setObjectName("Muted")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.note)
        self.call_note = QLabel(self)  # what became of a 预警叫应 (the note is the hint line)
        self.call_note.setWordWrap(True)
        self.call_note.hide()
        self.layout_.addWidget(self.call_note)

        self.chooser.currentIndexChanged.connect(lambda _i: self._show_table())
        self.township.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.search.textChanged.connect(lambda _t: self._apply_filter())
        self.add_button.clicked.connect(self.add_record)
        self.edit_button.clicked.connect(self.edit_record)
        self.delete_button.clicked.connect(self.delete_record)
        self.import_export_button.clicked.connect(self._open_import_export)
        self.call_button.clicked.connect(self.call_selected_warning)
        self.caller.said.connect(self._said)
        self.table.doubleClicked.connect(lambda _i: self.edit_record())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        context.bus.changed.connect(self._on_changes)
        if context.incidents is not None:
            self.set_import_export(lambda _table: self.open_import_dialog())
        self._update_buttons()
        self.refresh()

    # -- roles -----------------------------------------------------------------------------
    def role(self) -> str | None:
        """The signed-in account's role; None standalone (everything allowed locally)."""
        return signed_in_role(self.context)

    def may(self, action: str) -> bool:
        """``action``: "upsert" or "delete" on the table shown."""
        if self.service is None:
            return False
        role = self.role()
        return role is None or allowed(role, f"{self.current().entity}.{action}")

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.add_button.setEnabled(self.may("upsert"))
        self.edit_button.setEnabled(self.may("upsert") and chosen)
        self.delete_button.setEnabled(self.may("delete") and chosen)
        self.call_button.setVisible(self.current().table == WARNINGS)
        self.call_note.setVisible(self.current().table == WARNINGS and bool(self.call_note.text()))
        self.call_button.setEnabled(chosen and may_call(self.context))
        if self.service is None:
            self.note.setText("本窗口只能查看基础数据。")
        elif not self.may("upsert"):
            self.note.setText("当前账号只能查看基础数据。")
        elif not self.may("delete"):
            self.note.setText("删除记录需带班领导或管理员账号。")
        else:
            self.note.setText("双击一行修改；被其他记录引用的记录不能删除。")

    # -- import / export slot --------------------------------------------------------------
    def set_import_export(self, callback: ImportExport | None) -> None:
        """Show the 导入/导出… button, calling ``callback(table)`` (None hides it)."""
        self._import_export = callback
        self.import_export_button.setVisible(callback is not None)

    def _open_import_export(self) -> None:
        if self._import_export is not None:
            self._import_export(self.current().table)

    def open_import_dialog(self) -> ImportDialog | None:
        """导入/导出…: the import dialog on the table shown (when it has a file layout) and,
        for exports, the township the list is filtered to."""
        incidents = self.context.incidents
        if incidents is None:
            return None
        if self.import_dialog is not None:
            self.import_dialog.deleteLater()  # a new one starts on what is shown now
        role = self.role()
        dialog = ImportDialog(
            ReferenceIO(incidents.writer),
            tasks=self.context.tasks,
            colors=self.context.theme.colors(),
            user=self._user,
            may_write=lambda mutation: role is None or allowed(role, mutation),
            parent=self,
        )
        if self.current().table in LAYOUTS:
            dialog.set_table(self.current().table)
        township = self.township.currentData()
        dialog.set_township(self.township.currentText() if township is not None else None)
        self.import_dialog = dialog
        dialog.open()  # window-modal: the page under it waits
        return dialog

    # -- reading ---------------------------------------------------------------------------
    def current(self) -> ReferenceTable:
        return reference_table(self.chooser.currentData() or TABLES[0])

    def show_table(self, table: str) -> None:
        self.chooser.setCurrentIndex(max(0, self.chooser.findData(table)))

    def refresh(self) -> None:
        """Read every table on the task runner. Reads may land out of order (two pool
        threads): only the latest started one is shown."""
        service = self.service
        self._reads += 1
        read = self._reads
        run_task(
            self.context.tasks,
            service.snapshot if service is not None else ReferenceSnapshot,
            on_done=lambda snapshot: self._land(snapshot, read),
            receiver=self,
        )

    def _land(self, snapshot: ReferenceSnapshot, read: int) -> None:
        if read != self._reads:
            return  # a later read is on its way
        self.snapshot = snapshot
        self.header.set_sample(snapshot.sample)
        current = self.township.currentData()
        self.township.blockSignals(True)
        self.township.clear()
        self.township.addItem(ALL_TOWNSHIPS, None)
        for township_id, name in snapshot.names("townships").items():
            self.township.addItem(name, township_id)
        self.township.setCurrentIndex(max(0, self.township.findData(current)))
        self.township.blockSignals(False)
        self._show_table()
        self.refreshed.emit()

    def _show_table(self) -> None:
        spec = self.current()
        selected = self.selected()
        names = {t.table: self.snapshot.names(t.table) for t in REFERENCE_TABLES}
        first = self.model.spec != spec
        self.model.set_table(spec, self.snapshot.rows.get(spec.table, []), names)
        self._apply_filter()
        if first or not self._sized_with_rows:  # sized again once the rows are there
            self._size_columns(spec)
        wanted = self._pending_select or (selected["id"] if selected is not None else None)
        self._pending_select = None
        if wanted is not None:
            self.select(wanted)
        self._update_buttons()

    def _size_columns(self, spec: ReferenceTable) -> None:
        """Columns to their content (long ones capped); the name takes the rest of the
        width, so numbers stay next to their neighbours. The name keeps its content's width
        when the others do not fit beside it: the widest others give way first (a role's
        person and place columns), then the list scrolls sideways."""
        self._sized_with_rows = self.proxy.rowCount() > 0
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        columns = spec.list_columns()
        for column in range(len(columns)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        self._content_widths = [
            min(header.sectionSize(column), COLUMN_CAP) for column in range(len(columns))
        ]
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The content widths fitted to the list's width now (see :meth:`_size_columns`)."""
        spec, widths = self.current(), self._content_widths
        columns = spec.list_columns()
        if len(columns) != len(widths) or spec.name_column not in columns:
            return
        header = self.table.horizontalHeader()
        name = columns.index(spec.name_column)
        others = [c for c in range(len(columns)) if c != name]
        budget = self.table.viewport().width() - widths[name]
        wanted = [widths[c] for c in others]
        floors = [max(header.minimumSectionSize(), header.sectionSizeHint(c)) for c in others]
        fitted = _capped(wanted, floors, _cap_to_fit(wanted, floors, budget))
        for column, width in zip(others, fitted, strict=True):
            header.resizeSection(column, width)
        if sum(fitted) <= budget:
            header.setSectionResizeMode(name, QHeaderView.ResizeMode.Stretch)
        else:  # the list scrolls sideways; the name keeps its width
            header.setSectionResizeMode(name, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(name, widths[name])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _apply_filter(self) -> None:
        spec = self.current()
        snapshot, table = self.snapshot, spec.table
        self.proxy.set_filter(
            self.township.currentData(),
            self.search.text(),
            spec.name_column,
            lambda record: snapshot.township_of(table, record),
        )
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = f"共 {total} 条"
        if shown != total:
            text += f"，显示 {shown} 条"
        if total == 0 and spec.empty_note:
            text += f"（{spec.empty_note}）"
        self.summary.setText(text)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.refresh()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return cast(dict[str, Any], rows[0].data(RECORD_ROLE)) if rows else None

    def select(self, record_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            record = self.proxy.index(row, 0).data(RECORD_ROLE)
            if record is not None and record["id"] == record_id:
                self.table.selectRow(row)
                return True
        return False

    # -- the form --------------------------------------------------------------------------
    def add_record(self) -> RecordForm | None:
        if not self.may("upsert"):
            return None
        return self._open_form(None)

    def edit_record(self) -> RecordForm | None:
        record = self.selected()
        if record is None or not self.may("upsert"):
            return None
        return self._open_form(record)

    def _open_form(self, record: dict[str, Any] | None) -> RecordForm:
        if self.form is not None:
            self.form.close()
        form = RecordForm(
            self.current(),
            self.snapshot,
            record,
            township=self.township.currentData(),
            parent=self,
        )
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.save_requested.connect(lambda values: self._save(form, values))
        self.form = form
        form.finished.connect(lambda _r: self._forget_form(form))
        form.open()
        first = next(iter(form.editors.values()), None)
        if first is not None:
            first.setFocus()
        return form

    def _forget_form(self, form: RecordForm) -> None:
        if self.form is form:
            self.form = None

    def _user(self) -> str:
        return self.context.session.officer

    def _save(self, form: RecordForm, values: dict[str, Any]) -> None:
        service = self.service
        if service is None:
            return
        spec, record, user = form.spec, form.record, self._user()
        record_id = record["id"] if record is not None else None
        is_sample = bool(record and record.get("is_sample"))

        def write() -> str:
            return service.save(
                spec.table, values, user=user, record_id=record_id, is_sample=is_sample
            )

        def done(saved_id: str) -> None:
            self._pending_select = saved_id
            self.refresh()  # now, not after the bus's burst: the new record gets selected
            form.accept()
            self.note.setText(f"已保存：{values.get(spec.name_column) or spec.title}")
            self.written.emit()
            if spec.table == WARNINGS and record_id is None and values.get("township_id"):
                self.caller.offer(saved_id)  # a new warning: its 预警叫应 offered at once

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, WRITE_REFUSED):
                sys.excepthook(type(exc), exc, exc.__traceback__)
            form.show_refusal(f"未保存：{getattr(exc, 'message', exc)}")
            self.written.emit()

        run_task(self.context.tasks, write, on_done=done, on_error=failed, receiver=self)

    # -- 预警叫应 ----------------------------------------------------------------------------
    def call_selected_warning(self) -> None:
        """下达预警叫应… for the selected warning (asks before anything goes out)."""
        record = self.selected()
        if record is not None and self.current().table == WARNINGS:
            self.caller.offer(str(record["id"]))

    def _said(self, text: str, refusal: bool) -> None:
        self.call_note.setObjectName("FieldError" if refusal else "Muted")
        self.call_note.style().unpolish(self.call_note)
        self.call_note.style().polish(self.call_note)
        self.call_note.setText(text)
        self.call_note.setVisible(self.current().table == WARNINGS)
        if refusal:
            self.refusal = QMessageBox(QMessageBox.Icon.Warning, ISSUE, text, parent=self)
            self.refusal.setStandardButtons(QMessageBox.StandardButton.Ok)
            self.refusal.button(QMessageBox.StandardButton.Ok).setText("知道了")
            self.refusal.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.refusal.open()

    # -- delete ----------------------------------------------------------------------------
    def delete_record(self) -> QMessageBox | None:
        """Ask first; the refusal (someone refers to it) is shown in a message box."""
        record = self.selected()
        if record is None or not self.may("delete"):
            return None
        spec = self.current()
        name = str(record.get(spec.name_column) or "")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            f"删除{spec.title}",
            f"确定删除{spec.title}“{name}”吗？删除后各值班台同步删除。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("删除")
        box.button(QMessageBox.StandardButton.Cancel).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.finished.connect(
            lambda _result: (
                self._delete(spec, record["id"], name) if box.clickedButton() is yes else None
            )
        )
        self.confirm = box
        box.open()
        return box

    def _delete(self, spec: ReferenceTable, record_id: str, name: str) -> None:
        self.confirm = None
        service = self.service
        if service is None:
            return
        user = self._user()

        def done(_changes: object) -> None:
            self.refresh()
            self.note.setText(f"已删除：{name}")
            self.written.emit()

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, WRITE_REFUSED):
                sys.excepthook(type(exc), exc, exc.__traceback__)
            message = f"未删除：{getattr(exc, 'message', exc)}"
            self.note.setText(message)
            self.refusal = QMessageBox(
                QMessageBox.Icon.Warning, f"删除{spec.title}", message, parent=self
            )
            self.refusal.setStandardButtons(QMessageBox.StandardButton.Ok)
            self.refusal.button(QMessageBox.StandardButton.Ok).setText("知道了")
            self.refusal.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.refusal.open()
            self.written.emit()

        run_task(
            self.context.tasks,
            lambda: service.delete(spec.table, record_id, user=user),
            on_done=done,
            on_error=failed,
            receiver=self,
        )
