"""The read side: pending outbox work and sync counters follow every write."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from console.domain.ids import new_id, reference_id
from console.domain.mutations import MutationRejected
from console.domain.schema import Incident, Township
from console.services.queries import Queries
from console.store.database import Store
from console.store.writer import Writer


def incident(**extra: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "received_at": "2026-11-28T09:30:00+08:00",
        "category": "事故灾难",
        "subtype": "交通运输",
        "grade": "一般",
        "title": "龙洋乡道路塌方",
        **extra,
    }


def ack(store: Store, upto: int) -> None:
    """What a successful push records (a local table, written directly)."""
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("UPDATE client_state SET last_acked_mutation_id = ?", (upto,))
    conn.close()


def test_fresh_store_has_nothing_pending(store: Store, queries: Queries) -> None:
    counters = queries.sync_counters()
    assert counters.client_id == store.client_id
    assert (counters.next_mutation_id, counters.last_acked_mutation_id) == (1, 0)
    assert counters.pending == 0
    assert queries.pending_mutations() == []


def test_pending_mutations_follow_writes(store: Store, writer: Writer, queries: Queries) -> None:
    first = incident()
    writer.apply([("incident.create", first)], user="甲")
    tid = reference_id("township", "龙洋乡")
    batch = [
        ("township.upsert", {"id": tid, "name": "龙洋乡", "kind": "乡"}),
        ("incident.update", {"id": first["id"], "fields": {"township_id": tid}}),
    ]
    writer.apply(batch, user="乙")

    pending = queries.pending_mutations()
    assert [p.mutation_id for p in pending] == [3, 2, 1]  # newest first
    assert [p.name for p in pending] == ["incident.update", "township.upsert", "incident.create"]
    assert [p.user for p in pending] == ["乙", "乙", "甲"]
    assert json.loads(pending[2].args) == first
    assert pending[0].hlc > pending[1].hlc > pending[2].hlc
    assert queries.sync_counters().pending == 3
    assert [p.mutation_id for p in queries.pending_mutations(limit=2)] == [3, 2]


def test_rejected_writes_leave_counters_alone(writer: Writer, queries: Queries) -> None:
    writer.apply([("incident.create", incident())], user="甲")
    with pytest.raises(MutationRejected):
        writer.apply([("incident.create", incident(grade="特别特别大"))], user="甲")
    assert queries.sync_counters().next_mutation_id == 2
    assert len(queries.pending_mutations()) == 1


def test_acknowledged_mutations_are_no_longer_pending(
    store: Store, writer: Writer, queries: Queries
) -> None:
    for _ in range(5):
        writer.apply([("incident.create", incident())], user="甲")
    ack(store, 3)
    counters = queries.sync_counters()
    assert (counters.next_mutation_id, counters.last_acked_mutation_id) == (6, 3)
    assert counters.pending == 2
    assert [p.mutation_id for p in queries.pending_mutations()] == [5, 4]


def test_tombstoned_records_are_not_listed(writer: Writer, queries: Queries) -> None:
    towns = [
        ("township.upsert", {"id": reference_id("township", n), "name": n, "kind": "乡"})
        for n in ("湖山乡", "蔡源乡", "焦滩乡")
    ]
    inc = incident()
    writer.apply([*towns, ("incident.create", inc)], user="甲")
    writer.apply(
        [
            ("township.delete", {"id": reference_id("township", "蔡源乡")}),
            ("incident.delete", {"id": inc["id"]}),
        ],
        user="甲",
    )
    assert [t["name"] for t in queries.townships()] == sorted(["湖山乡", "焦滩乡"])
    assert queries.count(Township) == 2
    assert queries.count(Incident) == 0
    assert queries.incident_count() == 0
    assert queries.sync_counters().pending == 6
