"""导入乡镇回传表: a township's returned control table previewed row by row (the counts
that grew, unchanged rows, refused rows with their reason), then written all together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.models.import_preview_model import ImportPreviewModel
from console.services.control_io import ReturnPreview, accepted_events
from console.services.io.importer import NEW, REFUSED, UNCHANGED, UPDATED
from console.store.writer import Writer
from console.ui.tasks import TaskRunner, run_task
from console.ui.theme import ThemeColors


class ReturnImportDialog(QDialog):
    imported = Signal(int)  # events written

    def __init__(
        self,
        preview: ReturnPreview,
        writer: Writer,
        *,
        user: Callable[[], str],
        colors: ThemeColors,
        tasks: TaskRunner | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"导入乡镇回传表：{Path(preview.source).name}")
        self.resize(980, 560)
        self.preview = preview
        self._writer, self._user, self._tasks = writer, user, tasks
        self.summary = QLabel(preview.summary(), self)
        self.summary.setObjectName("CardHeading")
        self.summary.setWordWrap(True)
        self.model = ImportPreviewModel(self)
        self.model.set_colors(
            {REFUSED: colors.danger, NEW: colors.ok, UPDATED: colors.warn, UNCHANGED: colors.muted}
        )
        self.model.set_rows(preview.rows)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.skip = QCheckBox("跳过被拒绝的行（只导入其余的行）", self)
        self.skip.setEnabled(bool(preview.refused))
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.import_button = QPushButton("导入", self)
        self.import_button.setObjectName("PrimaryButton")
        close = QPushButton("关闭", self)
        row = QHBoxLayout()
        row.addWidget(self.skip)
        row.addStretch(1)
        row.addWidget(self.import_button)
        row.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.view, 1)
        box.addWidget(self.status)
        box.addLayout(row)
        self.skip.toggled.connect(lambda _on: self._update())
        self.import_button.clicked.connect(self.start_import)
        close.clicked.connect(self.reject)
        self._update()

    def _update(self) -> None:
        refused = bool(self.preview.refused)
        ready = bool(self.preview.events) and (not refused or self.skip.isChecked())
        self.import_button.setEnabled(ready)
        if not self.preview.events:
            self.status.setText("回传表与已登记的数字一致，无需导入。")
        elif refused and not self.skip.isChecked():
            self.status.setText(
                f"有 {len(self.preview.refused)} 行被拒绝（见表中红色行的原因），请核实后重新导入；"
                "或勾选“跳过被拒绝的行”只导入其余的行。"
            )
        else:
            self.status.setText(f"将登记 {len(self.preview.events)} 条转移记录。")

    def start_import(self) -> None:
        if not self.import_button.isEnabled():
            return
        calls = list(accepted_events(self.preview, skip_refused=self.skip.isChecked()))
        user = self._user()
        self.import_button.setEnabled(False)

        def write() -> int:
            self._writer.apply(calls, user=user)
            return len(calls)

        def done(count: int) -> None:
            self.preview.events.clear()  # written: not twice
            self.status.setText(f"已导入：登记 {count} 条转移记录。")
            self.imported.emit(count)

        def failed(exc: BaseException) -> None:
            message = getattr(exc, "message", None) or str(exc)
            self.status.setText(f"未写入任何数据：{message}")
            self._update()

        run_task(self._tasks, write, on_done=done, on_error=failed, receiver=self)
