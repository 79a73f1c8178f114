"""导入/导出基础数据: choose a table and a file, see the preview row by row, then import.

Reading and checking the file, the import itself and exports all run on the task runner
(nothing reads a file or the database on the GUI thread); the progress bar follows the
preview. 导入 is enabled only when no row is refused, or when the officer ticks
“跳过被拒绝的行” on purpose: then only the accepted rows are written (still one batch).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.models.import_preview_model import ImportPreviewModel
from console.services.io.exporter import DOCX_TABLES
from console.services.io.importer import NEW, REFUSED, UNCHANGED, UPDATED, Preview
from console.services.io.layout import LAYOUTS, ImportFileError
from console.services.io.service import ReferenceIO
from console.services.io.workbook import BOOK, BOOK_TITLE
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import TaskRunner, run_task
from console.ui.theme import ThemeColors

ALL_TOWNSHIPS = "全部乡镇"
KEY_COLUMN_WIDTH = 300
FILE_FILTER = "表格、位置文件或 Word (*.xlsx *.csv *.geojson *.json *.docx)"
# What a background step may fail with that is the file's or the store's fault, not a bug.
_EXPECTED: tuple[type[BaseException], ...] = (ImportFileError, OSError, *WRITE_REFUSED)


class _ProgressRelay(QObject):
    """Carries the preview's progress from the pool thread to the GUI thread (queued)."""

    progress = Signal(str, int, int)


class ImportDialog(QDialog):
    preview_ready = Signal()  # a preview is shown (tests wait for it)
    imported = Signal(int)  # records written
    exported = Signal(int)  # records exported

    def __init__(
        self,
        io: ReferenceIO,
        *,
        tasks: TaskRunner | None,
        colors: ThemeColors,
        user: Callable[[], str],
        may_write: Callable[[str], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入/导出基础数据")
        self.resize(1000, 640)
        self._io = io
        self._tasks = tasks
        self._user = user
        # Mutation name -> whether the signed-in role may push it (the server's rule).
        self._may_write = may_write or (lambda _name: True)
        self._generation = 0  # a preview started before the last change is dropped
        self.preview_result: Preview | None = None
        self._wanted_township: str | None = None  # chosen once the names have loaded
        self._relay = _ProgressRelay(self)
        self._relay.progress.connect(self._on_progress)

        top = QGridLayout()
        top.setHorizontalSpacing(10)
        top.setColumnStretch(3, 1)
        self.table = QComboBox(self)
        for name, lay in LAYOUTS.items():
            self.table.addItem(lay.title, name)
        self.table.addItem(BOOK_TITLE, BOOK)
        top.addWidget(QLabel("数据表", self), 0, 0)
        top.addWidget(self.table, 0, 1)
        top.addWidget(QLabel("文件", self), 0, 2)
        self.file = QLineEdit(self)
        self.file.setReadOnly(True)
        self.file.setPlaceholderText("选择 .xlsx、.csv、.geojson 文件（应急指南事项也可 .docx）")
        top.addWidget(self.file, 0, 3)
        self.choose = QPushButton("选择文件…", self)
        top.addWidget(self.choose, 0, 4)
        self.key_hint = QLabel(self)
        self.key_hint.setObjectName("Muted")
        self.key_hint.setWordWrap(True)
        top.addWidget(self.key_hint, 1, 1, 1, 4)

        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status = QLabel("请选择数据表和文件：先预览，确认后再导入。", self)
        self.status.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setObjectName("CardHeading")

        self.model = ImportPreviewModel(self)
        self.model.set_colors(
            {REFUSED: colors.danger, NEW: colors.ok, UPDATED: colors.warn, UNCHANGED: colors.muted}
        )
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # A role's key is long; the reason column (last) gets the room.
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, KEY_COLUMN_WIDTH)
        header.setStretchLastSection(True)

        self.skip = QCheckBox("跳过被拒绝的行（只导入其余的行）", self)
        self.skip.setEnabled(False)

        bottom = QHBoxLayout()
        self.template = QPushButton("导出空白模板…", self)
        self.export = QPushButton("导出本表…", self)
        self.township = QComboBox(self)
        self.township.addItem(ALL_TOWNSHIPS)
        self.township.setToolTip("导出本表时只导出所选乡镇的记录")
        self.import_button = QPushButton("导入", self)
        self.import_button.setObjectName("PrimaryButton")
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        self.close_button = QPushButton("关闭", self)
        bottom.addWidget(self.template)
        bottom.addWidget(self.export)
        bottom.addWidget(self.township)
        bottom.addStretch(1)
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.close_button)

        box = QVBoxLayout(self)
        box.setSpacing(10)
        box.addLayout(top)
        box.addWidget(self.progress)
        box.addWidget(self.status)
        box.addWidget(self.summary)
        box.addWidget(self.view, 1)
        box.addWidget(self.skip)
        box.addLayout(bottom)

        self.table.currentIndexChanged.connect(self._on_table)
        self.choose.clicked.connect(self._choose_file)
        self.skip.toggled.connect(lambda _on: self._update_buttons())
        self.import_button.clicked.connect(self.start_import)
        self.template.clicked.connect(self._choose_template)
        self.export.clicked.connect(self._choose_export)
        self.close_button.clicked.connect(self.reject)
        self._on_table()
        run_task(self._tasks, io.township_names, on_done=self._set_townships, receiver=self)

    # -- state --------------------------------------------------------------------------
    @property
    def table_name(self) -> str:
        return str(self.table.currentData())

    def set_table(self, table: str) -> None:
        self.table.setCurrentIndex(self.table.findData(table))

    def set_file(self, path: Path) -> None:
        """Take ``path`` as the file to import and preview it."""
        self.file.setText(str(path))
        self.start_preview()

    def _on_table(self) -> None:
        if self.table_name == BOOK:
            self.key_hint.setText(
                "每个工作表按名称导入对应的数据表（"
                + "、".join(lay.title for lay in LAYOUTS.values())
                + "），按依赖顺序校验，全部通过后一次性写入；其他名称的工作表不导入。"
            )
            self.export.setText("导出全部表…")
        else:
            lay = LAYOUTS[self.table_name]
            self.key_hint.setText(
                f"匹配键：{'+'.join(lay.key_headers)}（相同则更新原记录，否则新增）；"
                f"列：{'、'.join(lay.headers)}"
            )
            self.export.setText("导出本表…")
        if self.file.text():
            self.start_preview()

    def set_township(self, name: str | None) -> None:
        """Export only the records of township ``name`` (None: all), once it is listed."""
        self._wanted_township = name
        self._pick_township()

    def _pick_township(self) -> None:
        index = self.township.findText(self._wanted_township or ALL_TOWNSHIPS)
        if index >= 0:
            self.township.setCurrentIndex(index)

    def _set_townships(self, names: list[str]) -> None:
        self.township.addItems(names)
        self._pick_township()

    def _update_buttons(self) -> None:
        result = self.preview_result
        busy = self.progress.isVisible()
        has_refused = bool(result and result.refused)
        self.skip.setEnabled(has_refused and not busy)
        tables = list(LAYOUTS) if self.table_name == BOOK else [self.table_name]
        permitted = all(self._may_write(f"{LAYOUTS[t].entity}.upsert") for t in tables)
        self.import_button.setToolTip("" if permitted else "当前账号的角色不能修改基础数据")
        writable = bool(result and result.calls) and not busy and permitted
        self.import_button.setEnabled(writable and (not has_refused or self.skip.isChecked()))

    def _busy(self, text: str) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(text)
        self._update_buttons()

    def _idle(self, text: str, *, error: bool = False) -> None:
        self.progress.hide()
        self.status.setText(text)
        # The theme's error colour; objectName-based rules need a re-polish to apply.
        self.status.setObjectName("FieldError" if error else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self._update_buttons()

    # -- preview ------------------------------------------------------------------------
    def start_preview(self) -> None:
        path = Path(self.file.text())
        self._generation += 1
        generation = self._generation
        self.preview_result = None
        self.model.set_rows([])
        self.summary.clear()
        self.skip.setChecked(False)
        self._busy("正在读取并校验文件……")
        table = self.table_name
        run_task(
            self._tasks,
            self._io.preview,
            table,
            path,
            self._relay.progress.emit,
            on_done=lambda result: self._on_preview(generation, result),
            on_error=lambda exc: self._on_failed(generation, exc),
            receiver=self,
        )

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.progress.setFormat(f"{stage} %v / %m 行")

    def _on_preview(self, generation: int, result: Preview) -> None:
        if generation != self._generation:
            return
        self.preview_result = result
        self.model.set_rows(result.rows)
        self.summary.setText(result.summary())
        if result.refused:
            text = (
                f"有 {len(result.refused)} 行被拒绝（见表中红色行的原因），请修改文件后重新选择；"
            )
            text += "或勾选“跳过被拒绝的行”只导入其余的行。"
        elif result.calls:
            text = f"校验通过：点击“导入”写入 {len(result.calls)} 条记录。"
        else:
            text = "文件与现有数据一致，无需导入。"
        self._idle(text)
        self.preview_ready.emit()

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        if not isinstance(exc, _EXPECTED):
            raise exc
        self._idle(f"无法预览：{exc}", error=True)
        self.preview_ready.emit()

    # -- import -------------------------------------------------------------------------
    def start_import(self) -> None:
        result = self.preview_result
        if result is None or not self.import_button.isEnabled():
            return
        skip, user = self.skip.isChecked(), self._user()
        self._busy("正在导入……")

        def write() -> int:
            return self._io.apply(result, user=user, skip_refused=skip)

        run_task(
            self._tasks, write, on_done=self._on_imported, on_error=self._on_error, receiver=self
        )

    def _on_imported(self, count: int) -> None:
        self.preview_result = None  # written: a second click must not import it again
        self._idle(f"已导入：写入 {count} 条记录。")
        self.imported.emit(count)

    def _on_error(self, exc: BaseException) -> None:
        if not isinstance(exc, _EXPECTED):
            raise exc
        message = getattr(exc, "message", None) or str(exc)
        self._idle(f"未写入任何数据：{message}", error=True)

    # -- export -------------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择要导入的文件", "", FILE_FILTER)
        if path:
            self.set_file(Path(path))

    def _title(self) -> str:
        return "基础数据" if self.table_name == BOOK else LAYOUTS[self.table_name].title

    def _choose_template(self) -> None:
        title = self._title()
        path, _ = QFileDialog.getSaveFileName(
            self, "保存空白模板", f"{title}模板.xlsx", "Excel 工作簿 (*.xlsx)"
        )
        if path:
            self.save_template(Path(path))

    def _choose_export(self) -> None:
        title = self._title()
        formats = "Excel 工作簿 (*.xlsx)"
        if self.table_name != BOOK:
            formats += ";;CSV UTF-8 (*.csv);;GeoJSON (*.geojson)"
        if self.table_name in DOCX_TABLES:
            formats += ";;Word 文档 (*.docx)"
        path, _ = QFileDialog.getSaveFileName(
            self, self.export.text().rstrip("…"), f"{title}.xlsx", formats
        )
        if path:
            self.export_to(Path(path))

    def save_template(self, path: Path) -> None:
        self._busy("正在保存模板……")
        run_task(
            self._tasks,
            self._io.template,
            self.table_name,
            path,
            on_done=lambda _none: self._idle(f"已保存空白模板：{path}"),
            on_error=self._on_error,
            receiver=self,
        )

    def export_to(self, path: Path) -> None:
        township = self.township.currentText()
        self._busy("正在导出……")

        def done(count: Any) -> None:
            self._idle(f"已导出 {count} 条记录：{path}")
            self.exported.emit(int(count))

        run_task(
            self._tasks,
            self._io.export,
            self.table_name,
            path,
            None if township == ALL_TOWNSHIPS else township,
            on_done=done,
            on_error=self._on_error,
            receiver=self,
        )
