"""Data the server itself provides: the default 信息报送 deadline and grading tables
(DOMAIN.md), and the sample county on request.

Seeded through the normal push path, i.e. the shared domain's mutations, as the account 系统
(so it gets versions, audit entries and reaches every workstation by pull); workstations that
loaded the same defaults or sample offline push identical records, which the server treats as
already applied. The calls come from ``console.domain`` and the sample file from
``console.resources``: the server imports nothing of the workstation.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import Engine, func, select, update

from console.domain import beijing
from console.domain.default_rules import default_rule_calls, upgrade_calls
from console.domain.grading import default_grading_calls
from console.domain.guides import default_guide_calls
from console.domain.hlc import HybridLogicalClock
from console.domain.mutations import SCHEMA_VERSION
from console.domain.roles import ADMIN, SYSTEM_USER
from console.domain.rows import MutationCall
from console.domain.sample import (
    PUBLIC_CASES_FILE,
    SAMPLE_FILE,
    SAMPLE_INCIDENTS_FILE,
    build_calls,
    build_case_calls,
    build_incident_calls,
)
from console.domain.schema import GradingRule, GuideItem, ReportRule
from console.resources import read_text
from server import sync_service
from server.auth import Principal
from server.schema import ServerState

SEED_CLIENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "duty-server:seed"))
SEED_USER = Principal(SYSTEM_USER, ADMIN)


def _push_as_system(engine: Engine, calls: list[MutationCall]) -> int:
    last = sync_service.last_mutation_id(engine, SEED_CLIENT_ID)
    clock = HybridLogicalClock("server")
    mutations = [
        sync_service.PushedMutation(int(last) + i + 1, name, args, clock.now(), SCHEMA_VERSION)
        for i, (name, args) in enumerate(calls)
    ]
    for start in range(0, len(mutations), 500):
        sync_service.push(engine, SEED_USER, SEED_CLIENT_ID, mutations[start : start + 500])
    return len(mutations)


def load_sample(engine: Engine) -> int:
    """``duty-server load-sample``: the Suichang sample county (样例数据) for demos and
    training; identical to what a workstation loads, so the two never duplicate. Makes the
    server a demo server for good: from then on it accepts sample-marked mutations."""
    with engine.begin() as conn:  # first: the sample's mutations are refused otherwise
        conn.execute(update(ServerState).where(ServerState.id == 1).values(demo=True))
    county = json.loads(read_text(*SAMPLE_FILE))
    incidents = json.loads(read_text(*SAMPLE_INCIDENTS_FILE))
    calls = build_calls(county) + build_incident_calls(incidents, county, beijing.now())
    calls += build_case_calls(json.loads(read_text(*PUBLIC_CASES_FILE)))
    return _push_as_system(engine, calls)


def seed_defaults(engine: Engine) -> int:
    """Push the default reporting and grading rules and the draft response guides, each
    table only if it never held any row, and replace the untouched rows of the first
    reporting table; returns how many mutations were pushed."""
    calls = []
    with engine.connect() as conn:
        rules = [dict(r) for r in conn.execute(select(ReportRule.__table__)).mappings()]
        calls += upgrade_calls(rules) if rules else default_rule_calls()
        if not conn.execute(select(func.count()).select_from(GradingRule)).scalar_one():
            calls += default_grading_calls()
        if not conn.execute(select(func.count()).select_from(GuideItem)).scalar_one():
            calls += default_guide_calls()
    return _push_as_system(engine, calls) if calls else 0
