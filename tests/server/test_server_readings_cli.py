"""``duty-server import-readings FILE.csv`` and ``expire-readings`` as real processes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from server_testkit import Database, run_cli

from console.domain.ids import new_id
from server import sync_service
from server.auth import Principal
from server.readings_csv import parse_time

BEIJING_NOW = datetime.now(UTC) + timedelta(hours=8)


def _minute(delta_minutes: int) -> str:
    """A Beijing wall-clock time, ``delta_minutes`` from now, to the 5 minutes."""
    moment = BEIJING_NOW - timedelta(minutes=delta_minutes)
    moment = moment.replace(minute=moment.minute // 5 * 5, second=0, microsecond=0)
    return moment.strftime("%Y-%m-%d %H:%M")


@pytest.fixture(scope="module")
def db(backend: str, database_factory: Callable[[str], Database]) -> Database:
    database = database_factory(backend)
    database.migrate()
    calls = [
        ("station.upsert", {"id": new_id(), "code": code, "name": name, "kind": kind})
        for code, name, kind in (("62001", "大田", "雨量站"), ("62002", "成屏水库", "水库"))
    ]
    pushed = [
        sync_service.PushedMutation(i + 1, name, args, f"00000000000010{i:02d}-00001-test", 1)
        for i, (name, args) in enumerate(calls)
    ]
    sync_service.push(database.engine, Principal("admin", "admin"), str(uuid.uuid4()), pushed)
    database.dispose()
    return database


def test_import_reports_counts_and_refused_lines(db: Database, tmp_path: Path) -> None:
    rain_at, level_at = _minute(10), _minute(5)
    csv = tmp_path / "readings.csv"
    csv.write_text(
        "站码,时间,类型,数值,时段(分钟)\n"
        f"62001,{rain_at},雨量,1.5,5\n"
        f"62001,{rain_at[:10]}T{rain_at[11:]}:00+08:00,雨量,1.5,5\n"  # the same, in ISO
        f"62002,{level_at},水位,231.4,\n"
        f"62001,{rain_at},水位,1.0,\n"
        "62003,2026-09-28 14:05,雨量,1.0,5\n"
        f"62001,明天,雨量,1.0,5\n"
        f"62001,{rain_at},雨量,很多,5\n"
        f"62001,{rain_at},雪,1.0,5\n",
        encoding="utf-8-sig",
    )
    first = run_cli(db, "import-readings", str(csv))
    assert first.returncode == 1, first.stderr
    assert "新增 2 条，更正 0 条，未变 1 条，拒绝 5 条" in first.stdout
    assert "第 5 行：雨量站没有水位读数" in first.stdout
    assert "第 6 行：站码“62003”不存在或已删除" in first.stdout
    assert "第 7 行：时间格式应为" in first.stdout
    assert "第 8 行：数值应为数字" in first.stdout
    assert "第 9 行：类型应为" in first.stdout
    stored = db.rows("SELECT kind, ts, value, source FROM readings ORDER BY kind")
    assert stored == [
        {"kind": "level", "ts": parse_time(level_at), "value": 231.4, "source": "import"},
        {"kind": "rain", "ts": parse_time(rain_at), "value": 1.5, "source": "import"},
    ]

    fixed = tmp_path / "fixed.csv"  # GB18030, as Excel saves it on a Chinese Windows
    fixed.write_bytes(f"类型,站码,数值,时间\n雨量,62001,2.5,{rain_at}\n".encode("gb18030"))
    again = run_cli(db, "import-readings", str(fixed))
    assert again.returncode == 0, again.stderr
    assert "新增 0 条，更正 1 条，未变 0 条，拒绝 0 条" in again.stdout


def test_a_file_without_the_columns_is_refused_whole(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,time,value\n62001,2026-09-28 14:05,1\n", encoding="utf-8")
    done = run_cli(db, "import-readings", str(bad))
    assert done.returncode == 2
    assert "缺少列：站码、时间、类型、数值" in done.stderr
    missing = run_cli(db, "import-readings", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "无法读取文件" in missing.stderr


def test_expire_readings_runs(db: Database, tmp_path: Path) -> None:
    # Its own readings: under xdist the module's other tests may run in another worker.
    csv = tmp_path / "recent.csv"
    csv.write_text(
        f"站码,时间,类型,数值,时段(分钟)\n62001,{_minute(40)},雨量,0.5,5\n"
        f"62002,{_minute(40)},水位,230.9,\n",
        encoding="utf-8",
    )
    before = int(db.scalar("SELECT count(*) FROM readings"))
    imported = run_cli(db, "import-readings", str(csv))
    assert imported.returncode == 0, imported.stderr
    done = run_cli(db, "expire-readings", "--days", "3650")
    assert done.returncode == 0, done.stderr
    assert "expired readings: 0" in done.stdout
    assert int(db.scalar("SELECT count(*) FROM readings")) == before + 2
