"""Import and export of the reference tables: round trips, every refusal kind, idempotence,
all-or-nothing, encodings. Real SQLite stores, real files written and read back."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select

from console import faults
from console.domain.guides import default_guide_calls
from console.domain.ids import reference_id
from console.domain.reference_tables import REFERENCE_TABLES, reference_table
from console.domain.schema import ENTITY_FIELDS, MODEL_BY_TABLE, RiskPoint, Village
from console.services.io import exporter, importer
from console.services.io.layout import LAYOUTS, ImportFileError
from console.services.io.xlsx import write_xlsx
from console.services.queries import Queries
from console.services.sample_data import load_sample
from console.store.database import Store, open_store
from console.store.paths import DATABASE_FILE
from console.store.writer import Writer

TABLES = (
    "townships",
    "stations",
    "villages",
    "shelters",
    "risk_points",
    "teams",
    "units",
    "people",
    "person_roles",
    "rain_thresholds",
    "rain_forecasts",
    "warnings",
    "rain_signal_rules",
    "response_triggers",
    "guide_items",
)
ORDER = TABLES  # parents before children

BEIJIE = reference_id("township", "北界镇")
T0 = "2016-09-28T08:00:00+08:00"


def _rain_rows() -> list[tuple[str, dict[str, Any]]]:
    """A forecast, a warning, a signal rule and a response trigger as a duty room enters
    them (the sample has none), ids from their natural keys as the form gives them."""
    return [
        (
            "rain_forecast.upsert",
            {
                "id": reference_id("rain_forecast", "北界镇", T0, "6"),
                "township_id": BEIJIE,
                "issued_at": T0,
                "valid_from": T0,
                "horizon_h": 6,
                "mm": 45.5,
                "source": "县气象台",
            },
        ),
        (
            "warning.upsert",
            {
                "id": reference_id("warning", "暴雨", "橙", T0),
                "kind": "暴雨",
                "level": "橙",
                "issued_at": T0,
                "until": "2016-09-28T20:00:00+08:00",
                "township_id": BEIJIE,
                "area": "北界镇、金竹镇",
                "issuer": "遂昌县气象台",
                "body": "预计未来6小时北界镇降雨量将达50毫米以上",
            },
        ),
        (
            "rain_signal_rule.upsert",
            {
                "id": reference_id("rain_signal_rule", "红", "3"),
                "level": "红",
                "hours": 3,
                "mm": 100.0,
                "basis": "县定",
            },
        ),
        (
            "response_trigger.upsert",
            {
                "id": reference_id("response_trigger", "IV", "单站3小时雨量"),
                "level": "IV",
                "metric": "单站3小时雨量",
                "low": 50.0,
                "high": 100.0,
                "with_forecast": False,
                "basis": "县防汛防台应急预案",
            },
        ),
    ]


@pytest.fixture
def county(writer: Writer) -> Writer:
    load_sample(writer, user="测试", incidents=False)
    writer.apply(_rain_rows(), user="测试")
    writer.apply(default_guide_calls(), user="测试")  # the draft 应急一指南
    return writer


def _rows(store: Store, table: str) -> dict[str, dict[str, Any]]:
    model = MODEL_BY_TABLE[table].__table__
    assert isinstance(model, Table)
    with store.engine.connect() as conn:
        return {
            r["id"]: {
                k: v for k, v in r.items() if k not in ("version", "updated_at", "updated_by")
            }
            for r in conn.execute(select(model)).mappings()
        }


def _outbox(store: Store) -> int:
    return Queries(store).sync_counters().next_mutation_id


def _second_store(tmp_path: Path, fresh_database: Path) -> Store:
    folder = tmp_path / "other"
    folder.mkdir()
    shutil.copyfile(fresh_database, folder / DATABASE_FILE)
    return open_store(folder)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".geojson"])
@pytest.mark.parametrize("table", TABLES)
def test_export_then_import_changes_nothing(
    county: Writer, tmp_path: Path, table: str, suffix: str
) -> None:
    path = tmp_path / f"{table}{suffix}"
    count = exporter.export_table(county.store, table, path)
    assert count > 0
    result = importer.preview(county.store, table, path)
    assert [r.outcome for r in result.rows] == [importer.UNCHANGED] * count
    assert result.calls == []
    before = _outbox(county.store)
    importer.apply(county, result, user="测试")
    assert _outbox(county.store) == before


def _reference_only(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """Without a team's live state and the old free-text columns workbooks no longer carry
    (ReferenceTable.legacy: a risk point's 责任人 is a role now)."""
    left_out = {"status", "status_at", *reference_table(table).legacy}
    return {k: v for k, v in row.items() if k not in left_out}


def test_workbooks_rebuild_the_county_with_the_same_ids(
    county: Writer, tmp_path: Path, fresh_database: Path
) -> None:
    """Exported from one workstation, imported into an empty one: the same records under the
    same ids (natural keys), so the sample's and an import's records are one."""
    other = _second_store(tmp_path, fresh_database)
    try:
        writer = Writer(other)
        for table in ORDER:
            path = tmp_path / f"{table}.xlsx"
            exporter.export_table(county.store, table, path)
            result = importer.preview(other, table, path)
            assert result.refused == [], result.refused[:3]
            assert result.count(importer.NEW) == len(result.rows)
            importer.apply(writer, result, user="测试")
        for table in ORDER:
            # A team's status is the shift's live state (issue 14), not reference data:
            # workbooks carry neither it nor its time.
            mine = {k: _reference_only(table, r) for k, r in _rows(county.store, table).items()}
            theirs = {k: _reference_only(table, r) for k, r in _rows(other, table).items()}
            assert set(theirs) == set(mine)
            for rid, row in mine.items():
                if "is_sample" in row:  # imported records are the county's own
                    assert {**theirs[rid], "is_sample": row["is_sample"]} == row
                else:
                    assert theirs[rid] == row
    finally:
        other.close()


def _villages_file(path: Path, rows: list[list[Any]]) -> Path:
    write_xlsx(path, "村", LAYOUTS["villages"].headers, rows)
    return path


def test_import_twice_changes_nothing_and_updates_name_the_fields(
    county: Writer, tmp_path: Path
) -> None:
    path = _villages_file(
        tmp_path / "v.xlsx",
        [["北界镇", "新建村", 119.1, 28.5], ["北界镇", "第二新村", None, None]],
    )
    first = importer.preview(county.store, "villages", path)
    assert [r.outcome for r in first.rows] == [importer.NEW, importer.NEW]
    importer.apply(county, first, user="测试")
    vid = reference_id("village", "北界镇", "新建村")
    assert _rows(county.store, "villages")[vid]["lon"] == 119.1
    before = _outbox(county.store)
    again = importer.preview(county.store, "villages", path)
    assert [r.outcome for r in again.rows] == [importer.UNCHANGED] * 2
    importer.apply(county, again, user="测试")
    assert _outbox(county.store) == before
    _villages_file(path, [["北界镇", "新建村", 119.2, 28.5]])
    changed = importer.preview(county.store, "villages", path)
    assert changed.rows[0].outcome == importer.UPDATED
    assert changed.rows[0].changes == ("经度",)
    assert changed.rows[0].detail == "修改：经度 119.1 → 119.2"
    importer.apply(county, changed, user="测试")
    assert _rows(county.store, "villages")[vid]["lon"] == 119.2


RISK = LAYOUTS["risk_points"]


def _risk_row(**cells: Any) -> list[Any]:
    base = {
        "所属乡镇": "北界镇",
        "风险点类型": "地质灾害隐患点",
        "风险点名称": "测试点",
        "影响户数": 3,
    }
    base.update(cells)
    return [base.get(h) for h in RISK.headers]


def _letter(header: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[RISK.headers.index(header)]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"风险点名称": None}, "第 2 行 {风险点名称} 列（风险点名称）：不能为空"),
        ({"风险点类型": "火山"}, "第 2 行 {风险点类型} 列（风险点类型）：只能是："),
        ({"所属乡镇": "无此镇"}, "第 2 行 {所属乡镇} 列（所属乡镇）：没有名为“无此镇”的乡镇"),
        ({"所属村": "无此村"}, "北界镇下没有名为“无此村”的村（社区）"),
        ({"风险点名称": "长" * 81}, "（风险点名称）：过长（最多 80 字，实际 81 字）"),
        ({"影响户数": "十户"}, "第 2 行 {影响户数} 列（影响户数）：应为整数，收到的是“十户”"),
        ({"影响户数": 2.5}, "（影响户数）：应为整数"),
        ({"经度": "东经"}, "（经度）：应为数值"),
        ({"经度": 500}, "（经度）：不能大于 180"),
        ({"影响户数": -1}, "（影响户数）：不能小于 0"),
    ],
)
def test_each_refusal_names_its_cell_and_nothing_is_written(
    county: Writer, tmp_path: Path, cells: dict[str, Any], expected: str
) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(path, "风险点", RISK.headers, [_risk_row(**cells), _risk_row(风险点名称="好点")])
    result = importer.preview(county.store, "risk_points", path)
    bad, good = result.rows
    assert bad.outcome == importer.REFUSED
    message = expected.format(**{h: _letter(h) for h in RISK.headers})
    assert message in bad.detail, bad.detail
    assert good.outcome == importer.NEW
    before = Queries(county.store).count(RiskPoint)
    with pytest.raises(importer.ImportRefused):
        importer.apply(county, result, user="测试")
    assert Queries(county.store).count(RiskPoint) == before
    # Skipping the refused rows is an explicit choice: then the good one is written.
    importer.apply(county, result, user="测试", skip_refused=True)
    assert Queries(county.store).count(RiskPoint) == before + 1


def test_duplicate_natural_key_within_the_file_is_refused(county: Writer, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(path, "风险点", RISK.headers, [_risk_row(), _risk_row(影响户数=9)])
    first, second = importer.preview(county.store, "risk_points", path).rows
    assert first.outcome == importer.NEW
    assert second.outcome == importer.REFUSED
    assert "第 3 行：与第 2 行重复（所属乡镇+风险点类型+风险点名称相同）" in second.detail


def test_missing_required_column_and_unknown_column_refuse_the_file(
    county: Writer, tmp_path: Path
) -> None:
    path = tmp_path / "v.csv"
    path.write_text("所属乡镇,经度\n北界镇,119\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="缺少必填的列：村名"):
        importer.preview(county.store, "villages", path)
    # (人口 is a column since villages have a population: 海拔 is not one)
    path.write_text("所属乡镇,村名,海拔\n北界镇,甲村,5\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="没有的列：海拔"):
        importer.preview(county.store, "villages", path)


def test_gbk_csv_is_refused_with_what_to_do(county: Writer, tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes("所属乡镇,村名\n北界镇,甲村\n".encode("gbk"))
    with pytest.raises(ImportFileError) as caught:
        importer.preview(county.store, "villages", path)
    message = str(caught.value)
    assert "GBK" in message
    assert "CSV UTF-8" in message


def test_csv_is_written_with_a_bom_for_excel(county: Writer, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    exporter.export_table(county.store, "townships", path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf\xe4\xb9\xa1")  # BOM, then 乡


def test_a_failing_write_leaves_nothing(county: Writer, tmp_path: Path) -> None:
    path = _villages_file(
        tmp_path / "v.xlsx", [["北界镇", f"新村{i}", None, None] for i in range(5)]
    )
    result = importer.preview(county.store, "villages", path)
    before = Queries(county.store).count(Village)
    hits = 0

    def fail_third(_point: str) -> None:
        nonlocal hits
        hits += 1
        if hits == 3:
            raise OSError("disk full")

    with faults.armed("after_mutation", fail_third), pytest.raises(Exception, match="disk full"):
        importer.apply(county, result, user="测试")
    assert Queries(county.store).count(Village) == before
    importer.apply(county, result, user="测试")
    assert Queries(county.store).count(Village) == before + 5


def test_export_filtered_by_township(county: Writer, tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    count = exporter.export_table(county.store, "villages", path, township="北界镇")
    lines = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert count == len(lines) > 0
    assert all(line.startswith("北界镇,") for line in lines)


def test_template_has_headers_with_comments(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    exporter.write_template("risk_points", path)
    ws = load_workbook(path).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers == list(RISK.headers)
    comment = ws.cell(row=1, column=RISK.headers.index("风险点类型") + 1).comment
    assert comment is not None
    assert "山洪危险区" in comment.text and "必填" in comment.text
    assert ws.max_row == 1


def test_the_trial_run_refuses_what_only_the_mutation_sees(county: Writer) -> None:
    """Rows are also run through the real upserts in a rolled-back transaction: a refusal
    there (here a reference to a record that does not exist) refuses the row, and the
    trial writes nothing."""
    from console.domain.ids import new_id
    from console.services.io.importer import RowResult, _trial

    good = reference_id("village", "北界镇", "试验村")
    rows = [
        RowResult(
            "第 2 行",
            importer.NEW,
            "北界镇 / 试验村",
            call=(
                "village.upsert",
                {"id": good, "township_id": reference_id("township", "北界镇"), "name": "试验村"},
            ),
        ),
        RowResult(
            "第 3 行",
            importer.NEW,
            "? / 孤村",
            call=("village.upsert", {"id": new_id(), "township_id": new_id(), "name": "孤村"}),
        ),
    ]
    before = _outbox(county.store)
    checked = _trial(county.store, rows, "测试")
    assert checked[0] == rows[0]
    assert checked[1].outcome == importer.REFUSED
    assert checked[1].reasons == ("第 3 行：“所属乡镇”指向的记录不存在",)
    assert good not in _rows(county.store, "villages")
    assert _outbox(county.store) == before


def test_progress_is_reported_while_reading_and_checking(county: Writer, tmp_path: Path) -> None:
    path = _villages_file(
        tmp_path / "v.xlsx", [["北界镇", f"村{i}", None, None] for i in range(1200)]
    )
    seen: list[tuple[str, int, int]] = []
    result = importer.preview(
        county.store, "villages", path, progress=lambda *step: seen.append(step)
    )
    assert result.count(importer.NEW) == 1200
    assert ("读取", 1000, 1200) in seen
    assert [s for s in seen if s[0] == "校验"] == [
        ("校验", 500, 1200),
        ("校验", 1000, 1200),
        ("校验", 1200, 1200),
    ]


LEGACY = {t.table: t.legacy for t in REFERENCE_TABLES if t.legacy}


def test_the_old_free_text_columns_are_in_no_template_or_export(
    county: Writer, tmp_path: Path
) -> None:
    """责任人 / 管理员 / 负责人 go through the roles: templates and exports leave them out."""
    from openpyxl import load_workbook

    assert set(LEGACY) == {"risk_points", "shelters", "teams"}
    for table, fields in LEGACY.items():
        template = tmp_path / f"{table}.xlsx"
        exporter.write_template(table, template)
        headers = [c.value for c in load_workbook(template).worksheets[0][1]]
        export = tmp_path / f"{table}-out.csv"
        exporter.export_table(county.store, table, export)
        exported = export.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        for field in fields:
            label = ENTITY_FIELDS[table][field].label
            assert label not in headers and label not in exported, (table, label)
            assert field not in reference_table(table).fields  # nor in the forms
            assert field in MODEL_BY_TABLE[table].__table__.c  # the stored values stay


def test_an_old_workbook_with_the_free_text_columns_still_imports(
    county: Writer, tmp_path: Path
) -> None:
    """A duty room's old sheet with 责任人 / 责任人电话 is read, not refused: the text is kept
    as before (read-only reference) and the preview says where responsible people go now."""
    headers = (*RISK.headers, "责任人", "责任人电话")
    row = [*_risk_row(风险点名称="旧表点"), "孙某某", "13800001234"]
    path = tmp_path / "旧风险点.xlsx"
    write_xlsx(path, "风险点", headers, [row])
    result = importer.preview(county.store, "risk_points", path)
    assert [r.outcome for r in result.rows] == [importer.NEW]
    assert "“责任人”、“责任人电话”是旧格式的自由文本列" in result.summary()
    assert "责任角色" in result.summary()
    importer.apply(county, result, user="测试")
    point_id = reference_id("risk_point", "北界镇", "地质灾害隐患点", "旧表点")
    stored = _rows(county.store, "risk_points")[point_id]
    assert (stored["responsible_person"], stored["responsible_phone"]) == ("孙某某", "13800001234")
    # The same file again changes nothing; an export of today's layout keeps the text.
    again = importer.preview(county.store, "risk_points", path)
    assert [r.outcome for r in again.rows] == [importer.UNCHANGED]
    export = tmp_path / "新风险点.xlsx"
    exporter.export_table(county.store, "risk_points", export)
    result = importer.preview(county.store, "risk_points", export)
    assert result.calls == [] and result.notes == []
    assert _rows(county.store, "risk_points")[point_id]["responsible_person"] == "孙某某"
