"""应急一指南 through a real duty-server (both backends): only a leader starts, raises and
ends a response; officers on two workstations tick the same checklist and both ticks are
kept; hostile responses and events are refused in Chinese and change nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from server_testkit import (
    Client,
    Database,
    ServerProcess,
    fresh_database,
    fresh_server,
    incident_args,
)

from console.domain.ids import new_id

AT = "2026-07-01T06:00:00+08:00"


# Its own database and server: the shared ones register every test module's workstations
# against one per-account limit (50), which this module's clients must not eat into.
@pytest.fixture(scope="module")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    return fresh_database(backend, database_factory, passwords)


@pytest.fixture(scope="module")
def server(
    database: Database, server_factory: Callable[[Database], ServerProcess]
) -> Iterator[ServerProcess]:
    yield from fresh_server(database, server_factory)


@pytest.fixture(scope="module")
def leader(client_for: Callable[[str], Client]) -> Client:
    """One leader workstation for the hostile calls (one registration, not one per case)."""
    return client_for("leader")


def _item(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "hazard": "山洪",
        "level": "IV",
        "role": "值班员",
        "seq": 1,
        "action": "叫应乡镇第一责任人",
        "limit_minutes": 30,
        **override,
    }


def _response(incident_id: str, **override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "hazard": "山洪",
        "level": "IV",
        "incident_id": incident_id,
        "activated_at": AT,
        "reason": "单站3小时雨量 62 毫米",
        "timeline_id": new_id(),
        **override,
    }


def _tick(response: dict[str, Any], item: dict[str, Any], **override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "response_id": response["id"],
        "guide_item_id": item["id"],
        "kind": "勾选",
        "at": "2026-07-01T06:10:00+08:00",
        **override,
    }


def test_only_a_leader_activates_two_officers_tick_and_the_leader_raises(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer, other, leader = client_for("officer"), client_for("officer"), client_for("leader")
    incident = incident_args()
    item = _item()
    assert officer.apply(("incident.create", incident))[0]["status"] == "applied"
    [guide] = officer.apply(("guide_item.upsert", item))
    assert (guide["status"], guide["code"]) == ("rejected", "forbidden")
    assert leader.apply(("guide_item.upsert", item))[0]["status"] == "applied"

    response = _response(incident["id"])
    version, digest = server.version(), database.digest()
    [refused] = officer.apply(("response.activate", response))
    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
    assert "值班员" in refused["message"]
    assert (server.version(), database.digest()) == (version, digest)
    assert leader.apply(("response.activate", response))[0]["status"] == "applied"

    first = _tick(response, item)
    second = _tick(response, item, at="2026-07-01T06:11:00+08:00")
    assert officer.apply(("response.record", first))[0]["status"] == "applied"
    assert other.apply(("response.record", second))[0]["status"] == "applied"
    assert len(database.rows("SELECT id FROM response_events WHERE kind = '勾选'")) == 2

    change = {
        "id": response["id"],
        "event_id": new_id(),
        "level": "III",
        "reason": "雨势加大",
        "at": "2026-07-01T07:00:00+08:00",
        "timeline_id": new_id(),
    }
    [denied] = officer.apply(("response.change_level", change))
    assert (denied["status"], denied["code"]) == ("rejected", "forbidden")
    assert leader.apply(("response.change_level", change))[0]["status"] == "applied"
    [row] = database.rows("SELECT level FROM responses WHERE id = :r", r=response["id"])
    assert row["level"] == "III"
    bodies = [
        r["body"]
        for r in database.rows(
            "SELECT body FROM incident_timeline WHERE incident_id = :i AND kind = '应急响应'"
            " ORDER BY at",
            i=incident["id"],
        )
    ]
    assert bodies == [
        "启动山洪Ⅳ级应急响应；理由：单站3小时雨量 62 毫米",
        "应急响应事项已完成：叫应乡镇第一责任人",  # from each workstation: both kept
        "应急响应事项已完成：叫应乡镇第一责任人",
        "山洪应急响应升级：Ⅳ级 → Ⅲ级；理由：雨势加大",
    ]


HOSTILE: list[tuple[str, dict[str, Any], str]] = [
    ("response", {"status": "已终止"}, "未知字段"),
    ("response", {"author": "admin"}, "未知字段"),
    ("response", {"level": "V"}, "响应等级"),
    ("response", {"hazard": "山" * 21}, "“灾种”过长"),
    ("response", {"activated_at": "刚才"}, "启动时间"),
    ("response", {"incident_id": "../../etc"}, "关联事件"),
    ("response", {"incident_id": None}, "须从事件或研判单启动"),
    ("response", {"timeline_id": "x"}, "缺少事件记录编号"),
    ("event", {"kind": "升级"}, "须由带班领导操作"),
    ("event", {"kind": "<script>"}, "记录类型"),
    ("event", {"note": "长" * 501}, "“说明”过长"),
    ("event", {"guide_item_id": new_id()}, "“指南事项”指向的记录不存在"),
    ("event", {"author": "leader"}, "未知字段"),
    ("change", {"level": "I", "reason": ""}, "须写明理由"),
    ("change", {"level": "IV"}, "响应已是Ⅳ级"),
    ("change", {"level": "III", "extra": 1}, "未知字段"),
]


@pytest.mark.parametrize(("what", "override", "message"), HOSTILE)
def test_hostile_responses_and_events_are_refused_in_chinese_and_change_nothing(
    database: Database,
    server: ServerProcess,
    leader: Client,
    what: str,
    override: dict[str, Any],
    message: str,
) -> None:
    incident = incident_args()
    item = _item()
    response = _response(incident["id"])
    calls: list[tuple[str, dict[str, Any]]] = [
        ("incident.create", incident),
        ("guide_item.upsert", item),
    ]
    if what != "response":
        calls.append(("response.activate", response))
    assert {r["status"] for r in leader.apply(*calls)} == {"applied"}
    version, digest = server.version(), database.digest()
    if what == "response":
        call = ("response.activate", {**_response(incident["id"]), **override})
    elif what == "event":
        call = ("response.record", _tick(response, item, **override))
    else:
        change = {
            "id": response["id"],
            "event_id": new_id(),
            "reason": "雨势加大",
            "at": AT,
            "timeline_id": new_id(),
            **override,
        }
        call = ("response.change_level", change)
    [result] = leader.apply(call)
    assert result["status"] == "rejected", result
    assert message in result["message"]
    assert (server.version(), database.digest()) == (version, digest)
