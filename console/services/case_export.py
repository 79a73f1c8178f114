"""A case of 案例一个库 as text sections (what the page's detail and the Word file show) and
as .docx (python-docx). Qt-free, so tests can make the file.

Marks: 草稿 until the case is published, 样例数据 for a case loaded with the sample county.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor

from console.domain import catalog
from console.services.report_export import style_run as _font

ISSUER = "遂昌县应急管理局 案例一个库"
DRAFT_MARK = "草稿"
SAMPLE_MARK = "样例数据"

# (heading, field) in the order a case is read: facts, then what it teaches.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("雨水情", "rain_summary"),
    ("事件经过", "course"),
    ("应对处置", "response"),
    ("伤亡与损失", "losses"),
    ("有效做法", "what_worked"),
    ("经验教训", "lessons"),
    ("来源", "source"),
)
NUMERALS = "一二三四五六七八九十"


def case_marks(case: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    if case.get("status") != catalog.CASE_PUBLISHED:
        found.append(DRAFT_MARK)
    if case.get("is_sample"):
        found.append(SAMPLE_MARK)
    return tuple(found)


def facts_line(case: Mapping[str, Any]) -> str:
    """时间、灾种、地点、雨型、伤亡 on one line."""
    parts = [
        f"发生日期：{case.get('occurred_on') or '不详'}",
        f"灾种：{case.get('hazard') or '—'}",
        f"地点：{case.get('place') or case.get('township') or '—'}",
    ]
    if case.get("rain_pattern"):
        parts.append(f"雨型：{case['rain_pattern']}")
    if case.get("rain_24h_mm") is not None:
        parts.append(f"24小时雨量：{float(case['rain_24h_mm']):g}毫米")
    people = [
        (label, case.get(key) or 0)
        for key, label in (("dead", "死亡"), ("missing", "失踪"), ("injured", "受伤"))
    ]
    counted = "、".join(f"{label}{n}人" for label, n in people if n)
    if counted:
        parts.append(counted)
    if case.get("evacuated"):
        parts.append(f"转移{case['evacuated']}人")
    return "；".join(parts)


def sections(case: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The numbered sections that have text: [("一、事件经过", "..."), ...]."""
    out: list[tuple[str, str]] = []
    for heading, key in SECTIONS:
        body = (case.get(key) or "").strip()
        if body:
            out.append((f"{NUMERALS[len(out)]}、{heading}", body))
    return out


def export_docx(case: Mapping[str, Any], path: Path) -> Path:
    """Write the case as .docx; through a temporary name, so a failure leaves no half file."""
    doc = Document()
    header = doc.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(header.add_run(ISSUER), 16, bold=True, color=RGBColor(0xC0, 0x00, 0x00))
    marks = case_marks(case)
    if marks:
        mark = doc.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(
            mark.add_run("【" + "】【".join(marks) + "】"),
            14,
            bold=True,
            color=RGBColor(0xC0, 0x00, 0x00),
        )
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(str(case.get("title") or "")), 18, bold=True)
    _font(doc.add_paragraph().add_run(facts_line(case)), 11)
    for heading, body in sections(case):
        _font(doc.add_paragraph().add_run(heading), 13, bold=True)
        for line in body.splitlines():
            _font(doc.add_paragraph().add_run(line), 12)
    tmp = path.with_name(path.name + ".part")
    doc.save(str(tmp))
    os.replace(tmp, path)
    return path
