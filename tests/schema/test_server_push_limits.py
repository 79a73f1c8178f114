"""The server's push path with values at the limits, on SQLite and PostgreSQL: an account
name of the longest allowed length pushes and is recorded everywhere (records, clients, audit);
a value one past a limit is a rejection of that mutation only, never a database error that
would make the push fail again on every retry."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from console.domain.fields import ACCOUNT_MAX_LEN
from console.domain.ids import new_id
from console.domain.schema import Incident, TimelineEntry
from server.auth import Principal, create_user
from server.schema import AuditEntry, SyncClient
from server.sync_service import PushedMutation, push

LONGEST_USER = "值" * ACCOUNT_MAX_LEN
HLC = "0001732781234567-00000-c0ffee00"


def _mutation(mutation_id: int, name: str, args: dict[str, object]) -> PushedMutation:
    return PushedMutation(mutation_id, name, args, HLC, 1)


def test_longest_account_pushes_and_a_too_long_time_is_only_rejected(
    server_engine: Engine,
) -> None:
    create_user(server_engine, LONGEST_USER, "officer", "password-123")
    who = Principal(LONGEST_USER, "officer")
    client = new_id()
    incident = new_id()
    create = {
        "id": incident,
        "received_at": "2026-11-28T14:05:00.123456+08:00",
        "category": "自然灾害",
        "title": "北界镇山体滑坡",
        "recorder": LONGEST_USER,
    }
    append = {
        "id": new_id(),
        "incident_id": incident,
        "kind": "处置",
        "body": "队伍出发",
        "at": "2026-11-28T14:05:00.123456789+08:00",  # nanoseconds: one past the column
    }
    last, results = push(
        server_engine,
        who,
        client,
        [_mutation(1, "incident.create", create), _mutation(2, "timeline.append", append)],
    )
    assert last == 2
    assert [(r.status, r.code) for r in results] == [("applied", ""), ("rejected", "bad_time")]

    append["at"] = "2026-11-28T14:06:00+08:00"
    last, results = push(server_engine, who, client, [_mutation(3, "timeline.append", append)])
    assert last == 3 and results[0].status == "applied"
    with server_engine.connect() as conn:
        assert conn.execute(select(Incident.recorder, Incident.updated_by)).one() == (
            LONGEST_USER,
            LONGEST_USER,
        )
        assert conn.execute(select(TimelineEntry.author)).scalar_one() == LONGEST_USER
        assert conn.execute(select(SyncClient.username)).scalar_one() == LONGEST_USER
        audited = select(func.count()).where(AuditEntry.username == LONGEST_USER)
        assert conn.execute(audited).scalar_one() == 3
