"""Every table model passes qtmodeltester and offers raw sort values and records."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.models.pending_table_model import PendingMutationTableModel, mutation_label
from console.models.record_table import RECORD_ROLE, SORT_ROLE
from console.models.risk_type_table_model import RiskTypeTableModel
from console.models.settings_table_model import SettingsTableModel, setting_rows
from console.models.team_table_model import TeamTableModel
from console.services.context import Workstation
from console.services.queries import PendingMutation
from console.services.teams import TeamService
from console.settings import THEME, Settings
from console.views.pages.map_layers import RISK_COLORS


def _team_model(ws: Workstation) -> TeamTableModel:
    # The 队伍 board's rows: township names resolved, available people counted.
    return TeamTableModel(TeamService(ws.store).board().teams)


def test_team_model(qtmodeltester: ModelTester, workstation: Workstation) -> None:
    model = _team_model(workstation)
    qtmodeltester.check(model)
    assert model.rowCount() == len(workstation.queries.teams()) > 0
    assert model.headerData(0, Qt.Orientation.Horizontal) == "队伍名称"
    # township ids are resolved to names
    towns = {model.index(r, 2).data() for r in range(model.rowCount())}
    assert "妙高街道" in towns
    assert sum(n for _kind, n in model.counts_by_kind()) == model.rowCount()


def test_team_model_sorts_members_numerically(workstation: Workstation) -> None:
    model = _team_model(workstation)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(4, Qt.SortOrder.DescendingOrder)  # 可用人数 (available / members)
    members = [proxy.index(r, 4).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert all(isinstance(m, int) for m in members)
    assert members == sorted(members, reverse=True)
    # the record role follows the row through sorting
    record = proxy.index(0, 0).data(RECORD_ROLE)
    assert record["name"] == proxy.index(0, 0).data()


def test_pending_model(qtmodeltester: ModelTester, workstation: Workstation) -> None:
    team = {"id": str(uuid.uuid4()), "name": "测试救援队", "kind": "社会救援力量", "members": 12}
    workstation.writer.apply([("team.upsert", team)], user="系统")  # the sample is not listed
    pending = workstation.queries.pending_mutations()
    model = PendingMutationTableModel(pending)
    qtmodeltester.check(model)
    assert model.rowCount() == len(pending) > 0
    row = next(r for r in range(model.rowCount()) if model.record(r).name == "team.upsert")
    assert model.index(row, 1).data() == mutation_label("team.upsert") == "新增或修改救援队伍"
    assert model.index(row, 2).data()  # the team's name
    assert model.index(row, 3).data().startswith("20")  # Beijing date-time
    assert model.index(row, 4).data() == "系统"


def test_pending_model_time_is_beijing() -> None:
    # 2026-11-28 14:51:03 UTC is 22:51:03 in Beijing
    stamp = "0001795877463000-00000-abcdef12"
    args = '{"id":"x","name":"甲队"}'
    model = PendingMutationTableModel([PendingMutation(7, "team.upsert", stamp, "张三", args)])
    assert model.index(0, 1).data() == "新增或修改救援队伍"
    assert model.index(0, 2).data() == "甲队"
    assert model.index(0, 3).data() == "2026-11-28 22:51:03"
    assert model.index(0, 0).data(SORT_ROLE) == 7


def test_settings_model(qtmodeltester: ModelTester, settings: Settings) -> None:
    model = SettingsTableModel(setting_rows(settings))
    qtmodeltester.check(model)
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == THEME.key)
    assert model.index(row, 2).data() == "dark"
    assert model.index(row, 3).data() == "默认"
    settings.set(THEME, "light")
    model.set_records(setting_rows(settings))
    qtmodeltester.check(model)
    assert model.index(row, 2).data() == "light"
    assert model.index(row, 3).data() == "已修改"


def test_risk_type_model(qtmodeltester: ModelTester, workstation: Workstation) -> None:
    points = workstation.queries.risk_points()
    model = RiskTypeTableModel(points, RISK_COLORS)
    qtmodeltester.check(model)
    assert sum(model.index(r, 1).data(SORT_ROLE) for r in range(model.rowCount())) == len(points)
    assert model.index(0, 0).data() == "山洪危险区"  # catalogue order
    assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None


def test_set_records_same_keys_emits_data_changed(qtbot: QtBot) -> None:
    rows: list[dict[str, Any]] = [{"id": "a", "name": "甲队", "members": 3}]
    model = TeamTableModel(rows)
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.set_teams([{"id": "a", "name": "甲队", "members": 5, "available": 4}])
    assert model.index(0, 4).data() == "4 / 5"
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.set_teams([*rows, {"id": "b", "name": "乙队"}])
    assert model.rowCount() == 2


def test_empty_models(qtmodeltester: ModelTester) -> None:
    for model in (TeamTableModel(), PendingMutationTableModel(), RiskTypeTableModel()):
        qtmodeltester.check(model)
        assert model.rowCount() == 0


def test_sync_issue_model_shows_both_values_in_beijing_time(qtmodeltester: ModelTester) -> None:
    from console.models.sync_issue_table_model import SyncIssueTableModel
    from console.services.sync_issues import Issue

    issue = Issue(
        mutation_id=7,
        kind="conflict",
        action="修改事件信息",
        code="conflict",
        message="“事件标题”在您修改期间已被 li 修改",
        user="zhang",
        recorded_at="2026-11-28T15:51:48+00:00",
        args={"id": "x"},
        conflicts=[
            {
                "field": "title",
                "label": "事件标题",
                "base": "旧",
                "theirs": "李的",
                "theirs_by": "li",
                "mine": "张的",
            }
        ],
        resolved="",
    )
    model = SyncIssueTableModel([issue])
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "修改冲突"
    assert model.index(0, 3).data() == "事件标题：对方（li）“李的” / 本机“张的”"
    assert model.index(0, 5).data() == "2026-11-28 23:51"
