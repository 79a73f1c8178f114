"""The sample county's duty roster (样例数据): fictitious duty staff of the county's 应急管理局
and a month of shifts planned from a rotation, for the month of the load.

Like the rest of the sample, every record is ``is_sample`` (local to the workstation, never
pushed) and keyed naturally, so loading twice writes nothing new. The holidays given are
only the fixed-date ones (元旦, 劳动节, 国庆节), whatever the year; the county's own
calendar (调休 and the moving feasts) is the leader's to enter.
"""

from __future__ import annotations

from datetime import date, timedelta

from console.domain import roster
from console.domain.ids import reference_id
from console.domain.rows import MutationCall
from console.domain.shifts import shifts_in_month

OFFICE = "遂昌县应急管理局"
# (name, post, mobile): fictitious, in the sample's 某某 style, surnames the county's
# sample people do not use, so each name is unique.
LEADERS = (
    ("钱某某", "局长", "13800000901"),
    ("赵某某", "副局长", "13800000902"),
    ("韩某某", "副局长", "13800000903"),
    ("曹某某", "总工程师", "13800000904"),
)
OFFICERS = (
    ("傅某某", "值班员", "13800000911"),
    ("魏某某", "值班员", "13800000912"),
    ("姜某某", "值班员", "13800000913"),
    ("邵某某", "值班员", "13800000914"),
    ("严某某", "值班员", "13800000915"),
    ("范某某", "值班员", "13800000916"),
)
FIXED_HOLIDAYS = (((1, 1), "元旦"), ((5, 1), "劳动节"), ((5, 2), "劳动节"))
NATIONAL_DAY = tuple(((10, d), "国庆节") for d in (1, 2, 3))


def person_id(mobile: str) -> str:
    return reference_id("person", mobile)


def roster_calls(today: date) -> list[MutationCall]:
    """The duty staff, the fixed holidays of ``today``'s year and the next, and ``today``'s
    month and the next planned: leaders one a day in turn, one officer a shift, two on weekends."""
    calls: list[MutationCall] = []
    unit = reference_id("unit", OFFICE)
    for name, post, mobile in (*LEADERS, *OFFICERS):
        args = {"name": name, "post": post, "mobile": mobile, "unit_id": unit, "is_sample": True}
        calls.append(("person.upsert", {"id": person_id(mobile), **args}))
    for year in (today.year, today.year + 1):
        for (month, day), name in (*FIXED_HOLIDAYS, *NATIONAL_DAY):
            on = date(year, month, day)
            args = {"day": on.isoformat(), "name": name, "legal": True, "is_sample": True}
            calls.append(
                ("holiday.upsert", {"id": reference_id("holiday", on.isoformat()), **args})
            )
    leaders = [(person_id(m), n) for n, _p, m in LEADERS]
    officers = [(person_id(m), n) for n, _p, m in OFFICERS]
    # This month and the next: the status bar's "next shift" is planned on the last day too.
    # And the month of yesterday: before 08:30 on the 1st the shift on duty began last month.
    months = [(today.year, today.month), (today.year + today.month // 12, today.month % 12 + 1)]
    yesterday = today - timedelta(days=1)
    if yesterday.month != today.month:
        months.insert(0, (yesterday.year, yesterday.month))
    shifts = [shift for year, month in months for shift in shifts_in_month(year, month)]
    plan = roster.rotation(shifts, leaders, officers, per_shift=1)
    for n, shift in enumerate(shifts):
        if shift.day.weekday() >= 5:  # three turns away from their own shift: rested
            pid, name = officers[(n + 3) % len(officers)]
            plan.append(roster.Assignment(shift.key, roster.OFFICER, 1, pid, name))
    for a in plan:
        args = {
            "id": a.id,
            "shift_key": a.shift_key,
            "role": a.role,
            "slot": a.slot,
            "person_id": a.person_id,
            "is_sample": True,
        }
        calls.append(("roster_entry.upsert", args))
    return calls
