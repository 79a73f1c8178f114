"""应急一指南: the responses under way with their checklists (tick with Space, notes, overdue
items in the danger colour, 升级 / 降级 with the reason, .docx and PDF), and the guide itself
by hazard, level and role with the level's triggers.

Reads run on the task runner through :class:`GuideService`; writes are one shared mutation
each, so ticks from two workstations both count. Starting, raising, lowering and ending a
response is the duty leader's (the server checks it too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog, guides
from console.domain.roles import allowed
from console.domain.situation import RESPONSE_LEVELS, RESPONSE_RANK
from console.services.guide_export import card_html, checklist_html, export_docx
from console.services.guides import SHEET_SOURCE, GuideService, ResponseView, VillageDuties
from console.services.io.service import ReferenceIO
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.import_dialog import ImportDialog
from console.views.pages.base import (
    PageContext,
    WritingPage,
    read_only_table,
    run_write,
    signed_in_role,
    text_items,
)

TABLES = ("responses", "response_events", "guide_items", "incidents", "response_triggers")
SIX_TABLES = ("risk_points", "person_roles", "people", "villages", "shelters")
RESPONSE_COLUMNS = ("灾种", "等级", "来源", "启动时间", "进度", "状态")
CHECK_COLUMNS = ("完成", "责任主体", "工作事项", "时限", "完成人 / 时间", "备注")
HISTORY_COLUMNS = ("时间", "记录人", "类型", "内容")
GUIDE_COLUMNS = ("等级", "责任主体", "序号", "工作事项", "时限")
SIX_COLUMNS = ("乡镇", "村", *(name for name, _, _ in guides.SIX_DUTIES), "落实")
MISSING = "未落实"
ALL_ROLES = "（全部）"


def limit_text(minutes: int) -> str:
    if minutes <= 0:
        return "—"
    return f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"


GUIDE_VIEW = "response-guide"
GUIDE_TABLE = "guide_items"
TAB_NAMES = ("responses", "guide", "six")  # --view response-guide:guide


def open_activation(context: PageContext, chosen: str) -> bool:
    """启动应急响应 from an incident or a signed sheet in one step: switch to 应急一指南 with
    the activation dialog on it (``chosen``: its id). False when this page cannot switch
    pages (built alone)."""
    if context.open_view is None:
        return False
    page = context.open_view(GUIDE_VIEW)
    if isinstance(page, GuidePage):
        page.tabs.setCurrentIndex(0)
        page.ask_activate(chosen)
        return True
    return False


class ActivateDialog(QDialog):
    """启动应急响应: from which incident or signed assessment sheet (a sheet's proposed level
    is taken), which hazard, which level, why."""

    def __init__(
        self,
        sources: list[dict[str, Any]],
        hazards: list[str],
        parent: QWidget | None = None,
        chosen: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("启动应急响应")
        form = QFormLayout(self)
        self.source = QComboBox(self)
        for x in sources:
            self.source.addItem(x["label"], x)
        self.source.setMinimumContentsLength(30)
        self.hazard = QComboBox(self)
        self.hazard.setEditable(True)
        self.hazard.addItems(hazards)
        line = self.hazard.lineEdit()
        if line is not None:
            line.setMaxLength(20)
        self.level = QComboBox(self)
        for level in RESPONSE_LEVELS:
            self.level.addItem(guides.LEVEL_NAMES[level], level)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(500)
        self.reason.setPlaceholderText("如：单站3小时雨量 62 毫米，预报仍有强降雨")
        form.addRow("启动依据", self.source)
        form.addRow("灾种", self.hazard)
        form.addRow("响应等级", self.level)
        form.addRow("启动理由", self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("启动")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.source.currentIndexChanged.connect(lambda _i: self._source_chosen())
        if chosen is not None:
            found = next((i for i, x in enumerate(sources) if x["id"] == chosen), 0)
            self.source.setCurrentIndex(found)
        self._source_chosen()

    def _source_chosen(self) -> None:
        source = self.source.currentData()
        if source and source["level"]:
            self.level.setCurrentIndex(max(0, self.level.findData(source["level"])))

    def values(self) -> dict[str, Any]:
        source = self.source.currentData() or {}
        sheet = source.get("kind") == SHEET_SOURCE
        return {
            "incident_id": None if sheet else source.get("id"),
            "assessment_id": source.get("id") if sheet else None,
            "hazard": self.hazard.currentText().strip(),
            "level": self.level.currentData(),
            "reason": self.reason.text().strip(),
        }


class GuidePage(WritingPage):
    refreshed = Signal()  # the responses (and the selected one's checklist) landed
    guide_shown = Signal()  # the guide browser's items landed
    six_shown = Signal()  # the 六落实 table landed

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        writer = context.incidents.writer if context.incidents is not None else None
        self.service = GuideService(context.queries.store, writer)
        self.views: list[ResponseView] = []
        self.current: ResponseView | None = None
        self.dialog: ActivateDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self._seq = 0
        colors = context.theme.colors()
        self.danger = QColor(colors.danger)
        self.ok = QColor(colors.ok)
        self.header.subtitle.setText(
            "按灾种和响应等级列出带班领导、值班员、乡镇、部门、队伍的工作事项和时限；"
            "启动响应后逐项勾选，多台值班台同时勾选互不覆盖。"
        )
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._responses_tab(), "应急响应")
        self.tabs.addTab(self._guide_tab(), "指南")
        self.tabs.addTab(self._six_tab(), "山洪六落实")
        self.layout_.addWidget(self.tabs, 1)
        context.bus.changed.connect(self._on_changes)
        self._update_buttons()
        self.refresh()
        self.show_guide()
        self.show_six()

    def select_tab(self, name: str) -> None:
        """``--view response-guide:TAB`` (TAB_NAMES)."""
        self.tabs.setCurrentIndex(TAB_NAMES.index(name))

    # -- layout ---------------------------------------------------------------------------
    def _responses_tab(self) -> QWidget:
        tab = QWidget(self)
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.activate_button = QPushButton("启动响应…", tab)
        self.activate_button.setObjectName("PrimaryButton")
        self.raise_button = QPushButton("升级…", tab)
        self.lower_button = QPushButton("降级…", tab)
        self.end_button = QPushButton("终止响应", tab)
        for b in (self.activate_button, self.raise_button, self.lower_button, self.end_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.docx_button = QPushButton("导出 Word…", tab)
        self.pdf_button = QPushButton("打印 PDF…", tab)
        bar.addWidget(self.docx_button)
        bar.addWidget(self.pdf_button)
        box.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        self.response_model = QStandardItemModel(0, len(RESPONSE_COLUMNS), self)
        self.response_model.setHorizontalHeaderLabels(list(RESPONSE_COLUMNS))
        self.responses = read_only_table(splitter, self.response_model, 2)
        for column, width in ((0, 64), (1, 40), (3, 84), (4, 80), (5, 52)):
            self.responses.setColumnWidth(column, width)
        right = QWidget(splitter)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("尚无应急响应：选择事件后点击“启动响应…”", right)
        self.title.setObjectName("FormHeading")
        self.title.setWordWrap(True)
        right_box.addWidget(self.title)
        self.marks = QLabel(right)
        self.marks.setObjectName("FieldError")
        self.marks.hide()
        right_box.addWidget(self.marks)
        self.check_model = QStandardItemModel(0, len(CHECK_COLUMNS), self)
        self.check_model.setHorizontalHeaderLabels(list(CHECK_COLUMNS))
        self.checklist = read_only_table(right, self.check_model, 2)
        for column, width in ((0, 44), (1, 72), (3, 64), (4, 120), (5, 120)):
            self.checklist.setColumnWidth(column, width)
        right_box.addWidget(self.checklist, 3)
        row = QHBoxLayout()
        self.tick_button = QPushButton("完成 / 取消（空格）", right)
        self.note_button = QPushButton("备注…", right)
        row.addWidget(self.tick_button)
        row.addWidget(self.note_button)
        row.addStretch(1)
        right_box.addLayout(row)
        self.message = QLabel(right)
        self.message.setWordWrap(True)
        right_box.addWidget(self.message)
        history_title = QLabel("处置记录", right)
        history_title.setObjectName("FormHeading")
        right_box.addWidget(history_title)
        self.history_model = QStandardItemModel(0, len(HISTORY_COLUMNS), self)
        self.history_model.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.history = read_only_table(right, self.history_model, 3)
        for column, width in ((0, 96), (1, 72), (2, 64)):
            self.history.setColumnWidth(column, width)
        right_box.addWidget(self.history, 2)
        splitter.addWidget(self.responses)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([440, 800])
        box.addWidget(splitter, 1)

        shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), self.checklist)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.toggle_selected)
        self.activate_button.clicked.connect(lambda: self.ask_activate())
        self.raise_button.clicked.connect(lambda: self._ask_level(+1))
        self.lower_button.clicked.connect(lambda: self._ask_level(-1))
        self.end_button.clicked.connect(self._ask_end)
        self.docx_button.clicked.connect(lambda: self._ask_export("docx"))
        self.pdf_button.clicked.connect(lambda: self._ask_export("pdf"))
        self.tick_button.clicked.connect(self.toggle_selected)
        self.note_button.clicked.connect(self._ask_note)
        self.responses.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._response_selected(current.row())
        )
        self.checklist.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._update_buttons()
        )
        return tab

    def _guide_tab(self) -> QWidget:
        tab = QWidget(self)
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.hazard = QComboBox(tab)
        self.hazard.addItems(list(catalog.GUIDE_HAZARDS))
        self.level = QComboBox(tab)
        for level in RESPONSE_LEVELS:
            self.level.addItem(guides.LEVEL_NAMES[level], level)
        self.role = QComboBox(tab)
        self.role.addItems([ALL_ROLES, *catalog.GUIDE_ROLES])
        for label, widget in (
            ("灾种", self.hazard),
            ("响应等级", self.level),
            ("责任主体", self.role),
        ):
            bar.addWidget(QLabel(label, tab))
            bar.addWidget(widget)
        bar.addStretch(1)
        self.guide_message = QLabel(tab)  # said beside the button: no empty line below
        bar.addWidget(self.guide_message)
        self.edit_guide_button = QPushButton("编辑指南…", tab)
        self.edit_guide_button.setToolTip("在基础数据（应急指南事项）中修改、导入或导出指南")
        bar.addWidget(self.edit_guide_button)
        self.import_guide_button = QPushButton("导入指南…", tab)
        self.import_guide_button.setToolTip(
            "从 Word（.docx，导出的指南格式）或 Excel（.xlsx）导入指南事项：先预览，确认后写入"
        )
        bar.addWidget(self.import_guide_button)
        self.guide_docx_button = QPushButton("导出本灾种指南…", tab)
        self.guide_docx_button.setToolTip(
            "Ⅳ级至Ⅰ级的启动条件和各责任主体的工作事项（Word，每级一个表格，修改后可再导入）"
        )
        bar.addWidget(self.guide_docx_button)
        box.addLayout(bar)
        self.triggers = QLabel(tab)
        self.triggers.setWordWrap(True)
        self.triggers.setObjectName("Muted")
        box.addWidget(self.triggers)
        self.draft = QLabel(f"【{guides.DRAFT_LABEL}】", tab)
        self.draft.setObjectName("FieldError")
        self.draft.hide()
        box.addWidget(self.draft)
        self.guide_model = QStandardItemModel(0, len(GUIDE_COLUMNS), self)
        self.guide_model.setHorizontalHeaderLabels(list(GUIDE_COLUMNS))
        self.guide = read_only_table(tab, self.guide_model, 3)
        for column, width in ((0, 56), (1, 80), (2, 48), (4, 72)):
            self.guide.setColumnWidth(column, width)
        box.addWidget(self.guide, 1)
        for combo in (self.hazard, self.level, self.role):
            combo.activated.connect(lambda _i: self.show_guide())
        self.guide_docx_button.clicked.connect(self._ask_guide_export)
        self.import_guide_button.clicked.connect(self._ask_guide_import)
        self.edit_guide_button.clicked.connect(self.edit_guide)
        self.edit_guide_button.setEnabled(self.context.open_view is not None)
        self.import_guide_button.setEnabled(self._may("guide_item.upsert"))
        return tab

    def import_guide(self, path: Path) -> ImportDialog | None:
        """导入指南…: the file previewed row by row in the import dialog (on 应急指南事项);
        its 导入 writes the accepted rows in one batch, as 基础数据's import does."""
        incidents = self.context.incidents
        if incidents is None or not self._may("guide_item.upsert"):
            return None
        dialog = ImportDialog(
            ReferenceIO(incidents.writer),
            tasks=self.context.tasks,
            colors=self.context.theme.colors(),
            user=self._user,
            may_write=self._may,
            parent=self,
        )
        dialog.set_table(GUIDE_TABLE)
        dialog.set_file(path)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _ask_guide_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "导入指南", str(Path.home()), "Word 或 Excel (*.docx *.xlsx *.csv)"
        )
        if path:
            self.import_guide(Path(path))

    def edit_guide(self) -> None:
        """编辑指南…: 基础数据 on the guide's table (edits, import and export live there)."""
        from console.views.pages.data_page import DataPage

        if self.context.open_view is None:
            return
        page = self.context.open_view("data")
        if isinstance(page, DataPage):
            page.show_table("guide_items")

    def export_guide(self, path: Path) -> None:
        hazard = self.hazard.currentText()
        run_write(
            self.context.tasks,
            self,
            lambda: self.service.export_guide(hazard, path),
            message=self.guide_message,
            written=self.written,
            done_text=f"已导出：{path.name}",
        )

    def _ask_guide_export(self) -> None:
        name = f"{self.hazard.currentText()}应急指南.docx"
        path, _ = QFileDialog.getSaveFileName(
            self, "导出指南", str(Path.home() / name), "Word (*.docx)"
        )
        if path:
            self.export_guide(Path(path))

    def _six_tab(self) -> QWidget:
        tab = QWidget(self)
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.six_summary = QLabel(tab)
        self.six_summary.setObjectName("Muted")
        self.six_summary.setWordWrap(True)
        bar.addWidget(self.six_summary, 1)
        self.card_message = QLabel(tab)
        self.card_message.setObjectName("Muted")
        bar.addWidget(self.card_message)
        self.card_button = QPushButton("打印明白卡…", tab)
        self.card_button.setToolTip("所选村的群众山洪灾害防御明白卡（PDF，可打印张贴）")
        bar.addWidget(self.card_button)
        box.addLayout(bar)
        self.six_model = QStandardItemModel(0, len(SIX_COLUMNS), self)
        self.six_model.setHorizontalHeaderLabels(list(SIX_COLUMNS))
        self.six = read_only_table(tab, self.six_model, 6)
        for column, width in ((0, 72), (1, 72), (2, 120), (3, 120), (4, 120), (5, 80), (7, 120)):
            self.six.setColumnWidth(column, width)
        self.six.setColumnWidth(8, 48)
        box.addWidget(self.six, 1)
        self.six_villages: list[VillageDuties] = []
        self.card_button.clicked.connect(self._ask_card)
        self.six.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self.card_button.setEnabled(self.selected_village() is not None)
        )
        self.card_button.setEnabled(False)
        return tab

    def show_six(self) -> None:
        run_task(self.context.tasks, self.service.six_checks, on_done=self._land_six, receiver=self)

    def _land_six(self, villages: list[VillageDuties]) -> None:
        self.six_villages = villages
        self.six_model.removeRows(0, self.six_model.rowCount())
        for v in villages:
            texts = [d.text or MISSING for d in v.duties]
            row = text_items((v.township, v.village, *texts, f"{v.filled}/6"), v.village_id)
            for cell, duty in zip(row[2:8], v.duties, strict=True):
                if not duty.filled:
                    cell.setForeground(self.danger)
            if v.filled < len(v.duties):
                row[8].setForeground(self.danger)
            self.six_model.appendRow(row)
        complete = sum(1 for v in villages if v.filled == len(v.duties))
        self.six_summary.setText(
            f"有山洪危险区的村 {len(villages)} 个，六落实全部到位 {complete} 个。"
            "责任人取自基础数据的责任角色（行政责任人＝乡镇第一责任人，监测负责人＝山洪预警员或"
            "村监测预警，信息报送人＝村级灾害信息员；对应关系为推定，待县里确认），"
            "预警信号、转移路线、安全地点取自风险点。"
        )
        self.card_button.setEnabled(self.selected_village() is not None)
        self.six_shown.emit()

    def selected_village(self) -> VillageDuties | None:
        index = self.six.currentIndex()
        if not index.isValid() or index.row() >= len(self.six_villages):
            return None
        return self.six_villages[index.row()]

    def print_card(self, path: Path) -> None:
        """The selected village's 明白卡 as PDF (Qt printing: no database)."""
        from console.ui.pdf_export import write_pdf

        village = self.selected_village()
        if village is None:
            return
        write_pdf(card_html(village), path, title=f"{village.village}明白卡")
        self.card_message.setText(f"已导出：{path.name}")

    def _ask_card(self) -> None:
        village = self.selected_village()
        if village is None:
            return
        name = f"{village.township}{village.village}明白卡.pdf"
        path, _ = QFileDialog.getSaveFileName(
            self, "打印明白卡", str(Path.home() / name), "PDF (*.pdf)"
        )
        if path:
            self.print_card(Path(path))

    # -- permissions ----------------------------------------------------------------------
    def role_name(self) -> str | None:
        return signed_in_role(self.context)

    def _may(self, mutation: str) -> bool:
        role = self.role_name()
        return self.service._writer is not None and (role is None or allowed(role, mutation))

    def _update_buttons(self) -> None:
        view = self.current
        live = view is not None and view.response["status"] == catalog.RESPONSE_ACTIVE
        rank = RESPONSE_RANK[view.response["level"]] if view is not None else 0
        leader = self._may("response.change_level")
        self.activate_button.setEnabled(self._may("response.activate"))
        self.raise_button.setEnabled(leader and live and rank < len(RESPONSE_LEVELS))
        self.lower_button.setEnabled(leader and live and rank > 1)
        self.end_button.setEnabled(self._may("response.end") and live)
        self.docx_button.setEnabled(view is not None)
        self.pdf_button.setEnabled(view is not None)
        can_tick = self._may("response.record") and self.selected_item() is not None
        self.tick_button.setEnabled(can_tick)
        self.note_button.setEnabled(can_tick)
        if not self._may("response.activate"):
            self.activate_button.setToolTip("启动、升级、降级和终止应急响应须由带班领导操作")

    # -- reading --------------------------------------------------------------------------
    def _read(self) -> list[ResponseView]:
        now = self.context.clock()
        return [self.service.view(r["id"], now) for r in self.service.responses()]

    def refresh(self) -> None:
        run_task(self.context.tasks, self._read, on_done=self._land, receiver=self)

    def _land(self, views: list[ResponseView]) -> None:
        selected = self.current.response["id"] if self.current is not None else None
        self.views = views
        self.response_model.removeRows(0, self.response_model.rowCount())
        for v in views:
            r = v.response
            ticked, total, overdue = v.progress
            progress = f"{ticked}/{total}" + (f" 超时{overdue}" if overdue else "")
            row = text_items(
                (
                    r["hazard"],
                    guides.LEVEL_NAMES[r["level"]],
                    v.source,
                    beijing.display(r["activated_at"])[5:],
                    progress,
                    r["status"],
                ),
                r["id"],
            )
            if overdue:
                row[4].setForeground(self.danger)
            self.response_model.appendRow(row)
        again = next((i for i, v in enumerate(views) if v.response["id"] == selected), None)
        if again is None and views:
            again = 0
        if again is not None:
            self.responses.selectRow(again)
            self._response_selected(again)
        else:
            self.current = None
            self._show_current()
        self.refreshed.emit()

    def _response_selected(self, row: int) -> None:
        self.current = self.views[row] if 0 <= row < len(self.views) else None
        self._show_current()

    def _show_current(self) -> None:
        view = self.current
        keep = self.checklist.currentIndex().row()
        self.check_model.removeRows(0, self.check_model.rowCount())
        self.history_model.removeRows(0, self.history_model.rowCount())
        if view is None:
            self.title.setText("尚无应急响应：选择事件后点击“启动响应…”")
            self.marks.hide()
            self._update_buttons()
            return
        r = view.response
        ticked, total, overdue = view.progress
        self.title.setText(
            f"{r['hazard']}{guides.LEVEL_NAMES[r['level']]}应急响应（{r['status']}）　"
            f"{view.source}　完成 {ticked}/{total}" + (f"，超时 {overdue} 项" if overdue else "")
        )
        self.marks.setText("【" + "】【".join(view.marks) + "】" if view.marks else "")
        self.marks.setVisible(bool(view.marks))
        for s in view.items:
            if s.ticked:
                who = f"{s.ticked_by} {beijing.display(s.ticked_at)[11:]}"
                who += "（超时）" if s.late else ""
            else:
                who = "超时未完成" if s.overdue else ""
            notes = "；".join(n.text for n in s.notes)
            row = text_items(
                (
                    "✓" if s.ticked else "",
                    s.role,
                    s.action,
                    limit_text(s.limit_minutes),
                    who,
                    notes,
                ),
                s.item_id,
            )
            if s.overdue:
                for item in row:
                    item.setForeground(self.danger)
                    item.setToolTip(
                        f"超过时限：应于 {beijing.display(beijing.canonical(s.due_at))[11:]} 前完成"
                        if s.due_at
                        else ""
                    )
            elif s.ticked:
                row[0].setForeground(self.ok)
            self.check_model.appendRow(row)
        if self.check_model.rowCount():  # the keyboard starts on a line: Space ticks it
            self.checklist.selectRow(keep if 0 <= keep < self.check_model.rowCount() else 0)
        for e in reversed(view.events):
            kind = e["kind"]
            text = view.actions.get(str(e["guide_item_id"]), "")
            if kind in (catalog.RAISED, catalog.LOWERED):
                text = (
                    f"{guides.LEVEL_NAMES[e['from_level']]} → {guides.LEVEL_NAMES[e['to_level']]}"
                )
            if e["note"]:
                text = f"{text}（{e['note']}）" if text else e["note"]
            self.history_model.appendRow(
                text_items((beijing.display(e["at"])[5:], e["author"], kind, text), e["id"])
            )
        self._update_buttons()

    def show_guide(self) -> None:
        hazard, level, role = (
            self.hazard.currentText(),
            self.level.currentData(),
            self.role.currentText(),
        )

        def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
            return (
                self.service.items(hazard, level),
                self.service.triggers(level),
                self.service.hazards(),
            )

        run_task(
            self.context.tasks,
            read,
            on_done=lambda found: self._land_guide(found, role),
            receiver=self,
        )

    def _land_guide(
        self, found: tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]], role: str
    ) -> None:
        items, triggers, hazards = found
        current = self.hazard.currentText()
        if [self.hazard.itemText(i) for i in range(self.hazard.count())] != hazards:
            self.hazard.clear()
            self.hazard.addItems(hazards)
            self.hazard.setCurrentIndex(max(0, self.hazard.findText(current)))
        self.guide_model.removeRows(0, self.guide_model.rowCount())
        for i in items:
            if role != ALL_ROLES and i["role"] != role:
                continue
            self.guide_model.appendRow(
                text_items(
                    (
                        guides.LEVEL_NAMES[i["level"]],
                        i["role"],
                        str(i["seq"]),
                        i["action"],
                        limit_text(int(i["limit_minutes"])),
                    ),
                    i["id"],
                )
            )
        if not items:
            self.guide_model.appendRow(text_items(("", "", "", "本灾种此等级尚无指南事项", "")))
        level = guides.LEVEL_NAMES[self.level.currentData()]
        self.triggers.setText(
            f"{level}响应启动条件（与研判一张单共用）："
            + ("；".join(guides.trigger_text(t) for t in triggers) or "未设置")
        )
        self.draft.setVisible(any(i["is_draft"] for i in items))
        self.guide_shown.emit()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*SIX_TABLES):
            self.show_six()
        if changes.touches(*TABLES):
            self.refresh()
            if changes.touches("guide_items", "response_triggers"):
                self.show_guide()

    # -- writing --------------------------------------------------------------------------
    def selected_item(self) -> str | None:
        index = self.checklist.currentIndex()
        if self.current is None or not index.isValid():
            return None
        row = index.row()
        return self.current.items[row].item_id if row < len(self.current.items) else None

    def ask_activate(self, chosen: str | None = None) -> None:
        """启动响应…: the open incidents, the signed sheets and the hazards are read off the
        GUI thread, then the dialog opens (on ``chosen``, an incident's or a sheet's id)."""

        def read() -> tuple[list[dict[str, Any]], list[str]]:
            return self.service.sources(), self.service.hazards()

        def show(found: tuple[list[dict[str, Any]], list[str]]) -> None:
            sources, hazards = found
            if not sources:
                self._say("没有未结案的事件或已签发的研判单：应急响应须从二者之一启动", error=True)
                return
            dialog = ActivateDialog(sources, hazards, self, chosen)
            dialog.accepted.connect(lambda: self.activate(dialog.values()))
            self.dialog = dialog
            dialog.open()

        run_task(self.context.tasks, read, on_done=show, receiver=self)

    def activate(self, values: dict[str, Any]) -> None:
        user = self._user()
        name = guides.LEVEL_NAMES[values["level"]]
        self._write(
            lambda: self.service.activate(
                values["hazard"],
                values["level"],
                user=user,
                incident_id=values.get("incident_id"),
                assessment_id=values.get("assessment_id"),
                reason=values.get("reason", ""),
            ),
            f"已启动{values['hazard']}{name}应急响应",
        )

    def toggle_selected(self) -> None:
        view, item_id = self.current, self.selected_item()
        if view is None or item_id is None or not self._may("response.record"):
            return
        state = next(s for s in view.items if s.item_id == item_id)
        response_id, user, done = view.response["id"], self._user(), not state.ticked
        self._write(
            lambda: self.service.tick(response_id, item_id, user=user, done=done),
            ("已完成：" if done else "已取消完成：") + state.action,
        )

    def note(self, text: str) -> None:
        view, item_id = self.current, self.selected_item()
        if view is None or item_id is None or not text.strip():
            return
        response_id, user = view.response["id"], self._user()
        self._write(
            lambda: self.service.note(response_id, item_id, text.strip(), user=user), "已记录备注"
        )

    def _ask_note(self) -> None:
        text, ok = QInputDialog.getText(self, "备注", "本事项的备注：")
        if ok:
            self.note(text[:500])

    def change_level(self, level: str, reason: str) -> None:
        view = self.current
        if view is None:
            return
        response_id, user = view.response["id"], self._user()
        self._write(
            lambda: self.service.change_level(response_id, level, reason, user=user),
            f"应急响应已调整为{guides.LEVEL_NAMES[level]}",
        )

    def _ask_level(self, step: int) -> None:
        view = self.current
        if view is None:
            return
        rank = RESPONSE_RANK[view.response["level"]] + step
        if not 1 <= rank <= len(RESPONSE_LEVELS):
            return
        level = RESPONSE_LEVELS[rank - 1]
        verb = "升级" if step > 0 else "降级"
        reason, ok = QInputDialog.getText(
            self, f"{verb}应急响应", f"{verb}为{guides.LEVEL_NAMES[level]}的理由："
        )
        if ok:
            self.change_level(level, reason[:500])

    def end(self, reason: str = "") -> None:
        view = self.current
        if view is None:
            return
        response_id, user = view.response["id"], self._user()
        self._write(
            lambda: self.service.end(response_id, user=user, reason=reason), "应急响应已终止"
        )

    def _ask_end(self) -> None:
        reason, ok = QInputDialog.getText(self, "终止应急响应", "终止理由：")
        if ok:
            self.end(reason[:500])

    def export_to(self, path: Path) -> None:
        view = self.current
        if view is None:
            return
        now = self.context.clock()
        if path.suffix.lower() == ".pdf":
            from console.ui.pdf_export import write_pdf

            title = f"{view.response['hazard']}应急响应工作清单"
            write_pdf(checklist_html(view, now), path, title=title)
            self._say(f"已导出：{path}")
            self.written.emit("")
            return
        self._write(lambda: export_docx(view, path, now), f"已导出：{path}")

    def _ask_export(self, kind: str) -> None:
        view = self.current
        if view is None:
            return
        name = f"{view.response['hazard']}应急响应工作清单.{kind}"
        path, _ = QFileDialog.getSaveFileName(
            self, "导出工作清单", str(Path.home() / name), f"{kind.upper()} (*.{kind})"
        )
        if path:
            self.export_to(Path(path))
