"""What the mutations do to the synced tables: idempotent replays, tombstones, append-only logs.

A workstation re-applies pending work after a pull and the server may see a push twice, so a
replayed mutation must change nothing, while a different payload under a used id is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection, RowMapping

from console.domain.ids import new_id, reference_id
from console.domain.mutations import REGISTRY, MutationRejected, RowChange
from console.domain.schema import MODEL_BY_TABLE

RECEIVED = "2026-11-28T09:30:00+08:00"


def row(conn: Connection, table: str, record_id: str) -> RowMapping | None:
    t = MODEL_BY_TABLE[table].__table__
    return conn.execute(select(t).where(t.c.id == record_id)).mappings().first()  # type: ignore[attr-defined]


def all_rows(conn: Connection, table: str) -> list[dict[str, Any]]:
    t = MODEL_BY_TABLE[table].__table__
    return [dict(r) for r in conn.execute(select(t).order_by(t.c.id)).mappings()]  # type: ignore[attr-defined]


def township_args(name: str = "北界镇", **extra: Any) -> dict[str, Any]:
    return {"id": reference_id("township", name), "name": name, "kind": "镇", **extra}


def incident_args(**extra: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "received_at": RECEIVED,
        "category": "自然灾害",
        "subtype": "地质",
        "grade": "较大",
        "title": "苏村山体滑坡",
        "lon": 119.0,
        "dead": 0,
        **extra,
    }


def timeline_args(incident_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "incident_id": incident_id,
        "kind": "来电",
        "body": "村支书来电：后山有落石",
        "at": "2026-11-28T09:31:00+08:00",
        **extra,
    }


def test_reference_upsert_creates_then_identical_upsert_changes_nothing(
    run: Any, conn: Connection
) -> None:
    args = township_args(lon=119.1, lat=28.6, is_sample=True)
    assert run("township.upsert", args, user="甲") == [RowChange("townships", args["id"])]
    before = all_rows(conn, "townships")

    assert run("township.upsert", dict(args), user="乙") == []
    assert run("township.upsert", {**args, "lon": 119.1, "name": " 北界镇 "}, user="乙") == []
    assert all_rows(conn, "townships") == before  # not even updated_at/updated_by moved
    assert before[0]["updated_by"] == "甲"


def test_int_for_a_float_field_is_the_same_value(run: Any, conn: Connection) -> None:
    args = township_args(lon=119)
    run("township.upsert", args)
    stored = row(conn, "townships", args["id"])
    assert stored is not None and isinstance(stored["lon"], float)
    assert run("township.upsert", {**args, "lon": 119.0}) == []


def test_reference_upsert_with_new_content_updates_only_given_fields(
    run: Any, conn: Connection
) -> None:
    args = township_args(lon=119.1, lat=28.6)
    run("township.upsert", args, user="甲")
    before = row(conn, "townships", args["id"])
    assert before is not None

    assert run("township.upsert", {"id": args["id"], "lat": 28.7}, user="乙") == [
        RowChange("townships", args["id"])
    ]
    after = row(conn, "townships", args["id"])
    assert after is not None
    assert (after["name"], after["lon"], after["lat"]) == ("北界镇", 119.1, 28.7)
    assert after["updated_by"] == "乙"
    assert after["updated_at"] > before["updated_at"]


def test_incident_create_replay_is_a_no_op(run: Any, conn: Connection) -> None:
    args = incident_args(description="  泥石流冲毁道路  ")
    assert run("incident.create", args) == [RowChange("incidents", args["id"])]
    before = all_rows(conn, "incidents")
    assert before[0]["description"] == "泥石流冲毁道路"
    assert before[0]["status"] == "接报"

    assert run("incident.create", dict(args), user="另一台") == []
    assert all_rows(conn, "incidents") == before


@pytest.mark.parametrize(
    "change", [{"title": "另一起事件"}, {"dead": 1}, {"grade": "重大"}, {"lon": 119.5}]
)
def test_incident_create_with_a_used_id_and_other_content_is_refused(
    run: Any, conn: Connection, change: dict[str, Any]
) -> None:
    args = incident_args()
    run("incident.create", args)
    before = all_rows(conn, "incidents")
    with pytest.raises(MutationRejected) as info:
        run("incident.create", {**args, **change})
    assert (info.value.code, info.value.message) == ("duplicate_id", "该编号的记录已存在，内容不同")
    assert all_rows(conn, "incidents") == before


def test_incident_update_changes_and_replay_is_a_no_op(run: Any, conn: Connection) -> None:
    args = incident_args()
    run("incident.create", args)
    update = {"id": args["id"], "fields": {"dead": 2, "address": "苏村后山"}}
    assert run("incident.update", update) == [RowChange("incidents", args["id"])]
    before = all_rows(conn, "incidents")
    assert (before[0]["dead"], before[0]["address"]) == (2, "苏村后山")
    assert run("incident.update", update) == []
    assert all_rows(conn, "incidents") == before


def test_delete_leaves_a_tombstone(run: Any, conn: Connection) -> None:
    args = township_args()
    run("township.upsert", args)
    created = row(conn, "townships", args["id"])
    assert created is not None

    assert run("township.delete", {"id": args["id"]}, user="乙") == [
        RowChange("townships", args["id"])
    ]
    gone = row(conn, "townships", args["id"])
    assert gone is not None, "a delete must keep the row as a tombstone"
    assert gone["deleted"] is True
    assert gone["name"] == "北界镇"
    assert gone["updated_by"] == "乙"
    assert gone["updated_at"] > created["updated_at"]

    before = all_rows(conn, "townships")
    assert run("township.delete", {"id": args["id"]}) == []  # replayed delete
    assert all_rows(conn, "townships") == before


def test_delete_of_an_unknown_record(run: Any) -> None:
    with pytest.raises(MutationRejected) as info:
        run("incident.delete", {"id": new_id()})
    assert (info.value.code, info.value.message) == ("not_found", "要删除的记录不存在")


def test_tombstoned_records_cannot_be_referenced_or_edited(run: Any, conn: Connection) -> None:
    town = township_args()
    run("township.upsert", town)
    inc = incident_args()
    run("incident.create", inc)
    run("township.delete", {"id": town["id"]})
    run("incident.delete", {"id": inc["id"]})

    village = {"id": new_id(), "township_id": town["id"], "name": "苏村"}
    with pytest.raises(MutationRejected) as info:
        run("village.upsert", village)
    assert (info.value.code, info.value.message) == ("missing_ref", "“所属乡镇”指向的记录不存在")
    with pytest.raises(MutationRejected) as info:
        run("incident.update", {"id": inc["id"], "fields": {"dead": 1}})
    assert (info.value.code, info.value.message) == ("not_found", "要修改的事件不存在")
    with pytest.raises(MutationRejected) as info:
        run("timeline.append", timeline_args(inc["id"]))
    assert info.value.code == "missing_ref"
    with pytest.raises(MutationRejected) as info:
        run("incident.create", inc)  # a replayed create does not resurrect a deleted incident
    assert info.value.code == "duplicate_id"
    assert row(conn, "villages", village["id"]) is None


def test_reference_upsert_restores_a_tombstoned_record(run: Any, conn: Connection) -> None:
    """Reference data is keyed by its natural key: loading it again brings the record back."""
    args = township_args()
    run("township.upsert", args)
    run("township.delete", {"id": args["id"]})
    assert run("township.upsert", args) == [RowChange("townships", args["id"])]
    restored = row(conn, "townships", args["id"])
    assert restored is not None and restored["deleted"] is False


def test_timeline_append_is_immutable(run: Any, conn: Connection) -> None:
    inc = incident_args()
    run("incident.create", inc)
    entry = timeline_args(inc["id"])
    assert run("timeline.append", entry, user="值班员甲") == [
        RowChange("incident_timeline", entry["id"])
    ]
    before = all_rows(conn, "incident_timeline")
    assert before[0]["author"] == "值班员甲"
    assert before[0]["body"] == entry["body"]

    assert run("timeline.append", dict(entry), user="值班员乙") == []  # replay
    for change in ({"body": "改写后的内容"}, {"kind": "备注"}, {"at": "2026-11-28T10:00:00+08:00"}):
        with pytest.raises(MutationRejected) as info:
            run("timeline.append", {**entry, **change})
        assert info.value.code == "duplicate_id"
    assert all_rows(conn, "incident_timeline") == before


def test_no_mutation_edits_or_deletes_a_timeline_entry() -> None:
    timeline_mutations = {name for name in REGISTRY if name.startswith("timeline.")}
    assert timeline_mutations == {"timeline.append"}


def test_timeline_append_to_an_unknown_incident(run: Any, conn: Connection) -> None:
    with pytest.raises(MutationRejected) as info:
        run("timeline.append", timeline_args(new_id()))
    assert (info.value.code, info.value.message) == ("missing_ref", "“所属事件”指向的记录不存在")
    assert all_rows(conn, "incident_timeline") == []


def test_log_order_follows_the_stamps(run: Any, conn: Connection) -> None:
    inc = incident_args()
    run("incident.create", inc)
    ids = []
    for i in range(20):
        entry = timeline_args(inc["id"], body=f"第{i}条")
        run("timeline.append", entry)
        ids.append(entry["id"])
    t = MODEL_BY_TABLE["incident_timeline"].__table__
    ordered = conn.execute(select(t.c.id).order_by(t.c.updated_at)).scalars().all()  # type: ignore[attr-defined]
    assert ordered == ids
