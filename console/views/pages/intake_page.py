"""接警处置: the call-intake form on the left; the incident list and the selected incident on
the right. A repeat call about an open incident is offered for attaching instead of filing a
new incident. Writes go through ``IncidentService``; reads through ``IncidentSource``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing
from console.services.drafts import DraftStore
from console.services.duplicates import Candidate
from console.services.incident_source import IncidentSource
from console.services.intake import FormErrors, Places, parse_received_at
from console.store.changes import Changes
from console.ui.errors import WRITE_REFUSED
from console.ui.tasks import run_task
from console.views.pages.base import Page, PageContext
from console.views.pages.incident_detail import IncidentDetail
from console.views.pages.incident_list import IncidentListView
from console.views.pages.intake_form import IntakeForm
from console.views.pages.report_dialog import ReportDialog

if TYPE_CHECKING:
    from console.views.pages.map_picker import PickedPoint

log = logging.getLogger(__name__)
DUPLICATE_DEBOUNCE_MS = 400
DETAIL_TABLES = (
    "incidents",
    "incident_timeline",
    "incident_reports",
    "report_rules",
    "grading_rules",
)


class DuplicateBar(QFrame):
    """可能是同一事件：<title>（<reason>） [作为续报来电附加] [仍然新建] — never modal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DuplicateBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.attach_button = QPushButton("作为续报来电附加", self)
        self.new_button = QPushButton("仍然新建", self)
        buttons = QVBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.new_button)
        row.addLayout(buttons)
        self.candidate: Candidate | None = None
        self.hide()

    def offer(self, candidate: Candidate | None) -> None:
        self.candidate = candidate
        if candidate is None:
            self.hide()
            return
        when = beijing.display(candidate.received_at)[11:]
        self.text.setText(
            f"可能是同一事件：{candidate.title}（{candidate.reason}，{when} 接报，"
            f"{candidate.status}）"
        )
        self.show()


def make_intake_page(context: PageContext) -> QWidget:
    """The page, or the placeholder when the window was built without the incident services
    (some tools and tests build a window for other pages only)."""
    if context.incident_source is None:
        from console.views.pages.empty_page import EmptyPage

        return EmptyPage(context)
    return IntakePage(context)


class IntakePage(Page):
    save_finished = Signal(str)  # the saved or attached incident's id; "" when not saved
    places_loaded = Signal()  # the place names (and the sample flag) have been read

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._saving = False
        self._dup_asked = 0  # the newest repeat-call check; older results are dropped
        self.header.subtitle.hide()
        self.layout_.setContentsMargins(16, 12, 16, 8)
        self.layout_.setSpacing(8)
        self.service = context.incidents
        source = context.incident_source
        if source is None:
            raise RuntimeError("接警处置页面需要事件数据源（incident_source）")
        self.source: IncidentSource = source
        self.clock = context.clock
        # Children are created in their final parents: moving a widget tree into a styled
        # parent re-polishes all of it (that was most of this page's build time).
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        scroll = QScrollArea(self.splitter)
        right = QSplitter(Qt.Orientation.Vertical, self.splitter)
        # The list first: its refresh (100,000 ids) starts on the task runner while the rest
        # of the page is built.
        self.list = IncidentListView(self.source, self.clock, right, context.tasks)
        # The place names arrive from the task runner (read_places); until then a save reads
        # them itself, on the runner (places=None), and completion has no names yet.
        self._places: Places | None = None
        self._dismissed: set[str] = set()

        left = QWidget(scroll.viewport())
        self.form = IntakeForm(
            Places({}, {}),
            context.session.officer,
            DraftStore(context.data_dir),
            self.clock,
            left,
            picker=self.pick_point,
        )
        self.duplicate = DuplicateBar(left)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.setSpacing(6)
        left_box.addWidget(self.duplicate)
        left_box.addWidget(self.form)
        left_box.addStretch(1)
        scroll.setObjectName("FormScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(left)
        scroll.setMinimumWidth(left.minimumSizeHint().width() + 12)  # never clips the form
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # The detail scrolls inside its half: on a 1280x800 screen its fields, actions and
        # timeline would otherwise claim the height the list needs.
        detail_scroll = QScrollArea(right)
        detail_scroll.setObjectName("DetailScroll")
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail = IncidentDetail(
            self.source,
            self.service,
            lambda: context.session.officer,
            self.clock,
            detail_scroll.viewport(),
            context.tasks,
        )
        detail_scroll.setWidget(self.detail)
        right.addWidget(self.list)
        right.addWidget(detail_scroll)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)
        right.setChildrenCollapsible(False)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([max(scroll.minimumWidth(), 540), 10_000])
        self.splitter.setChildrenCollapsible(False)
        self.layout_.addWidget(self.splitter, 1)

        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(DUPLICATE_DEBOUNCE_MS)
        self._dup_timer.timeout.connect(self.check_duplicates)
        self.form.edited.connect(self._dup_timer.start)
        self.form.submitted.connect(self.save_call)
        self.duplicate.attach_button.clicked.connect(self.attach_to_candidate)
        self.duplicate.new_button.clicked.connect(self.dismiss_candidate)
        self.list.incident_selected.connect(self.detail.show_incident)
        self.detail.report_requested.connect(self.open_report)
        self.detail.responsible_requested.connect(self.show_responsible)
        self.detail.cases_requested.connect(self.show_cases)
        self.detail.response_requested.connect(self.start_response)
        context.bus.changed.connect(self._on_changes)
        self.read_places(sample=True)
        if self.list.model.loading:
            self.list.model.refreshed.connect(
                self._select_first, Qt.ConnectionType.SingleShotConnection
            )
        else:
            self._select_first()
        self.form.focus_first()

    def pick_point(
        self,
        parent: QWidget,
        start: tuple[float, float] | None,
        take: Callable[[PickedPoint], None],
    ) -> None:
        """The call form's 地图选点: the places are read on the task runner, then a modal
        map of the county opens; the point taken goes to ``take``."""
        from console.services.map_data import MapDataService, MapSnapshot
        from console.views.pages.map_picker import MapPickerDialog

        def show(snapshot: MapSnapshot) -> None:
            dialog = MapPickerDialog(snapshot, self.context.theme.colors(), start, parent)
            try:
                picked = dialog.picked() if dialog.exec() == QDialog.DialogCode.Accepted else None
            finally:
                dialog.deleteLater()
            if picked is not None:
                take(picked)

        service = MapDataService(self.context.queries.store)
        run_task(self.context.tasks, service.snapshot, on_done=show, receiver=self)

    def show_responsible(self, kind: str, place_id: str) -> None:
        """谁负责这里 from the incident detail: the 通讯录 on the incident's place."""
        from console.views.pages.contacts_page import open_responsible

        open_responsible(self.context, kind, place_id)

    def show_cases(self, incident_id: str) -> None:
        """案例与预案 from the incident detail: the case library on the incident's similar
        cases and the plans of its type."""
        from console.views.pages.case_page import open_cases_for

        open_cases_for(self.context, incident_id)

    def start_response(self, incident_id: str) -> None:
        """启动应急响应 from the incident detail: 应急一指南's dialog on this incident."""
        from console.views.pages.guide_page import open_activation

        open_activation(self.context, incident_id)

    def read_places(self, *, sample: bool = False) -> None:
        """Read the township and village names, the grading table (定级标准) and the 样例数据
        flag on the task runner; :attr:`places_loaded` fires once they are in the form."""
        service, queries = self.service, self.context.queries

        def read() -> tuple[Places | None, list[dict[str, Any]], bool | None]:
            places = service.places() if service is not None else None
            rules = queries.grading_rules()
            return places, rules, queries.sample_present() if sample else None

        run_task(self.context.tasks, read, on_done=self._places_read, receiver=self)

    def _places_read(self, read: tuple[Places | None, list[dict[str, Any]], bool | None]) -> None:
        places, rules, sample = read
        self.form.set_grading_rules(rules)
        if places is not None:
            self._places = places
            self.form.set_places(places)
            if self.form.has_content():
                self._dup_timer.start()  # typed before the names were there: check again
        if sample is not None:
            self.header.set_sample(sample)
        self.places_loaded.emit()

    def _select_first(self) -> None:
        if self.list.model.rowCount() and not self.list.selected_id():
            self.list.table.selectRow(0)
            self.list.table.setCurrentIndex(self.list.model.index(0, 0))

    # -- entry points ----------------------------------------------------------------------
    def start_new_call(self) -> None:
        """F2: a call starts now (its 接报时间), the cursor in the first field; a call
        already being typed stays as it is, with its own time."""
        self.form.start_call()
        self.form.focus_first()

    def focus_entry(self) -> None:
        """Arriving on the page (rail, Ctrl+1): the cursor to the first field; no call
        starts until the officer types or presses F2."""
        self.form.focus_first()

    # -- saving ----------------------------------------------------------------------------
    def save_call(self, values: dict[str, str]) -> None:
        """Save in the background; 已保存 once the write has returned, input kept on failure.
        :attr:`save_finished` tells when it is over."""
        if self.service is None:
            self.form.show_notice("未连接事件数据库，无法保存（草稿已保留）。")
            self.save_finished.emit("")
            return
        if self.saving:
            return  # one save at a time: no double submit
        service, source = self.service, self.source
        user, now, places = self.context.session.officer, self.clock(), self._places

        def write() -> tuple[str, str]:
            incident_id = service.take_call(values, user=user, now=now, places=places)
            try:  # saved now: a failing read of its title must not say otherwise
                incident = source.incident(incident_id)
            except Exception:
                log.exception("saved incident %s, could not read it back", incident_id)
                incident = None
            return incident_id, incident["title"] if incident else ""

        def done(result: tuple[str, str]) -> None:
            incident_id, title = result
            notice = f"已保存：{title}　（接报 {values.get('received_at', '')}）"
            self._finish(incident_id, notice)

        self._save(write, done, "未能保存")

    def _save(self, write: Callable[[], Any], done: Callable[[Any], None], failed: str) -> None:
        self._set_saving(True)

        def on_done(result: Any) -> None:
            self._set_saving(False)
            done(result)

        def on_error(error: BaseException) -> None:
            self._set_saving(False)
            self._failed(error, failed)

        run_task(self.context.tasks, write, on_done=on_done, on_error=on_error, receiver=self)

    def _failed(self, error: BaseException, failed: str) -> None:
        if isinstance(error, FormErrors):
            self.form.show_errors(error)
            self.form.show_notice(f"有 {len(error.errors)} 处需要修改，未保存。")
        elif isinstance(error, WRITE_REFUSED):
            self.form.show_notice(f"{failed}：{error}（草稿已保留）")
        else:  # a bug: logged and reported like any uncaught error; the input stays
            self.form.show_notice(f"{failed}：程序错误（草稿已保留）")
            sys.excepthook(type(error), error, error.__traceback__)
        self.save_finished.emit("")

    @property
    def saving(self) -> bool:
        return self._saving

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.form.set_saving(saving)
        self.duplicate.setEnabled(not saving)

    def _finish(self, incident_id: str, notice: str) -> None:
        self.form.discard_draft()
        self.form.reset()
        self._dup_asked += 1  # a check still running is about the call just saved
        self.duplicate.offer(None)
        self._dismissed.clear()
        self.form.show_notice(notice)
        self.form.focus_first()
        self.list.refresh(select=incident_id)
        self.save_finished.emit(incident_id)

    # -- repeat calls ----------------------------------------------------------------------
    def _call(self) -> dict[str, object] | None:
        values = self.form.values()
        township_id, village_id = self.form.place_ids()
        if not values["category"] or not township_id:
            return None
        received, _err = parse_received_at(values["received_at"].strip(), self.clock())
        return {
            "category": values["category"],
            "received_at": received or beijing.canonical(self.clock()),
            "township_id": township_id,
            "village_id": village_id,
        }

    def check_duplicates(self) -> None:
        """Look for an open incident this call may repeat (in the background); offer the
        best one not dismissed. The newest check wins."""
        call = self._call()
        self._dup_asked += 1
        asked = self._dup_asked
        if call is None:
            self.duplicate.offer(None)
            return
        source = self.source

        def offer(found: list[Candidate]) -> None:
            if asked != self._dup_asked or self.saving:
                return
            best = next((c for c in found if c.incident_id not in self._dismissed), None)
            self.duplicate.offer(best)

        run_task(self.context.tasks, source.candidates, call, on_done=offer, receiver=self)

    def attach_to_candidate(self) -> None:
        """Attach the call to the offered incident (in the background, like a save)."""
        candidate = self.duplicate.candidate
        if candidate is None or self.service is None or self.saving:
            return
        service, values = self.service, self.form.values()
        user, now, places = self.context.session.officer, self.clock(), self._places

        def write() -> None:
            service.attach_call(candidate.incident_id, values, user=user, now=now, places=places)

        def done(_result: None) -> None:
            self._finish(candidate.incident_id, f"已作为续报来电附加到：{candidate.title}")

        self._save(write, done, "未能附加")

    def dismiss_candidate(self) -> None:
        if self.duplicate.candidate is not None:
            self._dismissed.add(self.duplicate.candidate.incident_id)
        self.duplicate.offer(None)
        self.form.focus_first()

    # -- report ----------------------------------------------------------------------------
    def report_dialog(self, incident_id: str) -> ReportDialog:
        return ReportDialog(
            incident_id,
            self.source,
            self.service,
            self.context.session.officer,
            self.context.data_dir,
            self.clock,
            self,
            self.context.tasks,
        )

    def open_report(self, incident_id: str) -> None:
        dialog = self.report_dialog(incident_id)
        dialog.open()

    # -- changes ---------------------------------------------------------------------------
    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("townships", "villages", "grading_rules"):
            self.read_places()
        self.list.on_changes(changes)
        if changes.touches(*DETAIL_TABLES) and self.detail.incident_id():
            self.detail.show_incident(self.detail.incident_id())
