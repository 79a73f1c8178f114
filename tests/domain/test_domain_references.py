"""Rules between reference records: a village belongs to its township; who still points at
a record (the refusal to delete it); the natural-key ids of new records."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Connection

from console.domain.ids import is_uuid, reference_id
from console.domain.mutations import MutationRejected
from console.domain.reference_tables import REFERENCE_TABLES, reference_table
from console.domain.references import referrers, referring_columns, refuse_if_referenced
from console.domain.schema import ENTITY_FIELDS

NORTH = reference_id("township", "北界镇")
TOWN = reference_id("township", "妙高街道")
SU = reference_id("village", "北界镇", "苏村")


@pytest.fixture
def county(run: Any) -> None:
    run("township.upsert", {"id": NORTH, "name": "北界镇", "kind": "镇"})
    run("township.upsert", {"id": TOWN, "name": "妙高街道", "kind": "街道"})
    run("village.upsert", {"id": SU, "township_id": NORTH, "name": "苏村"})


@pytest.mark.usefixtures("county")
@pytest.mark.parametrize(
    ("entity", "extra"), [("shelter", {}), ("risk_point", {"type": "山洪危险区"})]
)
def test_a_village_of_another_township_is_refused(
    run: Any, entity: str, extra: dict[str, Any]
) -> None:
    record = {"id": reference_id(entity, "x"), "name": "测试", "village_id": SU, **extra}
    with pytest.raises(MutationRejected) as refused:
        run(f"{entity}.upsert", {**record, "township_id": TOWN})
    assert (refused.value.code, refused.value.message) == (
        "bad_place",
        "“所属村”不属于所选乡镇，请重新选择",
    )
    run(f"{entity}.upsert", {**record, "township_id": NORTH})  # its own township: fine
    # Changing only the township is judged against the stored village.
    with pytest.raises(MutationRejected):
        run(f"{entity}.upsert", {"id": record["id"], "township_id": TOWN})
    run(f"{entity}.upsert", {"id": record["id"], "township_id": TOWN, "village_id": None})


@pytest.mark.usefixtures("county")
def test_referrers_are_counted_and_refused(conn: Connection, run: Any) -> None:
    assert ("villages", "township_id") in referring_columns("townships")
    assert referrers(conn, "townships", NORTH) == {"villages": 1}
    with pytest.raises(MutationRejected) as refused:
        refuse_if_referenced(conn, "townships", NORTH, "北界镇")
    assert (
        refused.value.message
        == "“北界镇”仍被 1 个村（社区）引用，不能删除。请先修改或删除这些记录。"
    )
    refuse_if_referenced(conn, "townships", TOWN, "妙高街道")  # nobody points at it
    run("village.delete", {"id": SU})
    assert referrers(conn, "townships", NORTH) == {}  # tombstones do not count


def test_new_ids_are_the_samples_natural_keys() -> None:
    names = {NORTH: "北界镇"}

    def name_of(_table: str, record_id: str) -> str:
        return names[record_id]

    village = reference_table("villages").new_record_id(
        {"township_id": NORTH, "name": "苏村"}, name_of
    )
    assert village == SU
    risk = reference_table("risk_points").new_record_id(
        {"township_id": NORTH, "type": "山洪危险区", "name": " 苏村后山 "}, name_of
    )
    assert risk == reference_id("risk_point", "北界镇", "山洪危险区", "苏村后山")
    station = reference_table("stations").new_record_id({"code": "63201500"}, name_of)
    assert station == reference_id("station", "63201500")


def test_every_reference_table_declares_real_fields() -> None:
    for spec in REFERENCE_TABLES:
        assert spec.name_column in ENTITY_FIELDS[spec.table]
        assert set(spec.natural_key) <= set(ENTITY_FIELDS[spec.table])
        assert "is_sample" not in spec.fields
        assert is_uuid(spec.new_record_id({k: "x" for k in spec.natural_key}, lambda _t, _i: "y"))
