"""交接班 and 值班日志 driven as the duty room would at 08:30: the leader sees that the
shift before last was never handed over; the outgoing officer generates the handover of
the shift ending now, adds the leader's instructions and names the incoming officer, who
cannot be the author; the incoming officer signs in and signs; the signed handover is
read-only, prints (PDF with the Chinese text in the CJK font) and exports to .docx; the
day's 值班日志 shows the calls, the handover and a line written by hand, finds 山洪 and
exports to .docx and PDF."""

from __future__ import annotations

import dataclasses
import re
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.app import load_fonts
from console.domain import beijing
from console.domain import handover as ho
from console.domain.ids import new_id
from console.services.context import Workstation
from console.views.main_window import MainWindow, WindowContext
from console.views.pages.duty_log_panel import DutyLogPanel
from console.views.pages.handover_panel import HandoverPanel
from console.views.pages.teams_page import TeamsPage
from tests.views.conftest import Clock, flush_deletes, idle, written

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
CALL = datetime(2026, 11, 29, 21, 5, tzinfo=beijing.BEIJING)
HANDOVER_AT = datetime(2026, 11, 30, 8, 20, tzinfo=beijing.BEIJING)


def pdf_characters(data: bytes) -> set[str]:
    """The characters a PDF's fonts map to Unicode (their ToUnicode CMaps), as Qt writes
    them: what a reader extracts as text."""
    found: set[str] = set()
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            body = zlib.decompress(m.group(1))
        except zlib.error:
            body = m.group(1)
        if b"begincmap" not in body:
            continue
        for hexcode in re.findall(rb"<([0-9A-Fa-f]{4})>", body.split(b"endcodespacerange")[-1]):
            found.add(chr(int(hexcode, 16)))
    return found


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.fixture
def clock() -> Clock:
    return Clock(HANDOVER_AT)


@pytest.fixture
def win(
    qtbot: QtBot, qapp: QApplication, window_context: WindowContext, clock: Clock
) -> Iterator[MainWindow]:
    load_fonts(qapp)
    window = MainWindow(dataclasses.replace(window_context, clock=clock))
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    window.deleteLater()
    flush_deletes()


def _tab(win: MainWindow, name: str) -> HandoverPanel | DutyLogPanel:
    page = win.show_view("teams")
    assert isinstance(page, TeamsPage)
    panel = page.select_tab(name)
    assert isinstance(panel, HandoverPanel | DutyLogPanel)
    idle(panel)
    return panel


def _call(workstation: Workstation) -> None:
    incident = new_id()
    workstation.writer.apply(
        [
            ("incident.create", {"id": incident, "received_at": beijing.canonical(CALL),
                                 "category": "自然灾害", "title": "湖山乡山洪冲毁便桥"}),
            ("timeline.append", {"id": new_id(), "incident_id": incident, "kind": "来电",
                                 "body": "村民来电：山洪冲毁便桥", "at": beijing.canonical(CALL)}),
        ],
        user="zhang",
    )  # fmt: skip


def test_hand_over_at_0830_sign_by_the_next_officer_print_and_export(
    qtbot: QtBot, win: MainWindow, workstation: Workstation, clock: Clock, tmp_path: Path
) -> None:
    _call(workstation)
    session = win.context.session
    session.sign_in("zhang")
    panel = _tab(win, "handover")
    assert isinstance(panel, HandoverPanel)
    # The leader sees the shift before last ended without a handover.
    assert panel.flag_bar.isVisibleTo(panel)
    assert "11-28 08:30 至 11-29 08:30" in panel.flag_text.text()
    assert panel.shift().key == "2026-11-29#0" and panel.current is None
    assert not panel.sign_button.isEnabled() and not panel.print_button.isEnabled()

    panel.instructions.setPlainText("北界镇雨情持续关注")
    panel.incoming.setEditText("wang")
    assert written(qtbot, panel, panel.generate, panel.loaded) == ""
    row = panel.current
    assert row is not None and row["status"] == ho.PENDING and row["author"] == "zhang"
    assert row["incoming"] == "wang" and row["instructions"] == "北界镇雨情持续关注"
    preview = panel.preview.toPlainText()
    assert "湖山乡山洪冲毁便桥" in preview and "本班接警" in preview
    assert not panel.sign_button.isEnabled()
    assert panel.sign_button.toolTip() == ho.SELF_SIGN_REFUSAL
    # The accounts seen here are offered as 接班人 (never the officer themself).
    offered = [panel.incoming.itemText(i) for i in range(panel.incoming.count())]
    assert offered == ["wang"] and panel.incoming.currentText() == "wang"
    panel.notes.setPlainText("对讲机 3 号电量低")
    assert written(qtbot, panel, panel.save, panel.loaded) == ""

    # 08:31: the incoming officer signs in (here; on another workstation in the sync test).
    clock.advance(11)
    session.sign_in("wang")
    assert panel.sign_button.isEnabled() and not panel.generate_button.isEnabled()
    panel.remarks.setText("已阅，接班")
    assert written(qtbot, panel, panel.sign, panel.loaded) == ""
    row = panel.current
    assert row is not None and row["status"] == ho.SIGNED
    assert (row["signed_by"], row["signed_at"]) == ("wang", "2026-11-30T08:31:00+08:00")
    assert "wang（签收于 2026-11-30 08:31）" in panel.status.text()
    assert "zhang（生成于 2026-11-30 08:20）" in panel.status.text()
    assert panel.instructions.isReadOnly() and panel.notes.isReadOnly()
    assert not panel.save_button.isEnabled() and not panel.sign_button.isEnabled()
    assert not panel.generate_button.isEnabled()
    # 09:05: the handed-over shift is no longer flagged.
    clock.advance(34)
    panel.refresh()
    idle(panel)
    assert "11-29 08:30 至 11-30 08:30" not in panel.flag_text.text()

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "交接单.pdf"))
    panel.print_to(printer)
    data = (tmp_path / "交接单.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    assert b"NotoSansSC" in data
    assert set("值班交接单湖山乡山洪冲毁便桥北界镇雨情已阅接班") <= pdf_characters(data)
    panel.export_docx(tmp_path / "交接单.docx")
    text = _docx_text(tmp_path / "交接单.docx")
    for expected in ("值班交接单", "zhang", "wang", "湖山乡山洪冲毁便桥", "对讲机 3 号电量低",
                     "已阅，接班", "2026-11-30 08:31"):  # fmt: skip
        assert expected in text, expected


def test_the_days_log_search_add_and_export(
    qtbot: QtBot, win: MainWindow, workstation: Workstation, clock: Clock, tmp_path: Path
) -> None:
    _call(workstation)
    win.context.session.sign_in("zhang")
    panel = _tab(win, "log")
    assert isinstance(panel, DutyLogPanel)
    assert panel.day().isoformat() == "2026-11-29"
    assert panel.span.text() == "2026-11-29 08:30 至 2026-11-30 08:30"
    assert panel.model.rowCount() == 1 and panel.model.item(0, 0).text() == "21:05"

    clock.moment = HANDOVER_AT + timedelta(seconds=37)
    panel.entry.setText("县气象局来电通报雨情，已转报带班领导")
    assert written(qtbot, panel, panel.add, panel.loaded) == ""
    assert panel.entry.text() == ""
    texts = [panel.model.item(r, 2).text() for r in range(panel.model.rowCount())]
    assert texts[-1] == "县气象局来电通报雨情，已转报带班领导"
    assert panel.model.item(panel.model.rowCount() - 1, 0).text() == "08:20"
    assert panel.model.item(panel.model.rowCount() - 1, 3).text() == "zhang"

    panel.query.setText("山洪")
    assert panel.model.rowCount() == 1 and "山洪" in panel.model.item(0, 2).text()
    assert panel.count.text() == "找到 1 条（共 2 条）"
    panel.query.setText("雨情 带班")
    assert panel.model.rowCount() == 1 and panel.model.item(0, 1).text() == "值班记事"
    panel.query.clear()
    assert panel.model.rowCount() == 2

    panel.export_docx(tmp_path / "log.docx")
    text = _docx_text(tmp_path / "log.docx")
    assert "值班日志（2026-11-29）" in text and "县气象局来电通报雨情" in text
    assert "湖山乡山洪冲毁便桥" in text
    panel.export_pdf(tmp_path / "log.pdf")
    data = (tmp_path / "log.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and b"NotoSansSC" in data
    assert set("值班日志县气象局来电通报雨情湖山乡山洪冲毁便桥") <= pdf_characters(data)

    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.set_day(panel.day() - timedelta(days=1))
    assert panel.model.rowCount() == 0 and panel.count.text() == "共 0 条"


def test_the_status_bar_flags_shifts_ended_without_a_signed_handover(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    from console.services.handover import HandoverService

    status = window.status
    assert status is not None
    now = beijing.now()
    flags = HandoverService(workstation.store).flags(now)
    assert flags  # a fresh store: the shifts of the last day ended without a handover
    qtbot.waitUntil(lambda: status.handover_flag.isVisibleTo(window), timeout=10_000)
    assert status.handover_flag.text() == f"交接未签收 {len(flags)}"
    assert flags[0].text() in status.handover_flag.toolTip()
