"""The month's roster as the Excel sheet offices post on the wall, and its import.

Layout (one sheet): the title ``遂昌县应急管理局 2026年11月值班表`` across the top, then
the columns 日期 / 星期 / 带班领导 / 值班员 / 备注, one row per shift (a day for the usual
24-hour pattern); 值班员 names are joined with 、; a holiday is named in 备注 and its row
shaded. A name that is not unique among the people is written ``姓名（职务）``.

Import reads the same layout: the title gives the month, each row sets that shift's crew
exactly (an empty cell empties the slot). Every problem is named by row and cell in
Chinese, and nothing is written while any row is refused; importing the same file twice
changes nothing the second time (only differing slots are written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from console.domain import roster
from console.domain.rows import MutationCall
from console.domain.shifts import Shift
from console.services.roster import MonthView, PersonChoice, RosterService

OFFICE = "遂昌县应急管理局"
HEADERS = ("日期", "星期", "带班领导", "值班员", "备注")
WEEKDAY_NAMES = tuple(f"星期{c}" for c in roster.WEEKDAYS)
_TITLE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_DAY = re.compile(r"^(?:(\d{4})[-/年])?\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?\s*(\d{1,2}:\d{2})?$")
_SPLIT = re.compile(r"[、,，;；/\s]+")
MAX_ROWS = 200  # a month of 6-hour shifts is 124 rows


def title(year: int, month: int, office: str = OFFICE) -> str:
    return f"{office} {year}年{month}月值班表"


def _day_text(shift: Shift, per_day: int) -> str:
    text = f"{shift.day.month}月{shift.day.day}日"
    return f"{text} {shift.start:%H:%M}" if per_day > 1 else text


def export_month(view: MonthView, people: list[PersonChoice], path: Path) -> Path:
    labels = {p.id: p.label for p in people}
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{view.year}年{view.month}月"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells("A1:E1")
    ws["A1"] = title(view.year, view.month)
    ws["A1"].font = Font(name="宋体", size=18, bold=True)
    ws["A1"].alignment = center
    ws.row_dimensions[1].height = 36
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=2, column=col, value=header)
        cell.font = Font(name="宋体", size=12, bold=True)
        cell.alignment = center
        cell.border = border
    shade = PatternFill("solid", fgColor="FDE2E2")
    per_day = view.rules.pattern.per_day
    for n, shift in enumerate(view.shifts, start=3):
        crew = sorted(view.crew(shift.key), key=lambda a: a.slot)
        leader = "、".join(labels.get(a.person_id, a.name) for a in crew if a.role == roster.LEADER)
        officers = "、".join(
            labels.get(a.person_id, a.name) for a in crew if a.role == roster.OFFICER
        )
        holiday = view.holidays.get(shift.day)
        note = ""
        if holiday:
            note = f"{holiday[0]}（法定节假日）" if holiday[1] else holiday[0]
        values = (
            _day_text(shift, per_day),
            WEEKDAY_NAMES[shift.day.weekday()],
            leader,
            officers,
            note,
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=n, column=col, value=value)
            cell.font = Font(name="宋体", size=12)
            cell.alignment = center
            cell.border = border
            if holiday:
                cell.fill = shade
    for letter, width in zip("ABCDE", (14, 10, 22, 30, 24), strict=True):
        ws.column_dimensions[letter].width = width
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    wb.save(path)
    return path


@dataclass
class ImportPreview:
    year: int = 0
    month: int = 0
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (班次, 带班, 值班)
    refusals: list[str] = field(default_factory=list)
    calls: list[MutationCall] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals and self.year > 0


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class _Names:
    """A cell's names to people: ``姓名（职务）`` exactly, else a name held by one person."""

    def __init__(self, people: list[PersonChoice]) -> None:
        self.by_label = {p.label: p for p in people}
        self.by_name: dict[str, list[PersonChoice]] = {}
        for p in people:
            self.by_name.setdefault(p.name, []).append(p)

    def find(self, text: str) -> tuple[PersonChoice | None, str]:
        text = text.replace("(", "（").replace(")", "）")
        if text in self.by_label:
            return self.by_label[text], ""
        found = self.by_name.get(text, [])
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, f"“{text}”有 {len(found)} 人同名，请写成 姓名（职务）"
        return None, f"人员“{text}”不在通讯录中"


def _header(ws: Any) -> tuple[int, dict[str, int]] | None:
    for n, row in enumerate(ws.iter_rows(min_row=1, max_row=10, values_only=True), start=1):
        texts = {_cell_text(v): col for col, v in enumerate(row, start=1)}
        if "日期" in texts and "带班领导" in texts and "值班员" in texts:
            return n, texts
    return None


def read_month(path: Path, service: RosterService) -> ImportPreview:
    """Read a month's sheet into the calls that would plan it (see the module's doc)."""
    preview = ImportPreview()
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        preview.refusals.append(f"无法读取 Excel 文件：{type(exc).__name__}")
        return preview
    try:
        ws = wb.worksheets[0]
        return _read_sheet(ws, service, preview)
    finally:
        wb.close()


def _read_sheet(ws: Any, service: RosterService, preview: ImportPreview) -> ImportPreview:
    month_of = None
    for row in ws.iter_rows(min_row=1, max_row=3, values_only=True):
        for value in row:
            match = _TITLE.search(_cell_text(value))
            if match:
                month_of = (int(match.group(1)), int(match.group(2)))
                break
        if month_of:
            break
    if month_of is None or not 1 <= month_of[1] <= 12:
        preview.refusals.append("第1行：标题中找不到“X年X月”，无法确定月份")
        return preview
    found = _header(ws)
    if found is None:
        preview.refusals.append("前10行中找不到表头（日期、带班领导、值班员）")
        return preview
    header_row, columns = found
    preview.year, preview.month = month_of
    view = service.month(*month_of)
    names = _Names(service.people())
    per_day = view.rules.pattern.per_day
    by_start = {(s.day, f"{s.start:%H:%M}"): s for s in view.shifts}
    by_day = {s.day: s for s in view.shifts if s.index == 0}
    seen: dict[str, int] = {}
    col_letter = {c: chr(ord("A") + n - 1) for c, n in columns.items() if 0 < n <= 26}
    for n, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), header_row + 1):
        if n > header_row + MAX_ROWS:
            preview.refusals.append(f"第{n}行起：行数超过 {MAX_ROWS}，其余未读")
            break

        def get(header: str, row: tuple[Any, ...] = row) -> str:
            idx = columns[header] - 1
            return _cell_text(row[idx]) if idx < len(row) else ""

        day_text = get("日期")
        if not day_text and not get("带班领导") and not get("值班员"):
            continue
        where = f"第{n}行 {col_letter['日期']}列（日期）"
        match = _DAY.match(day_text)
        shift = None
        if match:
            year = int(match.group(1) or preview.year)
            try:
                day = date(year, int(match.group(2)), int(match.group(3)))
            except ValueError:
                day = None
            if day is not None:
                shift = by_start.get((day, match.group(4))) if match.group(4) else by_day.get(day)
                if match.group(4) is None and per_day > 1:
                    shift = None
        if shift is None:
            preview.refusals.append(f"{where}：“{day_text}”不是 {preview.month} 月的班次")
            continue
        if shift.key in seen:
            preview.refusals.append(f"{where}：与第{seen[shift.key]}行是同一班次")
            continue
        seen[shift.key] = n
        leader, problem = (None, "")
        leader_text = get("带班领导")
        if leader_text:
            leader, problem = names.find(leader_text)
            if problem:
                preview.refusals.append(
                    f"第{n}行 {col_letter['带班领导']}列（带班领导）：{problem}"
                )
                continue
        officers: list[PersonChoice] = []
        bad = False
        tokens = [t for t in _SPLIT.split(get("值班员")) if t]
        if len(tokens) > roster.MAX_OFFICERS:
            where = f"第{n}行 {col_letter['值班员']}列（值班员）"
            preview.refusals.append(f"{where}：每班值班员最多 2 人（收到 {len(tokens)} 人）")
            continue
        for token in tokens:
            person, problem = names.find(token)
            if person is None:
                preview.refusals.append(f"第{n}行 {col_letter['值班员']}列（值班员）：{problem}")
                bad = True
                break
            officers.append(person)
        if bad:
            continue
        preview.rows.append(
            (
                roster.shift_label(shift),
                leader.label if leader else "",
                "、".join(o.label for o in officers),
            )
        )
        preview.calls += service.crew_calls(view, shift.key, leader, officers)
    if not preview.rows and not preview.refusals:
        preview.refusals.append("表中没有排班行")
    return preview
