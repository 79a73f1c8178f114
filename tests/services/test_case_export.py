"""A case as Word: marks, the facts line and the numbered sections with text, read back
from the .docx."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from console.domain import catalog
from console.services.case_export import export_docx, facts_line, sections

CASE = {
    "title": "北界镇某村后山滑坡",
    "occurred_on": "2026-09-20",
    "hazard": "滑坡",
    "place": "北界镇后山",
    "rain_pattern": "台风雨",
    "rain_24h_mm": 101.0,
    "injured": 1,
    "evacuated": 23,
    "course": "后山土石滑落\n冲毁民房1间",
    "lessons": "雨前转移",
    "source": "本中心事件记录",
    "status": catalog.CASE_DRAFT,
    "is_sample": False,
}


def test_facts_and_only_the_sections_with_text_are_numbered() -> None:
    assert facts_line(CASE) == (
        "发生日期：2026-09-20；灾种：滑坡；地点：北界镇后山；雨型：台风雨；"
        "24小时雨量：101毫米；受伤1人；转移23人"
    )
    assert [h for h, _ in sections(CASE)] == ["一、事件经过", "二、经验教训", "三、来源"]


def test_the_docx_holds_the_marks_title_and_sections(tmp_path: Path) -> None:
    path = export_docx(CASE, tmp_path / "case.docx")
    lines = [p.text for p in Document(str(path)).paragraphs]
    assert lines[1] == "【草稿】" and lines[2] == "北界镇某村后山滑坡"
    assert lines[4:] == [
        "一、事件经过",
        "后山土石滑落",
        "冲毁民房1间",
        "二、经验教训",
        "雨前转移",
        "三、来源",
        "本中心事件记录",
    ]
    published = export_docx({**CASE, "status": catalog.CASE_PUBLISHED}, tmp_path / "p.docx")
    assert "【草稿】" not in [p.text for p in Document(str(published)).paragraphs]
    assert not list(tmp_path.glob("*.part"))
