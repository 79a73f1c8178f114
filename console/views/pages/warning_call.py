"""下达预警叫应 from an issued warning (基础数据 > 预警信号): the call list down the chain of
the warned township is built in the background, the officer confirms it in one box, and a
预警叫应 order goes out, so 指挥一平台's board shows who is silent. Never sent without the
officer's 下达."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from console.domain.roles import allowed
from console.services.orders import OrderService, WarningCall, load_order_templates
from console.ui.tasks import run_task
from console.views.pages.base import PageContext, signed_in_role

ISSUE = "下达预警叫应"


def may_call(context: PageContext) -> bool:
    """Whether this window may issue an order (a write path and a role allowed to)."""
    if context.incidents is None:
        return False
    role = signed_in_role(context)
    return role is None or allowed(role, "order.issue")


class WarningCaller(QObject):
    """Offers, confirms and issues the 预警叫应 of one warning at a time."""

    said = Signal(str, bool)  # what to tell the officer, whether it is a refusal
    box_shown = Signal()  # the confirmation is open (tests drive it)

    def __init__(self, context: PageContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.parent_widget = parent
        self.box: QMessageBox | None = None
        self.call: WarningCall | None = None

    def _service(self) -> OrderService:
        incidents = self.context.incidents
        writer = incidents.writer if incidents is not None else None
        templates = load_order_templates(self.context.data_dir)
        return OrderService(self.context.queries.store, writer, templates)

    def offer(self, warning_id: str) -> None:
        """Build the call list for ``warning_id`` and ask the officer to confirm it."""
        if not may_call(self.context):
            self.said.emit("当前账号不能下达指令", True)
            return
        service, now = self._service(), self.context.clock()
        run_task(
            self.context.tasks,
            lambda: service.warning_call(warning_id, now=now),
            on_done=self._ask,
            on_error=lambda exc: self.said.emit(f"未能下达预警叫应：{exc}", True),
            receiver=self,
        )

    def _ask(self, call: WarningCall) -> None:
        self.call = call
        people = len(call.recipients)
        text = (
            f"向{call.township}的责任链逐级下达预警叫应？\n\n{call.values['title']}\n"
            f"接收人 {people} 人（县领导包乡 → 乡镇第一责任人 → 村工作组 → 网格）"
        )
        if call.already:
            text += f"\n\n注意：同名预警叫应已有 {call.already} 条正在执行。"
        box = QMessageBox(QMessageBox.Icon.Question, ISSUE, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self.parent_widget)  # fmt: skip
        box.button(QMessageBox.StandardButton.Yes).setText("下达")
        box.button(QMessageBox.StandardButton.Cancel).setText("暂不")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.finished.connect(lambda _r: self._answered(call, box.clickedButton() is yes))
        self.box = box
        box.open()
        self.box_shown.emit()

    def _answered(self, call: WarningCall, issue: bool) -> None:
        self.box = None
        if not issue:
            self.said.emit("未下达预警叫应", False)
            return
        service, now = self._service(), self.context.clock()
        user = self.context.session.officer
        run_task(
            self.context.tasks,
            lambda: service.issue_warning_call(call, user=user, now=now),
            on_done=lambda _id: self.said.emit(
                f"已下达：{call.values['title']}（{len(call.recipients)} 人），"
                "在指挥一平台查看叫应情况",
                False,
            ),
            on_error=lambda exc: self.said.emit(
                f"未能下达预警叫应：{getattr(exc, 'message', exc)}", True
            ),
            receiver=self,
        )
