"""Data the server itself provides: the default 信息报送 deadline table (DOMAIN.md).

Seeded through the normal push path as the account 系统 (so it gets versions, audit entries
and reaches every workstation by pull); workstations that loaded the same defaults offline
push identical records, which the server treats as already applied.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, func, select

from console.domain.hlc import HybridLogicalClock
from console.domain.mutations import SCHEMA_VERSION
from console.domain.roles import ADMIN
from console.domain.schema import ReportRule
from server import sync_service
from server.auth import Principal

SEED_CLIENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "duty-server:seed"))
SEED_USER = Principal("系统", ADMIN)


def seed_defaults(engine: Engine) -> int:
    """Push the default rules if the server never held any; returns how many were pushed."""
    from console.services.report_rules import default_rule_calls

    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(ReportRule)).scalar_one():
            return 0
        last = (
            conn.execute(
                select(sync_service.SyncClient.last_mutation_id).where(
                    sync_service.SyncClient.client_id == SEED_CLIENT_ID
                )
            ).scalar()
            or 0
        )
    clock = HybridLogicalClock("server")
    mutations = [
        sync_service.PushedMutation(int(last) + i + 1, name, args, clock.now(), SCHEMA_VERSION)
        for i, (name, args) in enumerate(default_rule_calls())
    ]
    sync_service.push(engine, SEED_USER, SEED_CLIENT_ID, mutations)
    return len(mutations)
