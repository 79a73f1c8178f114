"""载入公开案例: the bundled real public cases become the county's own records on a
workstation that holds the county's data, not the sample: placed in its townships by name,
synced like any record, found by a two-character search; loading twice adds nothing."""

from __future__ import annotations

import json

from sqlalchemy import select

from console.domain.ids import new_id
from console.domain.sample import PUBLIC_CASES_FILE
from console.domain.schema import Case
from console.resources import read_text
from console.services.cases import CaseFilter, CaseService, search_cases
from console.services.queries import Queries
from console.store.database import Store
from console.store.writer import Writer


def test_public_cases_join_the_countys_own_library(store: Store, writer: Writer) -> None:
    town = new_id()  # the county's own township record (imported), not the sample's id
    writer.apply([("township.upsert", {"id": town, "name": "北界镇", "kind": "镇"})], user="甲")
    before = Queries(store).sync_counters().pending
    service = CaseService(writer)
    public = json.loads(read_text(*PUBLIC_CASES_FILE))["cases"]
    assert service.load_public_cases(user="甲") == len(public)
    [found] = [c for c in search_cases(store, CaseFilter(text="滑坡")) if "苏村" in c["title"]]
    with store.engine.connect() as conn:
        row = conn.execute(select(Case.__table__).where(Case.__table__.c.id == found["id"]))
        case = dict(row.mappings().one())
    assert case["township_id"] == town and not case["is_sample"] and case["source"]
    assert case["status"] == "已发布"
    # The county's records: they go to the server with the next sync.
    assert Queries(store).sync_counters().pending == before + len(public)
    assert service.load_public_cases(user="甲") == 0  # loading twice adds nothing
