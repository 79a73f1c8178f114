"""同步状态: the changes saved here that are waiting to go to the server.

Lists ``Queries.pending_mutations()`` (newest first): number, what was done (Chinese label),
when (Beijing time from the HLC stamp) and by whom. The server connection itself arrives
with the sync issue; until then the workstation works offline and keeps everything.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from console.models.pending_table_model import PendingMutationTableModel
from console.models.record_table import SORT_ROLE
from console.store.changes import Changes
from console.views.pages.base import Page, PageContext

LIMIT = 500

NOTE = (
    "本机当前为离线工作模式：所有操作均已安全保存在本机数据库中，并按顺序排队等待上传。"
    "与县指挥中心服务器的连接将在“同步”功能上线后启用，届时排队的操作会自动上传，"
    "其他值班台的更新也会自动下载。"
)


class SyncPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.header.subtitle.setText("本机已保存、等待上传到服务器的操作。")

        self.note = QLabel(NOTE, self)
        self.note.setObjectName("StatusNote")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.note)

        self.counts = QLabel(self)
        self.counts.setObjectName("CardHeading")
        self.layout_.addWidget(self.counts)

        self.model = PendingMutationTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.layout_.addWidget(self.table, 1)

        context.bus.changed.connect(self._on_changes)
        self.refresh()

    def refresh(self) -> None:
        queries = self.context.queries
        counters = queries.sync_counters()
        self.model.set_records(queries.pending_mutations(limit=LIMIT))
        text = f"连接状态：离线（尚未配置服务器）　　待同步操作：{counters.pending} 项"
        if counters.pending > LIMIT:
            text += f"（下表显示最近 {LIMIT} 项）"
        self.counts.setText(text)
        self.header.set_sample(queries.sample_present())

    def _on_changes(self, changes: Changes) -> None:
        if changes.mutation_ids or changes.source == "pull":
            self.refresh()
