"""伤亡与损失 after the call: the incident detail's 修改伤亡… dialog writes the figures, the
log gets 伤亡变化 (the clock of a 补报, 493号令 Art. 13), the detail offers the grade the new
figures imply, and a refused write keeps the dialog open with its numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.domain import beijing
from console.domain.schema import ENTITY_FIELDS
from console.services.context import Workstation
from console.services.incident_list import fetch_incident
from console.services.incidents import IncidentService
from console.store.records import OutboxEntry
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.casualty_dialog import FIGURES
from console.views.pages.intake_page import IntakePage
from tests.views.conftest import Clock, flush_deletes

# The offscreen platform cannot pass a dialog's size hints on; that is not a fault here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
RECEIVED = datetime(2026, 11, 28, 13, 0, tzinfo=beijing.BEIJING)
FACTORY = {
    "category": "事故灾难",
    "subtype": "企业安全事故",
    "grade": "一般",
    "township": "北界镇",
    "received_at": "2026-11-28 13:00",
    "caller_name": "厂安全员",
    "dead": "1",
}


@pytest.fixture
def clock() -> Clock:
    return Clock(RECEIVED + timedelta(minutes=10))


@pytest.fixture
def page(qtbot: QtBot, window_context: WindowContext, clock: Clock) -> Iterator[IntakePage]:
    window_context.clock = clock
    win = MainWindow(window_context)
    win.resize(1400, 900)
    page = win.show_view("intake")
    win.show()
    qtbot.waitExposed(win)
    assert isinstance(page, IntakePage)
    yield page
    win.close()
    win.deleteLater()
    flush_deletes()


def _settle(page: IntakePage) -> None:
    assert page.context.tasks is not None and page.context.tasks.wait_idle(5000)


def _open(page: IntakePage, incident_id: str) -> None:
    page.list.refresh()
    _settle(page)
    assert page.list.select(incident_id)
    _settle(page)
    assert page.detail.incident_id() == incident_id


def test_the_figures_are_corrected_logged_and_call_for_a_supplement(
    qtbot: QtBot, page: IntakePage, workstation: Workstation, clock: Clock
) -> None:
    service = IncidentService(workstation.writer)
    incident_id = service.take_call(FACTORY, user="测试", now=clock())
    service.record_report_sent(
        incident_id,
        stage="首报",
        channel="书面",
        body="首报",
        recipient="市应急局",
        user="测试",
        sent_at=clock(),
    )
    _open(page, incident_id)
    detail = page.detail
    assert detail.grade_hint.isHidden()  # 1 dead: 一般, as chosen
    shown = detail.incident
    assert shown is not None
    assert not [d for d in page.source.deadlines(shown, clock()) if d.stage == "补报"]

    clock.moment = RECEIVED + timedelta(hours=3)
    dialog = detail.edit_figures()
    assert dialog is not None and dialog.isVisible() and detail.figures_dialog is dialog
    # Labels and ranges as the incident's fields are declared.
    for key in FIGURES:
        spec, box = ENTITY_FIELDS["incidents"][key], dialog.boxes[key]
        assert (box.minimum(), box.maximum()) == (spec.minimum, spec.maximum)
        assert isinstance(box, QSpinBox if spec.kind is int else QDoubleSpinBox)
    assert dialog.boxes["dead"].value() == 1

    dialog.save.click()  # nothing changed: nothing written
    assert dialog.error.text() == "数字没有变化" and dialog.isVisible()

    dialog.boxes["dead"].setValue(3)
    dialog.boxes["seriously_injured"].setValue(2)
    dialog.boxes["economic_loss"].setValue(120.5)
    with qtbot.waitSignal(detail.action_finished, timeout=5000) as done:
        dialog.save.click()
    assert done.args == [True]
    _settle(page)
    qtbot.waitUntil(lambda: detail.figures_dialog is None)  # saved: closed and deleted
    stored = fetch_incident(workstation.store, incident_id)
    assert stored is not None
    assert (stored["dead"], stored["seriously_injured"], stored["economic_loss"]) == (3, 2, 120.5)
    [change] = [e for e in page.source.timeline(incident_id) if e["kind"] == "伤亡变化"]
    assert change["body"] == "死亡 1→3；重伤 0→2"
    assert beijing.parse(change["at"]) == clock()
    # 3 dead is 较大 by 493号令: the detail offers it, the log says so.
    assert not detail.grade_hint.isHidden()
    assert detail.grade_hint.text.text().startswith("按所填数字应定为“较大”：死亡 3 人")
    assert any("请核定等级" in e["body"] for e in page.source.timeline(incident_id))
    # The 首报 was sent: the change of casualties calls for a 补报 within 2 hours.
    (supplement,) = [d for d in page.source.deadlines(stored, clock()) if d.stage == "补报"]
    assert supplement.due == clock() + timedelta(hours=2) and not supplement.met
    assert "补报" in detail.duties.text()


def test_a_refused_write_keeps_the_dialog_and_its_numbers(
    qtbot: QtBot, page: IntakePage, workstation: Workstation, clock: Clock
) -> None:
    service = IncidentService(workstation.writer)
    incident_id = service.take_call(FACTORY, user="测试", now=clock())
    _open(page, incident_id)
    detail = page.detail
    dialog = detail.edit_figures()
    assert dialog is not None
    dialog.boxes["missing"].setValue(4)
    # Meanwhile the incident is deleted elsewhere: the write is refused.
    workstation.writer.apply([("incident.delete", {"id": incident_id})], user="其他值班员")
    with qtbot.waitSignal(detail.action_finished, timeout=5000) as done:
        dialog.save.click()
    assert done.args == [False]
    assert dialog.isVisible()
    assert dialog.error.text() == "未能保存：要修改的事件不存在"
    assert dialog.boxes["missing"].value() == 4
    assert dialog.save.isEnabled() and dialog.cancel.isEnabled()
    dialog.cancel.click()
    qtbot.waitUntil(lambda: detail.figures_dialog is None)


def test_the_write_carries_the_figures_the_officer_saw(
    qtbot: QtBot, page: IntakePage, workstation: Workstation, clock: Clock
) -> None:
    """A death recorded elsewhere after the dialog opened: the mutation pushed says the
    officer saw 1, so the server reports the overwrite as a conflict (last writer wins)."""
    service = IncidentService(workstation.writer)
    incident_id = service.take_call(FACTORY, user="测试", now=clock())
    _open(page, incident_id)
    dialog = page.detail.edit_figures()
    assert dialog is not None
    workstation.writer.apply(
        [("incident.update", {"id": incident_id, "fields": {"dead": 2}})], user="其他值班员"
    )
    dialog.boxes["dead"].setValue(4)
    with qtbot.waitSignal(page.detail.action_finished, timeout=5000) as done:
        dialog.save.click()
    assert done.args == [True]
    with workstation.store.engine.connect() as conn:
        rows = conn.execute(
            select(OutboxEntry.args).where(OutboxEntry.name == "incident.update")
        ).scalars()
        updates = [json.loads(a) for a in rows]
    assert updates[-1]["fields"] == {"dead": 4}
    assert updates[-1]["before"] == {"dead": 1}
