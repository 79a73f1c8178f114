"""案例一个库: search the county's past cases (two-character queries such as 滑坡 work),
filter by hazard, township and year, read a case, see the cases like an incident with the
reason (and the plans of its type), make a closed incident a case draft, edit a draft,
publish it, export it as Word. The 预案库 tab is :mod:`console.views.pages.plan_panel`.

Reads run on the task runner through :mod:`console.services.cases`; writes through
:class:`CaseService` (one mutation each).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.domain import catalog
from console.domain.schema import ENTITY_FIELDS
from console.services import case_export
from console.services.cases import (
    CaseFilter,
    CaseService,
    LibraryChoices,
    library_choices,
    read_case,
    search_cases,
    similar_to_incident,
)
from console.services.files import CaseFiles
from console.services.plans import OVERDUE, PlanService, plans_for_incident
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import (
    PageContext,
    WritingPage,
    headed_table,
    read_only_table,
    text_items,
)
from console.views.pages.case_files import CaseFilesPanel
from console.views.pages.plan_panel import PlanPanel, open_plan, save_cancel

TABLES = ("cases", "incidents", "townships")
LIST_COLUMNS = ("案例名称", "发生日期", "灾种", "乡镇", "伤亡", "状态")
SIMILAR_COLUMNS = ("案例名称", "相似度", "相似之处")
ALL = "全部"
_FIELDS = ENTITY_FIELDS["cases"]
# The draft editor's single-line fields and its long texts (the case's sections).
LINE_FIELDS = ("title", "occurred_on", "place")
TEXT_FIELDS = tuple(key for _h, key in case_export.SECTIONS)


def _casualties(row: dict[str, Any]) -> str:
    dead, missing = row.get("dead") or 0, row.get("missing") or 0
    parts = (f"死{dead}" if dead else "", f"失踪{missing}" if missing else "")
    return " ".join(p for p in parts if p) or "—"


def case_html(case: dict[str, Any]) -> str:
    """The detail pane: marks, title, facts line and the numbered sections."""
    esc = html.escape
    marks = case_export.case_marks(case)
    mark = f"<p style='color:#d9534f'><b>【{'】【'.join(marks)}】</b></p>" if marks else ""
    body = "".join(
        f"<h4>{esc(heading)}</h4><p>{esc(text).replace(chr(10), '<br>')}</p>"
        for heading, text in case_export.sections(case)
    )
    return (
        f"{mark}<h3>{esc(str(case.get('title') or ''))}</h3>"
        f"<p>{esc(case_export.facts_line(case))}</p>{body}"
    )


class CaseEditDialog(QDialog):
    """Edit a case: its name, day, hazard, place, rain pattern and the long texts; labels
    and lengths from the field declarations."""

    def __init__(self, case: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("编辑案例")
        self.resize(720, 640)
        self.case = case
        outer = QVBoxLayout(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        inner = QWidget(scroll)
        form = QFormLayout(inner)
        self.lines: dict[str, QLineEdit] = {}
        for key in LINE_FIELDS:
            edit = QLineEdit(str(case.get(key) or ""), inner)
            if _FIELDS[key].max_len:
                edit.setMaxLength(int(_FIELDS[key].max_len or 0))
            form.addRow(_FIELDS[key].label, edit)
            self.lines[key] = edit
        self.lines["occurred_on"].setPlaceholderText("如 2016-09-28")
        self.hazard = QComboBox(inner)
        self.hazard.addItems(list(catalog.CASE_HAZARDS))
        self.hazard.setCurrentText(str(case.get("hazard") or catalog.OTHER))
        form.addRow(_FIELDS["hazard"].label, self.hazard)
        self.rain_pattern = QComboBox(inner)
        self.rain_pattern.addItem("（不详）", "")
        for pattern in catalog.RAIN_PATTERNS:
            self.rain_pattern.addItem(pattern, pattern)
        self.rain_pattern.setCurrentIndex(
            max(0, self.rain_pattern.findData(case.get("rain_pattern") or ""))
        )
        form.addRow(_FIELDS["rain_pattern"].label, self.rain_pattern)
        self.texts: dict[str, QPlainTextEdit] = {}
        for key in TEXT_FIELDS:
            box = QPlainTextEdit(str(case.get(key) or ""), inner)
            box.setMinimumHeight(72)
            form.addRow(_FIELDS[key].label, box)
            self.texts[key] = box
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        outer.addWidget(save_cancel(self, self.accept))

    def changed_fields(self) -> dict[str, Any]:
        """The fields the officer changed (what case.update is given)."""
        values: dict[str, Any] = {k: e.text().strip() for k, e in self.lines.items()}
        values["occurred_on"] = values["occurred_on"] or None
        values["hazard"] = self.hazard.currentText()
        values["rain_pattern"] = self.rain_pattern.currentData() or ""
        values.update({k: e.toPlainText().strip() for k, e in self.texts.items()})
        return {k: v for k, v in values.items() if v != (self.case.get(k) or type(v)())}


class CaseLibraryPage(WritingPage):
    refreshed = Signal()  # the list landed (tests wait on it)
    shown = Signal()  # a case's detail landed
    similar_shown = Signal()  # the similar cases of an incident landed
    plans_shown = Signal()  # the plans of an incident's type landed

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.store = context.queries.store
        writer = context.incidents.writer if context.incidents is not None else None
        self.service = CaseService(writer) if writer is not None else None
        self.rows: list[dict[str, Any]] = []
        self.case: dict[str, Any] | None = None
        self.choices = LibraryChoices()
        self._seq = 0
        self._wanted: str | None = None  # an incident asked for before the pickers filled
        self.header.subtitle.setText(
            "历史灾害事件的经过、雨水情、处置、伤亡损失、有效做法和经验教训；"
            "按灾种、乡镇、年份检索，为当前事件提示相似案例。"
        )

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.sections = QTabWidget(self)
        self.sections.setDocumentMode(True)
        cases_tab = QWidget(self.sections)
        cases_box = QVBoxLayout(cases_tab)
        cases_box.setContentsMargins(0, 8, 0, 0)
        cases_box.setSpacing(10)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("搜索案例：如 滑坡、苏村、堰塞湖")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        bar.addWidget(self.search)
        self.hazard = QComboBox(self)
        self.hazard.addItem(f"{ALL}灾种", "")
        for h in catalog.CASE_HAZARDS:
            self.hazard.addItem(h, h)
        self.township = QComboBox(self)
        self.township.addItem(f"{ALL}乡镇", None)
        self.year = QComboBox(self)
        self.year.addItem(f"{ALL}年份", None)
        for combo in (self.hazard, self.township, self.year):
            bar.addWidget(combo)
        bar.addStretch(1)
        self.new_button = QPushButton("新建案例…", self)
        bar.addWidget(self.new_button)
        self.export_button = QPushButton("导出Word…", self)
        bar.addWidget(self.export_button)
        self.public_button = QPushButton("载入公开案例", self)
        self.public_button.setToolTip(
            "把随软件提供的真实公开案例（如 2016 年北界镇苏村“9·28”山体滑坡，均注明来源）"
            "载入本县案例库，并同步到服务器"
        )
        bar.addWidget(self.public_button)
        cases_box.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        self.model, self.table = headed_table(left, LIST_COLUMNS, (0, 92, 64, 80, 96, 56))
        left_box.addWidget(self.table)
        self.count = QLabel(left)
        self.count.setObjectName("Muted")
        left_box.addWidget(self.count)

        self.tabs = QTabWidget(splitter)
        self.tabs.setDocumentMode(True)
        detail = QWidget(self.tabs)
        detail_box = QVBoxLayout(detail)
        detail_box.setContentsMargins(0, 8, 0, 0)
        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(False)
        # The text above, its attachments below: the officer drags the split.
        split = QSplitter(Qt.Orientation.Vertical, detail)
        split.addWidget(self.detail)
        self.files = CaseFilesPanel(
            context,
            CaseFiles(writer) if writer is not None else None,
            self._write,
            self.message,
            split,
        )
        split.addWidget(self.files)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setSizes([400, 170])
        detail_box.addWidget(split, 1)
        actions = QHBoxLayout()
        self.edit_button = QPushButton("编辑…", detail)
        self.publish_button = QPushButton("发布", detail)
        self.publish_button.setToolTip("发布到全县案例库（带班领导）")
        actions.addWidget(self.edit_button)
        actions.addWidget(self.publish_button)
        actions.addStretch(1)
        detail_box.addLayout(actions)
        self.tabs.addTab(detail, "案例详情")

        similar, similar_box, self.incident = self._picker_tab("当前事件")
        self.similar_model = QStandardItemModel(0, len(SIMILAR_COLUMNS), self)
        self.similar_model.setHorizontalHeaderLabels(list(SIMILAR_COLUMNS))
        self.similar = read_only_table(similar, self.similar_model, 2)
        self.similar.setColumnWidth(0, 200)
        self.similar.setColumnWidth(1, 60)
        similar_box.addWidget(self.similar, 1)
        plans_title = QLabel("适用预案（双击打开文件）", similar)
        plans_title.setObjectName("FormHeading")
        similar_box.addWidget(plans_title)
        self.incident_plans = QListWidget(similar)
        self.incident_plans.setMaximumHeight(110)
        similar_box.addWidget(self.incident_plans)
        hint = QLabel("按灾种、乡镇、雨型、季节计算相似度；双击打开案例。", similar)
        hint.setObjectName("Muted")
        hint.setWordWrap(True)
        similar_box.addWidget(hint)
        self.tabs.addTab(similar, "相似案例")

        draft, draft_box, self.closed = self._picker_tab("已结案事件")
        self.draft_button = QPushButton("生成案例草稿", draft)
        self.draft_button.setObjectName("PrimaryButton")
        draft_box.addWidget(self.draft_button, 0, Qt.AlignmentFlag.AlignLeft)
        note = QLabel(
            "事件经过、时间线、报送记录和伤亡数字自动填入草稿，再补充有效做法和经验教训后发布。",
            draft,
        )
        note.setObjectName("Muted")
        note.setWordWrap(True)
        draft_box.addWidget(note)
        draft_box.addStretch(1)
        self.tabs.addTab(draft, "由事件生成")

        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 560])
        cases_box.addWidget(splitter, 1)
        self.sections.addTab(cases_tab, "案例")
        plans = PlanService(writer, context.data_dir) if writer is not None else None
        self.plans = PlanPanel(context, plans, self._write, self.message, self.sections)
        self.sections.addTab(self.plans, "预案库")
        self.layout_.addWidget(self.sections, 1)
        self.layout_.addWidget(self.message)

        self.search.textChanged.connect(lambda _t: self.refresh())
        for combo in (self.hazard, self.township, self.year):
            combo.activated.connect(lambda _i: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._row_selected(current.row())
        )
        self.incident.activated.connect(lambda _i: self.show_similar())
        self.similar.doubleClicked.connect(self._open_similar)
        self.incident_plans.itemDoubleClicked.connect(self._open_plan)
        self.edit_button.clicked.connect(self._ask_edit)
        self.new_button.clicked.connect(self._ask_new)
        self.publish_button.clicked.connect(self.publish)
        self.draft_button.clicked.connect(self.make_draft)
        self.export_button.clicked.connect(self._ask_export)
        self.public_button.clicked.connect(self.load_public_cases)
        context.bus.changed.connect(self._on_changes)
        self._update_buttons()
        self.load_choices()
        self.refresh()
        self.plans.refresh()

    def _picker_tab(self, label: str) -> tuple[QWidget, QVBoxLayout, QComboBox]:
        """A tab of the detail side that starts with an incident picker under ``label``."""
        tab = QWidget(self.tabs)
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 8, 0, 0)
        box.addWidget(QLabel(label, tab))
        picker = QComboBox(tab)
        picker.setMinimumContentsLength(20)
        box.addWidget(picker)
        return tab, box, picker

    def select_tab(self, name: str) -> None:
        """``--view case-library:plans`` (the tabs: cases, plans)."""
        self.sections.setCurrentIndex(("cases", "plans").index(name))

    # -- reading ------------------------------------------------------------------------
    def current_filter(self) -> CaseFilter:
        return CaseFilter(
            text=self.search.text(),
            hazard=self.hazard.currentData() or "",
            township_id=self.township.currentData(),
            year=self.year.currentData(),
        )

    def refresh(self) -> None:
        flt = self.current_filter()
        run_task(
            self.context.tasks,
            search_cases,
            self.store,
            flt,
            on_done=self._land,
            receiver=self,
        )

    def _land(self, rows: list[dict[str, Any]]) -> None:
        selected = self.case["id"] if self.case is not None else None
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        for r in rows:
            title = f"〔样例〕{r['title']}" if r["is_sample"] else r["title"]
            values = (
                title,
                r["occurred_on"] or "不详",
                r["hazard"],
                r["township"] or "—",
                _casualties(r),
                r["status"],
            )
            self.model.appendRow(text_items(values, r["id"]))
        self.count.setText(f"共 {len(rows)} 个案例")
        again = next((i for i, r in enumerate(rows) if r["id"] == selected), None)
        if again is None and rows:
            again = 0
        if again is not None:
            self.table.selectRow(again)
            self._row_selected(again)
        else:
            self.case = None
            self.detail.setHtml("<p>没有符合条件的案例。</p>")
            self.files.show_case(None)
        self._update_buttons()
        self.refreshed.emit()

    def load_choices(self) -> None:
        run_task(
            self.context.tasks,
            library_choices,
            self.store,
            on_done=self._land_choices,
            receiver=self,
        )

    def _land_choices(self, choices: LibraryChoices) -> None:
        self.choices = choices
        for combo, items in (
            (self.township, [(i, n) for i, n in choices.townships]),
            (self.year, [(y, f"{y}年") for y in choices.years]),
            (self.incident, [(i, label) for i, label in choices.incidents]),
            (self.closed, [(i, label) for i, label in choices.closed]),
        ):
            keep = combo.currentData()
            combo.blockSignals(True)
            first = 1 if combo in (self.township, self.year) else 0
            while combo.count() > first:
                combo.removeItem(first)
            for data, label in items:
                combo.addItem(label, data)
            found = combo.findData(keep)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)
        if self._wanted is not None:
            self._pick(self._wanted)
        if not choices.closed:
            self.closed.setPlaceholderText("（暂无已结案事件）")
        if not choices.incidents:
            self.incident.setPlaceholderText("（暂无事件）")
        self._update_buttons()
        self.show_similar()

    def _row_selected(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        self.show_case(self.rows[row]["id"])

    def show_incident(self, incident_id: str) -> None:
        """The similar cases and plans of this incident (and, if it is closed, the draft
        picker on it): what 案例与预案 in the incident detail opens."""
        self.sections.setCurrentIndex(0)
        self.tabs.setCurrentIndex(1)
        self._wanted = incident_id
        self.load_choices()  # the incident may be newer than the pickers

    def _pick(self, incident_id: str) -> None:
        found = self.incident.findData(incident_id)
        if found < 0:
            return
        self._wanted = None
        self.incident.setCurrentIndex(found)
        closed = self.closed.findData(incident_id)
        if closed >= 0:
            self.closed.setCurrentIndex(closed)

    def show_case(self, case_id: str) -> None:
        self._seq += 1
        seq = self._seq
        run_task(
            self.context.tasks,
            read_case,
            self.store,
            case_id,
            on_done=lambda case: self._show(seq, case),
            receiver=self,
        )

    def _show(self, seq: int, case: dict[str, Any] | None) -> None:
        if seq != self._seq:
            return  # a later selection's read is on its way
        self.case = case
        self.detail.setHtml(case_html(case) if case is not None else "<p>案例已删除。</p>")
        self.files.show_case(case)
        self._update_buttons()
        self.shown.emit()

    def show_similar(self) -> None:
        incident_id = self.incident.currentData()
        if not incident_id:
            self.similar_model.removeRows(0, self.similar_model.rowCount())
            self.incident_plans.clear()
            return
        today = self.context.clock().date()
        run_task(
            self.context.tasks,
            lambda: plans_for_incident(self.store, incident_id, today),
            on_done=self._land_plans,
            receiver=self,
        )
        run_task(
            self.context.tasks,
            similar_to_incident,
            self.store,
            incident_id,
            on_done=self._land_similar,
            receiver=self,
        )

    def _land_similar(self, found: list[tuple[dict[str, Any], Any]]) -> None:
        self.similar_model.removeRows(0, self.similar_model.rowCount())
        for case, likeness in found:
            values = (case["title"], str(likeness.score), likeness.reason)
            self.similar_model.appendRow(text_items(values, case["id"]))
        if not found:
            self.similar_model.appendRow(text_items(("没有相似的案例", "", ""), None))
        self.similar_shown.emit()

    def _land_plans(self, plans: list[dict[str, Any]]) -> None:
        self.incident_plans.clear()
        for plan in plans:
            flag = f"（{OVERDUE}）" if plan["overdue"] else ""
            item = QListWidgetItem(f"{plan['kind']}：{plan['title']}{flag}")
            item.setData(Qt.ItemDataRole.UserRole, plan)
            self.incident_plans.addItem(item)
        if not plans:
            self.incident_plans.addItem("没有该类事件的预案")
        self.plans_shown.emit()

    def _open_plan(self, item: QListWidgetItem) -> None:
        plan = item.data(Qt.ItemDataRole.UserRole)
        if plan:
            open_plan(self.context, self, self.message, plan)

    def _open_similar(self, index: Any) -> None:
        case_id = index.data(Qt.ItemDataRole.UserRole)
        if case_id:
            self.tabs.setCurrentIndex(0)
            self.show_case(case_id)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.load_choices()
            self.refresh()
        if changes.touches("case_attachments"):
            self.files.refresh()
        if changes.touches("plans"):
            self.plans.refresh()
            self.show_similar()

    def _update_buttons(self) -> None:
        writable = self.service is not None
        draft = self.case is not None and self.case["status"] == catalog.CASE_DRAFT
        self.edit_button.setEnabled(writable and self.case is not None)
        self.new_button.setEnabled(writable)
        self.public_button.setEnabled(writable)
        self.publish_button.setEnabled(writable and draft)
        self.draft_button.setEnabled(writable and self.closed.currentData() is not None)
        self.export_button.setEnabled(self.case is not None)

    # -- writing ------------------------------------------------------------------------
    def make_draft(self) -> None:
        incident_id = self.closed.currentData()
        service = self.service
        if service is None or not incident_id:
            return
        user = self._user()
        self._write(
            lambda: service.draft_from_incident(incident_id, user=user),
            "已生成案例草稿：请补充有效做法和经验教训后发布",
            after=self._open_draft,
        )

    def _open_draft(self, case_id: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.case = {"id": case_id, "status": catalog.CASE_DRAFT}
        self.refresh()

    def load_public_cases(self) -> None:
        service = self.service
        if service is None:
            return
        user = self._user()

        def said(added: int) -> None:
            if added:
                self._say(f"已载入 {added} 个公开案例（均注明来源）")
            else:
                self._say("公开案例均已在案例库中")

        self._write(lambda: service.load_public_cases(user=user), "公开案例已载入", after=said)

    def publish(self) -> None:
        case, service = self.case, self.service
        if case is None or service is None:
            return
        user, case_id = self._user(), case["id"]
        self._write(lambda: service.publish(case_id, user=user), "案例已发布")

    def _ask_edit(self) -> None:
        case, service = self.case, self.service
        if case is None or service is None:
            return
        dialog = CaseEditDialog(case, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.save_edit(dialog.changed_fields())

    def _ask_new(self) -> None:
        if self.service is None:
            return
        dialog = CaseEditDialog({}, self)
        dialog.setWindowTitle("新建案例")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.create_case(dialog.changed_fields())

    def create_case(self, fields: dict[str, Any]) -> None:
        """A new case (a draft) typed by the officer; shown once saved."""
        service = self.service
        if service is None:
            return
        user = self._user()
        self._write(
            lambda: service.create(fields, user=user), "案例草稿已保存", after=self._open_draft
        )

    def save_edit(self, fields: dict[str, Any]) -> None:
        case, service = self.case, self.service
        if case is None or service is None:
            return
        if not fields:
            self._say("没有修改")
            return
        user, case_id = self._user(), case["id"]
        self._write(lambda: service.update(case_id, fields, user=user), "案例已保存")

    def _ask_export(self) -> None:
        if self.case is None:
            return
        default = str(self.context.data_dir / f"{self.case['title']}.docx")
        path, _ = QFileDialog.getSaveFileName(self, "导出案例", default, "Word 文档 (*.docx)")
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> None:
        case = self.case
        if case is None:
            return
        self._write(lambda: case_export.export_docx(case, path), f"已导出：{path.name}")


def open_cases_for(context: PageContext, incident_id: str) -> bool:
    """Switch to 案例一个库 on an incident's similar cases and plans; False when this page
    cannot switch pages (built alone)."""
    if context.open_view is None:
        return False
    page = context.open_view("case-library")
    if isinstance(page, CaseLibraryPage):
        page.show_incident(incident_id)
        return True
    return False
