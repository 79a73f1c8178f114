"""The incident list refreshes once per burst of changes, and in place for shown rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.domain import beijing
from console.models.incident_table_model import FIRST_PAGE
from console.services.context import Workstation
from console.services.incident_source import IncidentSource
from console.services.incidents import IncidentService
from console.store.changes import Changes
from console.ui.change_bus import COALESCE_MS, ChangeBus
from console.ui.tasks import TaskRunner
from console.views.pages.incident_list import IncidentListView

NOW = datetime(2026, 11, 28, 14, 0, tzinfo=beijing.BEIJING)
CALL = {
    "category": "自然灾害",
    "subtype": "地质",
    "grade": "较大",
    "township": "北界镇",
    "village": "苏村",
    "description": "山体滑坡，2人被困",
    "received_at": "2026-11-28 13:00",
}


class Counts:
    """How often the bus spoke and the model was reset or had rows updated."""

    def __init__(self, bus: ChangeBus, view: IncidentListView) -> None:
        self.changed = 0
        self.resets = 0
        self.updates: list[tuple[int, int]] = []
        bus.changed.connect(self._changed)
        view.model.modelReset.connect(self._reset)
        view.model.dataChanged.connect(lambda a, b, _r=(): self.updates.append((a.row(), b.row())))

    def _changed(self, _c: Changes) -> None:
        self.changed += 1

    def _reset(self) -> None:
        self.resets += 1


@pytest.fixture
def listing(
    qtbot: QtBot, qapp: QApplication, workstation: Workstation
) -> Iterator[tuple[ChangeBus, IncidentListView, TaskRunner]]:
    tasks = TaskRunner()
    bus = ChangeBus()
    bus.attach(workstation.store)
    view = IncidentListView(IncidentSource(workstation.store), lambda: NOW, None, tasks)
    qtbot.addWidget(view)
    bus.changed.connect(view.on_changes)
    assert tasks.wait_idle(5000)
    yield bus, view, tasks
    tasks.shutdown()
    bus.close()


def test_a_burst_of_50_writes_is_one_refresh(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    workstation: Workstation,
    listing: tuple[ChangeBus, IncidentListView, TaskRunner],
) -> None:
    bus, view, tasks = listing
    qtmodeltester.check(view.model, force_py=True)
    before = view.model.rowCount()
    counts = Counts(bus, view)
    service = IncidentService(workstation.writer)
    for i in range(50):
        service.take_call({**CALL, "caller_name": f"来电人{i}"}, user="测试", now=NOW)
    with qtbot.waitSignal(view.model.refreshed, timeout=5000):
        pass
    qtbot.wait(3 * COALESCE_MS)  # nothing else follows
    assert tasks.wait_idle(5000)
    assert counts.changed == 1 and counts.resets == 1
    assert view.model.rowCount() == before + 50
    assert view.summary.text() == f"共 {before + 50} 起"


def test_the_burst_arrives_within_100_ms(
    qtbot: QtBot, workstation: Workstation, listing: tuple[ChangeBus, IncidentListView, TaskRunner]
) -> None:
    bus, _view, _tasks = listing
    service = IncidentService(workstation.writer)
    with qtbot.waitSignal(bus.changed, timeout=1000) as blocker:
        ids = [service.take_call(CALL, user="测试", now=NOW) for _ in range(5)]
        started = datetime.now()
    assert (datetime.now() - started).total_seconds() < 0.1 + 0.05  # timer slack
    assert blocker.args is not None
    assert blocker.args[0].ids("incidents") == set(ids)  # every row id of the burst


def test_an_edit_of_a_shown_incident_updates_its_row_without_a_reset(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    workstation: Workstation,
    listing: tuple[ChangeBus, IncidentListView, TaskRunner],
) -> None:
    bus, view, tasks = listing
    service = IncidentService(workstation.writer)
    incident_id = service.take_call(CALL, user="测试", now=NOW)
    with qtbot.waitSignal(view.model.refreshed, timeout=5000):
        pass
    qtmodeltester.check(view.model, force_py=True)
    row = view.model.row_of(incident_id)
    assert row >= 0
    assert view.select(incident_id)
    counts = Counts(bus, view)
    current = IncidentSource(workstation.store).incident(incident_id)
    assert current is not None
    service.update(incident_id, {"injured": 3}, current, user="测试")
    qtbot.waitUntil(lambda: bool(counts.updates), timeout=3000)
    assert tasks.wait_idle(3000)
    assert counts.resets == 0
    assert counts.updates == [(row, row)]
    assert view.model.index(row, 5).data() == "伤3"
    assert view.selected_id() == incident_id  # the selection did not move


def test_a_status_change_that_moves_rows_out_of_the_filter_resets(
    qtbot: QtBot, workstation: Workstation, listing: tuple[ChangeBus, IncidentListView, TaskRunner]
) -> None:
    bus, view, _tasks = listing
    service = IncidentService(workstation.writer)
    incident_id = service.take_call(CALL, user="测试", now=NOW)
    with qtbot.waitSignal(view.model.refreshed, timeout=5000):
        pass
    assert view.model.row_of(incident_id) >= 0
    before = view.model.rowCount()
    counts = Counts(bus, view)
    service.set_status(incident_id, "已结案", user="测试", reason="误报", now=NOW)
    with qtbot.waitSignal(view.model.refreshed, timeout=5000):
        pass
    assert counts.resets == 1
    assert view.model.rowCount() == before - 1  # 已结案 is not shown by default


def test_rows_beyond_the_first_page_are_read_on_the_runner(
    qtbot: QtBot, workstation: Workstation, listing: tuple[ChangeBus, IncidentListView, TaskRunner]
) -> None:
    """Scrolling asks the runner for the page (读取中…… meanwhile), and the page lands as a
    dataChanged; a refresh reads the page of the incident to keep selected up front."""
    bus, view, tasks = listing
    calls = []
    for i in range(FIRST_PAGE + 20):
        minute = f"{i % 60:02d}"
        when = f"2026-11-28 {10 + i // 60:02d}:{minute}"
        calls.append({**CALL, "received_at": when, "caller_name": f"来电人{i}"})
    service = IncidentService(workstation.writer)
    with qtbot.waitSignal(bus.changed, timeout=5000):  # announced at once: the list refreshes
        ids = [service.take_call(call, user="测试", now=NOW) for call in calls]
    assert tasks.wait_idle(5000)
    model = view.model
    assert model.rowCount() == len(calls)
    far = model.index(len(calls) - 1, 1)
    assert model.data(far) == "读取中……" and model.fetching()
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        pass
    assert model.data(far) == "北界镇苏村地质灾害" and not model.fetching()

    oldest = ids[0]  # the last row (newest first): beyond the first rows a refresh reads
    view.refresh(select=oldest)
    assert tasks.wait_idle(5000)
    assert model.row_of(oldest) == len(calls) - 1  # its page was read with the refresh
    assert view.selected_id() == oldest
    view.table.clearSelection()
    view.table.setCurrentIndex(model.index(0, 0))  # the officer selects the newest
    view.refresh()
    assert tasks.wait_idle(5000)
    assert model.row_of(oldest) == -1  # not read: not searched for on the GUI thread
