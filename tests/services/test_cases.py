"""案例一个库 on a real workstation store: the bundled 苏村 case is found by the two-character
query 滑坡 (the bigram index), filters narrow the list, a closed incident becomes a case
draft with its timeline, reports and figures in one write, and similar cases come with
their reason."""

from __future__ import annotations

from typing import Any

import pytest

from console.domain import catalog
from console.domain.ids import new_id, reference_id
from console.services.cases import (
    NOT_CLOSED,
    CaseError,
    CaseFilter,
    CaseService,
    case_years,
    draft_id,
    read_case,
    search_cases,
    similar_to_incident,
)
from console.services.sample_data import load_sample
from console.store.database import Store
from console.store.writer import Writer

SUCUN = "北界镇苏村“9·28”山体滑坡"
LIDONG = "丽水市莲都区雅溪镇里东村“11·13”山体滑坡"
BEIJIE = reference_id("township", "北界镇")
USER = "值班员甲"


def _titles(rows: list[dict[str, Any]]) -> list[str]:
    return [r["title"] for r in rows]


@pytest.fixture
def library(store: Store, writer: Writer) -> Store:
    load_sample(writer, user="系统", incidents=False)
    return store


def test_every_bundled_case_cites_its_sources(library: Store) -> None:
    for row in search_cases(library, CaseFilter()):
        case = read_case(library, row["id"])
        assert case is not None and case["source"] and "据公开报道" in case["course"]


def test_the_sucun_case_is_bundled_published_with_its_sources(library: Store) -> None:
    (row,) = search_cases(library, CaseFilter(text="苏村"))
    case = read_case(library, row["id"])
    assert case is not None
    assert (case["title"], case["occurred_on"], case["hazard"]) == (SUCUN, "2016-09-28", "滑坡")
    assert case["township"] == "北界镇" and case["is_sample"]
    assert case["status"] == catalog.CASE_PUBLISHED
    assert "中新网 2016-10-09" in case["source"] and "据公开报道" in case["course"]
    assert (case["dead"], case["missing"]) == (19, 8)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("滑坡", [SUCUN, LIDONG]),  # most recent first
        ("坡", [SUCUN, LIDONG]),
        ("苏村", [SUCUN]),
        ("堰塞湖", [SUCUN]),
        ("北界镇苏村", [SUCUN]),
        ("里东", [LIDONG]),
        ("水土饱和", [LIDONG]),
    ],
)
def test_two_character_and_longer_queries_find_the_cases(
    library: Store, query: str, found: list[str]
) -> None:
    assert _titles(search_cases(library, CaseFilter(text=query))) == found


@pytest.mark.parametrize("query", ["山洪", "火灾", "苏坡", "！"])
def test_queries_the_case_does_not_contain_find_nothing(library: Store, query: str) -> None:
    assert search_cases(library, CaseFilter(text=query)) == []


def test_filters_by_hazard_township_and_year(library: Store, writer: Writer) -> None:
    other = {"id": new_id(), "title": "金竹镇山洪", "hazard": "山洪", "occurred_on": "2020-06-10"}
    writer.apply([("case.create", other)], user=USER)
    assert _titles(search_cases(library, CaseFilter())) == ["金竹镇山洪", SUCUN, LIDONG]
    assert _titles(search_cases(library, CaseFilter(hazard="滑坡"))) == [SUCUN, LIDONG]
    assert _titles(search_cases(library, CaseFilter(township_id=BEIJIE))) == [SUCUN]
    assert _titles(search_cases(library, CaseFilter(year=2020))) == ["金竹镇山洪"]
    assert _titles(search_cases(library, CaseFilter(text="滑坡", year=2015))) == [LIDONG]
    assert _titles(search_cases(library, CaseFilter(text="山洪", year=2016))) == []
    assert case_years(library) == [2020, 2016, 2015]
    # an edit is indexed: the trigger follows the update
    CaseService(writer).update(other["id"], {"lessons": "涉水路段封控"}, user=USER)
    assert _titles(search_cases(library, CaseFilter(text="封控"))) == ["金竹镇山洪"]


def _closed_landslide(writer: Writer) -> str:
    incident_id = new_id()
    writer.apply(
        [
            (
                "incident.create",
                {
                    "id": incident_id,
                    "received_at": "2026-09-20T14:05:00+08:00",
                    "category": "自然灾害",
                    "subtype": "地质",
                    "sub_hazard": "滑坡",
                    "title": "北界镇某村后山滑坡",
                    "description": "受台风影响持续降雨，后山土石滑落，冲毁民房1间",
                    "township_id": BEIJIE,
                    "address": "后山",
                    "injured": 1,
                    "evacuated": 23,
                    "economic_loss": 12.5,
                    "teams_assigned": "县应急救援队",
                },
            ),
            (
                "timeline.append",
                {
                    "id": new_id(),
                    "incident_id": incident_id,
                    "kind": "处置",
                    "body": "转移后山下23人至村文化礼堂",
                    "at": "2026-09-20T14:30:00+08:00",
                },
            ),
            (
                "report.record_sent",
                {
                    "id": new_id(),
                    "timeline_id": new_id(),
                    "incident_id": incident_id,
                    "stage": "初报",
                    "channel": "电话",
                    "sent_at": "2026-09-20T14:40:00+08:00",
                    "recipient": "市应急管理局",
                    "body": "初报正文",
                },
            ),
        ],
        user=USER,
    )
    return incident_id


def test_a_closed_incident_becomes_a_case_draft_in_one_write(
    library: Store, writer: Writer
) -> None:
    incident_id = _closed_landslide(writer)
    service = CaseService(writer)
    with pytest.raises(CaseError, match=NOT_CLOSED):
        service.draft_from_incident(incident_id, user=USER)
    writer.apply(
        [
            (
                "incident.set_status",
                {
                    "id": incident_id,
                    "status": "已结案",
                    "reason": "险情已排除",
                    "at": "2026-09-21T09:00:00+08:00",
                    "timeline_id": new_id(),
                },
            )
        ],
        user=USER,
    )
    case_id = service.draft_from_incident(incident_id, user=USER)
    assert case_id == draft_id(incident_id)
    case = read_case(library, case_id)
    assert case is not None
    assert case["status"] == catalog.CASE_DRAFT and case["incident_id"] == incident_id
    assert (case["hazard"], case["occurred_on"], case["rain_pattern"]) == (
        "滑坡",
        "2026-09-20",
        "台风雨",
    )
    assert case["place"] == "北界镇后山" and case["township"] == "北界镇"
    assert "2026-09-20 14:30 〔处置〕转移后山下23人至村文化礼堂" in case["course"]
    assert "2026-09-20 14:40 初报（电话）报市应急管理局" in case["response"]
    assert "处置队伍：县应急救援队" in case["response"]
    assert (case["injured"], case["evacuated"], case["economic_loss"]) == (1, 23, 12.5)
    assert case["losses"] == "受伤1人、转移23人；直接经济损失12.5万元。"
    assert "2026-09-21 09:00结案" in case["source"]
    # a second request finds the draft instead of making another
    assert service.draft_from_incident(incident_id, user=USER) == case_id
    assert len(search_cases(library, CaseFilter(text="后山"))) == 1
    # the draft is found by the library's search, then published
    service.publish(case_id, user=USER)
    published = read_case(library, case_id)
    assert published is not None and published["status"] == catalog.CASE_PUBLISHED


def test_the_sucun_case_is_offered_for_a_landslide_in_beijie(
    library: Store, writer: Writer
) -> None:
    incident_id = _closed_landslide(writer)
    (sucun, first), (lidong, second) = similar_to_incident(library, incident_id)
    assert (sucun["title"], lidong["title"]) == (SUCUN, LIDONG)
    # 滑坡 40 + 北界镇 25 + 台风雨 20 + September 15
    assert first.score == 100
    assert first.reason == "同为滑坡；同在北界镇；同为台风雨；同为9月"
    # 里东村: only the hazard (another county, continuous rain, November)
    assert (second.score, second.reason) == (40, "同为滑坡")
