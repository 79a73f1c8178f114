"""设置: theme, the officer's name, where the data lives, and every registered setting.

Changes take effect at once: the theme through :class:`~console.ui.theme.ThemeManager`, the
officer's name through :class:`~console.ui.session.DutySession` (the status bar follows).
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.roles import allowed
from console.models.record_table import SORT_ROLE
from console.models.settings_table_model import SettingsTableModel, setting_rows
from console.services.io.service import ReferenceIO
from console.services.sample_data import remove_sample
from console.settings import (
    LAGGARD_MINUTES,
    LAGGARD_RANGE,
    MAP_BASE_LAYER,
    OFFICER,
    THEME,
    laggard_minutes,
)
from console.ui.logging_setup import log_path
from console.ui.session import NO_OFFICER
from console.ui.tasks import run_task
from console.ui.theme import THEME_LABELS, THEMES
from console.views.import_dialog import ImportDialog
from console.views.pages.base import Page, PageContext
from console.views.pages.grading_rules_panel import GradingRulesPanel
from console.views.pages.map_base_dialog import NO_BASE_LAYER, choose_base_layer
from console.views.pages.report_rules_panel import ReportRulesPanel
from console.views.registry import THEME_SHORTCUT


class SettingsPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        # Two rows (theme | officer, data folder | log) leave the rule tables their height.
        form = QGridLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        themes = QHBoxLayout()
        self.theme_group = QButtonGroup(self)
        self.theme_buttons: dict[str, QRadioButton] = {}
        for name in THEMES:
            button = QRadioButton(THEME_LABELS[name], self)
            self.theme_group.addButton(button)
            self.theme_buttons[name] = button
            themes.addWidget(button)
            button.toggled.connect(lambda on, n=name: self._choose_theme(n) if on else None)
        hint = QLabel(f"快捷键 {THEME_SHORTCUT} 随时切换", self)
        hint.setObjectName("Muted")
        themes.addSpacing(12)
        themes.addWidget(hint)
        themes.addStretch(1)
        form.addWidget(QLabel("界面主题", self), 0, 0)
        form.addLayout(themes, 0, 1)

        officer = QHBoxLayout()
        current = context.session.officer
        self.officer = QLineEdit("" if current == NO_OFFICER else current, self)
        self.officer.setPlaceholderText(NO_OFFICER)
        self.officer.setMaxLength(40)
        self.officer.setMaximumWidth(260)
        self.save_officer = QPushButton("保存", self)
        officer.addWidget(self.officer)
        officer.addWidget(self.save_officer)
        officer.addStretch(1)
        form.addWidget(QLabel("本机值班员", self), 0, 2)
        form.addLayout(officer, 0, 3)

        self.data_dir = QLabel(str(context.data_dir), self)
        self.data_dir.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addWidget(QLabel("数据文件夹", self), 1, 0)
        form.addWidget(self.data_dir, 1, 1)
        self.log_file = QLabel(str(log_path(context.data_dir)), self)
        self.log_file.setObjectName("Muted")
        form.addWidget(QLabel("日志文件", self), 1, 2)
        form.addWidget(self.log_file, 1, 3)
        # Until the 基础数据 page exists, the reference data's import/export lives here.
        self.import_export = QPushButton("导入/导出基础数据…", self)
        self.import_export.setEnabled(context.incidents is not None)
        self.import_export.clicked.connect(self.open_import_dialog)
        self.clear_sample = QPushButton("清除样例数据…", self)
        self.clear_sample.setToolTip(
            "删除本机的遂昌县样例数据（样例乡镇、村、风险点、人员和样例事件），保留您录入的数据"
        )
        self.clear_sample.clicked.connect(lambda: self.remove_sample())
        self.sample_note = QLabel(self)
        self.sample_note.setObjectName("Muted")
        data_row = QHBoxLayout()
        data_row.addWidget(self.import_export)
        data_row.addWidget(self.clear_sample)
        data_row.addWidget(self.sample_note)
        data_row.addStretch(1)
        form.addWidget(QLabel("基础数据", self), 2, 0)
        form.addLayout(data_row, 2, 1)
        base_row = QHBoxLayout()
        self.base_layer = QLabel(self)
        self.base_layer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        base_row.addWidget(self.base_layer, 1)
        self.base_button = QPushButton("选择…", self)
        self.base_button.setToolTip("识别一张图的底图：本机 MBTiles 文件或瓦片文件夹（不联网）")
        self.base_button.clicked.connect(self._choose_base_layer)
        base_row.addWidget(self.base_button)
        form.addWidget(QLabel("地图底图", self), 2, 2)
        form.addLayout(base_row, 2, 3)
        self.layout_.addLayout(form)
        self.import_dialog: ImportDialog | None = None

        # The rule tables and the settings list share the rest of the page, one tab each, so
        # each table keeps its height at 1280x800 (stacked they overlapped).
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.rules: ReportRulesPanel | None = None
        self.grading: GradingRulesPanel | None = None
        if context.incident_source is not None:
            self.rules = ReportRulesPanel(context, self.tabs)
            self.tabs.addTab(_padded(self.rules), "信息报送规则")
            self.grading = GradingRulesPanel(context, self.tabs)
            self.tabs.addTab(_padded(self.grading), "定级标准")

        settings = QWidget(self.tabs)
        box = QVBoxLayout(settings)
        box.setContentsMargins(0, 10, 0, 0)
        # 管控一张表's 超时未报: here, so the rule tables above keep their height.
        laggard_row = QHBoxLayout()
        laggard_row.addWidget(QLabel("超时未报", settings))
        self.laggard = QSpinBox(settings)
        self.laggard.setRange(*LAGGARD_RANGE)
        self.laggard.setSuffix(" 分钟")
        self.laggard.setToolTip(LAGGARD_MINUTES.description)
        laggard_row.addWidget(self.laggard)
        laggard_hint = QLabel(
            "管控一张表：转移进行中，村超过该时间没有报告即标为超时未报", settings
        )
        laggard_hint.setObjectName("Muted")
        laggard_row.addWidget(laggard_hint)
        laggard_row.addStretch(1)
        box.addLayout(laggard_row)
        self.laggard.valueChanged.connect(self._save_laggard)
        table_title = QLabel("全部设置项（仅保存与默认值不同的项）", settings)
        table_title.setObjectName("CardHeading")
        box.addWidget(table_title)
        self.model = SettingsTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(settings)
        self.table.setModel(self.proxy)  # registry order; no sorting needed for a few rows
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        box.addWidget(self.table, 1)
        self.overrides = QLabel(settings)
        self.overrides.setObjectName("Muted")
        self.overrides.setWordWrap(True)
        box.addWidget(self.overrides)
        self.tabs.addTab(settings, "全部设置项")
        self.layout_.addWidget(self.tabs, 1)

        self.save_officer.clicked.connect(self._save_officer)
        self.officer.returnPressed.connect(self._save_officer)
        context.theme.changed.connect(self._on_theme)
        context.session.officer_changed.connect(lambda _name: self.refresh())
        self._on_theme(context.theme.name)

    def refresh(self) -> None:
        ctx = self.context
        self.clear_sample.setVisible(False)
        if ctx.incidents is not None:  # read on the task runner: never on the GUI thread
            run_task(
                ctx.tasks,
                ctx.queries.sample_present,
                on_done=lambda present: self.clear_sample.setVisible(bool(present)),
                receiver=self,
            )
        self.model.set_records(setting_rows(ctx.settings))
        self.base_layer.setText(ctx.settings.get(MAP_BASE_LAYER) or NO_BASE_LAYER)
        self.laggard.blockSignals(True)
        self.laggard.setValue(laggard_minutes(ctx.settings))
        self.laggard.blockSignals(False)
        notes = []
        if ctx.theme.name != ctx.settings.get(THEME):
            notes.append(f"本次运行的界面主题由命令行 --theme 指定为 {ctx.theme.name}")
        if ctx.session.officer not in (ctx.settings.get(OFFICER), NO_OFFICER):
            notes.append(f"本次运行的值班员由命令行 --officer 指定为 {ctx.session.officer}")
        self.overrides.setText(
            "；".join(notes) + ("（仅本次运行，未保存为本机设置）。" if notes else "")
        )
        self.overrides.setVisible(bool(notes))

    def _choose_theme(self, name: str) -> None:
        if name != self.context.theme.name:
            self.context.settings.set(THEME, name)
            self.context.theme.apply(name)
        self.refresh()

    def _on_theme(self, name: str) -> None:
        button = self.theme_buttons.get(name)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self.refresh()

    def open_import_dialog(self) -> None:
        ctx = self.context
        if ctx.incidents is None:
            return
        if self.import_dialog is None:
            self.import_dialog = ImportDialog(
                ReferenceIO(ctx.incidents.writer),
                tasks=ctx.tasks,
                colors=ctx.theme.colors(),
                user=lambda: ctx.session.officer,
                may_write=self._may_write,
                parent=self,
            )
        self.import_dialog.open()  # window-modal: the page under it waits

    def remove_sample(self, *, confirm: bool = True) -> None:
        """清除样例数据 after the officer confirms; their own records stay."""
        ctx = self.context
        if ctx.incidents is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                "清除样例数据",
                "将从本机删除全部遂昌县样例数据（样例乡镇、村、风险点、避灾场所、人员和样例事件），"
                "您自己录入的数据保留。清除后本机不再自动载入样例数据。\n\n是否继续？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        writer = ctx.incidents.writer

        def done(count: object) -> None:
            self.sample_note.setText("已清除样例数据" if count else "本机没有样例数据")
            self.refresh()

        run_task(ctx.tasks, remove_sample, writer, on_done=done, receiver=self)

    def _may_write(self, mutation: str) -> bool:
        """The signed-in role's permission; standalone (no account) writes locally."""
        sync = self.context.sync
        session = sync.session if sync is not None else None
        return session is None or allowed(session.role, mutation)

    def showEvent(self, event: QShowEvent) -> None:
        """Settings changed elsewhere (the map's 底图…) are shown on arrival."""
        super().showEvent(event)
        self.refresh()

    def _choose_base_layer(self) -> None:
        if choose_base_layer(self, self.context.settings):
            self.refresh()

    def _save_laggard(self, minutes: int) -> None:
        """超时未报 minutes, saved as this workstation's setting (管控一张表 reads it)."""
        self.context.settings.set(LAGGARD_MINUTES, minutes)
        self.model.set_records(setting_rows(self.context.settings))

    def _save_officer(self) -> None:
        self.context.session.set_officer(self.officer.text())


def _padded(panel: QWidget) -> QScrollArea:
    """A panel in a tab, a little below the tab bar; it scrolls in a window too low for it
    rather than squeezing its table over its editor."""
    page = QWidget()
    box = QVBoxLayout(page)
    box.setContentsMargins(0, 10, 4, 0)
    box.addWidget(panel)
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(page)
    return area
