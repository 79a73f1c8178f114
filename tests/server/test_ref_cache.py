"""The per-push reference cache never lets a write through to a record deleted earlier in
the same push, nor one whose creation was rolled back."""

from __future__ import annotations

from pathlib import Path

from console.domain.ids import new_id, reference_id
from console.domain.mutations import SCHEMA_VERSION
from server.auth import Principal
from server.db import make_engine, migrate
from server.sync_service import PushedMutation, push

LEADER = Principal("li", "leader")
OFFICER = Principal("zhang", "officer")


def _m(i: int, name: str, args: dict[str, object]) -> PushedMutation:
    return PushedMutation(i, name, args, f"0001795877847773-{i:05d}-t", SCHEMA_VERSION)


def _incident(town: str) -> dict[str, object]:
    return {
        "id": new_id(),
        "received_at": "2026-11-28T10:00:00+08:00",
        "category": "自然灾害",
        "title": "测试",
        "township_id": town,
    }


def test_delete_in_the_same_push_invalidates_the_cache(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    town = reference_id("township", "北界镇")
    client = new_id()
    _, results = push(
        engine,
        LEADER,
        client,
        [
            _m(1, "township.upsert", {"id": town, "name": "北界镇", "kind": "镇"}),
            _m(2, "incident.create", _incident(town)),  # looks the township up: cached
            _m(3, "township.delete", {"id": town}),
            _m(4, "incident.create", _incident(town)),  # must see the tombstone
        ],
    )
    assert [r.status for r in results] == ["applied", "applied", "applied", "rejected"]
    assert results[3].code == "missing_ref"


def test_group_replay_after_an_undone_change_keeps_lookups_right(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    town = reference_id("township", "焦滩乡")
    client = new_id()
    # An officer may create the township but not delete it: the delete is undone after it
    # ran, which rolls the optimistic group back and replays it mutation by mutation.
    _, results = push(
        engine,
        OFFICER,
        client,
        [
            _m(1, "township.upsert", {"id": town, "name": "焦滩乡", "kind": "乡"}),
            _m(2, "incident.create", _incident(town)),
            _m(3, "township.delete", {"id": town}),
            _m(4, "incident.create", _incident(town)),
        ],
    )
    assert [r.status for r in results] == ["applied", "applied", "rejected", "applied"]
    assert results[2].code == "forbidden"
    missing = new_id()
    _, later = push(engine, OFFICER, client, [_m(5, "incident.create", _incident(missing))])
    assert later[0].code == "missing_ref"
