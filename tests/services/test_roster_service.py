"""排班 use cases on a real workstation: the sample month, planning a shift, a rotation,
a swap, who is on duty at the shift change, and the Excel sheet's round trip with its
refusals by row and cell."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from console.domain import beijing, roster
from console.domain.beijing import BEIJING
from console.services.context import Workstation
from console.services.on_duty import on_duty
from console.services.roster import PersonChoice, RosterService, match_people
from console.services.roster_xlsx import export_month, read_month

USER = "钱某某"
MARCH = (2027, 3)  # a month the sample does not plan


@pytest.fixture
def service(workstation: Workstation) -> RosterService:
    return RosterService(workstation.store, workstation.writer)


@pytest.fixture
def people(service: RosterService) -> dict[str, PersonChoice]:
    return {p.label: p for p in service.people()}


def _fill_march(service: RosterService, people: dict[str, PersonChoice]) -> None:
    view = service.month(*MARCH)
    leaders = [people[n] for n in ("钱某某", "赵某某", "韩某某")]
    officers = [people[n] for n in ("傅某某", "魏某某", "姜某某", "邵某某")]
    service.apply_calls(service.fill_calls(view, leaders, officers, per_shift=2), USER)


def test_the_sample_month_is_planned_clean_and_labelled(service: RosterService) -> None:
    today = beijing.now().date()
    view = service.month(today.year, today.month)
    assert view.sample
    month = {s.key for s in view.shifts}
    assert month <= {a.shift_key for a in view.plan}
    assert view.violations == []
    assert view.rules == roster.RosterRules()  # nothing saved: the defaults


def test_names_are_found_by_pinyin_initials_and_ambiguous_ones_carry_their_post(
    service: RosterService,
) -> None:
    everyone = service.people()
    assert match_people(everyone, "qmm")[0].name == "钱某某"
    assert match_people(everyone, "qian")[0].name == "钱某某"
    assert match_people(everyone, "钱")[0].name == "钱某某"
    wangs = [p.label for p in everyone if p.name == "王某某"]
    assert len(wangs) > 1 and "王某某（县委书记）" in wangs


def test_planning_a_shift_writes_only_what_changed_and_clears_emptied_slots(
    service: RosterService, people: dict[str, PersonChoice]
) -> None:
    key = "2027-03-10#0"
    view = service.month(*MARCH)
    qian, fu, wei = people["钱某某"], people["傅某某"], people["魏某某"]
    assert len(service.crew_calls(view, key, qian, [fu, wei])) == 3
    service.set_crew(view, key, qian, [fu, wei], USER)
    view = service.month(*MARCH)
    assert roster.crew_text(view.crew(key), roster.OFFICER) == "傅某某、魏某某"
    assert service.crew_calls(view, key, qian, [fu, wei]) == []
    calls = service.crew_calls(view, key, qian, [wei])
    assert [name for name, _ in calls] == ["roster_entry.upsert", "roster_entry.delete"]
    service.apply_calls(calls, USER)
    view = service.month(*MARCH)
    crew = view.crew(key)
    assert roster.crew_text(crew, roster.LEADER) == "钱某某"
    assert roster.crew_text(crew, roster.OFFICER) == "魏某某"
    assert [a.slot for a in crew] == [0, 0]


def test_a_rotation_fills_a_month_and_keeps_what_was_planned(
    service: RosterService, people: dict[str, PersonChoice]
) -> None:
    view = service.month(*MARCH)
    key = "2027-03-01#0"
    service.set_crew(view, key, people["曹某某"], [people["范某某"]], USER)
    _fill_march(service, people)
    view = service.month(*MARCH)
    assert len({a.shift_key for a in view.plan if a.shift_key.startswith("2027-03")}) == 31
    assert roster.crew_text(view.crew(key), roster.LEADER) == "曹某某"  # kept
    # Every shift covered; the kept first day puts no one on two days running.
    assert [v for v in view.violations if v.kind in (roster.NO_LEADER, roster.OFFICERS)] == []


def test_a_swap_asked_and_approved_trades_the_slots(
    service: RosterService, people: dict[str, PersonChoice]
) -> None:
    _fill_march(service, people)
    view = service.month(*MARCH)
    a = next(x for x in view.crew("2027-03-10#0") if x.role == roster.OFFICER)
    b = next(
        x
        for x in view.crew("2027-03-14#0")
        if x.role == roster.OFFICER and x.person_id != a.person_id
    )
    swap_id = service.request_swap(a.id, b.id, "家中有事", "傅某某")
    [pending] = service.swaps(roster.SWAP_PENDING)
    assert (pending.id, pending.a_name, pending.b_name) == (swap_id, a.name, b.name)
    assert service.month(*MARCH).pending_swaps == 1
    assert isinstance(service.swap_effect(pending), list)
    service.decide_swap(swap_id, True, USER, "同意")
    view = service.month(*MARCH)
    after = {x.id: x.person_id for x in view.plan}
    assert (after[a.id], after[b.id]) == (b.person_id, a.person_id)
    assert view.pending_swaps == 0


def test_who_is_on_duty_turns_over_at_the_shift_change(
    service: RosterService, people: dict[str, PersonChoice], workstation: Workstation
) -> None:
    view = service.month(*MARCH)
    service.set_crew(view, "2027-03-01#0", people["钱某某"], [people["傅某某"]], USER)
    service.set_crew(
        view, "2027-03-02#0", people["赵某某"], [people["魏某某"], people["姜某某"]], USER
    )
    before = datetime(2027, 3, 2, 8, 29, 59, tzinfo=BEIJING)
    duty = on_duty(workstation.store, before)
    assert (duty.now.leader, duty.now.officers) == ("钱某某", ("傅某某",))
    assert duty.next.text() == "带班 赵某某 · 值班 魏某某、姜某某"
    assert duty.changes_at == datetime(2027, 3, 2, 8, 30, tzinfo=BEIJING)
    duty = on_duty(workstation.store, before + timedelta(seconds=1))
    assert duty.now.leader == "赵某某" and duty.next.text() == "未排班"
    assert "下一班（03-03 08:30）：未排班" in duty.text()


def test_a_new_shift_pattern_moves_the_change(
    service: RosterService, workstation: Workstation
) -> None:
    service.save_settings("07:00", 12, 12, USER)
    assert service.rules().pattern.per_day == 2
    duty = on_duty(workstation.store, datetime(2027, 3, 2, 18, 0, tzinfo=BEIJING))
    assert duty.changes_at == datetime(2027, 3, 2, 19, 0, tzinfo=BEIJING)
    service.set_holiday(date(2027, 3, 8), "妇女节", False, USER)
    assert service.month(*MARCH).holidays[date(2027, 3, 8)] == ("妇女节", False)
    service.remove_holiday(date(2027, 3, 8), USER)
    assert service.month(*MARCH).holidays == {}


def test_the_sheet_goes_out_in_the_wall_layout_and_comes_back_unchanged(
    service: RosterService, people: dict[str, PersonChoice], tmp_path: Path
) -> None:
    _fill_march(service, people)
    service.set_holiday(date(2027, 3, 8), "妇女节", False, USER)
    before = service.month(*MARCH)
    path = export_month(before, service.people(), tmp_path / "march.xlsx")
    ws = load_workbook(path).active
    assert ws is not None
    assert ws["A1"].value == "遂昌县应急管理局 2027年3月值班表"
    assert [c.value for c in ws[2]] == ["日期", "星期", "带班领导", "值班员", "备注"]
    assert [c.value for c in ws[3]][:2] == ["3月1日", "星期一"]
    assert ws["E10"].value == "妇女节"  # 3月8日, row 10
    assert ws.max_row == 2 + 31

    again = read_month(path, service)
    assert again.ok and len(again.rows) == 31 and again.calls == []  # idempotent

    # Emptied, then imported: the month is back as it was.
    view = service.month(*MARCH)
    clear = [c for s in view.shifts for c in service.crew_calls(view, s.key, None, [])]
    service.apply_calls(clear, USER)
    assert service.month(*MARCH).plan == [a for a in before.plan if a.shift_key < "2027-03"]
    preview = read_month(path, service)
    assert preview.ok and len(preview.calls) == len(clear)
    service.apply_calls(preview.calls, USER)
    restored = service.month(*MARCH)
    assert sorted((a.id, a.person_id) for a in restored.plan) == sorted(
        (a.id, a.person_id) for a in before.plan
    )


def test_a_bad_sheet_is_refused_by_row_and_cell_and_nothing_is_planned(
    service: RosterService, people: dict[str, PersonChoice], tmp_path: Path
) -> None:
    path = export_month(service.month(*MARCH), service.people(), tmp_path / "bad.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    ws["C3"], ws["D3"] = "钱某某", "傅某某"  # a good row
    ws["C4"] = "王某某"  # many people of that name
    namesakes = sum(p.name == "王某某" for p in service.people())
    assert namesakes > 1
    ws["C5"] = "查无此人"
    ws["D6"] = "傅某某、魏某某、姜某某"
    ws["A7"] = "2月30日"
    ws["A8"], ws["C8"], ws["D8"] = "3月1日", "钱某某", "傅某某"  # the same shift again
    wb.save(path)
    preview = read_month(path, service)
    assert not preview.ok
    assert preview.refusals == [
        f"第4行 C列（带班领导）：“王某某”有 {namesakes} 人同名，请写成 姓名（职务）",
        "第5行 C列（带班领导）：人员“查无此人”不在通讯录中",
        "第6行 D列（值班员）：每班值班员最多 2 人（收到 3 人）",
        "第7行 A列（日期）：“2月30日”不是 3 月的班次",
        "第8行 A列（日期）：与第3行是同一班次",
    ]


def test_a_file_that_is_not_a_roster_is_refused_in_chinese(
    service: RosterService, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    assert read_month(junk, service).refusals[0].startswith("无法读取 Excel 文件")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "随便一张表"
    wb.save(tmp_path / "other.xlsx")
    assert read_month(tmp_path / "other.xlsx", service).refusals == [
        "第1行：标题中找不到“X年X月”，无法确定月份"
    ]


def test_the_handover_and_the_log_cut_time_with_the_countys_pattern(
    service: RosterService, workstation: Workstation
) -> None:
    from datetime import datetime, time

    from console.domain.beijing import BEIJING
    from console.domain.shifts import DEFAULT_PATTERN, ShiftPattern
    from console.services.handover import HandoverService

    handover = HandoverService(workstation.store)
    assert handover.reload_pattern() == DEFAULT_PATTERN
    service.save_settings("08:00", 12, 8, user="李带班")
    assert handover.pattern == DEFAULT_PATTERN  # no store read until asked to reload
    assert handover.reload_pattern() == ShiftPattern(time(8, 0), 12)
    evening = datetime(2026, 11, 30, 21, 0, tzinfo=BEIJING)
    assert handover.shift_at(evening).key == "2026-11-30#1"
