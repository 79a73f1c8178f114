"""Every exported document says 演练 in drill mode, and none does otherwise: report .docx
and PDF, 研判一张单 .docx and PDF, the map's PNG/PDF, 管控表 .xlsx, reference tables
(.xlsx, .geojson). One switch decides (console.domain.drill.mark)."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from PySide6.QtGui import QColor, QPixmap
from pytestqt.qtbot import QtBot

from console.domain import beijing, catalog, drill
from console.services.assessment_export import export_docx as sheet_docx
from console.services.assessment_export import sheet_html
from console.services.assessments import AssessmentService
from console.services.context import Workstation, open_workstation
from console.services.control_io import export_table as control_export
from console.services.control_io import preview_return
from console.services.control_table import ControlTable
from console.services.io.exporter import export_table
from console.services.report_export import export_docx
from console.services.report_text import ReportDraft
from console.services.transfers import TransferService
from console.ui.pdf_export import export_pdf, write_pdf
from console.views.pages.map_export import DRILL_COLOR, LegendEntry, compose, save_pdf
from testkit.situations import flood_situation

DRAFT = ReportDraft("首报", "关于北界镇苏村地质灾害的首报", "发生滑坡。\n被困3人。")


@pytest.fixture(params=[False, True], ids=["real", "drill"])
def on(request: pytest.FixtureRequest) -> Iterator[bool]:
    drill.activate(request.param)
    yield request.param
    drill.activate(False)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    w = open_workstation(tmp_path / "ws", demo=True, sample_incidents=False)
    yield w
    w.close()


def _pdf_chars(data: bytes) -> set[str]:
    """The characters a PDF typesets, from its fonts' ToUnicode maps (Qt embeds subsets:
    only the glyphs used)."""
    chars: set[str] = set()
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(raw)
        except zlib.error:
            text = raw
        if b"beginbfrange" in text or b"beginbfchar" in text:
            for hexa in re.findall(rb"<([0-9A-Fa-f]{4})>", text):
                chars.add(chr(int(hexa, 16)))
    return chars


def _pdf_title(data: bytes, title: str) -> bool:
    encoded = title.encode("utf-16-be")
    for raw, escaped in ((b"\\", b"\\\\"), (b"(", b"\\("), (b")", b"\\)")):
        encoded = encoded.replace(raw, escaped)
    return b"\xfe\xff" + encoded in data


def _docx_all_text(path: Path) -> tuple[str, str]:
    doc = Document(str(path))
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    return header, "\n".join(p.text for p in doc.paragraphs)


def test_report_docx_and_pdf(on: bool, qtbot: QtBot, tmp_path: Path) -> None:
    del qtbot  # QPdfWriter needs the QApplication
    header, body = _docx_all_text(export_docx(DRAFT, tmp_path / "r.docx", author="张三"))
    assert (drill.DOCUMENT_MARK in header) is on
    assert body.startswith("【演练】") is on
    assert (Document(str(tmp_path / "r.docx")).core_properties.keywords == "演练") is on
    data = export_pdf(DRAFT, tmp_path / "r.pdf", author="张三").read_bytes()
    assert ({"演", "练"} <= _pdf_chars(data)) is on
    assert "首" in _pdf_chars(data)  # the reading works: the report's own text is there
    assert _pdf_title(data, "【演练】" + DRAFT.title) is on
    assert _pdf_title(data, DRAFT.title) is not on


def test_assessment_sheet_docx_and_pdf(
    on: bool, ws: Workstation, qtbot: QtBot, tmp_path: Path
) -> None:
    del qtbot
    service = AssessmentService(ws.writer)
    sheet = service.get(service.generate(flood_situation(), user="张三"))
    assert sheet is not None
    header, body = _docx_all_text(sheet_docx(sheet, tmp_path / "s.docx"))
    assert (drill.DOCUMENT_MARK in header) is on
    assert ("【演练】" in body) is on
    html = sheet_html(sheet)
    assert ("【演练】" in html) is on
    data = write_pdf(html, tmp_path / "s.pdf", title=str(sheet["title"])).read_bytes()
    assert ({"演", "练"} <= _pdf_chars(data)) is on


def test_map_png_and_pdf(on: bool, qtbot: QtBot, tmp_path: Path) -> None:
    del qtbot
    view = QPixmap(900, 500)
    view.fill(QColor("#88aa88"))
    when = datetime(2026, 7, 1, 6, 30, tzinfo=beijing.BEIJING)
    image = compose(view, [LegendEntry("风险点", "#c00000")], when=when, sample=False)
    assert (image.pixelColor(5, 5) == QColor(DRILL_COLOR)) is on
    assert image.height() == 500 + 64 + 24 + 16 + (30 if on else 0)
    data = save_pdf(image, tmp_path / "m.pdf").read_bytes()
    assert _pdf_title(data, "【演练】遂昌县 识别一张图") is on


def test_control_table_xlsx_still_imports(on: bool, ws: Workstation, tmp_path: Path) -> None:
    service = TransferService.of(ws.writer)
    town = next(t for t in ws.queries.townships() if t["name"] == "北界镇")
    village = next(v for v in ws.queries.villages() if v["township_id"] == town["id"])
    evac = service.open("台风转移", user="zhang")
    service.add_areas(evac, [str(village["id"])], user="zhang")
    service.record(evac, str(village["id"]), catalog.MOVED, 10, user="zhang")
    table = ControlTable(service)
    out = tmp_path / "管控.xlsx"
    assert control_export(table, evac, out) == 1
    book = load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.title.startswith("【演练】") is on
    assert (book.properties.keywords == "演练") is on
    assert (sheet.oddHeader.center.text == drill.DOCUMENT_MARK) is on
    assert sheet.title.endswith("台风转移")
    preview = preview_return(table, evac, out)  # the township's return reads as before
    assert len(preview.rows) == 1 and not preview.events


def test_reference_xlsx_and_geojson(on: bool, ws: Workstation, tmp_path: Path) -> None:
    assert export_table(ws.store, "townships", tmp_path / "t.xlsx") > 0
    book = load_workbook(tmp_path / "t.xlsx")
    assert (book.properties.keywords == "演练") is on
    assert (book.worksheets[0].sheet_properties.tabColor is not None) is on
    export_table(ws.store, "townships", tmp_path / "t.geojson")
    collection = json.loads((tmp_path / "t.geojson").read_text(encoding="utf-8"))
    assert ("duty_console" in collection) is on
    assert collection["features"]


def test_a_drill_export_never_imports_into_the_real_store(ws: Workstation, tmp_path: Path) -> None:
    from console.services.io.importer import read_file
    from console.services.io.layout import ImportFileError

    real = tmp_path / "real.xlsx"
    export_table(ws.store, "townships", real)
    drill.activate(True)
    for suffix in (".xlsx", ".geojson"):
        export_table(ws.store, "townships", tmp_path / f"drill{suffix}")
    assert read_file(real).rows  # a real file imports into a drill
    assert read_file(tmp_path / "drill.xlsx").rows
    drill.activate(False)
    for suffix in (".xlsx", ".geojson"):
        with pytest.raises(ImportFileError, match="演练模式导出的文件"):
            read_file(tmp_path / f"drill{suffix}")
    assert read_file(real).rows
