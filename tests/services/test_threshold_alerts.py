"""Threshold alerts on a real store: raised once per crossing, cleared when it ends, and an
acknowledgement that survives reopening the store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from console.domain import beijing
from console.domain.mutations import alert_id
from console.services.threshold_alerts import ThresholdAlerts, describe
from console.store.database import open_store
from console.store.writer import Writer
from testkit.situations import POINT, STATION, TOWN_A, calm_situation, flood_situation

NOW = datetime(2026, 7, 1, 6, 5, tzinfo=beijing.BEIJING)


def test_describe_names_every_crossing_in_order() -> None:
    situation = flood_situation()
    found = describe(situation)
    assert [c.key for c in found] == list(situation.crossings())
    by_key = {c.key: c for c in found}
    point = by_key[f"place:{POINT}:红"]
    assert point.level == "红"
    assert point.message == (
        "北界镇苏村滑坡隐患点达到红色预警，涉及 27 人："
        "24小时雨量 151 毫米，已达立即转移雨量 100 毫米"
    )
    assert by_key[f"station:{STATION}:警戒水位"].message == "北界水位站超过警戒水位，182.4 米"
    assert (
        by_key[f"township:{TOWN_A}:红"].message == "北界镇雨量达到红色预警标准：已 104.5 毫米/3小时"
    )


def test_a_crossing_raises_once_and_clears(writer: Writer) -> None:
    alerts = ThresholdAlerts(writer, clock=lambda: NOW)
    raised = alerts.observe(flood_situation(), user="张三")
    assert raised == list(flood_situation().crossings())
    assert alerts.observe(flood_situation(), user="张三") == []  # same crossings: nothing new
    assert len(alerts.unacknowledged()) == 5
    assert alerts.observe(calm_situation(), user="张三") == []
    assert alerts.active() == []
    cleared = alerts.get(f"place:{POINT}:红")
    assert cleared is not None and cleared["cleared_at"] == "2026-07-01T06:05:00+08:00"
    # Back again later: raised again, unacknowledged.
    assert len(alerts.observe(flood_situation(), user="张三")) == 5


def test_a_read_only_role_records_nothing(writer: Writer) -> None:
    alerts = ThresholdAlerts(writer, clock=lambda: NOW)
    assert alerts.observe(flood_situation(), user="只读", role="readonly") == []
    assert alerts.active() == []


def test_the_acknowledgement_survives_reopening_the_store(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    store = open_store(folder)
    alerts = ThresholdAlerts(Writer(store), clock=lambda: NOW)
    alerts.observe(flood_situation(), user="张三")
    key = f"place:{POINT}:红"
    alerts.acknowledge([alert_id(key)], user="值班员甲")
    store.close()

    store = open_store(folder)
    try:
        again = ThresholdAlerts(Writer(store), clock=lambda: NOW)
        row = again.get(key)
        assert row is not None
        assert (row["acked_by"], row["acked_at"]) == ("值班员甲", "2026-07-01T06:05:00+08:00")
        assert key not in {a["key"] for a in again.unacknowledged()}
        assert len(again.unacknowledged()) == 4
        # The same situation after the restart raises nothing again.
        assert again.observe(flood_situation(), user="张三") == []
    finally:
        store.close()
