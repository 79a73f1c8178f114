"""Import of units and people (issue 10): a person is matched by mobile, or by unit + name
when the row has no mobile; refusals name their cell. Real SQLite stores and xlsx files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select

from console.domain.ids import reference_id
from console.domain.schema import MODEL_BY_TABLE
from console.services.io import importer
from console.services.io.layout import LAYOUTS
from console.services.io.xlsx import write_xlsx
from console.services.sample_data import load_sample
from console.store.writer import Writer

PEOPLE = LAYOUTS["people"]


@pytest.fixture
def county(writer: Writer) -> Writer:
    load_sample(writer, user="测试", incidents=False)
    return writer


def _people_file(path: Path, rows: list[dict[str, Any]]) -> Path:
    headers = PEOPLE.headers
    write_xlsx(path, "人员", headers, [[r.get(h) for h in headers] for r in rows])
    return path


def _person(writer: Writer, record_id: str) -> dict[str, Any] | None:
    model = MODEL_BY_TABLE["people"].__table__
    assert isinstance(model, Table)
    with writer.store.engine.connect() as conn:
        row = conn.execute(select(model).where(model.c.id == record_id)).mappings().first()
    return None if row is None else dict(row)


def test_a_person_is_matched_by_mobile_else_by_unit_and_name(
    county: Writer, tmp_path: Path
) -> None:
    path = _people_file(
        tmp_path / "p.xlsx",
        [
            {"姓名": "甲某某", "所属单位": "遂昌县水利局", "手机": "13900000001"},
            {"姓名": "乙某某", "所属单位": "遂昌县水利局", "职务": "科员"},
        ],
    )
    first = importer.preview(county.store, "people", path)
    assert [r.outcome for r in first.rows] == [importer.NEW, importer.NEW]
    importer.apply(county, first, user="测试")
    by_mobile = reference_id("person", "13900000001")
    by_name = reference_id("person", "遂昌县水利局", "乙某某")
    assert _person(county, by_mobile)["name"] == "甲某某"  # type: ignore[index]
    assert _person(county, by_name)["post"] == "科员"  # type: ignore[index]
    # Renamed with the same mobile: the same person, updated. Without a mobile, a new post
    # for the same unit + name updates that person.
    _people_file(
        path,
        [
            {"姓名": "甲某", "所属单位": "遂昌县水利局", "手机": "13900000001"},
            {"姓名": "乙某某", "所属单位": "遂昌县水利局", "职务": "副科长"},
        ],
    )
    again = importer.preview(county.store, "people", path)
    assert [r.outcome for r in again.rows] == [importer.UPDATED, importer.UPDATED]
    assert again.rows[0].detail == "修改：姓名 甲某某 → 甲某"
    importer.apply(county, again, user="测试")
    assert _person(county, by_name)["post"] == "副科长"  # type: ignore[index]
    assert importer.preview(county.store, "people", path).count(importer.UNCHANGED) == 2


def test_people_refusals_name_the_cell(county: Writer, tmp_path: Path) -> None:
    path = _people_file(
        tmp_path / "p.xlsx",
        [
            {"姓名": "丙某某", "所属单位": "无此单位", "手机": "13900000002"},
            {"姓名": "丁某某", "手机": "13900000003"},
            {"姓名": "戊某某", "所属单位": "遂昌县水利局", "手机": "13900000003"},
            {"姓名": "己某某"},  # neither mobile nor unit: nothing to match by
        ],
    )
    result = importer.preview(county.store, "people", path)
    assert [r.outcome for r in result.rows] == [importer.REFUSED, importer.NEW] + [
        importer.REFUSED
    ] * 2
    assert result.rows[0].detail == (
        "第 2 行 B 列（所属单位）：没有名为“无此单位”的单位（请先导入单位）"
    )
    assert result.rows[2].detail == "第 4 行：与第 3 行重复（手机相同）"
    assert result.rows[3].detail == "第 5 行 B 列（所属单位）：是匹配键，不能为空"
    with pytest.raises(importer.ImportRefused):
        importer.apply(county, result, user="测试")


def test_a_unit_round_trips_by_name(county: Writer, tmp_path: Path) -> None:
    lay = LAYOUTS["units"]
    path = tmp_path / "u.xlsx"
    row = {"单位名称": "遂昌县测试局", "单位类型": "县级部门", "联系电话": "0578-1234567"}
    write_xlsx(path, "单位", lay.headers, [[row.get(h) for h in lay.headers]])
    result = importer.preview(county.store, "units", path)
    assert [r.outcome for r in result.rows] == [importer.NEW]
    importer.apply(county, result, user="测试")
    assert importer.preview(county.store, "单位", path).rows[0].outcome == importer.UNCHANGED
    bad = tmp_path / "bad.xlsx"
    write_xlsx(bad, "单位", lay.headers, [["某单位", "外星单位"] + [None] * 4])
    refused = importer.preview(county.store, "units", bad)
    assert refused.rows[0].outcome == importer.REFUSED
    assert "B 列（单位类型）" in refused.rows[0].detail
