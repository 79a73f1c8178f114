"""设置 > 定级标准: a duty leader adds, changes and deletes grading rows; the grade the
console suggests for an incident follows; a row the rules refuse says why, in Chinese, and
keeps what was typed."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPushButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.domain import grading
from console.models.grading_rule_table_model import GradingRuleTableModel, bound_text
from console.services.context import Workstation
from console.services.grading_rules import list_grading_rules
from console.ui.change_bus import COALESCE_MS
from console.views.main_window import MainWindow
from console.views.pages.grading_rules_panel import GradingRulesPanel
from console.views.pages.settings_page import SettingsPage

FACTORY = {"category": "事故灾难", "subtype": "企业安全事故", "grade": "一般"}


def _panel(qtbot: QtBot, window: MainWindow) -> GradingRulesPanel:
    page = window.show_view("settings")
    assert isinstance(page, SettingsPage) and page.grading is not None
    panel = page.grading
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=5000)
    return panel


def _suggested(workstation: Workstation, numbers: dict[str, Any], **kind: str) -> str | None:
    incident = {**FACTORY, **kind}
    found = grading.suggestion(
        incident["category"],
        incident["subtype"],
        incident["grade"],
        numbers,
        list_grading_rules(workstation.writer),
    )
    return found.grade if found else None


def _select(panel: GradingRulesPanel, category: str, subtype: str, metric: str) -> None:
    row = next(
        i
        for i, r in enumerate(panel.model.records())
        if (r["category"], r["subtype"], r["metric"]) == (category, subtype, metric)
    )
    panel.table.selectRow(row)


def _settled(qtbot: QtBot, panel: GradingRulesPanel, button: QPushButton) -> None:
    """Click, wait for the write's answer, then for the reads its change notice started.
    (Waiting for the next ``refreshed`` alone can catch a read started by the previous
    write's notice, before this write landed.)"""
    panel.message.setText("")
    button.click()
    qtbot.waitUntil(lambda: panel.message.text() != "", timeout=5000)
    tasks = panel.context.tasks
    assert tasks is not None
    for _ in range(2):
        qtbot.wait(COALESCE_MS + 20)  # a notice may wait out the change bus's window
        assert tasks.wait_idle(5000)


def _save(qtbot: QtBot, window: MainWindow, panel: GradingRulesPanel) -> None:
    _settled(qtbot, panel, panel.save)


def test_leader_edits_the_grading_table_and_the_suggestion_follows(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow, workstation: Workstation
) -> None:
    panel = _panel(qtbot, window)
    qtmodeltester.check(panel.model)
    assert panel.model.rowCount() == len(list_grading_rules(workstation.writer)) == 6
    assert panel.save.isEnabled()  # standalone: no account, edits locally
    # Every row shows its source; bounds carry the metric's unit.
    texts = [
        [panel.model.index(r, c).data() for c in range(panel.model.columnCount())]
        for r in range(panel.model.rowCount())
    ]
    assert all("493号" in row[-1] or "森林防火条例" in row[-1] for row in texts)
    assert ["事故灾难", "企业安全事故", "死亡（人）", "≥ 30 人", "≥ 10 人", "≥ 3 人", "≥ 1 人"] in [
        row[:7] for row in texts
    ]
    assert "社会安全事件" not in [panel.category.itemText(i) for i in range(panel.category.count())]

    # 2 dead in a factory is 一般 by 493号令; the county makes 2 dead 较大.
    assert _suggested(workstation, {"dead": 2}, grade="一般") is None
    _select(panel, "事故灾难", "企业安全事故", "死亡")
    assert panel.bounds["min_large"].text() == "3"
    assert "493号" in panel.basis.text()
    panel.bounds["min_large"].setText("2")
    panel.basis.setText("本县规定（2026）")
    _save(qtbot, window, panel)
    assert panel.message.text() == "已保存：事故灾难 企业安全事故 死亡"
    assert _suggested(workstation, {"dead": 2}) == "较大"
    assert len(list_grading_rules(workstation.writer)) == 6  # changed in place
    qtbot.waitUntil(lambda: any(r["basis"] == "本县规定（2026）" for r in panel.model.records()))

    # A bound left empty is no bound: no 特别重大 by deaths any more.
    _select(panel, "事故灾难", "企业安全事故", "死亡")
    panel.bounds["min_especially_major"].clear()
    _save(qtbot, window, panel)
    assert _suggested(workstation, {"dead": 40}) == "重大"

    # A row moved to another metric keeps one row per class and metric: a new row for the
    # metric it left does not overwrite it.
    _select(panel, "事故灾难", "企业安全事故", "重伤")
    panel.set_metric("失踪")
    _save(qtbot, window, panel)
    metrics = {r["metric"] for r in list_grading_rules(workstation.writer)}
    assert "失踪" in metrics and len(list_grading_rules(workstation.writer)) == 6
    panel.new.click()
    panel.category.setCurrentText("事故灾难")
    panel.subtype.setCurrentText("企业安全事故")
    panel.set_metric("重伤")
    panel.bounds["min_general"].setText("1")
    _save(qtbot, window, panel)
    factory = {
        r["metric"]: r
        for r in list_grading_rules(workstation.writer)
        if r["subtype"] == "企业安全事故"
    }
    assert factory["失踪"]["min_major"] == 50 and factory["重伤"]["min_major"] is None
    assert len(list_grading_rules(workstation.writer)) == 7

    # Deleted: the deaths of a factory accident suggest nothing.
    _select(panel, "事故灾难", "企业安全事故", "死亡")
    _settled(qtbot, panel, panel.delete)
    assert panel.message.text() == "已删除：事故灾难 企业安全事故 死亡"
    assert panel.model.rowCount() == 6
    assert _suggested(workstation, {"dead": 5}) is None

    # A new row for a class that had none: 地质 disasters graded by people evacuated.
    geology = {"category": "自然灾害", "subtype": "地质"}
    assert _suggested(workstation, {"evacuated": 600}, **geology) is None
    panel.new.click()
    panel.category.setCurrentText("自然灾害")
    panel.subtype.setCurrentText("地质")
    panel.set_metric("转移人数")
    assert panel.unit.text() == "下限单位：人"
    bounds = ("", "1000", "500", "100")  # 特别重大 .. 一般
    for column, value in zip(grading.BOUND_COLUMNS.values(), bounds, strict=True):
        panel.bounds[column].setText(value)
    panel.basis.setText("县地质灾害应急预案")
    _save(qtbot, window, panel)
    assert panel.model.rowCount() == 7
    assert _suggested(workstation, {"evacuated": 600}, **geology) == "较大"
    row = next(r for r in panel.model.records() if r["metric"] == "转移人数")
    assert bound_text(row, "特别重大") == "—" and bound_text(row, "一般") == "≥ 100 人"


def test_a_refused_row_says_why_and_keeps_the_input(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    panel = _panel(qtbot, window)
    before = list_grading_rules(workstation.writer)
    _select(panel, "自然灾害", "森林火灾", "过火面积")
    # 重大 below 较大: the mutation refuses, the reason is shown under the editor.
    panel.bounds["min_major"].setText("0.5")
    _save(qtbot, window, panel)
    assert panel.message.text() == "未保存：“重大下限”（0.5）应大于“较大下限”（1）"
    assert panel.bounds["min_major"].text() == "0.5"  # nothing typed is lost
    assert list_grading_rules(workstation.writer) == before

    # Text that is not a number is refused before writing.
    panel.bounds["min_major"].setText("一百")
    panel.save.click()
    assert panel.message.text() == "未保存：“重大下限”应为数字（不设下限请留空）"
    # No bound at all is no row.
    for line in panel.bounds.values():
        line.clear()
    _save(qtbot, window, panel)
    assert panel.message.text() == "未保存：至少填写一个等级的下限"
    assert list_grading_rules(workstation.writer) == before


def test_grading_model_units_and_empty_bounds(qtmodeltester: ModelTester) -> None:
    rows = [
        {
            "id": "x",
            "deleted": False,
            "category": "自然灾害",
            "subtype": "",
            "metric": "直接经济损失",
            "min_especially_major": None,
            "min_major": 5000.0,
            "min_large": 1000.0,
            "min_general": 0.0,
            "basis": "",
        }
    ]
    model = GradingRuleTableModel(rows)
    qtmodeltester.check(model)
    assert [model.index(0, c).data() for c in range(model.columnCount())] == [
        "自然灾害",
        "全部子类",
        "直接经济损失（万元）",
        "—",
        "≥ 5000 万元",
        "≥ 1000 万元",
        "> 0 万元",
        "（未注明）",
    ]
    assert [model.headerData(c, _horizontal()) for c in range(3, 7)] == [
        "特别重大下限",
        "重大下限",
        "较大下限",
        "一般下限",
    ]


def _horizontal() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
