"""研判一张单 use cases on a real store: propose once per crossing set, edit a draft, sign,
revise into a new version, history, numbers, and the .docx with its marks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from docx import Document

from console.domain import beijing
from console.domain.assessment_rules import SIGNED_REFUSAL, parse_content
from console.domain.fields import MutationRejected
from console.domain.situation import Situation
from console.services.assessment_export import (
    DRAFT_MARK,
    SAMPLE_MARK,
    SIMULATED_MARK,
    export_docx,
    sheet_html,
)
from console.services.assessments import NO_READINGS, SIGN_REFUSAL, AssessmentService, may_sign
from console.services.queries import Queries
from console.store.writer import Writer
from testkit.situations import AT, TOWN_A, TOWN_B, calm_situation, flood_situation

NOW = datetime(2026, 7, 1, 6, 30, tzinfo=beijing.BEIJING)


@pytest.fixture
def service(writer: Writer) -> AssessmentService:
    return AssessmentService(writer, clock=lambda: NOW)


def test_a_crossing_set_is_proposed_once(service: AssessmentService) -> None:
    first = service.propose(flood_situation(), user="张三")
    assert first.created and first.sheet_id is not None
    again = service.propose(flood_situation(at=AT + 600), user="张三")
    assert (again.created, again.sheet_id) == (False, first.sheet_id)
    assert service.propose(calm_situation(), user="张三").sheet_id is None
    # A different crossing set (金竹镇 no longer 黄) is a new proposal.
    changed = flood_situation()
    changed = Situation(
        at=changed.at,
        townships=changed.townships[:1],
        stations=changed.stations,
        endangered=changed.endangered,
        proposed_response=changed.proposed_response,
    )
    other = service.propose(changed, user="张三")
    assert other.created and other.sheet_id != first.sheet_id
    assert [r["number"] for r in service.latest_per_series()] == [
        "研判〔2026〕2号",
        "研判〔2026〕1号",
    ]


def test_a_signed_proposal_of_the_same_crossings_is_not_proposed_again_the_same_day(
    service: AssessmentService,
) -> None:
    first = service.propose(flood_situation(), user="张三")
    assert first.sheet_id is not None
    service.sign(first.sheet_id, user="领导", role="leader")
    assert not service.propose(flood_situation(at=AT + 3600), user="张三").created
    assert service.propose(flood_situation(at=AT + 25 * 3600), user="张三").created


def test_generate_on_demand_needs_readings(service: AssessmentService) -> None:
    with pytest.raises(MutationRejected) as refused:
        service.generate(Situation(at=AT), user="张三")
    assert refused.value.message == NO_READINGS
    sheet_id = service.generate(calm_situation(), user="张三")
    row = service.get(sheet_id)
    assert row is not None and row["crossings"] == "" and row["status"] == "草稿"


def test_edit_sign_revise_and_history(service: AssessmentService) -> None:
    sheet_id = service.generate(flood_situation(), user="张三")
    service.edit(
        sheet_id,
        user="张三",
        summary="请北界镇立即转移",
        tasks=["县领导到岗", "", "北界镇转移 27 人"],
        warnings={TOWN_A: "橙", TOWN_B: ""},
        proposed_response="III",
    )
    row = service.get(sheet_id)
    assert row is not None
    content = parse_content(row["content"])
    assert content["tasks"] == [
        {"no": 1, "text": "县领导到岗"},
        {"no": 2, "text": "北界镇转移 27 人"},
    ]
    assert [w["level"] for w in content["warnings"]] == ["橙", ""]
    assert (row["highest_warning"], row["proposed_response"], row["summary"]) == (
        "橙",
        "III",
        "请北界镇立即转移",
    )
    with pytest.raises(MutationRejected, match=SIGN_REFUSAL):
        service.sign(sheet_id, user="值班员", role="officer")
    assert may_sign("leader") and may_sign(None) and not may_sign("officer")
    service.sign(sheet_id, user="带班领导", role="leader")
    signed = service.get(sheet_id)
    assert signed is not None
    assert (signed["status"], signed["signed_by"], signed["signed_at"]) == (
        "已签发",
        "带班领导",
        "2026-07-01T06:30:00+08:00",
    )
    with pytest.raises(MutationRejected) as refused:
        service.edit(sheet_id, user="张三", summary="再改")
    assert refused.value.message == SIGNED_REFUSAL
    v2 = service.revise(sheet_id, user="张三")
    service.edit(v2, user="张三", summary="第二版意见")
    assert service.get(sheet_id) == signed
    versions = service.history(signed["series_id"])
    assert [(v["revision"], v["status"], v["summary"]) for v in versions] == [
        (2, "草稿", "第二版意见"),
        (1, "已签发", "请北界镇立即转移"),
    ]
    [latest] = service.latest_per_series()
    assert latest["id"] == v2 and latest["number"] == signed["number"]


def test_docx_carries_the_sheet_and_its_marks(service: AssessmentService, tmp_path: Path) -> None:
    sheet_id = service.generate(flood_situation(simulated=True), user="张三")
    row = service.get(sheet_id)
    assert row is not None
    path = export_docx(row, tmp_path / "研判单.docx")
    assert not (tmp_path / "研判单.docx.part").exists()
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"【{SIMULATED_MARK}】【{DRAFT_MARK}】" in text
    assert SAMPLE_MARK not in text
    assert "研判〔2026〕1号" in text
    assert "1. 立即组织危险区人员转移" in text and "9. 各乡镇及时反馈" in text
    assert "建议启动防汛IV级应急响应（北界镇 3 小时雨量 104.5 毫米，超过 100 毫米）" in text
    rain, points = doc.tables
    assert [c.text for c in rain.rows[1].cells] == [
        "北界镇",
        "38",
        "104.5",
        "120",
        "—",
        "151.2",
        "41",
        "6小时 40",
    ]
    assert points.rows[1].cells[0].text == "苏村滑坡隐患点"
    assert "行政责任人 李村长 13800000001" in points.rows[1].cells[4].text
    service.sign(sheet_id, user="带班领导", role="admin")
    signed = service.get(sheet_id)
    assert signed is not None
    html = sheet_html(signed)
    assert DRAFT_MARK not in html and SIMULATED_MARK in html
    assert "签发：带班领导" in html and "2026-07-01 06:30" in html


def test_sample_county_sheets_are_marked_and_stay_local(writer: Writer, tmp_path: Path) -> None:
    writer.apply(
        [
            ("township.upsert", {"id": TOWN_A, "name": "北界镇", "kind": "镇", "is_sample": True}),
            ("township.upsert", {"id": TOWN_B, "name": "金竹镇", "kind": "镇", "is_sample": True}),
        ],
        user="系统",
    )
    service = AssessmentService(writer, clock=lambda: NOW)
    sheet_id = service.generate(flood_situation(), user="张三")
    row = service.get(sheet_id)
    assert row is not None and row["is_sample"]
    text = "\n".join(
        p.text for p in Document(str(export_docx(row, tmp_path / "a.docx"))).paragraphs
    )
    assert f"【{SAMPLE_MARK}】" in text
    # Every write on it stays on this workstation, as the sheet does: nothing to push.
    service.edit(sheet_id, user="张三", summary="样例意见")
    service.sign(sheet_id, user="领导", role=None)
    service.revise(sheet_id, user="张三")
    assert Queries(writer.store).pending_mutations() == []
