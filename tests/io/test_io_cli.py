"""``duty-console import|export|template``: exit codes, messages, nothing written on refusal.
Run in-process through the real entry point (console.cli.main), on real stores and files."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.domain.schema import Township, Village
from console.services.io.layout import layout_markdown
from console.services.queries import Queries
from console.store.database import open_store

REPO = Path(__file__).resolve().parents[2]


def _count(data: Path, model: type[Township] | type[Village]) -> int:
    store = open_store(data)
    try:
        return Queries(store).count(model)
    finally:
        store.close()


def test_import_export_template_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "ws"
    towns = tmp_path / "t.csv"
    towns.write_text("乡镇名称,类型\n北界镇,镇\n云峰街道,街道\n", encoding="utf-8")
    villages = tmp_path / "v.csv"
    villages.write_text("所属乡镇,村名\n北界镇,甲村\n", encoding="utf-8")

    # Villages before their township: refused, exit 2, nothing written.
    assert main(["import", str(villages), "--table", "villages", "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert "第 2 行 A 列（所属乡镇）：没有名为“北界镇”的乡镇" in err
    assert "未写入任何数据" in err
    assert _count(data, Village) == 0
    assert _count(data, Township) == 0  # not given the sample county either

    # --dry-run previews only.
    assert (
        main(["import", str(towns), "--table", "townships", "--dry-run", "--data-dir", str(data)])
        == 0
    )
    assert "新增 2 行" in capsys.readouterr().out
    assert _count(data, Township) == 0

    assert main(["import", str(towns), "--table", "乡镇", "--data-dir", str(data)]) == 0
    assert _count(data, Township) == 2
    assert main(["--data-dir", str(data), "import", str(villages), "--table", "villages"]) == 0
    assert _count(data, Village) == 1
    capsys.readouterr()

    out = tmp_path / "out.xlsx"
    args = ["export", "--table", "townships", "--township", "北界镇", "--out", str(out)]
    assert main([*args, "--data-dir", str(data)]) == 0
    assert "已导出 1 条记录" in capsys.readouterr().out
    assert main(["import", str(out), "--table", "townships", "--data-dir", str(data)]) == 0
    assert "无变化 1 行" in capsys.readouterr().out

    template = tmp_path / "tpl.xlsx"
    assert main(["template", "--table", "risk_points", "--out", str(template)]) == 0
    assert template.is_file()
    capsys.readouterr()

    # Other errors: exit 1 with a Chinese message.
    assert (
        main(
            ["import", str(tmp_path / "none.xlsx"), "--table", "villages", "--data-dir", str(data)]
        )
        == 1
    )
    assert "找不到文件" in capsys.readouterr().err
    assert main(["import", str(towns), "--table", "nope", "--data-dir", str(data)]) == 1
    assert "没有名为 nope 的数据表" in capsys.readouterr().err
    gbk = tmp_path / "g.csv"
    gbk.write_bytes("乡镇名称,类型\n北界镇,镇\n".encode("gbk"))
    assert main(["import", str(gbk), "--table", "townships", "--data-dir", str(data)]) == 1
    assert "GBK" in capsys.readouterr().err


def test_readme_has_the_generated_layouts() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert layout_markdown() in readme, "run python tools/readme_tables.py"


def _import_all(
    tmp_path: Path, data: Path, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each table's CSV text imported in order, every row accepted."""
    for table, text in files.items():
        path = tmp_path / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        assert main(["import", str(path), "--table", table, "--data-dir", str(data)]) == 0
        assert "拒绝 0 行" in capsys.readouterr().out


def test_people_and_roles_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Units, people, then roles naming them; a township's roles exported (a village role
    by the village's township) and imported again change nothing."""
    data = tmp_path / "ws"
    files = {
        "townships": "乡镇名称,类型\n北界镇,镇\n云峰街道,街道\n",
        "villages": "所属乡镇,村名\n北界镇,甲村\n",
        "units": "单位名称,单位类型,所属乡镇\n北界镇人民政府,乡镇街道,北界镇\n",
        "people": "姓名,所属单位,手机\n张某某,北界镇人民政府,13900000009\n王某某,北界镇人民政府,\n",
        "person_roles": (
            "人员,人员单位,责任角色,所属乡镇,所属村\n"
            "张某某,,村监测预警,北界镇,甲村\n"
            "王某某,北界镇人民政府,乡镇第一责任人,云峰街道,\n"
        ),
    }
    _import_all(tmp_path, data, files, capsys)
    out = tmp_path / "roles.xlsx"
    args = ["export", "--table", "责任角色", "--township", "北界镇", "--out", str(out)]
    assert main([*args, "--data-dir", str(data)]) == 0
    assert "已导出 1 条记录" in capsys.readouterr().out  # the 甲村 role, not 云峰街道's
    assert main(["import", str(out), "--table", "person_roles", "--data-dir", str(data)]) == 0
    assert "无变化 1 行" in capsys.readouterr().out


def test_a_township_s_people_and_station_roles_are_exported_and_an_unknown_one_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """People are filtered through their unit's township, a station's role through the
    station's township; a township the workstation
    does not have is refused with exit 1 and no file, instead of exporting everyone."""
    data = tmp_path / "ws"
    files = {
        "townships": "乡镇名称,类型\n北界镇,镇\n云峰街道,街道\n",
        "villages": "所属乡镇,村名\n北界镇,甲村\n",
        "stations": (
            "站码,站名,站点类型,所属乡镇\nS1,北界站,雨量站,北界镇\nS2,云峰站,雨量站,云峰街道\n"
        ),
        "units": (
            "单位名称,单位类型,所属乡镇,所属村\n"
            "北界镇人民政府,乡镇街道,北界镇,\n"
            "甲村村委会,村社区,北界镇,甲村\n"
            "云峰街道办事处,乡镇街道,云峰街道,\n"
            "县应急管理局,县级部门,,\n"
        ),
        "people": (
            "姓名,所属单位,手机\n"
            "张某某,北界镇人民政府,13900000001\n"
            "李某某,甲村村委会,13900000002\n"
            "王某某,云峰街道办事处,13900000003\n"
            "赵某某,县应急管理局,13900000004\n"
        ),
        "person_roles": (
            "人员,人员手机,责任角色,站点\n"
            "王某某,13900000003,水利工程巡查员,S1\n"
            "张某某,13900000001,水利工程巡查员,S2\n"
        ),
    }
    _import_all(tmp_path, data, files, capsys)

    def export(table: str, township: str, out: Path) -> int:
        args = ["export", "--table", table, "--township", township, "--out", str(out)]
        return main([*args, "--data-dir", str(data)])

    people = tmp_path / "people.csv"
    assert export("人员", "北界镇", people) == 0
    assert "已导出 2 条记录" in capsys.readouterr().out
    names = [line.split(",")[0] for line in people.read_text(encoding="utf-8-sig").splitlines()]
    assert sorted(names[1:]) == sorted(["张某某", "李某某"])  # not 王某某 nor the county's
    roles = tmp_path / "roles.csv"
    assert export("person_roles", "北界镇", roles) == 0
    assert "已导出 1 条记录" in capsys.readouterr().out
    assert "王某某" in roles.read_text(encoding="utf-8-sig")  # held for the 北界镇 station

    missing = tmp_path / "nobody.csv"
    assert export("人员", "不存在镇", missing) == 1
    err = capsys.readouterr().err
    assert "没有名为“不存在镇”的乡镇" in err and "北界镇" in err
    assert not missing.exists()
    assert export("乡镇", "不存在镇", missing) == 1  # not an empty file with exit 0
    assert not missing.exists()
