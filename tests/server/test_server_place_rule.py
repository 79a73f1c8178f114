"""The server enforces the place rule of the reference records (the village must be one of
the chosen township's), whatever a workstation's form allowed."""

from __future__ import annotations

from pathlib import Path

from console.domain.ids import new_id, reference_id
from console.domain.mutations import SCHEMA_VERSION
from server.auth import Principal
from server.db import make_engine, migrate
from server.sync_service import PushedMutation, push

OFFICER = Principal("zhang", "officer")


def _m(i: int, name: str, args: dict[str, object]) -> PushedMutation:
    return PushedMutation(i, name, args, f"0001795877847773-{i:05d}-t", SCHEMA_VERSION)


def test_a_shelter_in_a_village_of_another_township_is_rejected(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    north, town = reference_id("township", "北界镇"), reference_id("township", "妙高街道")
    su = reference_id("village", "北界镇", "苏村")
    shelter = {"id": reference_id("shelter", "北界镇", "苏村礼堂"), "name": "苏村礼堂"}
    _, results = push(
        engine,
        OFFICER,
        new_id(),  # a canonical UUID, as the server requires of a client id
        [
            _m(1, "township.upsert", {"id": north, "name": "北界镇", "kind": "镇"}),
            _m(2, "township.upsert", {"id": town, "name": "妙高街道", "kind": "街道"}),
            _m(3, "village.upsert", {"id": su, "township_id": north, "name": "苏村"}),
            _m(4, "shelter.upsert", {**shelter, "township_id": town, "village_id": su}),
            _m(5, "shelter.upsert", {**shelter, "township_id": north, "village_id": su}),
        ],
    )
    assert [r.status for r in results] == ["applied"] * 3 + ["rejected", "applied"]
    assert results[3].code == "bad_place"
