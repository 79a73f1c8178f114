"""The writer looks referenced records up once per batch (the sample county's load), without
ever letting a reference to a record that is gone pass: a record deleted earlier in the same
batch is refused, and a failed batch leaves no cache behind on the pooled connection."""

from __future__ import annotations

import pytest

from console.domain.ids import new_id
from console.domain.mutations import REF_CACHE, MutationRejected
from console.store.database import Store
from console.store.writer import Writer


def test_a_record_deleted_earlier_in_the_batch_is_not_referenced(
    store: Store, writer: Writer
) -> None:
    town = new_id()
    village = new_id()
    writer.apply([("township.upsert", {"id": town, "name": "北界镇", "kind": "镇"})], user="甲")
    with pytest.raises(MutationRejected) as refused:
        writer.apply(
            [
                ("village.upsert", {"id": new_id(), "township_id": town, "name": "苏村"}),
                ("township.delete", {"id": town}),  # leader's work, in one batch
                ("village.upsert", {"id": village, "township_id": town, "name": "长濂村"}),
            ],
            user="甲",
        )
    assert refused.value.message == "“所属乡镇”指向的记录不存在"
    with store.engine.connect() as conn:
        assert REF_CACHE not in conn.info  # the failed batch left nothing behind
    # all or nothing: the township is still there and takes the village now
    writer.apply(
        [("village.upsert", {"id": village, "township_id": town, "name": "长濂村"})], user="甲"
    )
    with store.engine.connect() as conn:
        assert REF_CACHE not in conn.info
