"""指挥一平台: the orders (指令) the centre issued and, for the selected one, its call board
(叫应): every recipient in chain order (county -> 乡镇第一责任人 -> village work group ->
grid roles) with state and silent minutes; Space or Enter records 已叫应 by phone for the
selected row and moves to the next silent one; feedback, 完成 and 升级 below.

Reads run on the task runner through :class:`OrderService`; each write is one mutation, so
answers recorded on several workstations add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog
from console.domain.assessment_rules import WARNING_LEVELS
from console.domain.orders import DEPTHS, ORDER_TEMPLATES, OrderTemplate
from console.domain.roles import allowed
from console.domain.schema import ENTITY_FIELDS
from console.models.order_board_model import OrderBoardModel
from console.services.accounts import Session
from console.services.order_server import (
    LINK,
    SMS,
    AckLink,
    ack_link,
    on_server,
    session_problem,
)
from console.services.orders import (
    TABLES,
    Addressee,
    Addressing,
    Board,
    BoardRow,
    OrderService,
    RecipientDirectory,
    load_order_templates,
)
from console.services.sms import send_order
from console.store.changes import Changes
from console.ui.tasks import run_task
from console.views.pages.base import (
    PageContext,
    WritingPage,
    read_only_table,
    signed_in_role,
    text_items,
)

ORDER_COLUMNS = ("下达时间", "指令", "接收人", "状态")
KPIS = ("接收人", "未叫应", "已叫应", "已反馈", "完成", "超时")
NO_LINK = "（不关联）"
NEW_EVACUATION = "（新建转移行动）"
_ORDER = ENTITY_FIELDS["orders"]


@dataclass
class Snapshot:
    orders: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The county's order templates (<data folder>/order_templates.json over the defaults).
    templates: dict[str, OrderTemplate] = field(default_factory=lambda: dict(ORDER_TEMPLATES))
    # People, units and teams 新建指令 can add by hand.
    directory: RecipientDirectory = field(default_factory=RecipientDirectory)


class CommandPage(WritingPage):
    refreshed = Signal()  # the order list landed (tests wait on it)
    board_shown = Signal()  # the selected order's board landed
    link_copied = Signal(str)  # 复制确认链接 answered: the link, "" when it failed

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        writer = context.incidents.writer if context.incidents is not None else None
        self.service = OrderService(context.queries.store, writer)
        self.snapshot = Snapshot()
        self.board = Board()
        self.order_id: str | None = None
        self.new_dialog: NewOrderDialog | None = None
        self._board_seq = 0
        self.header.subtitle.setText(
            "指令逐级下达到乡镇、村和网格责任人；叫应、反馈逐条登记，超时未叫应自动提醒并建议升级。"
        )

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.new_button = QPushButton("新建指令…", self)
        self.new_button.setObjectName("PrimaryButton")
        self.close_button = QPushButton("办结", self)
        self.cancel_button = QPushButton("撤销指令", self)
        self.cancel_button.setToolTip("撤销已下达的指令（带班领导）")
        self.sms_button = QPushButton("短信发送…", self)
        self.sms_button.setToolTip(
            "向未叫应的接收人发送短信，内含各自的确认链接（需启用短信网关并登录服务器）"
        )
        for button in (self.new_button, self.close_button, self.cancel_button, self.sms_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self.layout_.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        self.order_model = QStandardItemModel(0, len(ORDER_COLUMNS), self)
        self.order_model.setHorizontalHeaderLabels(list(ORDER_COLUMNS))
        self.orders = read_only_table(left, self.order_model, 1)
        for column, width in ((0, 92), (2, 56), (3, 56)):
            self.orders.setColumnWidth(column, width)
        left_box.addWidget(self.orders)

        right = QWidget(splitter)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        self.order_title = QLabel("请选择一条指令", right)
        self.order_title.setObjectName("FormHeading")
        self.order_title.setWordWrap(True)
        right_box.addWidget(self.order_title)
        self.order_detail = QLabel(right)
        self.order_detail.setObjectName("Muted")
        self.order_detail.setWordWrap(True)
        right_box.addWidget(self.order_detail)
        strip = QWidget(right)
        kpis = QHBoxLayout(strip)
        kpis.setContentsMargins(0, 0, 0, 0)
        kpis.setSpacing(28)
        self.kpi: dict[str, QLabel] = {}
        for key in (*KPIS, "合计"):
            box = QVBoxLayout()
            box.setSpacing(0)
            value = QLabel("—", strip)
            value.setObjectName("KpiValue")
            label = QLabel(key, strip)
            label.setObjectName("Muted")
            box.addWidget(value)
            box.addWidget(label)
            kpis.addLayout(box)
            self.kpi[key] = value
        self.kpi_total_label = label
        kpis.addStretch(1)
        strip.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        right_box.addWidget(strip)

        self.model = OrderBoardModel(self)
        colors = context.theme.colors()
        self.model.set_colors(colors.danger, colors.warn, colors.ok)
        self.table = read_only_table(right, self.model, 8)
        for column, width in enumerate((72, 112, 92, 100, 100, 60, 72, 124)):
            self.table.setColumnWidth(column, width)
        self.table.setToolTip("空格或回车：登记所选接收人已叫应（电话）")
        right_box.addWidget(self.table, 1)

        form = QHBoxLayout()
        form.setSpacing(8)
        self.ack_button = QPushButton("已叫应（空格）", right)
        self.ack_button.setObjectName("PrimaryButton")
        self.channel = QComboBox(right)
        self.channel.addItems(list(catalog.ACK_CHANNELS))
        self.answered_by = QLineEdit(right)
        self.answered_by.setMaxLength(ENTITY_FIELDS["order_events"]["answered_by"].max_len or 40)
        self.answered_by.setPlaceholderText("应答人（默认本人）")
        self.link_button = QPushButton("复制确认链接", right)
        self.link_button.setToolTip(
            "为所选接收人生成专属确认链接并复制：可电话告知或粘贴到浙政钉（需登录服务器）"
        )
        form.addWidget(self.ack_button)
        form.addWidget(self.channel)
        form.addWidget(self.answered_by, 1)
        form.addWidget(self.link_button)
        right_box.addLayout(form)
        feedback = QHBoxLayout()
        feedback.setSpacing(8)
        self.value = QDoubleSpinBox(right)
        self.value.setDecimals(0)
        self.value.setRange(0, 10_000_000)
        self.note = QLineEdit(right)
        self.note.setMaxLength(ENTITY_FIELDS["order_events"]["note"].max_len or 500)
        self.note.setPlaceholderText("反馈内容")
        self.feedback_button = QPushButton("登记反馈", right)
        self.complete_button = QPushButton("完成", right)
        self.escalate_button = QPushButton("升级…", right)
        self.escalate_button.setToolTip("向上一级责任人叫应（记录升级）")
        feedback.addWidget(self.value)
        feedback.addWidget(self.note, 1)
        for button in (self.feedback_button, self.complete_button, self.escalate_button):
            feedback.addWidget(button)
        right_box.addLayout(feedback)
        self.message = QLabel(right)
        self.message.setWordWrap(True)
        right_box.addWidget(self.message)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([400, 840])
        self.layout_.addWidget(splitter, 1)

        for press in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(press), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.acknowledge_selected)
        self.new_button.clicked.connect(lambda: self._ask_new())
        self.close_button.clicked.connect(self.close_order)
        self.cancel_button.clicked.connect(self.cancel_order)
        self.sms_button.clicked.connect(self.send_sms)
        self.link_button.clicked.connect(self.copy_link)
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.feedback_button.clicked.connect(self.record_feedback)
        self.complete_button.clicked.connect(self.complete_selected)
        self.escalate_button.clicked.connect(self.escalate_selected)
        self.orders.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._order_selected(current.row())
        )
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._update_buttons())
        context.bus.changed.connect(self._on_changes)
        self._update_buttons()
        self.refresh()

    # -- reading ------------------------------------------------------------------------
    def _read(self) -> Snapshot:
        return Snapshot(
            self.service.orders(),
            self.service.places(),
            self.service.links(),
            load_order_templates(self.context.data_dir),
            self.service.directory(),
        )

    def refresh(self) -> None:
        run_task(self.context.tasks, self._read, on_done=self._land, receiver=self)

    def _land(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.order_model.removeRows(0, self.order_model.rowCount())
        again = None
        for i, o in enumerate(snapshot.orders):
            self.order_model.appendRow(
                text_items(
                    (
                        beijing.display(o["issued_at"])[5:],
                        f"{o['kind']}：{o['title']}",
                        str(o["recipients"]),
                        o["status"],
                    ),
                    o["id"],
                )
            )
            if o["id"] == self.order_id:
                again = i
        if again is None and snapshot.orders:
            again = 0
        if again is not None:
            self.orders.selectRow(again)
            self._order_selected(again)
        else:
            self.order_id = None
            self.show_board(Board())
        self._update_buttons()
        self.refreshed.emit()

    def _order_selected(self, row: int) -> None:
        item = self.order_model.item(row, 0) if row >= 0 else None
        self.order_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.load_board()

    def load_board(self) -> None:
        self._board_seq += 1
        seq, order_id = self._board_seq, self.order_id
        if order_id is None:
            self.show_board(Board())
            return
        clock = self.context.clock
        run_task(
            self.context.tasks,
            lambda: self.service.board(order_id, now=clock()),
            on_done=lambda board: self._board_landed(seq, board),
            receiver=self,
        )

    def _board_landed(self, seq: int, board: Board) -> None:
        if seq == self._board_seq:
            self.show_board(board)

    def show_board(self, board: Board) -> None:
        selected = self.selected_row()
        self.board = board
        self.model.set_records(board.rows)
        order = board.order
        if order is None:
            self.order_title.setText("尚无指令：点击“新建指令…”下达" if not self.snapshot.orders
                                     else "请选择一条指令")  # fmt: skip
            self.order_detail.clear()
            for value in self.kpi.values():
                value.setText("—")
        else:
            self.order_title.setText(f"{order['kind']}：{order['title']}（{order['status']}）")
            asks = order["feedback_label"] or order["feedback_kind"]
            # One line, so the board keeps the height; the order's text is the tooltip.
            self.order_detail.setText(
                f"要求：{order['action'] or '—'}；时限 {beijing.display(order['deadline'])}；"
                f"反馈：{asks}；{order['escalate_minutes']} 分钟未叫应提醒升级"
            )
            self.order_title.setToolTip(order["content"])
            self.order_detail.setToolTip(order["content"])
            counts = board.counts()
            for key in KPIS:
                self.kpi[key].setText(str(counts.get(key, 0)))
            numeric = order["feedback_kind"] == catalog.FEEDBACK_NUMBER
            self.kpi["合计"].setText(f"{board.total_value():g}" if numeric else "—")
            self.kpi_total_label.setText(order["feedback_label"] or "合计")
        if selected is not None:
            rows = [r.id for r in board.rows]
            if selected.id in rows:
                self.table.selectRow(rows.index(selected.id))
        elif board.rows:
            first = self.model.next_silent(-1)
            self.table.selectRow(first if first is not None else 0)
        self._update_buttons()
        self.board_shown.emit()

    def selected_row(self) -> BoardRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.record(index.row())

    def role(self) -> str | None:
        """The signed-in account's role; None standalone (every action allowed here)."""
        return signed_in_role(self.context)

    def _may(self, mutation: str) -> bool:
        role = self.role()
        return role is None or allowed(role, mutation)

    def _update_buttons(self) -> None:
        writable = self.service.writable and self._may("order.record")
        order = self.board.order
        live = order is not None and order["status"] == catalog.ORDER_OPEN
        row = self.selected_row() if order is not None else None
        self.new_button.setEnabled(writable)
        self.close_button.setEnabled(writable and live)
        self.sms_button.setEnabled(writable and live)
        self.cancel_button.setEnabled(
            writable
            and self._may("order.cancel")
            and order is not None
            and order["status"] != catalog.ORDER_CANCELLED
        )
        self.cancel_button.setToolTip(
            "撤销已下达的指令" if self._may("order.cancel") else "撤销指令需带班领导或管理员"
        )
        can = writable and row is not None and order is not None
        can = can and order is not None and order["status"] != catalog.ORDER_CANCELLED
        self.ack_button.setEnabled(can)
        self.link_button.setEnabled(can and live)
        wants = order["feedback_kind"] if order is not None else catalog.FEEDBACK_NONE
        self.value.setVisible(wants == catalog.FEEDBACK_NUMBER)
        self.note.setVisible(wants != catalog.FEEDBACK_NONE)
        self.feedback_button.setVisible(wants != catalog.FEEDBACK_NONE)
        self.feedback_button.setEnabled(can)
        self.complete_button.setEnabled(can)
        self.escalate_button.setEnabled(
            can and live and row is not None and row.state.silent and not row.state.escalated_to
        )

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("orders"):
            self.refresh()
        elif changes.touches(*TABLES):
            self.load_board()

    # -- writing ------------------------------------------------------------------------
    def acknowledge_selected(self) -> None:
        """已叫应 for the selected recipient (by the channel chosen, 电话 by default), then
        the selection moves on to the next recipient still silent."""
        row, order = self.selected_row(), self.board.order
        if row is None or order is None or not self.ack_button.isEnabled():
            return
        order_id, user = order["id"], self._user()
        channel = self.channel.currentText()
        answered_by = self.answered_by.text().strip() or row.name
        at = self.context.clock()
        here = self.table.currentIndex().row()
        following = self.model.next_silent(here)

        def write() -> str:
            return self.service.acknowledge(
                order_id, row.id, user=user, channel=channel, answered_by=answered_by, at=at
            )

        def moved(_result: object) -> None:
            self.answered_by.clear()
            if following is not None and following != here:
                self.table.selectRow(following)

        self._write(write, f"已叫应：{row.name}（{channel}）", moved)

    def record_feedback(self) -> None:
        row, order = self.selected_row(), self.board.order
        if row is None or order is None:
            return
        order_id, user, at = order["id"], self._user(), self.context.clock()
        numeric = order["feedback_kind"] == catalog.FEEDBACK_NUMBER
        value = self.value.value() if numeric else None
        note = self.note.text()

        def write() -> str:
            return self.service.feedback(order_id, row.id, user=user, value=value, note=note, at=at)

        def cleared(_result: object) -> None:
            self.value.setValue(0)
            self.note.clear()

        self._write(write, f"已登记反馈：{row.name}", cleared)

    def complete_selected(self) -> None:
        row, order = self.selected_row(), self.board.order
        if row is None or order is None:
            return
        order_id, user, at = order["id"], self._user(), self.context.clock()
        self._write(
            lambda: self.service.complete(order_id, row.id, user=user, at=at),
            f"已完成：{row.name}",
        )

    def escalate_selected(self) -> None:
        """升级: the next person up the chain (found in the background) is added and
        recorded; said so when there is nobody further up."""
        row, board = self.selected_row(), self.board
        if row is None or board.order is None:
            return
        order_id, user, at = board.order["id"], self._user(), self.context.clock()

        def write() -> str:
            proposal = self.service.propose(board, row)
            if proposal is None:
                raise ValueError("链上没有更上一级的责任人可升级，请直接联系县指挥中心领导")
            self.service.escalate(order_id, row, proposal, user=user, at=at)
            return f"{proposal.role} {proposal.name}"

        def said(result: object) -> None:
            self._say(f"已升级：{row.name} → {result}")

        self._write(write, "已升级", said)

    def send_sms(self) -> None:
        """短信发送: the server texts each silent recipient with a mobile number the order
        and a link of their own, through the gateway only the server knows."""
        board, order = self.board, self.board.order
        if order is None:
            return
        session = self._server(SMS)
        if session is None:
            return
        silent = [r for r in board.rows if r.state.silent and not r.state.escalated_to]
        if not silent:
            self._say("没有未叫应的接收人")
            return

        def write() -> str:
            return on_server(session, lambda client: send_order(client, order, silent)).summary()

        def said(result: object) -> None:
            self._say(f"短信：{result}")

        self._write(write, "短信已发送", said)

    def _server(self, why: str) -> Session | None:
        """The signed-in, online session to ask the server with; None (and said why) when
        there is none."""
        session = self.context.sync.session if self.context.sync is not None else None
        problem = session_problem(session, why)
        if problem is not None:
            self._say(problem, error=True)
            return None
        return session

    def copy_link(self) -> None:
        """复制确认链接: a new link of the selected recipient's own (the server mints it),
        copied for the officer to read over the phone or paste into 浙政钉; said on the
        message line with the link and until when it works."""
        row, order = self.selected_row(), self.board.order
        if row is None or order is None:
            return
        session = self._server(LINK)
        if session is None:
            return
        order_id = order["id"]

        def copied(link: AckLink) -> None:
            QGuiApplication.clipboard().setText(link.url)
            until = beijing.display(link.expires_at)[5:]
            self._say(f"已复制{row.name}的确认链接（{until}前有效）：{link.url}")
            self.link_copied.emit(link.url)

        def failed(exc: BaseException) -> None:
            self._say(f"未能生成确认链接：{exc}", error=True)
            self.link_copied.emit("")

        self._say(f"正在向服务器申请{row.name}的确认链接…")
        run_task(
            self.context.tasks,
            lambda: ack_link(session, order_id, row.id),
            on_done=copied,
            on_error=failed,
            receiver=self,
        )

    def close_order(self) -> None:
        order = self.board.order
        if order is None:
            return
        order_id, user, at = order["id"], self._user(), self.context.clock()
        self._write(lambda: self.service.close(order_id, user=user, at=at), "指令已办结")

    def cancel_order(self) -> None:
        order = self.board.order
        if order is None:
            return
        order_id, user, at = order["id"], self._user(), self.context.clock()
        self._write(lambda: self.service.cancel(order_id, user=user, at=at), "指令已撤销")

    def issue(
        self,
        values: dict[str, Any],
        townships: list[str],
        villages: list[str],
        *,
        ranks: tuple[int, ...] | None = None,
        added: list[Addressee] | tuple[Addressee, ...] = (),
    ) -> None:
        """下达: the call list down the chain for the area (to the depth ``ranks``) and
        the people, units and teams ``added`` by hand, then the order (a 转移指令 opening
        its evacuation with the area's villages in the circle), off the GUI thread."""
        user, now = self._user(), self.context.clock()
        addressing = Addressing(
            tuple(townships),
            tuple(villages),
            ranks,
            tuple(a.id for a in added if a.kind == "person"),
            tuple(a.id for a in added if a.kind == "unit"),
            tuple(a.id for a in added if a.kind == "team"),
        )

        def write() -> str:
            if addressing.empty:
                raise ValueError("请勾选下达范围，或另加接收人")
            recipients = self.service.recipients(addressing, today=now.date().isoformat())
            if not recipients:
                raise ValueError("所选范围内没有登记责任人，请先在通讯录或基础数据中登记")
            circle = (
                self.service.area_villages(townships, villages)
                if values.get("open_evacuation")
                else []
            )
            return self.service.issue(
                recipients=recipients, user=user, now=now, circle=circle, **values
            )

        def chosen(order_id: object) -> None:
            self.order_id = str(order_id)

        self._write(write, f"已下达：{values.get('title') or values['kind']}", chosen)

    def issue_from(self, dialog: NewOrderDialog) -> None:
        """下达 what an accepted 新建指令 holds."""
        townships, villages = dialog.area()
        self.issue(dialog.values(), townships, villages, ranks=dialog.ranks(), added=dialog.added())

    def ask_new(self, assessment_id: str | None = None) -> None:
        """新建指令 from elsewhere (a 研判一张单): the links and places read afresh, then the
        dialog opened linked to the sheet ``assessment_id`` (its warned townships ticked,
        its highest warning level taken)."""

        def landed(snapshot: Snapshot) -> None:
            self._land(snapshot)
            self._ask_new(assessment_id)

        run_task(self.context.tasks, self._read, on_done=landed, receiver=self)

    def _ask_new(self, assessment_id: str | None = None) -> None:
        dialog = NewOrderDialog(self, self.snapshot, self.context.clock())
        if assessment_id is not None:
            dialog.link_sheet(assessment_id)
        self.new_dialog = dialog  # tests reach the open dialog through this
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.issue_from(dialog)
        finally:
            self.new_dialog = None
            dialog.deleteLater()


class NewOrderDialog(QDialog):
    """新建指令: a template fills the text; the area is picked by township (the whole of
    it) or village, with how far down the chain it goes (叫应层级); people, units and teams
    can be added by hand (searched by name or pinyin initials); the call list is built when
    it is issued."""

    def __init__(self, parent: QWidget, snapshot: Snapshot, now: Any) -> None:
        super().__init__(parent)
        self.setWindowTitle("新建指令")
        self._now = now
        self._templates = snapshot.templates
        outer = QHBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form, 3)
        self.kind = QComboBox(self)
        self.kind.addItems(list(self._templates))
        form.addRow(_ORDER["kind"].label, self.kind)
        self.title = QLineEdit(self)
        self.title.setMaxLength(_ORDER["title"].max_len or 120)
        form.addRow(_ORDER["title"].label, self.title)
        self.content = QPlainTextEdit(self)
        self.content.setMinimumHeight(90)
        form.addRow(_ORDER["content"].label, self.content)
        self.action = QLineEdit(self)
        self.action.setMaxLength(_ORDER["action"].max_len or 200)
        form.addRow(_ORDER["action"].label, self.action)
        self.deadline = QSpinBox(self)
        self.deadline.setRange(5, 7 * 24 * 60)
        self.deadline.setSuffix(" 分钟内")
        form.addRow(_ORDER["deadline"].label, self.deadline)
        self.feedback_kind = QComboBox(self)
        self.feedback_kind.addItems(list(catalog.FEEDBACK_KINDS))
        form.addRow(_ORDER["feedback_kind"].label, self.feedback_kind)
        self.feedback_label = QLineEdit(self)
        self.feedback_label.setMaxLength(_ORDER["feedback_label"].max_len or 40)
        form.addRow(_ORDER["feedback_label"].label, self.feedback_label)
        self.warning_level = QComboBox(self)
        self.warning_level.addItem("（无）", "")
        for level in WARNING_LEVELS:
            self.warning_level.addItem(level, level)
        form.addRow(_ORDER["warning_level"].label, self.warning_level)
        self.escalate = QSpinBox(self)
        self.escalate.setRange(1, 24 * 60)
        self.escalate.setSuffix(" 分钟")
        form.addRow(_ORDER["escalate_minutes"].label, self.escalate)
        self.links: dict[str, QComboBox] = {}
        for key, column in (
            ("incident", "incident_id"),
            ("assessment", "assessment_id"),
            ("evacuation", "evacuation_id"),
        ):
            box = QComboBox(self)
            box.addItem(NO_LINK, None)
            if key == "evacuation":  # a 转移指令 may open the evacuation it orders
                box.addItem(NEW_EVACUATION, NEW_EVACUATION)
            for choice in snapshot.links.get(key, []):
                box.addItem(str(choice["text"]), choice["id"])
                box.setItemData(box.count() - 1, choice, Qt.ItemDataRole.UserRole + 1)
            box.setMinimumContentsLength(20)
            form.addRow(_ORDER[column].label, box)
            self.links[column] = box
        right = QVBoxLayout()
        right.addWidget(QLabel("下达范围（勾选乡镇或村，按责任链逐级叫应）", self))
        depth_row = QHBoxLayout()
        depth_row.addWidget(QLabel("叫应层级", self))
        self.reach = QComboBox(self)
        for label, ranks in DEPTHS.items():
            self.reach.addItem(label, ranks)
        self.reach.setToolTip(
            "下达到责任链的哪一级；未列入的上级（如县领导包乡）在超时未叫应时作为升级对象"
        )
        depth_row.addWidget(self.reach, 1)
        right.addLayout(depth_row)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumSize(260, 220)
        # (township item, id, [(village item, id)]) in the tree's order.
        self._towns: list[tuple[QTreeWidgetItem, str, list[tuple[QTreeWidgetItem, str]]]] = []
        for town in snapshot.places:
            item = QTreeWidgetItem([str(town["name"])])
            item.setData(0, Qt.ItemDataRole.UserRole, ("township", town["id"]))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                          | Qt.ItemFlag.ItemIsAutoTristate)  # fmt: skip
            item.setCheckState(0, Qt.CheckState.Unchecked)
            children: list[tuple[QTreeWidgetItem, str]] = []
            self._towns.append((item, str(town["id"]), children))
            for village in town["villages"]:
                child = QTreeWidgetItem([str(village["name"])])
                child.setData(0, Qt.ItemDataRole.UserRole, ("village", village["id"]))
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Unchecked)
                item.addChild(child)
                children.append((child, str(village["id"])))
            self.tree.addTopLevelItem(item)
        right.addWidget(self.tree, 1)
        right.addWidget(QLabel("另加接收人（人员、单位或队伍）", self))
        self._directory = snapshot.directory
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("搜索姓名、拼音首字母、单位或队伍，回车加入")
        self.search.setClearButtonEnabled(True)
        right.addWidget(self.search)
        self.hits = self._list(104, 140, "双击加入接收人")
        right.addWidget(self.hits)
        self.chosen = self._list(64, 104, "已另加的接收人；选中后按“移除”")
        right.addWidget(self.chosen)
        chosen_row = QHBoxLayout()
        self.chosen_count = QLabel("未另加接收人", self)
        self.chosen_count.setObjectName("Muted")
        self.remove_button = QPushButton("移除", self)
        chosen_row.addWidget(self.chosen_count, 1)
        chosen_row.addWidget(self.remove_button)
        right.addLayout(chosen_row)
        self.problem = QLabel(self)
        self.problem.setObjectName("Muted")
        self.problem.setWordWrap(True)
        right.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("下达")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.issue_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        right.addWidget(buttons)
        outer.addLayout(right, 3)
        self.resize(940, 700)
        self.kind.currentTextChanged.connect(self._template)
        self._template(self.kind.currentText())
        self.links["assessment_id"].currentIndexChanged.connect(self._sheet_chosen)
        self.search.textChanged.connect(self._search)
        self.search.returnPressed.connect(self._add_first)
        self.hits.itemActivated.connect(self._add_item)
        self.hits.itemDoubleClicked.connect(self._add_item)
        self.remove_button.clicked.connect(self.remove_selected)
        self._show_count()

    # -- recipients added by hand ---------------------------------------------------------
    def _list(self, low: int, high: int, tip: str) -> QListWidget:
        """A list of search hits or chosen recipients: long lines elided, never scrolled
        sideways (each line's tooltip is the whole)."""
        box = QListWidget(self)
        box.setMinimumHeight(low)
        box.setMaximumHeight(high)
        box.setTextElideMode(Qt.TextElideMode.ElideRight)
        box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        box.setToolTip(tip)
        return box

    def _search(self, text: str) -> None:
        self.hits.clear()
        for hit in self._directory.search(text):
            item = QListWidgetItem(hit.text)
            item.setToolTip(hit.text)
            item.setData(Qt.ItemDataRole.UserRole, hit)
            self.hits.addItem(item)
        if self.hits.count():
            self.hits.setCurrentRow(0)

    def _add_first(self) -> None:
        item = self.hits.currentItem()
        if item is not None:
            self._add_item(item)

    def _add_item(self, item: QListWidgetItem) -> None:
        hit = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(hit, Addressee):
            self.add(hit)

    def add(self, hit: Addressee) -> None:
        """Add a person, unit or team as a recipient (once)."""
        if any((a.kind, a.id) == (hit.kind, hit.id) for a in self.added()):
            self.problem.setText(f"{hit.name} 已在另加接收人中")
            return
        item = QListWidgetItem(hit.text)
        item.setToolTip(hit.text)
        item.setData(Qt.ItemDataRole.UserRole, hit)
        self.chosen.addItem(item)
        self.problem.clear()
        self._show_count()

    def remove_selected(self) -> None:
        row = self.chosen.currentRow()
        if row >= 0:
            self.chosen.takeItem(row)
            self._show_count()

    def _show_count(self) -> None:
        n = self.chosen.count()
        self.chosen_count.setText(f"另加 {n} 个接收人" if n else "未另加接收人")
        self.remove_button.setEnabled(n > 0)

    def added(self) -> list[Addressee]:
        out = []
        for i in range(self.chosen.count()):
            hit = self.chosen.item(i).data(Qt.ItemDataRole.UserRole)
            if isinstance(hit, Addressee):
                out.append(hit)
        return out

    def ranks(self) -> tuple[int, ...]:
        """The levels of the chain the order goes down to (叫应层级)."""
        return tuple(self.reach.currentData())

    def accept(self) -> None:
        """下达 only with somebody to send it to; said in the dialog otherwise."""
        townships, villages = self.area()
        if not (townships or villages or self.added()):
            self.problem.setText("请勾选下达范围，或另加接收人")
            return
        super().accept()

    def link_sheet(self, assessment_id: str) -> bool:
        """Link the order to the sheet ``assessment_id`` (ticking what it warned); False,
        and said in the dialog, when the sheet is not among those an order can link."""
        box = self.links["assessment_id"]
        index = box.findData(assessment_id)
        if index < 0:
            self.problem.setText("该研判单不在可关联的研判单中（可能已删除），请另选")
            return False
        box.setCurrentIndex(index)
        return True

    def _sheet_chosen(self, index: int) -> None:
        """A sheet linked: its warned townships ticked (the area a 预警叫应 calls) and its
        highest warning level taken."""
        box = self.links["assessment_id"]
        sheet = box.itemData(index, Qt.ItemDataRole.UserRole + 1)
        if not isinstance(sheet, dict):
            return
        if sheet.get("townships"):
            self.check_all(list(sheet["townships"]))
        if sheet.get("level"):
            self.warning_level.setCurrentIndex(self.warning_level.findData(sheet["level"]))

    def _template(self, kind: str) -> None:
        t = self._templates[kind]
        evacuation = self.links["evacuation_id"]
        if kind == "转移指令" and evacuation.currentData() is None:
            evacuation.setCurrentIndex(evacuation.findData(NEW_EVACUATION))
        elif kind != "转移指令" and evacuation.currentData() == NEW_EVACUATION:
            evacuation.setCurrentIndex(0)
        self.title.setText(t.title)
        self.content.setPlainText(t.content)
        self.action.setText(t.action)
        self.deadline.setValue(t.deadline_minutes)
        self.feedback_kind.setCurrentText(t.feedback_kind)
        self.feedback_label.setText(t.feedback_label)
        self.escalate.setValue(t.escalate_minutes)

    def values(self) -> dict[str, Any]:
        from datetime import timedelta

        values: dict[str, Any] = {
            "kind": self.kind.currentText(),
            "title": self.title.text().strip(),
            "content": self.content.toPlainText().strip(),
            "action": self.action.text().strip(),
            "deadline": self._now + timedelta(minutes=self.deadline.value()),
            "feedback_kind": self.feedback_kind.currentText(),
            "feedback_label": self.feedback_label.text().strip(),
            "escalate_minutes": self.escalate.value(),
            "warning_level": self.warning_level.currentData() or "",
            **{column: box.currentData() for column, box in self.links.items()},
        }
        if values["evacuation_id"] == NEW_EVACUATION:
            values["evacuation_id"] = None
            values["open_evacuation"] = True
        return values

    def check_all(self, township_ids: list[str] | None = None) -> None:
        """Tick whole townships (tests, and a county-wide warning)."""
        for item, town_id, _children in self._towns:
            if township_ids is None or town_id in township_ids:
                item.setCheckState(0, Qt.CheckState.Checked)

    def area(self) -> tuple[list[str], list[str]]:
        """(whole townships, single villages) ticked."""
        townships: list[str] = []
        villages: list[str] = []
        for item, town_id, children in self._towns:
            if item.checkState(0) == Qt.CheckState.Checked:
                townships.append(town_id)
                continue
            villages += [v for child, v in children if child.checkState(0) == Qt.CheckState.Checked]
        return townships, villages
