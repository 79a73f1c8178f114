"""Import of responsibility roles (责任角色, issue 10): the person by name + unit or mobile,
the object by its own key columns, resolved on import; each refusal names its cell and the
role rule (catalog.role_problem) words a role on the wrong object. Real stores and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select

from console.domain.ids import reference_id
from console.domain.schema import MODEL_BY_TABLE
from console.services.io import exporter, importer
from console.services.io.layout import LAYOUTS
from console.services.io.xlsx import write_xlsx
from console.services.sample_data import load_sample
from console.store.writer import Writer

ROLES = LAYOUTS["person_roles"]
PEOPLE = LAYOUTS["people"]


def _write(path: Path, lay: Any, rows: list[dict[str, Any]]) -> Path:
    write_xlsx(path, lay.title, lay.headers, [[r.get(h) for h in lay.headers] for r in rows])
    return path


@pytest.fixture
def county(writer: Writer, tmp_path: Path) -> Writer:
    """The sample plus two namesakes in different units and one person without a mobile."""
    load_sample(writer, user="测试", incidents=False)
    people = _write(
        tmp_path / "people.xlsx",
        PEOPLE,
        [
            {"姓名": "同名某某", "所属单位": "遂昌县水利局", "手机": "13911110001"},
            {"姓名": "同名某某", "所属单位": "遂昌县领导", "手机": "13911110002"},
            {"姓名": "无机某某", "所属单位": "遂昌县水利局"},
        ],
    )
    result = importer.preview(writer.store, "people", people)
    assert result.refused == []
    importer.apply(writer, result, user="测试")
    return writer


def _roles(writer: Writer) -> list[dict[str, Any]]:
    t = MODEL_BY_TABLE["person_roles"].__table__
    assert isinstance(t, Table)
    with writer.store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t).where(t.c.deleted.is_(False))).mappings()]


def test_roles_resolve_people_and_objects_and_import_twice_changes_nothing(
    county: Writer, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "roles.xlsx",
        ROLES,
        [
            # A village role: its township locates the village and is not stored.
            {"人员": "同名某某", "人员手机": "13911110001", "责任角色": "村监测预警",
             "所属乡镇": "北界镇", "所属村": "苏村"},
            # Namesakes told apart by unit; a risk point found by township + name.
            {"人员": "同名某某", "人员单位": "遂昌县领导", "责任角色": "山洪预警员",
             "所属乡镇": "王村口镇", "风险点": "大源村山洪危险区"},
            # Without a mobile: by name (unique), a station by its code.
            {"人员": "无机某某", "责任角色": "水利工程巡查员", "站点": "S001",
             "起始日期": "2026-05-01"},
        ],
    )  # fmt: skip
    result = importer.preview(county.store, "person_roles", path)
    assert result.refused == [], result.refused
    assert result.count(importer.NEW) == 3
    importer.apply(county, result, user="测试")
    water = reference_id("person", "13911110001")
    leader = reference_id("person", "13911110002")
    mine = {r["person_id"]: r for r in _roles(county) if r["person_id"] in (water, leader)}
    assert mine[water]["village_id"] == reference_id("village", "北界镇", "苏村")
    assert mine[water]["township_id"] is None
    assert mine[leader]["risk_point_id"] == reference_id(
        "risk_point", "王村口镇", "山洪危险区", "大源村山洪危险区"
    )
    # The id is the registry's key by ids, as the sample's and the form's are.
    assert mine[water]["id"] == reference_id(
        "person_role", water, "村监测预警", "", mine[water]["village_id"], "", "", ""
    )
    again = importer.preview(county.store, "person_roles", path)
    assert [r.outcome for r in again.rows] == [importer.UNCHANGED] * 3
    # Exported and read back: the same rows, unchanged.
    out = tmp_path / "out.xlsx"
    count = exporter.export_table(county.store, "person_roles", out)
    back = importer.preview(county.store, "责任角色", out)
    assert [r.outcome for r in back.rows] == [importer.UNCHANGED] * count


def test_role_refusals_name_the_cell(county: Writer, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "roles.xlsx",
        ROLES,
        [
            {"人员": "查无此人", "责任角色": "会商专家"},
            {"人员": "同名某某", "责任角色": "会商专家"},
            {"人员": "无机某某", "责任角色": "避灾场所管理员", "所属乡镇": "北界镇",
             "所属村": "苏村"},
            {"人员": "无机某某", "责任角色": "乡镇第一责任人", "所属乡镇": "北界镇"},
            {"人员": "无机某某", "责任角色": "乡镇第一责任人", "所属乡镇": "北界镇"},
            {"人员": "无机某某", "责任角色": "县领导包乡", "所属乡镇": "北界镇",
             "风险点": "无此风险点"},
        ],
    )  # fmt: skip
    result = importer.preview(county.store, "person_roles", path)
    outcomes = [r.outcome for r in result.rows]
    assert outcomes == [importer.REFUSED] * 3 + [importer.NEW] + [importer.REFUSED] * 2
    details = [r.detail for r in result.rows]
    assert details[0] == "第 2 行 A 列（人员）：没有名为“查无此人”的人员（请先导入人员）"
    assert details[1] == (
        "第 3 行 A 列（人员）：有 2 位人员名为“同名某某”，请填写人员单位或人员手机以区分"
    )
    # A shelter role given a village: the role rule's own words.
    assert details[2] == "第 4 行：“避灾场所管理员”应且只应填写所属避灾场所"
    assert details[4] == "第 6 行：与第 5 行重复（人员+责任角色+所属乡镇相同）"
    assert details[5] == "第 7 行 G 列（风险点）：北界镇下没有名为“无此风险点”的风险点"
    with pytest.raises(importer.ImportRefused):
        importer.apply(county, result, user="测试")
