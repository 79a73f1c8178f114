"""案例一个库 and the 预案 library across workstations: a plan added on one is found on the
other by a two-character query; a case drafted and edited on one, published on another
(as the duty leader), is the same on both after sync, found there by 滑坡, and every replica
converges on the same digest."""

from __future__ import annotations

from pathlib import Path

from sync_testkit import sync_once_cli

from console.domain import catalog
from console.domain.digest import database_digest
from console.services.cases import CaseFilter, CaseService, read_case, search_cases
from console.services.context import open_workstation
from console.services.plans import PlanService, search_plans
from testkit.server import ServerProcess


def test_a_case_drafted_on_one_workstation_is_published_on_another(
    server: ServerProcess, tmp_path: Path
) -> None:
    dirs = [tmp_path / name for name in ("a", "b")]
    for d in dirs:
        open_workstation(d, sample_incidents=False).close()
    a = open_workstation(dirs[0], autoload=False)
    service = CaseService(a.writer)
    case_id = service.create(
        {"title": "某村后山滑坡", "hazard": "滑坡", "occurred_on": "2024-06-18"}, user="zhang"
    )
    service.update(case_id, {"lessons": "雨前转移隐患点人员"}, user="zhang")
    plan_id = PlanService(a.writer, dirs[0]).save(
        {"title": "遂昌县突发地质灾害应急预案", "kind": "专项预案", "level": "县级"},
        user="zhang",
    )
    a.close()
    for d in dirs:
        assert sync_once_cli(server.url, d).returncode == 0
    b = open_workstation(dirs[1], autoload=False)
    try:
        [found] = search_cases(b.store, CaseFilter(text="滑坡"))
        assert found["id"] == case_id and found["status"] == catalog.CASE_DRAFT
        [plan] = search_plans(b.store, "地质")
        assert plan["id"] == plan_id
        CaseService(b.writer).publish(case_id, user="li")
    finally:
        b.close()
    # publishing is the duty leader's call: pushed as li (leader), refused from an officer
    assert sync_once_cli(server.url, dirs[1], user="li").returncode == 0
    assert sync_once_cli(server.url, dirs[0]).returncode == 0
    digests = []
    for d in dirs:
        w = open_workstation(d, autoload=False)
        try:
            case = read_case(w.store, case_id)
            assert case is not None
            assert (case["status"], case["lessons"]) == (
                catalog.CASE_PUBLISHED,
                "雨前转移隐患点人员",
            )
            with w.store.engine.connect() as conn:
                digests.append(database_digest(conn)[0])
        finally:
            w.close()
    assert digests[0] == digests[1]
