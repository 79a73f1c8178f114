"""``duty-console export|import --table 排班``: the month's sheet out and back through the
real entry point, unchanged the second time; a refused sheet writes nothing (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from console.cli import main
from console.services.context import Workstation
from console.services.roster import RosterService


def test_the_roster_goes_out_and_comes_back(
    workstation: Workstation, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = RosterService(workstation.store, workstation.writer)
    people = {p.label: p for p in service.people()}
    view = service.month(2027, 3)
    service.set_crew(view, "2027-03-01#0", people["钱某某"], [people["傅某某"]], "钱某某")
    workstation.close()
    out = tmp_path / "march.xlsx"
    args = ["--data-dir", str(data_dir)]
    assert main(["export", "--table", "排班", "--month", "2027-03", "--out", str(out), *args]) == 0
    assert "已导出 2027年3月值班表" in capsys.readouterr().out
    assert main(["import", str(out), "--table", "排班", *args]) == 0
    assert "与本机排班一致，无需写入" in capsys.readouterr().out

    wb = load_workbook(out)
    ws = wb.active
    assert ws is not None and ws["C3"].value == "钱某某"
    ws["C3"], ws["C4"] = "赵某某", "查无此人"
    wb.save(out)
    assert main(["import", str(out), "--table", "排班", "--dry-run", *args]) == 2
    err = capsys.readouterr().err
    assert "第4行 C列（带班领导）：人员“查无此人”不在通讯录中" in err and "未写入任何数据" in err
    ws["C4"] = None
    wb.save(out)
    assert main(["import", str(out), "--table", "排班", "--dry-run", *args]) == 0
    assert "将写入 1 处变更" in capsys.readouterr().out
    assert main(["import", str(out), "--table", "排班", *args]) == 0
    assert "已导入：写入 1 处变更" in capsys.readouterr().out
    bad = ["export", "--table", "排班", "--month", "2027-13", "--out", str(out), *args]
    assert main(bad) == 1
