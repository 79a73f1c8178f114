"""The 雨水情 station table: passes qtmodeltester, ticks at most four stations in the order
ticked, keeps ticks across a reload, sorts rain stations first, filters by township, kind
and text."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.models.record_table import RECORD_ROLE, SORT_ROLE
from console.models.station_table_model import (
    MAX_CHARTED,
    StationFilterProxy,
    StationTableModel,
)
from console.services.monitoring import MonitorStation, WaterLine

CHECK = Qt.ItemDataRole.CheckStateRole
STATIONS = [
    MonitorStation("a", "S015", "城南水位站", "水位站", "t1", "妙高街道", (WaterLine("警", 3.8),)),
    MonitorStation("b", "S001", "苏村雨量站", "雨量站", "t2", "北界镇"),
    MonitorStation("c", "S002", "大源雨量站", "雨量站", "t3", "王村口镇"),
    MonitorStation("d", "S022", "王村口水文站", "水文站", "t3", "王村口镇"),
    MonitorStation("e", "S900", "龙潭水库", "水库", None, ""),
]  # fmt: skip
AT = int(datetime(2026, 9, 21, 13, 35, tzinfo=UTC).timestamp())
LATEST = {"a": (AT, 3.456), "b": (AT, 2.0)}


def _model() -> StationTableModel:
    model = StationTableModel()
    model.set_stations(STATIONS, LATEST)
    return model


def test_passes_qtmodeltester(qtmodeltester: ModelTester) -> None:
    model = _model()
    qtmodeltester.check(model, force_py=True)
    model.set_checked(["a", "b"])
    qtmodeltester.check(model, force_py=True)


def test_latest_reading_text_and_blank(qtbot: QtBot) -> None:
    model = _model()
    texts = {model.record(r).id: model.data(model.index(r, 3)) for r in range(model.rowCount())}
    assert texts == {"a": "3.46 m", "b": "2.0 mm", "c": "—", "d": "—", "e": "—"}
    tip = model.data(model.index(0, 3), Qt.ItemDataRole.ToolTipRole)
    assert "2026-09-21 21:35" in tip  # 13:35 UTC shown in Beijing time


def test_at_most_four_ticked_in_order_and_kept_across_a_reload(qtbot: QtBot) -> None:
    model = _model()
    refused: list[str] = []
    model.refused.connect(refused.append)
    order = ["e", "b", "a", "d"]
    rows = {model.record(r).id: r for r in range(model.rowCount())}
    for sid in order:
        with qtbot.waitSignal(model.checked_changed):
            assert model.setData(model.index(rows[sid], 0), Qt.CheckState.Checked, CHECK)
    assert len(order) == MAX_CHARTED
    assert [s.id for s in model.checked()] == order
    assert not model.setData(model.index(rows["c"], 0), Qt.CheckState.Checked, CHECK)
    assert refused == ["大源雨量站"]
    assert model.data(model.index(rows["c"], 0), CHECK) == Qt.CheckState.Unchecked
    assert not model.setData(model.index(rows["c"], 1), Qt.CheckState.Checked, CHECK)
    model.set_stations(STATIONS[::-1], LATEST)  # a reload: the ticks stay
    assert [s.id for s in model.checked()] == order
    model.set_stations([s for s in STATIONS if s.id != "b"], {})  # one station gone
    assert [s.id for s in model.checked()] == ["e", "a", "d"]


def test_kind_sorts_rain_first_and_the_filters(qtbot: QtBot) -> None:
    model = _model()
    proxy = StationFilterProxy()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)

    def shown() -> list[str]:
        return [proxy.index(r, 0).data(RECORD_ROLE).id for r in range(proxy.rowCount())]

    assert shown() == ["b", "c", "a", "d", "e"]  # 雨量站, 水位站, 水文站, 水库; then code
    proxy.set_filter("t3", "", "")
    assert shown() == ["c", "d"]
    proxy.set_filter("t3", "水文站", "")
    assert shown() == ["d"]
    proxy.set_filter("", "", "s00")  # station code, any case
    assert shown() == ["b", "c"]
    proxy.set_filter("", "", "王村口")  # township name or station name
    assert shown() == ["c", "d"]
