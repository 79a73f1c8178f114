"""The roster's rules (排班规则) at each boundary: double booking, minimum rest, a leader on
every shift, 1-2 officers; the rotation; swaps; the entry and pattern rules."""

from __future__ import annotations

from datetime import date, time

import pytest

from console.domain import roster
from console.domain.roster import Assignment, RosterRules
from console.domain.shifts import ShiftPattern, shift_of, shifts_in_month

DAY = date(2026, 11, 10)
SHIFT = shift_of(DAY, 0)


def lead(key: str, pid: str = "L1") -> Assignment:
    return Assignment(key, roster.LEADER, 0, pid, f"领导{pid}")


def officer(key: str, pid: str, slot: int = 0) -> Assignment:
    return Assignment(key, roster.OFFICER, slot, pid, f"值班员{pid}")


def kinds(found: list[roster.Violation]) -> list[str]:
    return sorted(v.kind for v in found)


def test_a_shift_with_a_leader_and_one_or_two_officers_is_clean() -> None:
    key = SHIFT.key
    assert roster.check([lead(key), officer(key, "A")], [SHIFT]) == []
    assert roster.check([lead(key), officer(key, "A"), officer(key, "B", 1)], [SHIFT]) == []


def test_no_leader_no_officer_and_three_officers_are_each_named() -> None:
    key = SHIFT.key
    assert kinds(roster.check([officer(key, "A")], [SHIFT])) == [roster.NO_LEADER]
    [v] = roster.check([lead(key)], [SHIFT])
    assert (v.kind, v.message) == (roster.OFFICERS, "11月10日（二）没有值班员")
    three = [lead(key), officer(key, "A"), officer(key, "B", 1), officer(key, "C", 2)]
    [v] = roster.check(three, [SHIFT])
    assert v.kind == roster.OFFICERS and "3 人，最多 2 人" in v.message
    assert kinds(roster.check([], [SHIFT])) == sorted([roster.NO_LEADER, roster.OFFICERS])


def test_one_person_twice_in_one_shift_is_double_booking() -> None:
    key = SHIFT.key
    [v] = roster.check([lead(key, "X"), officer(key, "X")], [SHIFT])
    assert (v.kind, v.person_id) == (roster.DOUBLE, "X")
    assert "排了两次" in v.message


def test_rest_exactly_the_minimum_passes_one_hour_less_does_not() -> None:
    pattern = ShiftPattern(time(8, 30), 12)  # 08:30-20:30, 20:30-08:30
    day_shift, next_day = shift_of(DAY, 0, pattern), shift_of(date(2026, 11, 11), 0, pattern)
    plan = [officer(day_shift.key, "A"), officer(next_day.key, "A")]  # 12 h between them
    shifts = [day_shift, next_day]
    on_rest = [
        v for v in roster.check(plan, shifts, RosterRules(pattern, 12)) if v.kind == "休息不足"
    ]
    assert on_rest == []
    [v] = [v for v in roster.check(plan, shifts, RosterRules(pattern, 13)) if v.kind == roster.REST]
    assert v.shift_key == next_day.key  # reported on the later shift
    assert "仅休息 12 小时" in v.message and "至少 13 小时" in v.message


def test_two_days_in_a_row_break_the_default_rest_and_rest_zero_allows_them() -> None:
    nxt = shift_of(date(2026, 11, 11), 0)
    plan = [lead(SHIFT.key, "A"), lead(nxt.key, "A")]
    assert roster.REST in kinds(roster.check(plan, [SHIFT, nxt]))
    relaxed = roster.check(plan, [SHIFT, nxt], RosterRules(min_rest_hours=0))
    assert roster.REST not in kinds(relaxed)


def test_back_to_back_shifts_of_one_day_leave_no_rest() -> None:
    """Shifts of one pattern never overlap (so double booking across shifts is the same
    shift twice); the day and the night shift of one day touch: no rest at all."""
    pattern = ShiftPattern(time(8, 30), 12)
    day_shift, night = shift_of(DAY, 0, pattern), shift_of(DAY, 1, pattern)
    plan = [officer(day_shift.key, "A"), officer(night.key, "A")]
    found = roster.check(plan, [day_shift, night], RosterRules(pattern, 1))
    [v] = [v for v in found if v.kind == roster.REST]
    assert v.shift_key == night.key and "仅休息 0 小时" in v.message


def test_rest_is_judged_across_the_month_edge() -> None:
    november = shifts_in_month(2026, 11)
    last_of_october = shift_of(date(2026, 10, 31), 0)
    plan = [lead(last_of_october.key, "A"), lead(november[0].key, "A")]
    found = [v for v in roster.check(plan, november) if v.kind == roster.REST]
    assert [v.shift_key for v in found] == [november[0].key]


def test_a_key_of_another_pattern_in_the_month_is_flagged() -> None:
    pattern = ShiftPattern(time(8, 30), 24)
    found = roster.check([lead(f"{DAY.isoformat()}#1")], [SHIFT], RosterRules(pattern))
    assert roster.BAD_SHIFT in kinds(found)


def test_rotation_fills_every_shift_in_turn_without_doubling_an_officer() -> None:
    shifts = shifts_in_month(2026, 11)
    leaders = [("L1", "甲"), ("L2", "乙"), ("L3", "丙")]
    officers = [("O1", "子"), ("O2", "丑"), ("O3", "寅"), ("O4", "卯")]
    plan = roster.rotation(shifts, leaders, officers, per_shift=2)
    assert roster.check(plan, shifts, RosterRules(min_rest_hours=24)) == []
    first = [a.person_id for a in plan if a.shift_key == shifts[0].key]
    second = [a.person_id for a in plan if a.shift_key == shifts[1].key]
    assert first == ["L1", "O1", "O2"] and second == ["L2", "O3", "O4"]
    started = roster.rotation(shifts[:1], leaders, officers, start=2)
    assert [a.person_id for a in started] == ["L3", "O3"]
    with pytest.raises(ValueError):
        roster.rotation(shifts, leaders, officers, per_shift=3)
    # One officer, two a shift: the one officer once, not twice.
    single = roster.rotation(shifts[:1], leaders, officers[:1], per_shift=2)
    assert [a.person_id for a in single] == ["L1", "O1"]


def test_swapped_exchanges_two_people_and_added_names_only_new_violations() -> None:
    day2, day3 = shift_of(date(2026, 11, 11), 0), shift_of(date(2026, 11, 12), 0)
    shifts = [SHIFT, day2, day3]
    plan = [lead(SHIFT.key, "A"), officer(SHIFT.key, "B")]
    plan += [lead(day2.key, "C"), officer(day2.key, "D")]
    plan += [lead(day3.key, "E"), officer(day3.key, "B")]
    before = roster.check(plan, shifts)
    assert before == []  # B works day 1 and day 3: a day's rest between
    after = roster.swapped(plan, plan[3].id, plan[5].id)
    assert [a.person_id for a in after] == ["A", "B", "C", "B", "E", "D"]
    [added] = roster.added(before, roster.check(after, shifts))
    assert (added.kind, added.person_id, added.shift_key) == (roster.REST, "B", day2.key)


def test_swap_problem_refuses_the_same_slot_another_role_and_the_same_person() -> None:
    a = {"id": "1", "role": roster.OFFICER, "person_id": "P"}
    assert roster.swap_problem(a, a) == "请选择两个不同的班次"
    assert "同一角色" in str(roster.swap_problem(a, {**a, "id": "2", "role": roster.LEADER}))
    assert roster.swap_problem(a, {**a, "id": "2"}) == "两个班次是同一人，无需换班"
    assert roster.swap_problem(a, {**a, "id": "2", "person_id": "Q"}) is None


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"shift_key": "2026-11-30#0", "role": roster.LEADER, "slot": 0}, None),
        ({"shift_key": "2026-11-30#3", "role": roster.OFFICER, "slot": 1}, None),
        ({"shift_key": "2026-11-30#0", "role": roster.LEADER, "slot": 1}, "最多 1 人"),
        ({"shift_key": "2026-11-30#4", "role": roster.LEADER, "slot": 0}, "班次编号应为"),
        ({"shift_key": "2026-02-30#0", "role": roster.LEADER, "slot": 0}, "班次日期无效"),
        ({"shift_key": "20261130", "role": roster.LEADER, "slot": 0}, "班次编号应为"),
    ],
)
def test_entry_problem(record: dict[str, object], problem: str | None) -> None:
    found = roster.entry_problem(record)
    assert found is None if problem is None else problem in str(found)


def test_settings_problem_and_rules_of_a_record() -> None:
    assert roster.settings_problem({"shift_start": "08:30", "shift_hours": 12}) is None
    assert "6、8、12 或 24" in str(
        roster.settings_problem({"shift_start": "08:30", "shift_hours": 10})
    )
    assert "时:分" in str(roster.settings_problem({"shift_start": "8点", "shift_hours": 24}))
    rules = RosterRules.of({"shift_start": "07:00", "shift_hours": 12, "min_rest_hours": 10})
    assert rules == RosterRules(ShiftPattern(time(7, 0), 12), 10)
    assert RosterRules.of(None) == RosterRules()
