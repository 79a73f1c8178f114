"""管控一张表 driven as an officer would: open an evacuation, widen its circle, record what
villages phone in (a refusal keeps the form), correct a report, close it; the roll-up, the
responsibility chain and the shelters follow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from console.domain import catalog
from console.domain.ids import reference_id
from console.services.context import Workstation
from console.services.control_table import COUNTY, TOWNSHIP, VILLAGE
from console.views.main_window import MainWindow
from console.views.pages.control_page import ControlPage
from tests.views.conftest import idle, written

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TOWN = reference_id("township", "北界镇")


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow) -> ControlPage:
    shown = window.show_view("control-table")
    assert isinstance(shown, ControlPage)
    _idle(shown)
    return shown


def _idle(page: Any) -> None:
    idle(page)


def _write(qtbot: QtBot, page: Any, action: Callable[[], None], *, saved: bool = True) -> str:
    return written(qtbot, page, action, page.refreshed, saved=saved)


def _village_row(page: ControlPage, name: str) -> int:
    for row in range(page.model.rowCount()):
        record = page.model.record(row)
        if record.level == VILLAGE and record.name == name:
            return row
    raise AssertionError(name)


def test_an_evacuation_from_start_to_close(
    qtbot: QtBot, page: ControlPage, workstation: Workstation
) -> None:
    assert page.snapshot.evacuation is None
    assert not page.expand_button.isEnabled() and not page.record_button.isEnabled()
    assert "尚无转移行动" in page.village_title.text()

    assert _write(qtbot, page, lambda: page.open_evacuation("9·28 台风转移")) == ""
    assert page.evacuation.currentText() == "9·28 台风转移"
    assert page.expand_button.isEnabled()
    villages = [v for v in workstation.queries.villages() if v["township_id"] == TOWN][:3]
    assert _write(qtbot, page, lambda: page.expand([v["id"] for v in villages], "橙色")) == ""
    levels = [r.level for r in page.model.records()]
    assert levels == [COUNTY, TOWNSHIP, VILLAGE, VILLAGE, VILLAGE]

    first = sorted(villages, key=lambda v: str(v["name"]))[0]
    page.table.selectRow(_village_row(page, first["name"]))
    assert page.village is not None and page.village.id == first["id"]
    qtbot.waitUntil(lambda: page.chain_model.rowCount() > 0, timeout=5000)
    roles = {page.chain_model.item(r, 0).text() for r in range(page.chain_model.rowCount())}
    assert "乡镇第一责任人" in roles  # the township's leader answers for the village too

    # Nothing typed: said at once, nothing written.
    page.record()
    assert page.message.text() == "请填写人数或户数"

    page.persons.setValue(12)
    page.households.setValue(4)
    page.shelter.setCurrentIndex(1)
    shelter = page.shelter.currentData()
    assert _write(qtbot, page, page.record) == ""
    assert page.persons.value() == 0  # saved: the numbers are cleared for the next call
    county = page.model.record(0).tally
    assert (county.moved, county.moved_households) == (12, 4)
    assert page.kpi["已转"].text() == "12"
    assert page.shelter_model.rowCount() == 1
    assert page.shelter_model.item(0, 3).text() == "12"
    assert page.event_model.rowCount() == 1

    # A refusal keeps what was typed and says why in Chinese.
    page.kind.setCurrentText(catalog.REFUSED_MOVE)
    page.persons.setValue(2)
    page.shelter.setCurrentIndex(page.shelter.findData(shelter))
    refusal = _write(qtbot, page, page.record, saved=False)
    assert refusal == "拒转不填去向和避灾场所"
    assert page.message.text() == "未保存：拒转不填去向和避灾场所"
    assert page.persons.value() == 2

    # A correction is another event; the original stays.
    event = page.event_model.item(0, 0).data(Qt.ItemDataRole.UserRole)
    assert _write(qtbot, page, lambda: page.correct(event, -3, 0, "重复统计")) == ""
    assert page.model.record(0).tally.moved == 9
    assert page.event_model.rowCount() == 2
    kinds = {page.event_model.item(r, 1).text() for r in range(2)}
    assert kinds == {"已转", "已转（更正）"}

    assert _write(qtbot, page, page.toggle_closed) == ""
    assert page.evacuation.currentText() == "9·28 台风转移（已结束）"
    assert not page.expand_button.isEnabled()
    assert page.close_button.text() == "重新开始"
    assert page.kpi["超时未报"].text() == "0 个村"  # a closed evacuation has no laggards


def test_silent_villages_are_flagged_after_half_an_hour(
    qtbot: QtBot, page: ControlPage, workstation: Workstation
) -> None:
    from datetime import timedelta

    from console.services.transfers import TransferService

    service = TransferService.of(workstation.writer)
    start = page.context.clock()
    evac = service.open("转移", user="zhang", started_at=start - timedelta(minutes=45))
    villages = [v for v in workstation.queries.villages() if v["township_id"] == TOWN][:2]
    service.add_areas(
        evac, [v["id"] for v in villages], user="zhang", at=start - timedelta(minutes=45)
    )
    service.record(
        evac,
        villages[0]["id"],
        catalog.MOVED,
        5,
        user="zhang",
        reported_at=start - timedelta(minutes=10),
    )
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    late = {r.name for r in page.model.records() if r.laggard}
    assert late == {villages[1]["name"]}
    assert page.kpi["超时未报"].text() == "1 个村"
    row = _village_row(page, villages[1]["name"])
    state = page.model.index(row, len(page.model.columns) - 1)
    assert state.data() == "超时未报"
    assert state.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_the_villages_special_households_and_their_helpers(
    qtbot: QtBot, page: ControlPage, workstation: Workstation
) -> None:
    from sqlalchemy import select

    from console.domain.schema import SpecialHousehold
    from console.services.transfers import TransferService

    with workstation.store.engine.connect() as conn:
        homes = [dict(r) for r in conn.execute(select(SpecialHousehold.__table__)).mappings()]
    village = homes[0]["village_id"]
    expected = sorted(h["head_name"] for h in homes if h["village_id"] == village)
    service = TransferService.of(workstation.writer)
    evac = service.open("转移", user="zhang")
    service.add_areas(evac, [village], user="zhang")
    with qtbot.waitSignal(page.village_shown, timeout=5000):
        page.refresh()
    qtbot.waitUntil(lambda: page.home_model.rowCount() == len(expected), timeout=5000)
    shown = [page.home_model.item(r, 0).text() for r in range(page.home_model.rowCount())]
    assert shown == expected
    assert page.home_model.item(0, 5).text().startswith("1380000")  # the helper's mobile
    assert page.people_tabs.tabText(1) == f"一户一策（{len(expected)} 户）"


def test_the_township_table_out_and_its_return_in_through_the_page(
    qtbot: QtBot, page: ControlPage, workstation: Workstation, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from console.services.transfers import TransferService

    service = TransferService.of(workstation.writer)
    villages = [v for v in workstation.queries.villages() if v["township_id"] == TOWN][:2]
    evac = service.open("转移", user="zhang")
    service.add_areas(evac, [v["id"] for v in villages], user="zhang")
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.refresh()
    out = tmp_path / "管控表.xlsx"
    assert _write(qtbot, page, lambda: page.export_to(out)) == ""
    book = load_workbook(out)
    sheet = book.active
    assert sheet is not None
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    moved = lines[0].index("已转人数")
    lines[1][moved] = 30  # the township's total to date
    sheet.cell(row=2, column=moved + 1, value=30)
    book.save(out)
    with qtbot.waitSignal(page.return_ready, timeout=5000):
        page.open_return(out)
    dialog = page.return_dialog
    assert dialog is not None and dialog.import_button.isEnabled()
    assert "将登记 1 条转移记录" in dialog.status.text()
    with (
        qtbot.waitSignal(dialog.imported, timeout=5000),
        qtbot.waitSignal(page.refreshed, timeout=5000),
    ):
        dialog.import_button.click()
    assert page.model.record(0).tally.moved == 30
    assert not dialog.import_button.isEnabled()  # written: not twice
    dialog.close()


def test_the_expand_dialog_offers_the_villages_read_in_the_background(
    qtbot: QtBot, page: ControlPage, workstation: Workstation
) -> None:
    assert _write(qtbot, page, lambda: page.open_evacuation("扩面测试")) == ""
    chosen: list[str] = []

    def answer() -> None:
        dialog = page.expand_dialog
        assert dialog is not None
        town = dialog.township.findText("北界镇")
        dialog.township.setCurrentIndex(town)
        tree = dialog.villages
        items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        names = [item.text(0) for item in items]
        expected = sorted(
            v["name"] for v in workstation.queries.villages() if v["township_id"] == TOWN
        )
        assert [n.split("（")[0] for n in names] == expected
        assert all("受威胁" in n for n in names)
        for item in items:
            item.setCheckState(0, Qt.CheckState.Unchecked)
        items[0].setCheckState(0, Qt.CheckState.Checked)
        chosen.extend(dialog.chosen())
        dialog.reason.setText("雨量达橙色临界")
        dialog.accept()

    def when_asked() -> None:
        dialog = page.expand_dialog
        if dialog is not None:
            poll.stop()
            try:
                answer()
            finally:  # a failed check must not leave the modal dialog waiting
                if dialog.isVisible():
                    dialog.reject()

    assert page.expand_button.isEnabled()
    poll = QTimer(page)
    poll.setInterval(20)
    poll.timeout.connect(when_asked)
    poll.start()
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.expand_button.click()
    assert len(chosen) == 1
    villages = [r for r in page.model.records() if r.level == VILLAGE]
    assert [r.id for r in villages] == chosen
    assert page.expand_button.isEnabled() and page.expand_dialog is None


def test_reports_from_elsewhere_show_at_once_reading_only_the_new_ones(
    qtbot: QtBot, page: ControlPage, workstation: Workstation
) -> None:
    """Reports written elsewhere (another page, a pull) reach the table with only the new
    events read; a widened circle and a renamed village still show."""
    from console.services.transfers import TransferService

    service = TransferService.of(workstation.writer)
    villages = sorted(
        (v for v in workstation.queries.villages() if v["township_id"] == TOWN),
        key=lambda v: str(v["name"]),
    )[:3]
    evac = service.open("外台登记", user="zhang")
    service.add_areas(evac, [v["id"] for v in villages[:2]], user="zhang")
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    _idle(page)
    live = page.table_service.live
    full_reads = live.full_reads

    for i in range(5):
        service.record(evac, villages[i % 2]["id"], catalog.MOVED, i + 1, user="外台")
    qtbot.waitUntil(lambda: page.model.record(0).tally.moved == 15, timeout=5000)
    service.record(evac, villages[0]["id"], catalog.RETURNED, 2, user="外台")
    qtbot.waitUntil(lambda: page.model.record(0).tally.away == 13, timeout=5000)
    assert live.full_reads == full_reads  # only the new events were read

    service.add_areas(evac, [villages[2]["id"]], user="zhang")
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
    village = {k: villages[1][k] for k in ("id", "township_id")}
    workstation.writer.apply([("village.upsert", {**village, "name": "改名村"})], user="zhang")
    qtbot.waitUntil(lambda: any(r.name == "改名村" for r in page.model.records()), timeout=5000)
    _idle(page)
    expected = service.roll_up(evac)
    assert page.model.record(0).tally == expected.county
    assert {r.id: r.tally for r in page.model.records() if r.level == VILLAGE} == expected.villages
