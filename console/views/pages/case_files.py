"""A case's attachments on 案例一个库 (issue 13): the list (thumbnail for pictures, name,
type, size, state 本机已有 / 待上传 / 需下载), 添加附件 (a file dialog; any officer), 打开
(the system viewer, after a download when this workstation lacks the file) and 移除 (the
duty leader).

Reads and the download run on the task runner (console/services/files.py); writes through
the page's write path (one mutation each). The file goes to the server with the next sync.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import files
from console.domain.roles import allowed
from console.services.files import (
    TO_DOWNLOAD,
    TO_UPLOAD,
    CaseFiles,
    ensure_local,
    list_attachments,
    server_fetch,
)
from console.store.blobs import BlobCache
from console.sync.engine import ONLINE, SyncStatus
from console.ui.tasks import run_task
from console.views.pages.base import PageContext, headed_table, signed_in_role, text_items
from console.views.pages.file_open import open_later

COLUMNS = ("文件名", "类型", "大小", "状态")
THUMB = 40
Write = Callable[[Callable[[], Any], str], None]


def _thumbnails(cache: BlobCache, rows: list[dict[str, Any]]) -> dict[str, QImage]:
    """(Task thread) small images of the pictures held here; QImage, not QPixmap, off the
    GUI thread."""
    out: dict[str, QImage] = {}
    for row in rows:
        if row["kind"] == files.IMAGE and row["state"] != TO_DOWNLOAD:
            image = QImage(str(cache.path(row["sha256"])))
            if not image.isNull():
                out[row["sha256"]] = image.scaled(
                    THUMB,
                    THUMB,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
    return out


class CaseFilesPanel(QWidget):
    refreshed = Signal()  # the list landed (tests wait on it)
    opened = Signal(str)  # "" when a file was opened, else the refusal (tests wait on it)

    def __init__(
        self,
        context: PageContext,
        service: CaseFiles | None,
        write: Write,
        message: QLabel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self._write = write
        self.message = message
        self.cache = BlobCache(context.data_dir)
        self.case: dict[str, Any] | None = None
        self.rows: list[dict[str, Any]] = []
        self._seq = 0
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        bar = QHBoxLayout()
        title = QLabel("附件", self)
        title.setObjectName("FormHeading")
        bar.addWidget(title)
        self.count = QLabel(self)
        self.count.setObjectName("Muted")
        bar.addWidget(self.count)
        bar.addStretch(1)
        self.add_button = QPushButton("添加附件…", self)
        self.open_button = QPushButton("打开", self)
        self.remove_button = QPushButton("移除", self)
        self.remove_button.setToolTip("移除附件（带班领导）")
        for button in (self.add_button, self.open_button, self.remove_button):
            bar.addWidget(button)
        box.addLayout(bar)
        self.model, self.table = headed_table(self, COLUMNS, (0, 56, 80, 80))
        self.table.setIconSize(QSize(THUMB, THUMB))
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 6)
        self.table.setMinimumHeight(2 * (THUMB + 6) + 42)  # the header and two rows whole
        box.addWidget(self.table)
        self.add_button.clicked.connect(self._ask_add)
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._buttons())
        if context.sync is not None:  # an upload changes 待上传 to 本机已有 (no record changes)
            context.sync.status_changed.connect(self._on_sync)
        self._buttons()

    def _on_sync(self, status: SyncStatus) -> None:
        if status.state == ONLINE and any(r["state"] == TO_UPLOAD for r in self.rows):
            self.refresh()

    # -- reading ------------------------------------------------------------------------
    def show_case(self, case: dict[str, Any] | None) -> None:
        self.case = case
        self.refresh()

    def refresh(self) -> None:
        self._seq += 1
        seq, case = self._seq, self.case
        if case is None:
            self._land(seq, ([], {}))
            return
        store, cache, case_id = self.context.queries.store, self.cache, case["id"]

        def read() -> tuple[list[dict[str, Any]], dict[str, QImage]]:
            rows = list_attachments(store, case_id)
            return rows, _thumbnails(cache, rows)

        run_task(self.context.tasks, read, on_done=lambda got: self._land(seq, got), receiver=self)

    def _land(self, seq: int, got: tuple[list[dict[str, Any]], dict[str, QImage]]) -> None:
        if seq != self._seq:
            return  # another case was chosen meanwhile
        rows, thumbs = got
        selected = self.selected()
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        for row in rows:
            name = f"{row['name']}（{row['caption']}）" if row["caption"] else row["name"]
            items = text_items((name, row["kind"], row["size_text"], row["state"]), row["id"])
            image = thumbs.get(row["sha256"])
            if image is not None:
                items[0].setIcon(QIcon(QPixmap.fromImage(image)))
            self.model.appendRow(items)
        self.count.setText(f"{len(rows)} 个" if rows else "（无）")
        again = next((i for i, r in enumerate(rows) if selected and r["id"] == selected["id"]), 0)
        if rows:
            self.table.selectRow(again)
        self._buttons()
        self.refreshed.emit()

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentIndex().row()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _buttons(self) -> None:
        role = signed_in_role(self.context)
        writable = self.service is not None and self.case is not None
        chosen = self.selected() is not None
        self.add_button.setEnabled(writable)
        self.open_button.setEnabled(chosen)
        may_remove = role is None or allowed(role, "case_attachment.detach")
        self.remove_button.setEnabled(writable and chosen and may_remove)

    # -- actions ------------------------------------------------------------------------
    def _ask_add(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "添加附件",
            str(Path.home()),
            "图片或文档 (*.png *.jpg *.jpeg *.gif *.bmp *.webp *.pdf *.docx *.doc *.xlsx "
            "*.xls *.txt);;所有文件 (*)",
        )
        if path:
            self.attach(Path(path))

    def attach(self, path: Path, caption: str = "") -> None:
        """Copy the file into the cache and attach it to the shown case (one write)."""
        service, case = self.service, self.case
        if service is None or case is None:
            return
        user, case_id = self.context.session.officer, case["id"]
        self._write(
            lambda: service.attach(case_id, path, user=user, caption=caption),
            f"已添加附件：{path.name}（联网同步后其他值班台可打开）",
        )

    def remove_selected(self) -> None:
        service, row = self.service, self.selected()
        if service is None or row is None:
            return
        user = self.context.session.officer
        self._write(lambda: service.detach(row["id"], user=user), f"已移除附件：{row['name']}")

    def open_selected(self) -> None:
        """The file from the cache (downloaded first when it is not here), opened with the
        system viewer under its own name."""
        row = self.selected()
        if row is None:
            return
        session = self.context.sync.session if self.context.sync is not None else None
        fetch = server_fetch(session)
        cache, digest, name = self.cache, str(row["sha256"]), str(row["name"])

        def fetch_path() -> Path:
            ensure_local(cache, digest, fetch)
            return cache.named(digest, name)

        def done(why: str) -> None:
            if not why and row["state"] == TO_DOWNLOAD:
                self.refresh()  # now 本机已有
            self.opened.emit(why)

        open_later(
            self.context.tasks, self, self.message, fetch_path, f"已打开：{name}", on_done=done
        )
