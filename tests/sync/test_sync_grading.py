"""The grading table through a real server: the defaults both sides load are one set of
records, a leader's change reaches every workstation, an officer's is refused."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sync_testkit import PASSWORDS

from console.domain.digest import database_digest
from console.domain.grading import DEFAULT_GRADING, grading_rule_args
from console.domain.schema import GradingRule
from console.services.context import Workstation, open_workstation
from console.services.sync_issues import SyncIssues
from console.sync.client import SyncClient
from console.sync.engine import SyncEngine
from testkit.server import ServerProcess


def _sync(ws: Workstation, server: ServerProcess, user: str) -> int:
    client = SyncClient(server.url)
    client.login(user, PASSWORDS[user][1])
    return SyncEngine(ws.store, client).sync_once().issues


def _rows(ws: Workstation) -> dict[str, tuple[object, ...]]:
    t = GradingRule.__table__
    with ws.store.engine.connect() as conn:
        return {
            r.id: (r.subtype, r.metric, r.min_large, r.deleted)
            for r in conn.execute(select(t))  # type: ignore[attr-defined]
        }


def test_leader_changes_reach_every_workstation_and_officers_cannot(
    server: ServerProcess, tmp_path: Path
) -> None:
    a, b = open_workstation(tmp_path / "a"), open_workstation(tmp_path / "b")
    try:
        assert len(_rows(a)) == len(DEFAULT_GRADING)  # a standalone start loads the law
        assert _sync(a, server, "li") == 0 and _sync(b, server, "zhang") == 0
        assert _rows(a) == _rows(b)  # loaded on both and on the server: one set of records
        county = grading_rule_args("自然灾害", "地质", "死亡", (30, 10, 3, 1), "县应急预案")
        a.writer.apply([("grading_rule.upsert", county)], user="li")
        assert _sync(a, server, "li") == 0
        assert _sync(b, server, "zhang") == 0
        assert _rows(b)[county["id"]] == ("地质", "死亡", 3.0, False)
        # The officer's own change is refused by the server and undone on the workstation.
        b.writer.apply([("grading_rule.upsert", {**county, "min_large": 5.0})], user="zhang")
        assert _sync(b, server, "zhang") == 1
        (issue,) = SyncIssues(b.writer).list()
        assert issue.kind == "rejected" and "无权" in issue.message
        assert _rows(b)[county["id"]] == ("地质", "死亡", 3.0, False)
        _sync(a, server, "li")
        for ws in (a, b):
            with ws.store.engine.connect() as conn:
                digests = database_digest(conn)[0]
            assert digests == server.cli("digest").stdout.strip()
    finally:
        a.close()
        b.close()
