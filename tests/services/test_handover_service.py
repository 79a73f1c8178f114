"""交接班 and the 值班日志 on one standalone workstation: the handover generated at 08:20
lists the open incident with its next report due, the silent order, the open checklist, the
shift's calls and the team change; it keeps what it said after the data changes; the
incoming officer signs; a shift that ended unsigned is flagged; the day's log gathers
timeline, orders, handovers and hand-written lines, finds two-character words and exports
to .docx with the Chinese text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter

import pytest
from docx import Document
from sqlalchemy import select

from console.domain import beijing
from console.domain import handover as ho
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.shifts import shift_at
from console.services.context import Workstation, open_workstation
from console.services.duty_log import DutyLogService, LogLine, search
from console.services.guides import GuideService
from console.services.handover import HandoverService
from console.services.handover_export import (
    export_duty_log_docx,
    export_handover_docx,
    handover_html,
)
from console.services.orders import OrderService
from console.store.records import OutboxEntry

# 2026-11-29's shift runs to 2026-11-30 08:30 (Beijing).
T0 = datetime(2026, 11, 29, 21, 5, tzinfo=beijing.BEIJING)
HANDOVER_AT = datetime(2026, 11, 30, 8, 20, tzinfo=beijing.BEIJING)
SIGN_AT = datetime(2026, 11, 30, 8, 31, tzinfo=beijing.BEIJING)


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _seed(w: Workstation) -> dict[str, str]:
    """A night of duty: a flash-flood call, an order nobody answered, a response started,
    a team's record changed; and a call from the day before (not this shift's)."""
    incident, old = new_id(), new_id()
    team = new_id()
    w.writer.apply(
        [
            ("incident.create", {"id": incident, "received_at": beijing.canonical(T0),
                                 "category": "自然灾害", "subtype": "水旱",
                                 "title": "湖山乡山洪冲毁便桥"}),
            ("incident.create", {"id": old, "title": "前一班的森林火情",
                                 "received_at": beijing.canonical(T0 - timedelta(days=1)),
                                 "category": "自然灾害"}),
            ("team.upsert", {"id": team, "name": "湖山乡应急分队", "kind": "综合",
                             "members": 12}),
            ("timeline.append", {"id": new_id(), "incident_id": incident, "kind": "来电",
                                 "body": "湖山乡村民来电：山洪冲毁便桥",
                                 "at": beijing.canonical(T0)}),
            ("timeline.append", {"id": new_id(), "incident_id": incident, "kind": "处置",
                                 "body": "已通知湖山乡政府组织人员查看",
                                 "at": beijing.canonical(T0 + timedelta(minutes=3))}),
        ],
        user="zhang",
    )  # fmt: skip
    orders = OrderService.of(w.writer)
    orders.issue(
        "巡查指令",
        [{"name": "湖山乡值班室", "phone": "0578-8111111"}],
        user="zhang",
        now=T0 + timedelta(minutes=10),
    )
    response = GuideService.of(w.writer).activate(
        "山洪", "IV", user="li", incident_id=incident, at=T0 + timedelta(minutes=20)
    )
    return {"incident": incident, "old": old, "team": team, "response": response}


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    w = open_workstation(tmp_path / "ws", sample_incidents=False)
    yield w
    w.close()


def test_handover_generated_frozen_signed_and_flagged(ws: Workstation, tmp_path: Path) -> None:
    ids = _seed(ws)
    service = HandoverService.of(ws.writer)
    shift = shift_at(HANDOVER_AT)
    assert shift.key == "2026-11-29#0"
    assert [f.shift for f in service.flags(HANDOVER_AT)] == [shift_at(T0 - timedelta(days=1))]

    handover = service.create(
        shift, user="zhang", now=HANDOVER_AT, instructions="北界镇雨情持续关注", incoming="wang"
    )
    row = service.for_shift(shift)
    assert row is not None and row["id"] == handover and row["status"] == ho.PENDING
    sections = {s["key"]: s["items"] for s in ho.parse_content(row["content"])}
    assert [s["title"] for s in ho.parse_content(row["content"])] == list(ho.SECTIONS.values())
    open_titles = [line.split("（")[0] for line in sections["incidents"]]
    assert open_titles[0] == "湖山乡山洪冲毁便桥" and "前一班的森林火情" in open_titles
    assert "截止" in sections["incidents"][0]  # its next report due, with the time
    assert len(sections["orders"]) == 1 and "湖山乡值班室" in sections["orders"][0]
    assert "未叫应 1 人" in sections["orders"][0]
    assert len(sections["checklists"]) == 1 and sections["checklists"][0].startswith("山洪")
    assert len(sections["calls"]) == 1 and sections["calls"][0].startswith("21:05 自然灾害")
    # Team records carry their real write time (HLC): changed now, after that shift.
    assert sections["teams"] == []
    now = beijing.now()
    [team] = service.generate(shift_at(now), now)["teams"]
    assert "湖山乡应急分队（综合）信息更新（12 人），zhang" in team
    # The shift's handover stands as generated when the data changes afterwards.
    ws.writer.apply(
        [("incident.set_status", {"id": ids["incident"], "status": "核实",
                                  "at": beijing.canonical(HANDOVER_AT + timedelta(minutes=1)),
                                  "timeline_id": new_id()})],
        user="zhang",
    )  # fmt: skip
    assert service.for_shift(shift)["content"] == row["content"]  # type: ignore[index]

    # At 08:31 the tab opens on the shift handed over until it is signed for.
    assert service.default_shift(HANDOVER_AT) == shift
    assert service.default_shift(SIGN_AT) == shift
    assert service.default_shift(SIGN_AT + timedelta(hours=2)) == shift_at(SIGN_AT)
    with pytest.raises(MutationRejected, match="wang"):
        service.sign(handover, user="li", at=SIGN_AT)
    with pytest.raises(MutationRejected, match="交班人不能签收"):
        service.sign(handover, user="zhang", at=SIGN_AT)
    service.save_text(handover, user="zhang", instructions="北界镇雨情", notes="", incoming="wang")
    service.sign(handover, user="wang", remarks="已阅", at=SIGN_AT)
    assert service.default_shift(SIGN_AT) == shift_at(SIGN_AT)
    signed = service.get(handover)
    assert signed is not None and signed["signed_by"] == "wang" and signed["author"] == "zhang"
    with pytest.raises(MutationRejected, match="已签收"):
        service.regenerate(handover, user="zhang", now=SIGN_AT)
    # Once signed, the shift is no longer flagged; the one before still is.
    assert [f.shift for f in service.flags(SIGN_AT + timedelta(hours=1))] == []
    assert service.flags(SIGN_AT + timedelta(days=1, hours=1))[0].shift == shift_at(SIGN_AT)

    path = export_handover_docx(signed, tmp_path / "交接单.docx")
    text = _docx_text(path)
    for expected in ("值班交接单", "zhang", "wang", "湖山乡山洪冲毁便桥", "北界镇雨情",
                     "未叫应的指令", "已阅", "2026-11-30 08:31"):  # fmt: skip
        assert expected in text, expected


def test_the_day_log_assembles_searches_and_exports(ws: Workstation, tmp_path: Path) -> None:
    _seed(ws)
    handovers = HandoverService.of(ws.writer)
    handover = handovers.create(shift_at(HANDOVER_AT), user="zhang", now=HANDOVER_AT)
    handovers.sign(handover, user="wang", at=SIGN_AT)
    log = DutyLogService.of(ws.writer)
    log.add("县气象局来电通报雨情，已转报带班领导", user="zhang", at=T0 + timedelta(seconds=42))
    day = shift_at(T0).day
    lines = log.lines(day)
    kinds = [line.kind for line in lines]
    assert kinds.count("交接班") == 1  # generated in this day; signed at 08:31, the next day
    assert "值班记事" in kinds and "指令" in kinds and "来电" in kinds and "处置" in kinds
    assert [line.at for line in lines] == sorted(line.at for line in lines)
    manual = next(line for line in lines if line.kind == "值班记事")
    assert manual.minute == "21:05" and manual.author == "zhang"
    assert all("前一班的森林火情" not in line.text for line in lines)
    # Two-character Chinese words, any order of terms, the author's name.
    assert {line.kind for line in search(lines, "山洪")} >= {"来电", "处置"}
    assert [line.kind for line in search(lines, "雨情 转报")] == ["值班记事"]
    assert search(lines, "滑坡") == []
    assert len(search(lines, "  ")) == len(lines)
    next_day = log.lines(day + timedelta(days=1))
    assert [x.kind for x in next_day] == ["交接班"] and next_day[0].author == "wang"

    span = "2026-11-29 08:30 至 2026-11-30 08:30"
    path = export_duty_log_docx(day, lines, span, tmp_path / "log.docx")
    text = _docx_text(path)
    assert "值班日志（2026-11-29）" in text and "县气象局来电通报雨情" in text
    assert "21:05" in text and f"共 {len(lines)} 条" in text


def test_searching_a_busy_day_in_memory_is_fast() -> None:
    """A typhoon day's 5,000 lines filtered for a two-character word: milliseconds."""
    lines = [
        LogLine(f"2026-11-29T{8 + i // 600:02d}:{i % 60:02d}:00+08:00", "处置",
                f"第{i}条：{'山洪' if i % 7 == 0 else '雨情'}处置记录", "zhang", str(i))
        for i in range(5000)
    ]  # fmt: skip
    started = perf_counter()
    found = search(lines, "山洪")
    assert perf_counter() - started < 0.05
    started = perf_counter()
    assert len(search(lines, "雨情 处置")) == 5000 - len(found)
    assert perf_counter() - started < 0.05
    assert len(found) == len(range(0, 5000, 7))


def test_a_handover_listing_sample_data_stays_on_the_workstation(tmp_path: Path) -> None:
    """The sample county's calls (样例数据) in a handover: it is marked, and it and its
    signature stay out of the pushes to a county's server."""
    w = open_workstation(tmp_path / "demo", demo=True)
    try:
        service = HandoverService.of(w.writer)
        now = beijing.now()
        shift = shift_at(now)
        assert service.sample_listed(shift)
        handover = service.create(shift, user="zhang", now=now)
        service.sign(handover, user="wang", at=now)
        row = service.get(handover)
        assert row is not None and row["is_sample"] and row["status"] == ho.SIGNED
        with w.store.engine.connect() as conn:
            kept = conn.execute(
                select(OutboxEntry.local_only).where(OutboxEntry.name.like("handover.%"))
            ).scalars().all()  # fmt: skip
        assert kept == [True, True]
        assert "【样例数据】" in handover_html(row)
        text = _docx_text(export_handover_docx(row, tmp_path / "sample.docx"))
        assert "【样例数据】" in text
    finally:
        w.close()
