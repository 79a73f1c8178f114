"""The 基础数据 write path: a record saved and deleted through Writer.apply on a real
sample workstation (outbox rows included), with the refusals the forms show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from console.domain.fields import MutationRejected
from console.domain.ids import reference_id
from console.services.context import Workstation, open_workstation
from console.services.reference_data import ReferenceData
from console.store.records import OutboxEntry

NORTH = reference_id("township", "北界镇")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    workstation = open_workstation(tmp_path / "ws", demo=True, sample_incidents=False)
    yield workstation
    workstation.close()


def last_outbox(ws: Workstation) -> tuple[str, dict[str, object]]:
    with ws.store.engine.connect() as conn:
        entry = conn.execute(
            select(OutboxEntry.name, OutboxEntry.args).order_by(OutboxEntry.mutation_id.desc())
        ).first()
    assert entry is not None
    return entry[0], json.loads(entry[1])


def test_a_new_village_gets_its_natural_key_id_and_is_pushed(ws: Workstation) -> None:
    data = ReferenceData(ws.writer)
    saved = data.save("villages", {"township_id": NORTH, "name": "新建村"}, user="值班员")
    assert saved == reference_id("village", "北界镇", "新建村")
    name, args = last_outbox(ws)
    assert name == "village.upsert" and args["id"] == saved and "is_sample" not in args
    snapshot = data.snapshot()
    assert snapshot.names("villages")[saved] == "新建村"
    # Typed again (as on another workstation): refused here, not overwritten.
    with pytest.raises(MutationRejected) as refused:
        data.save("villages", {"township_id": NORTH, "name": "新建村"}, user="值班员")
    assert refused.value.message == "已有相同的村（社区）记录（北界镇 新建村）"


def test_an_edited_sample_record_stays_sample(ws: Workstation) -> None:
    data = ReferenceData(ws.writer)
    team = next(r for r in data.snapshot().rows["teams"] if r["is_sample"])
    values = {k: team[k] for k in ("name", "kind", "members", "leader")}
    data.save(
        "teams", {**values, "members": 99}, user="值班员", record_id=team["id"], is_sample=True
    )
    edited = next(r for r in data.snapshot().rows["teams"] if r["id"] == team["id"])
    assert edited["members"] == 99 and edited["is_sample"] is True


def test_delete_refused_while_referenced_then_allowed(ws: Workstation) -> None:
    data = ReferenceData(ws.writer)
    with pytest.raises(MutationRejected) as refused:
        data.delete("townships", NORTH, user="领导")
    assert refused.value.code == "referenced" and "“北界镇”仍被" in refused.value.message
    assert NORTH in data.snapshot().names("townships")
    lonely = data.save("townships", {"name": "测试乡", "kind": "乡"}, user="领导")
    data.delete("townships", lonely, user="领导")
    assert lonely not in data.snapshot().names("townships")
    assert last_outbox(ws) == ("township.delete", {"id": lonely})
