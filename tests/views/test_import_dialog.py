"""The import dialog, driven as an officer would: from 设置, preview a file (refused rows
first, with their cell), import only when nothing is refused or skipping is ticked, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.domain.ids import new_id
from console.domain.schema import RiskPoint
from console.services.context import Workstation
from console.services.io import exporter
from console.services.io.importer import NEW, REFUSED, UNCHANGED
from console.services.io.layout import LAYOUTS
from console.services.io.workbook import BOOK
from console.services.io.xlsx import write_xlsx
from console.views.import_dialog import ImportDialog
from console.views.main_window import MainWindow
from console.views.pages.data_page import DataPage
from console.views.pages.settings_page import SettingsPage

RISK = LAYOUTS["risk_points"]
# The offscreen platform says it cannot size a top-level window: not a fault of the dialog.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _row(**cells: Any) -> list[Any]:
    base = {
        "所属乡镇": "北界镇",
        "风险点类型": "地质灾害隐患点",
        "风险点名称": "新点",
        "影响户数": 2,
    }
    base.update(cells)
    return [base.get(h) for h in RISK.headers]


def _open(qtbot: QtBot, window: MainWindow) -> ImportDialog:
    page = window.show_view("settings")
    assert isinstance(page, SettingsPage)
    qtbot.mouseClick(page.import_export, Qt.MouseButton.LeftButton)
    dialog = page.import_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.set_table("risk_points")
    return dialog


def _preview(qtbot: QtBot, dialog: ImportDialog, path: Path) -> None:
    with qtbot.waitSignal(dialog.preview_ready, timeout=10_000):
        dialog.set_file(path)


def test_refused_rows_first_and_import_only_when_allowed(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, tmp_path: Path
) -> None:
    dialog = _open(qtbot, window)
    path = tmp_path / "风险点.xlsx"
    write_xlsx(path, "风险点", RISK.headers, [_row(), _row(风险点名称="第二点", 所属乡镇="无此镇")])
    _preview(qtbot, dialog, path)
    model = dialog.model
    assert model.rowCount() == 2
    first = model.record(0)
    assert first.outcome == REFUSED  # refused rows come first although it is line 3
    assert "第 3 行 A 列（所属乡镇）：没有名为“无此镇”的乡镇" in first.detail
    assert model.index(0, 3).data() == first.detail
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.record(1).outcome == NEW
    assert "拒绝 1 行" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    before = workstation.queries.count(RiskPoint)

    dialog.skip.setChecked(True)  # the explicit choice: import the others
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=10_000) as done:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert done.args == [1]
    assert workstation.queries.count(RiskPoint) == before + 1
    assert not dialog.import_button.isEnabled()  # written: not twice

    # The same file again: the accepted row is now unchanged, nothing to import.
    write_xlsx(path, "风险点", RISK.headers, [_row()])
    _preview(qtbot, dialog, path)
    assert [model.record(i).outcome for i in range(model.rowCount())] == [UNCHANGED]
    assert not dialog.import_button.isEnabled()
    assert "无需导入" in dialog.status.text()
    dialog.close()


def test_clean_file_imports_and_export_writes_the_table(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, tmp_path: Path
) -> None:
    dialog = _open(qtbot, window)
    path = tmp_path / "r.csv"
    from console.services.io.csv_io import write_csv

    write_csv(path, RISK.headers, [_row(风险点名称=f"点{i}") for i in range(3)])
    _preview(qtbot, dialog, path)
    assert dialog.import_button.isEnabled()
    assert not dialog.skip.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=10_000) as done:
        dialog.import_button.click()
    assert done.args == [3]

    out = tmp_path / "out.xlsx"
    dialog.township.setCurrentText("北界镇")
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as exported:
        dialog.export_to(out)
    expected = len(exporter.table_rows(workstation.store, "risk_points", township="北界镇"))
    assert exported.args == [expected] and out.is_file()

    gbk = tmp_path / "g.csv"
    gbk.write_bytes("所属乡镇,风险点类型,风险点名称\n北界镇,水库,甲\n".encode("gbk"))
    _preview(qtbot, dialog, gbk)
    assert "GBK" in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    dialog.close()


def test_a_role_that_may_not_write_reference_data_cannot_import(
    qtbot: QtBot, workstation: Workstation, tmp_path: Path
) -> None:
    from console.domain.roles import READONLY, allowed
    from console.services.io.service import ReferenceIO
    from console.ui.theme import COLORS

    dialog = ImportDialog(
        ReferenceIO(workstation.writer),
        tasks=None,
        colors=COLORS["light"],
        user=lambda: "只读用户",
        may_write=lambda name: allowed(READONLY, name),
    )
    qtbot.addWidget(dialog)
    dialog.set_table("risk_points")
    path = tmp_path / "r.xlsx"
    write_xlsx(path, "风险点", RISK.headers, [_row()])
    dialog.set_file(path)  # no runner: previewed at once
    assert dialog.preview_result is not None and dialog.preview_result.calls
    assert not dialog.import_button.isEnabled()
    assert "不能修改基础数据" in dialog.import_button.toolTip()


def test_the_whole_workbook_exports_and_reads_back_unchanged(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, tmp_path: Path
) -> None:
    dialog = _open(qtbot, window)
    dialog.set_table(BOOK)
    assert dialog.export.text() == "导出全部表…"
    assert "每个工作表按名称导入" in dialog.key_hint.text()
    out = tmp_path / "基础数据.xlsx"
    with qtbot.waitSignal(dialog.exported, timeout=20_000) as exported:
        dialog.export_to(out)
    total = sum(len(exporter.table_rows(workstation.store, t)) for t in LAYOUTS)
    assert exported.args == [total] and total > 100
    _preview(qtbot, dialog, out)
    model = dialog.model
    assert model.rowCount() == total
    assert {model.record(i).outcome for i in range(total)} == {UNCHANGED}
    assert f"{len(LAYOUTS)} 个工作表" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    dialog.close()


def test_clearing_the_sample_from_settings_keeps_the_officers_own_records(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = window.show_view("settings")
    assert isinstance(page, SettingsPage)
    qtbot.waitUntil(page.clear_sample.isVisible, timeout=5000)  # read in the background
    own = ("township.upsert", {"id": new_id(), "name": "本县新镇", "kind": "镇"})
    workstation.writer.apply([own], user="zhang")
    page.remove_sample(confirm=False)
    qtbot.waitUntil(lambda: page.sample_note.text() == "已清除样例数据", timeout=10_000)
    assert not workstation.queries.sample_present()
    assert [t["name"] for t in workstation.queries.townships()] == ["本县新镇"]
    qtbot.waitUntil(lambda: not page.clear_sample.isVisible(), timeout=5000)


def test_data_page_opens_the_dialog_on_its_table_and_township(
    qtbot: QtBot, window: MainWindow, workstation: Workstation, tmp_path: Path
) -> None:
    """基础数据's 导入/导出… opens the dialog on the table and township shown; its export
    holds that township's records only."""
    page = window.show_view("data")
    assert isinstance(page, DataPage)
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)
    page.show_table("villages")
    page.township.setCurrentIndex(page.township.findText("北界镇"))
    assert page.import_export_button.isVisible()
    qtbot.mouseClick(page.import_export_button, Qt.MouseButton.LeftButton)
    dialog = page.import_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.table_name == "villages"
    qtbot.waitUntil(lambda: dialog.township.currentText() == "北界镇", timeout=5000)
    out = tmp_path / "村.xlsx"
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as exported:
        dialog.export_to(out)
    every = exporter.table_rows(workstation.store, "villages")
    mine = exporter.table_rows(workstation.store, "villages", township="北界镇")
    assert exported.args == [len(mine)] and 0 < len(mine) < len(every)
    dialog.reject()
    # Opened again on another table with no township chosen: all of them.
    page.show_table("stations")
    page.township.setCurrentIndex(0)
    qtbot.mouseClick(page.import_export_button, Qt.MouseButton.LeftButton)
    again = page.import_dialog
    assert again is not None and again is not dialog and again.table_name == "stations"
    assert again.township.currentText() == "全部乡镇"
