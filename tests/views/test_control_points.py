"""扩面转移 with risk points: the dialog offers each village's risk points; a village ticked
whole goes in whole, points ticked alone go in alone with their own people at risk as 应转;
what the circle already holds is shown and not offered again; a report on a village that is
in only by its points names the point (and is counted in the village's line)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from console.domain.schema import RiskPoint, Village
from console.services.context import Workstation
from console.services.transfers import TransferService
from console.views.main_window import MainWindow
from console.views.pages.control_page import WHOLE_VILLAGE, ControlPage, ExpandDialog
from tests.views.conftest import idle, written

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _villages_with_points(workstation: Workstation) -> list[dict[str, Any]]:
    """Two villages of one township with two or more risk points each (the sample's)."""
    r, v = RiskPoint.__table__, Village.__table__
    with workstation.store.engine.connect() as conn:
        rows = conn.execute(
            select(v.c.id, v.c.name, v.c.township_id)
            .join(r, r.c.village_id == v.c.id)
            .where(r.c.deleted.is_(False), r.c.persons > 0)
            .group_by(v.c.id)
            .having(func.count() >= 2)
        ).mappings()
        found = [dict(x) for x in rows]
        for x in found:
            x["points"] = [
                dict(p)
                for p in conn.execute(
                    select(r.c.id, r.c.name, r.c.persons, r.c.households)
                    .where(r.c.village_id == x["id"], r.c.deleted.is_(False))
                    .order_by(r.c.name)
                ).mappings()
            ]
    assert found, "the sample county has a village with two risk points"
    return found


def _expand(
    qtbot: QtBot,
    page: ControlPage,
    answer: Callable[[ExpandDialog], None],
    *,
    written: bool = True,
) -> None:
    """扩面转移… clicked, ``answer`` driving the modal dialog; waits for the write when
    ``written``, else for the dialog to close."""
    failed: list[BaseException] = []

    def when_asked() -> None:
        dialog = page.expand_dialog
        if dialog is None:
            return
        poll.stop()
        try:
            answer(dialog)
        except BaseException as exc:  # inside the dialog's loop: raised after
            failed.append(exc)
        finally:
            if dialog.isVisible():
                dialog.reject()

    poll = QTimer(page)
    poll.setInterval(20)
    poll.timeout.connect(when_asked)
    poll.start()
    if written:
        with qtbot.waitSignal(page.refreshed, timeout=5000):
            page.expand_button.click()
    else:
        page.expand_button.click()
        qtbot.waitUntil(lambda: not poll.isActive() and page.expand_dialog is None, timeout=5000)
    idle(page)
    if failed:
        raise failed[0]


def _village_item(dialog: ExpandDialog, village_id: str) -> QTreeWidgetItem:
    tree = dialog.villages
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item.data(0, Qt.ItemDataRole.UserRole) == village_id:
            return item
    raise AssertionError(village_id)


def _opened(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, title: str
) -> tuple[ControlPage, dict[str, Any]]:
    """管控一张表 with a new evacuation open; a village with two risk points or more."""
    page = window.show_view("control-table")
    assert isinstance(page, ControlPage)
    idle(page)
    assert written(qtbot, page, lambda: page.open_evacuation(title), page.refreshed) == ""
    return page, _villages_with_points(workstation)[0]


def _nothing_but(dialog: ExpandDialog, village: dict[str, Any]) -> QTreeWidgetItem:
    """The village's township shown, every village that can be ticked unticked; its item."""
    dialog.township.setCurrentIndex(dialog.township.findData(village["township_id"]))
    for i in range(dialog.villages.topLevelItemCount()):
        item = dialog.villages.topLevelItem(i)
        if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            item.setCheckState(0, Qt.CheckState.Unchecked)
    return _village_item(dialog, village["id"])


def test_risk_points_go_into_the_circle_alone_and_reports_name_them(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page, village = _opened(qtbot, window, workstation, "风险点转移")
    first, second = village["points"][0], village["points"][1]

    def only_the_first_point(dialog: ExpandDialog) -> None:
        item = _nothing_but(dialog, village)
        assert item.childCount() == len(village["points"])
        assert item.child(0).text(0) == f"{first['name']}（{first['persons']} 人）"
        item.child(0).setCheckState(0, Qt.CheckState.Checked)
        assert item.checkState(0) == Qt.CheckState.PartiallyChecked
        assert dialog.chosen_areas() == ([], [(village["id"], first["id"])])
        dialog.accept()

    _expand(qtbot, page, only_the_first_point)
    service = TransferService(workstation.store)
    evacuation = page.snapshot.evacuation
    assert evacuation is not None
    assert service.circle(evacuation["id"]) == {village["id"]: {first["id"]: first["name"]}}
    [row] = [r for r in page.model.records() if r.id == village["id"]]
    assert row.tally.planned_persons == first["persons"]  # the point's people, not the village's

    # The report names the point: the village is in only by it (no 全村 to choose).
    page.table.selectRow(page.model.records().index(row))
    qtbot.waitUntil(lambda: page.point.count() == 1, timeout=5000)
    assert page.point.currentText() == first["name"] and not page.point.isEnabled()
    page.persons.setValue(3)
    assert written(qtbot, page, page.record, page.refreshed) == ""
    [event] = service.village_events(evacuation["id"], village["id"])
    assert (event["risk_point_id"], event["persons"]) == (first["id"], 3)

    # Again: the point already in is shown, not offered; the village cannot go in whole
    # (its people would count twice); the second point can.
    def the_second_point(dialog: ExpandDialog) -> None:
        item = _nothing_but(dialog, village)
        assert "部分风险点已纳入" in item.text(0)
        assert not item.flags() & Qt.ItemFlag.ItemIsUserCheckable
        assert item.child(0).text(0) == f"{first['name']}（已纳入）"
        assert not item.child(0).flags() & Qt.ItemFlag.ItemIsEnabled
        item.child(1).setCheckState(0, Qt.CheckState.Checked)
        assert dialog.chosen_areas() == ([], [(village["id"], second["id"])])
        dialog.accept()

    _expand(qtbot, page, the_second_point)
    [row] = [r for r in page.model.records() if r.id == village["id"]]
    assert row.tally.planned_persons == first["persons"] + second["persons"]
    assert row.tally.moved == 3
    page.table.selectRow(page.model.records().index(row))
    qtbot.waitUntil(lambda: page.point.count() == 2, timeout=5000)
    assert page.point.isEnabled() and page.point.findText(WHOLE_VILLAGE) < 0


def test_a_village_ticked_whole_goes_in_whole_and_is_not_offered_again(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page, village = _opened(qtbot, window, workstation, "整村转移")

    def whole(dialog: ExpandDialog) -> None:
        item = _nothing_but(dialog, village)
        item.setCheckState(0, Qt.CheckState.Checked)  # every point ticked with it
        assert all(item.child(j).checkState(0) == Qt.CheckState.Checked
                   for j in range(item.childCount()))  # fmt: skip
        assert dialog.chosen_areas() == ([village["id"]], [])
        dialog.accept()

    _expand(qtbot, page, whole)
    evacuation = page.snapshot.evacuation
    assert evacuation is not None
    circle = TransferService(workstation.store).circle(evacuation["id"])
    assert circle == {village["id"]: {None: ""}}
    [row] = [r for r in page.model.records() if r.id == village["id"]]
    assert row.tally.planned_persons == sum(p["persons"] for p in village["points"])
    page.table.selectRow(page.model.records().index(row))
    qtbot.waitUntil(lambda: page.point.count() == 1, timeout=5000)
    assert page.point.currentText() == WHOLE_VILLAGE

    def offered_again(dialog: ExpandDialog) -> None:
        item = _nothing_but(dialog, village)
        assert "已整村纳入" in item.text(0)
        assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
        dialog.reject()

    _expand(qtbot, page, offered_again, written=False)
    assert TransferService(workstation.store).circle(evacuation["id"]) == circle
