"""研判一张单 and threshold alerts through a real duty-server (both backends): only a leader
or admin signs, a signed sheet never changes, hostile sheets are refused in Chinese, and the
acknowledgement of an alert is one record for everybody."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from server_testkit import Client, Database, ServerProcess

from console.domain.assessment import build_sheet
from console.domain.assessment_rules import SIGNED_REFUSAL
from console.domain.ids import new_id
from console.domain.mutations import alert_id
from testkit.situations import flood_situation

SIGN_AT = "2026-07-01T06:30:00+08:00"


def _sheet(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "number": "研判〔2026〕7号",
        **build_sheet(flood_situation()).args(),
        **override,
    }


def _row(database: Database, sheet_id: str) -> dict[str, Any]:
    [row] = database.rows("SELECT * FROM assessments WHERE id = :id", id=sheet_id)
    return row


def test_an_officer_cannot_sign_a_leader_can_and_the_signed_sheet_never_changes(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer, leader = client_for("officer"), client_for("leader")
    sheet = _sheet()
    [created] = officer.apply(("assessment.create", sheet))
    assert created["status"] == "applied", created
    [refused] = officer.apply(("assessment.sign", {"id": sheet["id"], "at": SIGN_AT}))
    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
    assert "值班员" in refused["message"]
    assert _row(database, sheet["id"])["status"] == "草稿"

    [signed] = leader.apply(("assessment.sign", {"id": sheet["id"], "at": SIGN_AT}))
    assert signed["status"] == "applied", signed
    row = _row(database, sheet["id"])
    assert (row["status"], row["signed_by"], row["signed_at"]) == ("已签发", "leader", SIGN_AT)

    version = server.version()
    [edit] = officer.apply(("assessment.update", {"id": sheet["id"], "fields": {"summary": "x"}}))
    assert (edit["status"], edit["message"]) == ("rejected", SIGNED_REFUSAL)
    [again] = leader.apply(
        ("assessment.sign", {"id": sheet["id"], "at": "2026-07-01T07:00:00+08:00"})
    )
    assert again["status"] == "rejected" and "已由 leader 签发" in again["message"]
    [gone] = leader.apply(("assessment.discard", {"id": sheet["id"]}))
    assert gone["status"] == "rejected"
    assert _row(database, sheet["id"]) == row
    assert server.version() == version

    v2 = new_id()
    [revised] = officer.apply(("assessment.revise", {"id": v2, "previous_id": sheet["id"]}))
    assert revised["status"] == "applied", revised
    new = _row(database, v2)
    assert (new["status"], new["revision"], new["previous_id"], new["series_id"]) == (
        "草稿",
        2,
        sheet["id"],
        sheet["id"],
    )
    assert _row(database, sheet["id"]) == row


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"content": "{"}, "不是有效的 JSON"),
    ({"content": json.dumps({"tasks": [{"text": "长" * 501}]})}, "工作任务过长"),
    ({"content": '{"stations": [{"level_m": Infinity}]}'}, "不是有效的 JSON"),
    ({"content": json.dumps({"evil": 1})}, "未知部分"),
    ({"content": "[" * 5000 + "]" * 5000}, "研判内容"),
    ({"content": "长" * 200_001}, "研判内容"),
    ({"status": "已签发"}, "未知字段"),
    ({"signed_by": "leader", "signed_at": SIGN_AT}, "未知字段"),
    ({"revision": 99}, "未知字段"),
    ({"highest_warning": "<script>"}, "最高预警等级"),
    ({"summary": 5}, "研判意见"),
    ({"incident_id": "../../etc"}, "关联事件"),
]


@pytest.mark.parametrize(("override", "message"), HOSTILE)
def test_hostile_sheets_are_refused_in_chinese_and_change_nothing(
    database: Database,
    server: ServerProcess,
    client_for: Callable[[str], Client],
    override: dict[str, Any],
    message: str,
) -> None:
    officer = client_for("officer")
    version, digest = server.version(), database.digest()
    sheet = _sheet(**override)
    [result] = officer.apply(("assessment.create", sheet))
    assert result["status"] == "rejected", result
    assert message in result["message"]
    assert (server.version(), database.digest()) == (version, digest)


def test_an_officer_cannot_smuggle_a_signature_through_update_or_revise(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    sheet = _sheet()
    officer.apply(("assessment.create", sheet))
    before = _row(database, sheet["id"])
    [update] = officer.apply(
        ("assessment.update", {"id": sheet["id"], "fields": {"status": "已签发"}})
    )
    assert update["status"] == "rejected" and "未知字段" in update["message"]
    [revise] = officer.apply(("assessment.revise", {"id": new_id(), "previous_id": sheet["id"]}))
    assert revise["status"] == "rejected" and "草稿请直接修改" in revise["message"]
    [bad] = officer.apply(("assessment.revise", {"id": new_id(), "previous_id": "x"}))
    assert bad["status"] == "rejected"
    assert _row(database, sheet["id"]) == before


def test_two_workstations_raise_one_alert_and_the_first_acknowledgement_stands(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    key = f"place:{new_id()}:红"
    alert = {
        "id": alert_id(key),
        "key": key,
        "level": "红",
        "message": "苏村滑坡隐患点达到红色预警",
        "raised_at": "2026-07-01T06:00:00+08:00",
    }
    first, second = client_for("officer"), client_for("leader")
    assert first.apply(("alert.raise", alert))[0]["status"] == "applied"
    later = {**alert, "raised_at": "2026-07-01T06:01:00+08:00"}
    assert second.apply(("alert.raise", later))[0]["status"] == "applied"  # a no-op
    ack = {"id": alert["id"], "at": "2026-07-01T06:02:00+08:00"}
    assert second.apply(("alert.acknowledge", ack))[0]["status"] == "applied"
    assert first.apply(("alert.acknowledge", {**ack, "at": SIGN_AT}))[0]["status"] == "applied"
    [row] = database.rows("SELECT * FROM threshold_alerts WHERE id = :id", id=alert["id"])
    assert (row["raised_at"], row["acked_by"], row["acked_at"]) == (
        "2026-07-01T06:00:00+08:00",
        "leader",
        "2026-07-01T06:02:00+08:00",
    )
    [forged] = first.apply(("alert.raise", {**alert, "id": new_id()}))
    assert forged["status"] == "rejected" and "提醒编号与触发条件不符" in forged["message"]
