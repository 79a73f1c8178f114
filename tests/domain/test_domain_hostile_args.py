"""No mutation crashes on hostile arguments: the server runs them on whatever a workstation
(or anyone with a token) sends, so anything but a MutationRejected is a bug."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Connection

from console.domain.hlc import HybridLogicalClock
from console.domain.ids import new_id
from console.domain.mutations import REGISTRY, MutationContext, MutationRejected, run_mutation
from console.domain.schema import ENTITY_FIELDS

KEYS = sorted(
    {k for specs in ENTITY_FIELDS.values() for k in specs}
    | {"fields", "status", "reason", "before", "timeline_id", "at"}
)
VALUES: list[object] = [None, 7, True, ["x"], {"title": 5}, float("inf")]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_hostile_arguments_are_rejected_not_crashed(name: str, conn: Connection) -> None:
    clock = HybridLogicalClock("fuzz")
    incident_id = new_id()
    setup = MutationContext(user="u", client_id="c", hlc=clock.now())
    run_mutation(
        conn,
        "incident.create",
        {
            "id": incident_id,
            "received_at": "2026-11-28T09:30:00+08:00",
            "category": "自然灾害",
            "title": "测试事件",
        },
        setup,
    )
    crashes: list[tuple[dict[str, Any], str]] = []
    for i, key in enumerate(KEYS):
        record_id = incident_id if i % 2 else new_id()  # an existing record, or a new one
        for value in VALUES:
            args = {"id": record_id, key: value}
            ctx = MutationContext(user="u", client_id="c", hlc=clock.now())
            try:
                with conn.begin_nested():
                    run_mutation(conn, name, args, ctx)
            except MutationRejected:
                pass
            except Exception as exc:  # the point of the test: anything else is a bug
                crashes.append((args, f"{type(exc).__name__}: {exc}"[:120]))
    assert crashes == []
