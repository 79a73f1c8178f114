"""同步状态: the connection to the server, problems the officer must look at, and the
changes saved here that are waiting to go up.

- Status card: server, account (role), state, time since the server last answered, and the
  buttons 立即同步 and 连接服务器… (the login dialog; also how a standalone workstation
  joins a server).
- 需要处理的同步问题: rejected changes and field conflicts with both values; a conflict is
  resolved by keeping the local value or taking the other officer's (written through the
  normal write path, so it syncs like any edit); a rejection is acknowledged.
- 待同步: ``Queries.pending_mutations()`` newest first.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from console.models.pending_table_model import PendingMutationTableModel
from console.models.record_table import RECORD_ROLE, SORT_ROLE
from console.models.sync_issue_table_model import SyncIssueTableModel
from console.ui.tasks import run_task
from console.views.pages.base import Page, PageContext
from console.views.status_bar import STATE_TEXT, ago

if TYPE_CHECKING:
    from console.services.queries import PendingMutation, SyncCounters
    from console.services.sync_issues import Issue
    from console.store.changes import Changes
    from console.sync.engine import SyncStatus

LIMIT = 500

NOTE = (
    "所有操作先保存在本机数据库，再按顺序上传到县指挥中心服务器；网络中断时照常工作，"
    "恢复连接后自动上传，其他值班台的更新也会自动下载。"
)
STANDALONE = (
    "本机为单机使用：尚未连接服务器。点击“连接服务器…”登录后开始同步，已保存的操作会全部上传。"
)


def _table(parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setSortingEnabled(True)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class SyncPage(Page):
    refreshed = Signal()  # the tables have been read and filled in

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.header.subtitle.setText("与服务器的连接、需要处理的同步问题，以及等待上传的操作。")

        self.note = QLabel(NOTE, self)
        self.note.setObjectName("StatusNote")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.note)

        row = QHBoxLayout()
        self.state = QLabel(self)
        self.state.setObjectName("CardHeading")
        self.state.setWordWrap(True)
        row.addWidget(self.state, 1)
        self.sync_now = QPushButton("立即同步", self)
        self.connect_button = QPushButton("连接服务器…", self)
        row.addWidget(self.sync_now)
        row.addWidget(self.connect_button)
        self.layout_.addLayout(row)

        self.issues_heading = QLabel(self)
        self.issues_heading.setObjectName("CardHeading")
        self.layout_.addWidget(self.issues_heading)
        self.issue_model = SyncIssueTableModel(parent=self)
        self.issue_table = _table(self)
        self.issue_table.setModel(self.issue_model)
        self.issue_table.setMaximumHeight(200)
        self.layout_.addWidget(self.issue_table)
        actions = QHBoxLayout()
        self.take_theirs = QPushButton("采用对方的值", self)
        self.keep_mine = QPushButton("保留本机的值", self)
        self.acknowledge = QPushButton("知道了（该修改未生效）", self)
        for button in (self.take_theirs, self.keep_mine, self.acknowledge):
            actions.addWidget(button)
        actions.addStretch(1)
        self.layout_.addLayout(actions)

        self.counts = QLabel(self)
        self.counts.setObjectName("CardHeading")
        self.layout_.addWidget(self.counts)
        self.model = PendingMutationTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = _table(self)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.layout_.addWidget(self.table, 1)

        self.sync_now.clicked.connect(self._sync_now)
        self.connect_button.clicked.connect(self._connect)
        self.take_theirs.clicked.connect(lambda: self._resolve("take_theirs"))
        self.keep_mine.clicked.connect(lambda: self._resolve("keep_mine"))
        self.acknowledge.clicked.connect(self._acknowledge)
        self.issue_table.selectionModel().selectionChanged.connect(self._update_buttons)
        context.bus.changed.connect(self._on_changes)
        if context.sync is not None:
            context.sync.status_changed.connect(self._on_status)
        self.refresh()

    # -- data --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the tables in the background; they fill in when the read has landed."""
        self._show_state()  # no reads: the bridge's last status
        queries, issues = self.context.queries, self.context.sync_issues

        def read() -> tuple[SyncCounters, list[PendingMutation], bool, list[Issue]]:
            return (
                queries.sync_counters(),
                queries.pending_mutations(limit=LIMIT),
                queries.sample_present(),
                issues.list() if issues else [],
            )

        run_task(self.context.tasks, read, on_done=self._land, receiver=self)

    def _land(self, read: tuple[SyncCounters, list[PendingMutation], bool, list[Issue]]) -> None:
        counters, pending, sample, issues = read
        self.model.set_records(pending)
        text = f"待同步操作：{counters.pending} 项"
        if counters.pending > LIMIT:
            text += f"（下表显示最近 {LIMIT} 项）"
        self.counts.setText(text)
        self.header.set_sample(sample)
        self._show_issues(issues)
        self._show_state()
        self.refreshed.emit()

    def _refresh_issues(self) -> None:
        issues = self.context.sync_issues
        if issues is None:
            self._show_issues([])
            return
        run_task(self.context.tasks, issues.list, on_done=self._show_issues, receiver=self)

    def _show_issues(self, issues: list[Issue]) -> None:
        self.issue_model.set_records(issues)
        self.issues_heading.setText(
            f"需要处理的同步问题：{len(issues)} 项" if issues else "需要处理的同步问题：无"
        )
        self._update_buttons()

    def _show_state(self, status: SyncStatus | None = None) -> None:
        sync = self.context.sync
        if sync is None or sync.session is None:
            self.state.setText(STANDALONE)
            self.sync_now.setEnabled(False)
            self.connect_button.setText("连接服务器…")
            return
        status = status or sync.status
        session = sync.session
        parts = [
            f"服务器 {session.server_url}",
            f"账号 {session.username}（{session.role_label}）",
            f"状态 {STATE_TEXT.get(status.state, status.state).lstrip('● ')}",
        ]
        if status.last_contact is not None:
            parts.append(f"上次连接 {ago(time.time() - status.last_contact)}")
        if status.error:
            parts.append(status.error)
        if status.notice:
            parts.append(status.notice)
        self.state.setText("　".join(parts))
        self.sync_now.setEnabled(True)
        self.connect_button.setText("切换账号…")

    def _on_changes(self, changes: Changes) -> None:
        if changes.mutation_ids or changes.source == "pull":
            self.refresh()

    def _on_status(self, status: SyncStatus) -> None:
        self._show_state(status)
        self._refresh_issues()  # a push may have brought new rejections or conflicts

    # -- actions -------------------------------------------------------------------------
    def selected_issue(self) -> Issue | None:
        rows = self.issue_table.selectionModel().selectedRows()
        if not rows:
            return None
        return cast("Issue", rows[0].data(RECORD_ROLE))

    def _update_buttons(self) -> None:
        issue = self.selected_issue()
        conflict = issue is not None and issue.kind == "conflict"
        self.take_theirs.setEnabled(conflict)
        self.keep_mine.setEnabled(conflict)
        self.acknowledge.setEnabled(issue is not None and issue.kind == "rejected")

    def _resolve(self, choice: str) -> None:
        issue = self.selected_issue()
        issues = self.context.sync_issues
        if issue is None or issues is None:
            return
        user = self.context.session.officer

        def failed(exc: BaseException) -> None:
            # A rejection or a store error: tell, keep the issue open.
            QMessageBox.warning(self, "无法处理", f"处理该冲突时出错：{exc}")
            self._refresh_issues()

        self._busy_buttons()
        run_task(
            self.context.tasks,
            lambda: issues.resolve_conflict(issue, choice, user=user),
            on_done=lambda _r: self._refresh_issues(),
            on_error=failed,
            receiver=self,
        )

    def _acknowledge(self) -> None:
        issue = self.selected_issue()
        if issue is not None and self.context.sync_issues is not None:
            self._busy_buttons()
            run_task(
                self.context.tasks,
                self.context.sync_issues.acknowledge,
                issue.mutation_id,
                on_done=lambda _r: self._refresh_issues(),
                receiver=self,
            )

    def _busy_buttons(self) -> None:
        """While an issue is being handled: no second click on it."""
        for button in (self.take_theirs, self.keep_mine, self.acknowledge):
            button.setEnabled(False)

    def _sync_now(self) -> None:
        if self.context.sync is not None:
            self.context.sync.sync_now()

    def _connect(self) -> None:
        sync, accounts = self.context.sync, self.context.accounts
        if sync is None or accounts is None:
            return
        from console.views.login_dialog import LoginDialog
        from console.views.sample_question import keep_sample_on_joining

        dialog = LoginDialog(accounts, self, allow_standalone=False, tasks=self.context.tasks)
        if dialog.exec() and dialog.session is not None:
            keep = keep_sample_on_joining(self, sync.local_only_pending())
            sync.start(dialog.session, keep_sample=keep)
            self.context.session.sign_in(dialog.session.username)
            self._show_state()
