"""Upgrading a server to the revision whose audit entries record hlc and version (0009).

Entries written before keep their hash (the chain still verifies), new ones carry what a
replay needs, and a replay of a log holding old applied entries says it cannot prove
anything rather than reporting every row as tampered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from schema_db import server_database
from sqlalchemy import text

from console.domain.hlc import HybridLogicalClock
from console.domain.ids import new_id
from console.domain.roles import ADMIN
from server import audit, sync_service
from server.auth import Principal
from server.db import GENESIS_HASH
from server.db import migrate as migrate_server

LEGACY_CLIENT = "c0ffee00-0000-4000-8000-000000000001"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_old_entries_keep_their_hash_and_new_ones_can_be_replayed(
    backend: str, tmp_path: Path
) -> None:
    from server.audit_proof import replay

    with server_database(backend, tmp_path, revision="0008_token_sessions") as engine:
        # an audit entry as the previous release wrote it (no hlc, no version columns)
        record = audit.AuditRecord(
            at="2026-11-01T00:00:00.000+00:00",
            username="admin",
            client_id=LEGACY_CLIENT,
            mutation_id=1,
            name="township.upsert",
            args=json.dumps({"id": new_id(), "name": "旧镇", "kind": "镇"}, ensure_ascii=False),
            result="applied",
        )
        digest = audit.entry_hash(GENESIS_HASH, 1, record)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO server_state (id, epoch, version, audit_seq, audit_head,"
                    " demo) VALUES (1, 'e', 1, 1, :h, false)"
                ),
                {"h": digest},
            )
            conn.execute(
                text(
                    "INSERT INTO audit_log (seq, at, username, client_id, mutation_id, name,"
                    " args, result, prev_hash, hash) VALUES (1, :at, :u, :c, 1, :n, :a, :r,"
                    " :p, :h)"
                ),
                {
                    "at": record.at,
                    "u": record.username,
                    "c": record.client_id,
                    "n": record.name,
                    "a": record.args,
                    "r": record.result,
                    "p": GENESIS_HASH,
                    "h": digest,
                },
            )
        migrate_server(engine)
        assert audit.verify(engine) == []

        hlc = HybridLogicalClock("t").now()
        args = {"id": new_id(), "name": "新镇", "kind": "镇"}
        pushed = sync_service.PushedMutation(1, "township.upsert", args, hlc, 1)
        sync_service.push(engine, Principal("admin", ADMIN), new_id(), [pushed])
        assert audit.verify(engine) == []
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT seq, hlc, version FROM audit_log ORDER BY seq")).all()
        assert [tuple(r) for r in rows] == [(1, None, None), (2, hlc, 2)]

        report = replay(engine)
        assert report.problems == []
        assert "entry 1" in report.impossible and "cannot be replayed" in report.impossible
