"""管控一张表 in Excel: the township table out, a township's returned table back in as
events of the differences (all or nothing; the same file twice changes nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from console.domain import catalog
from console.services.context import Workstation, open_workstation
from console.services.control_io import (
    HEADERS,
    MOVED,
    REFUSED_MOVE,
    RETURNED,
    accepted_events,
    export_table,
    preview_return,
)
from console.services.control_table import ControlTable
from console.services.io.importer import NEW, REFUSED, UNCHANGED
from console.services.io.layout import ImportFileError
from console.services.transfers import TransferService


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    w = open_workstation(tmp_path / "ws", sample_incidents=False)
    yield w
    w.close()


def _setup(ws: Workstation) -> tuple[TransferService, ControlTable, str, list[dict[str, object]]]:
    service = TransferService.of(ws.writer)
    town = next(t for t in ws.queries.townships() if t["name"] == "北界镇")
    villages = [v for v in ws.queries.villages() if v["township_id"] == town["id"]][:3]
    evac = service.open("台风转移", user="zhang")
    service.add_areas(evac, [str(v["id"]) for v in villages], user="zhang")
    service.record(evac, str(villages[0]["id"]), catalog.MOVED, 10, user="zhang")
    return service, ControlTable(service), evac, villages


def _rows(path: Path) -> list[dict[str, object]]:
    book = load_workbook(path)
    ws = book.active
    assert ws is not None
    lines = list(ws.iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([row.get(h) for h in HEADERS])
    book.save(path)


def test_out_and_back_in_as_events_of_the_differences(ws: Workstation, tmp_path: Path) -> None:
    service, table, evac, villages = _setup(ws)
    out = tmp_path / "北界镇.xlsx"
    assert export_table(table, evac, out, township_id=str(villages[0]["township_id"])) == 3
    rows = _rows(out)
    by_name = {r["村（社区）"]: r for r in rows}
    first = str(villages[0]["name"])
    assert by_name[first][MOVED] == 10 and all(r["乡镇"] == "北界镇" for r in rows)

    # The township fills in its totals to date and sends the table back.
    by_name[first][MOVED] = 25
    by_name[first][REFUSED_MOVE] = 2
    second = str(villages[1]["name"])
    by_name[second][MOVED] = 7
    back = tmp_path / "回传.xlsx"
    _write(back, rows)
    preview = preview_return(table, evac, back)
    outcomes = {r.key.split(" / ")[1]: r.outcome for r in preview.rows}
    assert outcomes[first] == NEW and outcomes[second] == NEW
    assert outcomes[str(villages[2]["name"])] == UNCHANGED
    assert sorted(args["persons"] for _n, args in preview.calls) == [2, 7, 15]
    ws.writer.apply(list(accepted_events(preview, skip_refused=False)), user="zhang")
    up = service.roll_up(evac)
    assert up.villages[str(villages[0]["id"])].moved == 25
    assert up.villages[str(villages[0]["id"])].refused == 2
    assert up.county.moved == 32

    # The same file again: nothing to write.
    again = preview_return(table, evac, back)
    assert again.calls == [] and {r.outcome for r in again.rows} == {UNCHANGED}


def test_refusals_by_row_and_all_or_nothing(ws: Workstation, tmp_path: Path) -> None:
    _service, table, evac, villages = _setup(ws)
    first, second = str(villages[0]["name"]), str(villages[1]["name"])
    back = tmp_path / "回传.xlsx"
    _write(
        back,
        [
            {"乡镇": "北界镇", "村（社区）": first, MOVED: 4},  # fewer than the 10 recorded
            {"乡镇": "北界镇", "村（社区）": second, MOVED: "很多"},
            {"乡镇": "北界镇", "村（社区）": "不存在村", MOVED: 3},
            {"乡镇": "北界镇", "村（社区）": second, RETURNED: 1},
            {"乡镇": "北界镇", "村（社区）": str(villages[2]["name"]), MOVED: 5},
        ],
    )
    preview = preview_return(table, evac, back)
    reasons = [r.detail for r in preview.rows if r.outcome == REFUSED]
    assert any("回传 4 人，少于已登记的 10 人" in r for r in reasons)
    assert any("应为人数（整数），而不是“很多”" in r for r in reasons)
    assert any("“北界镇 / 不存在村”不在本次转移范围内" in r for r in reasons)
    assert any("重复" in r for r in reasons)
    with pytest.raises(ImportFileError, match="有 4 行被拒绝"):
        accepted_events(preview, skip_refused=False)
    assert [a["persons"] for _n, a in accepted_events(preview, skip_refused=True)] == [5]

    missing = tmp_path / "缺列.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["乡镇", "村（社区）"])
    book.save(missing)
    with pytest.raises(ImportFileError, match="缺少列：已转人数"):
        preview_return(table, evac, missing)
