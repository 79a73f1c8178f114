"""What the two rule tables of 设置 (信息报送规则, 定级标准) share: who may edit them, and one
write at a time on the task runner, the buttons waiting and the input kept."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.roles import ADMIN, LEADER
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import run_task
from console.views.pages.base import PageContext


class RulePanel(QWidget):
    """Subclasses set ``save``, ``delete``, ``new`` and ``message`` and implement
    :meth:`refresh`."""

    context: PageContext
    save: QPushButton
    delete: QPushButton
    new: QPushButton
    message: QLabel
    note: QLabel
    table: QTableView

    def _build_top(self, heading: str, model: QAbstractItemModel) -> QVBoxLayout:
        """The panel's layout with its heading, the note line (:attr:`note`) and the table
        (:attr:`table`, read-only rows): the editor goes below."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(heading, self)
        title.setObjectName("CardHeading")
        layout.addWidget(title)
        self.note = QLabel(self)
        self.note.setObjectName("Muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.table = QTableView(self)
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # Rows as the window allows, at least 3: the editor below fits a 1280x800 screen.
        self.table.setMinimumHeight(120)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        return layout

    def _user(self) -> str:
        return self.context.session.officer

    def may_edit(self) -> bool:
        """Leaders and admins; standalone (no account) edits locally."""
        sync = self.context.sync
        session = sync.session if sync is not None else None
        return session is None or session.role in (LEADER, ADMIN)

    def refresh(self) -> None:
        raise NotImplementedError

    def _write(
        self,
        write: Callable[[], object],
        saved: str,
        refused: str,
        after: Callable[[], None] = lambda: None,
    ) -> None:
        """One write on the task runner; the buttons wait for it, the input stays."""
        for widget in (self.save, self.delete, self.new):
            widget.setEnabled(False)

        def done(_result: object) -> None:
            after()
            self.refresh()
            self.message.setText(saved)

        def failed(exc: BaseException) -> None:
            self.refresh()
            if not isinstance(exc, WRITE_REFUSED):
                sys.excepthook(type(exc), exc, exc.__traceback__)
            self.message.setText(f"{refused}：{getattr(exc, 'message', exc)}")

        run_task(self.context.tasks, write, on_done=done, on_error=failed, receiver=self)
