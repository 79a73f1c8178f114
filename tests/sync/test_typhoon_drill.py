"""Issue #11's "done when", end to end through a real server: a simulated typhoon (鲇鱼
2016, replayed by ``duty-server simulate-readings``) reaches a workstation on the readings
channel; the threshold engine over those readings colours the threatened villages and a
研判一张单 is proposed with the endangered points and their responsible people; the leader
signs it on another workstation and exports it; the first workstation sees it signed."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from sync_testkit import county_workbook, sync_as

from console.app import _situation_provider
from console.domain.situation import LEVEL_RANK
from console.services.assessment_export import export_docx
from console.services.assessments import AssessmentService
from console.services.context import Workstation, open_workstation
from console.services.io import importer, workbook
from console.services.readings import ReadingsService
from testkit.server import ServerProcess


def test_a_simulated_typhoon_to_a_signed_assessment_on_two_workstations(
    server: ServerProcess, tmp_path: Path
) -> None:
    a = open_workstation(tmp_path / "a", autoload=False)
    b = open_workstation(tmp_path / "b", autoload=False)
    try:
        preview = workbook.preview_book(a.store, county_workbook(tmp_path), user="zhang")
        assert not preview.refused, [r.detail for r in preview.refused[:3]]
        importer.apply(a.writer, preview, user="zhang")
        sync_as(a, server, "zhang")  # the county reaches the server
        _drill(server, a, b, tmp_path)
    finally:
        a.close()
        b.close()


def _drill(server: ServerProcess, a: Workstation, b: Workstation, tmp_path: Path) -> None:
    fed = server.cli("simulate-readings", "--scenario", "nianyu-2016", "--speed", "0")
    assert fed.returncode == 0, fed.stderr
    assert "模拟场景 nianyu-2016 完成" in fed.stdout
    unknown = server.cli("simulate-readings", "--scenario", "no-such")
    assert unknown.returncode == 2 and "没有名为 no-such 的模拟场景" in unknown.stderr

    sync_as(a, server, "zhang")
    readings = ReadingsService(a.store)
    rain = readings.latest("rain")
    assert rain, "the readings channel brought the storm"
    situation = _situation_provider(a.store, readings)()
    assert situation is not None and situation.simulated
    towns = {t.name: t for t in situation.townships}
    assert 90 <= towns["北界镇"].observed[24] <= 110  # ≈101 mm in 24 h at 北界镇
    assert LEVEL_RANK[situation.highest_warning] >= LEVEL_RANK["蓝"]
    endangered = [e for e in situation.endangered if e.level]
    assert endangered, "the threatened villages and points"
    assert any(e.responsible for e in endangered), "with people to call"

    proposal = AssessmentService(a.writer).propose(situation, user="zhang")
    assert proposal.created and proposal.sheet_id is not None
    sheet = AssessmentService(a.writer).get(proposal.sheet_id)
    assert sheet is not None and sheet["simulated"] and not sheet["is_sample"]
    named = {e.name for e in endangered}
    assert any(name in sheet["content"] for name in named)
    people = {r.name for e in endangered for r in e.responsible}
    assert any(person in sheet["content"] for person in people)
    sync_as(a, server, "zhang")

    sync_as(b, server, "li")
    sheets_b = AssessmentService(b.writer)
    sheets_b.sign(proposal.sheet_id, user="li", role="leader")
    signed_b = sheets_b.get(proposal.sheet_id)
    assert signed_b is not None
    out = export_docx(signed_b, tmp_path / "研判单.docx")
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "模拟" in text and "li" in text
    sync_as(b, server, "li")

    sync_as(a, server, "zhang")
    signed = AssessmentService(a.writer).get(proposal.sheet_id)
    assert signed is not None and (signed["status"], signed["signed_by"]) == ("已签发", "li")
