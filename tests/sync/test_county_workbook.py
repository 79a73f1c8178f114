"""The reference-data issue's "done when", end to end: a workstation is emptied of the
sample county, takes the county's own workbook (villages, risk points, shelters, teams,
people and their roles, one worksheet each), shows them in 通讯录, edits one, exports an
equivalent workbook, and a second workstation pulls it all from a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sync_testkit import sync_once_cli

from console.domain.digest import database_digest
from console.domain.schema import Person, RiskPoint, Village
from console.services.contacts import ContactsService
from console.services.context import open_workstation
from console.services.io import importer, workbook
from console.services.io.layout import LAYOUTS, ImportFileError
from console.services.reference_data import ReferenceData
from console.services.sample_data import remove_sample
from testkit.server import ServerProcess

# Worksheets in an order a duty room might keep them (people before their units): the
# import sorts them by dependency. A 说明 page is not a table.
SHEETS: dict[str, list[dict[str, Any]]] = {
    "说明": [{"说明": "本工作簿为测试县基础数据"}],
    "人员": [
        {"姓名": "张伟强", "所属单位": "云峰镇人民政府", "职务": "镇长", "手机": "13900000001"},
        {"姓名": "李春花", "所属单位": "溪口村村委会", "职务": "村主任", "手机": "13900000002"},
    ],
    "乡镇": [
        {"乡镇名称": "云峰镇", "类型": "镇", "经度": 119.1, "纬度": 28.5},
        {"乡镇名称": "白水乡", "类型": "乡", "经度": 119.2, "纬度": 28.6},
    ],
    "村（社区）": [
        {"所属乡镇": "云峰镇", "村名": "溪口村", "户数": 210, "人口": 640},
        {"所属乡镇": "白水乡", "村名": "岭头村", "户数": 95, "人口": 260},
    ],
    "避灾安置场所": [
        {
            "所属乡镇": "云峰镇",
            "所属村": "溪口村",
            "避灾场所名称": "溪口村文化礼堂",
            "容纳人数": 300,
        },
    ],
    "风险点": [
        {
            "所属乡镇": "云峰镇",
            "所属村": "溪口村",
            "风险点类型": "山洪危险区",
            "风险点名称": "溪口村沿溪危险区",
            "影响户数": 18,
            "影响人数": 52,
            "对应避灾场所": "溪口村文化礼堂",
            "经度": 119.11,
            "纬度": 28.51,
            "准备转移雨量（1小时，毫米）": 30,
            "立即转移雨量（1小时，毫米）": 45,
        },
    ],
    "救援队伍": [
        {"队伍名称": "云峰镇应急救援队", "队伍类型": "综合", "所属乡镇": "云峰镇", "人数": 25},
    ],
    "单位": [
        {"单位名称": "云峰镇人民政府", "单位类型": "乡镇街道", "所属乡镇": "云峰镇"},
        {
            "单位名称": "溪口村村委会",
            "单位类型": "村社区",
            "所属乡镇": "云峰镇",
            "所属村": "溪口村",
        },
    ],
    "责任角色": [
        {
            "人员": "张伟强",
            "人员手机": "13900000001",
            "责任角色": "乡镇第一责任人",
            "所属乡镇": "云峰镇",
        },
        {
            "人员": "李春花",
            "人员手机": "13900000002",
            "责任角色": "村人员转移",
            "所属乡镇": "云峰镇",
            "所属村": "溪口村",
        },
    ],
}


def _write_book(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        headers = list(dict.fromkeys(h for row in rows for h in row))
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
    book.save(path)


def _sheet_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(path, read_only=True)
    try:
        return {ws.title: sorted(ws.iter_rows(values_only=True), key=repr) for ws in book}
    finally:
        book.close()


def _digest(data_dir: Path) -> str:
    ws = open_workstation(data_dir, autoload=False)
    try:
        with ws.store.engine.connect() as conn:
            return database_digest(conn)[0]
    finally:
        ws.close()


def test_county_workbook_in_edited_out_and_on_a_second_workstation(
    server: ServerProcess, tmp_path: Path
) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a = open_workstation(a_dir, sample_incidents=False)  # first run: the sample county
    assert a.queries.sample_present()
    assert remove_sample(a.writer) > 0
    assert not a.queries.sample_present()
    assert a.queries.townships() == []
    assert a.queries.count(Person) == 0
    # Emptied, a standalone workstation still has its reporting and grading rules.
    assert a.queries.grading_rules()

    book = tmp_path / "县基础数据.xlsx"
    _write_book(book, SHEETS)
    preview = workbook.preview_book(a.store, book, user="zhang")
    assert not preview.refused, [r.detail for r in preview.refused]
    assert preview.ignored == ["说明"]
    order = [s.table for s in preview.sheets]
    assert order == sorted(order, key=list(LAYOUTS).index)  # dependency order, not the book's
    assert order.index("units") < order.index("people") < order.index("person_roles")
    assert preview.count(importer.NEW) == sum(len(r) for t, r in SHEETS.items() if t != "说明")
    assert a.queries.townships() == []  # a preview writes nothing
    importer.apply(a.writer, preview, user="zhang")

    # The same workbook again changes nothing.
    again = workbook.preview_book(a.store, book, user="zhang")
    assert again.calls == [] and again.count(importer.UNCHANGED) == len(again.rows)

    # 通讯录: search by pinyin initials, and who answers for the village.
    contacts = ContactsService(a.store)
    [found] = contacts.search("zwq")
    assert found.mobile == "13900000001"
    with a.store.engine.connect() as conn:
        village_id = conn.execute(select(Village.id).where(Village.name == "溪口村")).scalar_one()
    roles = {(r.role, r.contact.name) for r in contacts.responsible("village", village_id)}
    assert roles == {("村人员转移", "李春花"), ("乡镇第一责任人", "张伟强")}

    # Edit one record through the form's service.
    with a.store.engine.connect() as conn:
        point = dict(
            conn.execute(select(RiskPoint.__table__).where(RiskPoint.name == "溪口村沿溪危险区"))
            .mappings()
            .one()
        )
    reference = ReferenceData(a.writer)
    values = {
        k: v
        for k, v in point.items()
        if k not in ("id", "version", "updated_at", "updated_by", "deleted", "is_sample")
    }
    values["persons"] = 60
    reference.save("risk_points", values, user="zhang", record_id=point["id"])

    # Export: an equivalent workbook (the edit in it), which imports back to no change.
    out = tmp_path / "导出.xlsx"
    written = workbook.export_book(a.store, out)
    exported = _sheet_rows(out)
    assert set(exported) == {lay.title for lay in LAYOUTS.values()}
    for title, rows in SHEETS.items():  # every table of the county's workbook, row for row
        if title != "说明":
            assert len(exported[title]) == len(rows) + 1, title  # + the header
    # Beyond them only what a standalone workstation starts with (the draft guides).
    filled = {title for title, rows in exported.items() if len(rows) > 1}
    assert filled - set(SHEETS) == {"应急指南事项"}
    assert written == sum(len(rows) - 1 for rows in exported.values())
    risk_header = next(r for r in exported["风险点"] if "影响人数" in r)
    [risk_row] = [r for r in exported["风险点"] if r is not risk_header]
    assert risk_row[risk_header.index("影响人数")] == 60
    assert risk_row[risk_header.index("对应避灾场所")] == "溪口村文化礼堂"
    assert workbook.preview_book(a.store, out).calls == []
    a.close()

    # Both workstations join the server; the second pulls the county's data.
    assert sync_once_cli(server.url, a_dir).returncode == 0
    b = open_workstation(b_dir, autoload=False)
    b.close()
    done = sync_once_cli(server.url, b_dir)
    assert done.returncode == 0, done.stderr
    assert _digest(a_dir) == _digest(b_dir)
    b = open_workstation(b_dir, autoload=False)
    try:
        assert {t["name"] for t in b.queries.townships()} == {"云峰镇", "白水乡"}
        assert [r["persons"] for r in b.queries.risk_points()] == [60]
        assert ContactsService(b.store).search("lch")[0].name == "李春花"
    finally:
        b.close()


def test_workbook_refusals_write_nothing(tmp_path: Path) -> None:
    ws = open_workstation(tmp_path / "ws", autoload=False)
    try:
        sheets = {k: list(v) for k, v in SHEETS.items()}
        # A village naming a township that neither the store nor the workbook has.
        sheets["村（社区）"] = [*sheets["村（社区）"], {"所属乡镇": "不存在镇", "村名": "某村"}]
        book = tmp_path / "bad.xlsx"
        _write_book(book, sheets)
        preview = workbook.preview_book(ws.store, book)
        [refused] = preview.refused
        assert refused.place.startswith("村（社区） 第 4 行")
        assert "不存在镇" in refused.detail
        with pytest.raises(importer.ImportRefused):
            importer.apply(ws.writer, preview, user="zhang")
        assert ws.queries.townships() == []

        # Two worksheets of one table, and a workbook with no table at all.
        twice = tmp_path / "twice.xlsx"
        _write_book(twice, {"乡镇": SHEETS["乡镇"], "townships": SHEETS["乡镇"]})
        with pytest.raises(ImportFileError, match="是同一张表"):
            workbook.preview_book(ws.store, twice)
        none = tmp_path / "none.xlsx"
        _write_book(none, {"说明": SHEETS["说明"]})
        with pytest.raises(ImportFileError, match="没有可导入的工作表"):
            workbook.preview_book(ws.store, none)
    finally:
        ws.close()
