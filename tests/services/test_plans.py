"""The 预案 library on a real store: a .docx stored in the file cache with its text
indexed (two-character queries find it), plans past their revision date flagged, and the
plans shown for an incident of the matching type."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document

from console.domain.ids import new_id
from console.services.plans import (
    PlanError,
    PlanService,
    document_path,
    extract_text,
    plans_for_incident,
    search_plans,
)
from console.store.database import Store
from console.store.writer import Writer

TODAY = date(2026, 11, 30)
GEO = {
    "title": "遂昌县突发地质灾害应急预案",
    "kind": "专项预案",
    "level": "县级",
    "owner": "县自然资源和规划局",
    "issued_on": "2021-05-10",
    "revise_by": "2024-05-10",
    "category": "自然灾害",
    "subtype": "地质",
}


def _docx(path: Path) -> Path:
    doc = Document()
    doc.add_paragraph("第一章 总则")
    doc.add_paragraph("发现崩塌、泥石流前兆时立即组织受威胁群众撤离。")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "响应等级"
    table.rows[0].cells[1].text = "Ⅳ级"
    doc.save(str(path))
    return path


@pytest.fixture
def service(writer: Writer, tmp_path: Path) -> PlanService:
    return PlanService(writer, tmp_path / "data")


def test_a_docx_is_stored_and_its_text_found_by_two_characters(
    store: Store, service: PlanService, tmp_path: Path
) -> None:
    source = _docx(tmp_path / "地质灾害预案.docx")
    assert "受威胁群众撤离" in extract_text(source) and "响应等级 Ⅳ级" in extract_text(source)
    plan_id = service.save(GEO, user="甲", document=source)
    [plan] = search_plans(store, "撤离", today=TODAY)
    assert plan["id"] == plan_id and plan["overdue"]  # revise by 2024-05-10
    stored = document_path(tmp_path / "data", plan)
    # In the file cache under its digest (so sync can upload it), opened by its own name.
    assert stored is not None and stored.parent.name == plan["document_sha256"]
    assert stored.read_bytes() == source.read_bytes() and stored.name == source.name
    assert search_plans(store, "山洪", today=TODAY) == []
    assert [p["id"] for p in search_plans(store, "地质", today=TODAY)] == [plan_id]
    # revised: the flag goes
    service.save({"revise_by": "2027-05-10"}, user="甲", plan_id=plan_id)
    [plan] = search_plans(store, today=TODAY)
    assert not plan["overdue"]


def test_only_docx_and_pdf_are_taken(service: PlanService, tmp_path: Path) -> None:
    bad = tmp_path / "a.exe"
    bad.write_bytes(b"x")
    with pytest.raises(PlanError, match=r"只能是 \.docx 或 \.pdf"):
        service.save(GEO, user="甲", document=bad)
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    assert extract_text(pdf) == ""


def test_an_incident_shows_the_plans_of_its_type(
    store: Store, writer: Writer, service: PlanService
) -> None:
    geo = service.save(GEO, user="甲")
    general = service.save(
        {**GEO, "title": "遂昌县自然灾害救助应急预案", "kind": "总体预案", "subtype": ""},
        user="甲",
    )
    service.save({**GEO, "title": "遂昌县森林火灾应急预案", "subtype": "森林火灾"}, user="甲")
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
                    "title": "后山滑坡",
                },
            )
        ],
        user="甲",
    )
    found = plans_for_incident(store, incident_id, today=TODAY)
    assert [p["id"] for p in found] == [geo, general]  # 专项 first
    assert plans_for_incident(store, new_id(), today=TODAY) == []
