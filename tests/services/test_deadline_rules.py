"""信息报送 rules as the rules are written (issue 8 §2): matching, kinds, schedules, sources,
the practice switch, and when reporting is complete. Pure: the default table as data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from console.domain import beijing
from console.domain import reporting as rp
from console.domain.default_rules import default_rule_calls, upgrade_calls
from console.domain.ids import new_id
from console.domain.roles import SYSTEM_USER
from console.services.deadlines import Reporting, reporting_for, status_text

RECEIVED = datetime(2026, 11, 28, 13, 50, tzinfo=beijing.BEIJING)


def _rules() -> list[dict[str, Any]]:
    return [{**args, "deleted": False} for _name, args in default_rule_calls()]


def _incident(
    category: str, subtype: str = "", grade: str | None = None, **kw: Any
) -> dict[str, Any]:
    return {
        "id": "i1",
        "category": category,
        "subtype": subtype,
        "sub_hazard": kw.pop("sub_hazard", ""),
        "grade": grade,
        "received_at": beijing.canonical(RECEIVED),
        "status": kw.pop("status", "处置中"),
        "closed_at": kw.pop("closed_at", None),
        **kw,
    }


def _report(stage: str, channel: str, at: datetime) -> dict[str, Any]:
    return {"stage": stage, "channel": channel, "sent_at": beijing.canonical(at)}


def _duties(
    incident: dict[str, Any],
    reports: Sequence[dict[str, Any]] = (),
    now: datetime = RECEIVED + timedelta(minutes=10),
    rules: list[dict[str, Any]] | None = None,
    changes: Sequence[datetime] = (),
) -> Reporting:
    return reporting_for(incident, rules or _rules(), reports, now=now, casualty_changes=changes)


def _summary(r: Reporting) -> list[tuple[str, str, str, str]]:
    return [(d.stage, d.channel, d.due.strftime("%m-%d %H:%M"), d.source) for d in r.deadlines]


def test_every_default_rule_cites_its_source_and_kind() -> None:
    for rule in _rules():
        assert rule["basis"], rule
        assert rule["source"] in (rp.LAW, rp.PRACTICE)
        assert rp.rule_problem(rule) is None, rule
    practice = [r for r in _rules() if r["source"] == rp.PRACTICE]
    assert practice and all("惯例" in r["basis"] for r in practice)


def test_a_forest_fire_has_its_own_rule_not_only_the_generic_natural_disaster_one() -> None:
    fire = _summary(_duties(_incident("自然灾害", "森林火灾", "一般")))
    landslide = _summary(_duties(_incident("自然灾害", "地质", "一般")))
    assert ("初报", "电话", "11-28 14:20", rp.PRACTICE) in fire  # 有火必报
    assert not any(s[:2] == ("初报", "电话") for s in landslide)
    # both get the 19号 初报 within 2 h and the daily 续报
    for duties in (fire, landslide):
        assert ("初报", "书面", "11-28 15:50", rp.LAW) in duties
        assert ("续报", "书面", "11-29 09:00", rp.LAW) in duties


def test_pollution_and_nuclear_accidents_do_not_inherit_the_production_safety_rules() -> None:
    factory = _summary(_duties(_incident("事故灾难", "企业安全事故", "一般")))
    pollution = _summary(_duties(_incident("事故灾难", "环境污染", "一般")))
    nuclear = _duties(_incident("事故灾难", "核与辐射", "一般"))
    assert factory == [("首报", "书面", "11-28 15:50", rp.LAW)]  # 493号令 Art. 11: 2 h
    assert pollution == [("首报", "书面", "11-28 17:50", rp.LAW)]  # 17号令: 4 h
    assert nuclear.deadlines == () and nuclear.rules == ()
    assert status_text(nuclear, RECEIVED) == "无适用报送规则"
    serious = _summary(_duties(_incident("事故灾难", "环境污染", "重大")))
    # 重大 pollution: the rule naming subtype and grade (17号令, 2 h) is the most specific;
    # the practice still asks for the phone report within 30 min
    assert serious == [
        ("首报", "电话", "11-28 14:20", rp.PRACTICE),
        ("首报", "书面", "11-28 15:50", rp.LAW),
    ]


def test_most_specific_rule_wins_and_a_practice_rule_can_be_switched_off() -> None:
    incident = _incident("事故灾难", "企业安全事故", "较大")
    on = _summary(_duties(incident))
    assert ("首报", "电话", "11-28 14:20", rp.PRACTICE) in on
    assert ("首报", "书面", "11-28 14:50", rp.PRACTICE) in on
    off = [{**r, "enabled": r["source"] != rp.PRACTICE} for r in _rules()]
    assert _summary(_duties(incident, rules=off)) == [("首报", "书面", "11-28 15:50", rp.LAW)]
    county = {
        **_rules()[0],
        "id": new_id(),
        "category": "事故灾难",
        "subtype": "企业安全事故",
        "grade": "较大",
        "stage": "首报",
        "channel": "书面",
        "minutes": 90,
        "source": rp.LOCAL,
        "schedule": rp.AFTER_RECEIPT,
        "basis": "县政府2026年规定",
    }
    # subtype + grade beats subtype alone and grade alone, even when it is less strict
    mine = _summary(_duties(incident, rules=[*_rules(), county]))
    assert ("首报", "书面", "11-28 15:20", rp.LOCAL) in mine


def test_natural_disasters_report_daily_while_open_and_verify_after_closure() -> None:
    incident = _incident("自然灾害", "气象", "一般", sub_hazard="台风")
    now = RECEIVED + timedelta(days=2, hours=1)  # 11-30 14:50
    sent = [
        _report("初报", "书面", RECEIVED + timedelta(minutes=40)),
        _report("续报", "书面", datetime(2026, 11, 29, 8, 30, tzinfo=beijing.BEIJING)),
    ]
    r = _duties(incident, sent, now=now)
    daily = [(d.due.strftime("%m-%d %H:%M"), d.met) for d in r.deadlines if d.stage == "续报"]
    assert daily == [("11-29 09:00", True), ("11-30 09:00", False), ("12-01 09:00", False)]
    assert r.after_close == ("核报",) and not r.complete
    assert status_text(r, now) == "续报(书面) 超时 5 小时 50 分"
    closed_at = datetime(2026, 11, 30, 16, 0, tzinfo=beijing.BEIJING)
    late = _report("续报", "书面", datetime(2026, 11, 30, 15, 0, tzinfo=beijing.BEIJING))
    closed = _incident(
        "自然灾害",
        "气象",
        "一般",
        sub_hazard="台风",
        status="已结案",
        closed_at=beijing.canonical(closed_at),
    )
    done = _duties(closed, [*sent, late], now=closed_at)
    # no daily report after closure; 核报 within 5 days of it
    assert [d.due.strftime("%m-%d") for d in done.deadlines if d.stage == "续报"] == [
        "11-29",
        "11-30",
    ]
    (verify,) = [d for d in done.deadlines if d.stage == "核报"]
    assert verify.due == closed_at + timedelta(days=5) and not verify.met
    assert not done.complete
    final = _duties(closed, [*sent, late, _report("核报", "书面", closed_at)], now=closed_at)
    assert final.complete and status_text(final, closed_at) == "报送已完成"


def test_drought_is_reported_every_ten_days_not_daily() -> None:
    drought = _incident("自然灾害", "水旱", "一般", sub_hazard="干旱")
    r = _duties(drought, now=RECEIVED + timedelta(days=25))
    follow = [d.due for d in r.deadlines if d.stage == "续报"]
    assert follow == [RECEIVED + timedelta(days=10 * k) for k in (1, 2, 3)]
    assert all(d.source == rp.LAW and "10日" in d.basis for d in r.deadlines if d.stage == "续报")


def test_a_casualty_change_calls_for_a_supplement_within_the_window_of_its_kind() -> None:
    first = _report("首报", "书面", RECEIVED + timedelta(hours=1))
    factory = _incident("事故灾难", "企业安全事故", "一般")
    road = _incident("事故灾难", "交通运输", "一般")
    day10 = RECEIVED + timedelta(days=10)
    r = _duties(factory, [first], now=day10, changes=[day10])
    (supplement,) = [d for d in r.deadlines if d.stage == "补报"]
    assert supplement.due == day10 + timedelta(hours=2) and "493号" in supplement.basis
    # road traffic and fires: 7 days (493号令 Art. 13)
    assert not [
        d for d in _duties(road, [first], now=day10, changes=[day10]).deadlines if d.stage == "补报"
    ]
    day5 = RECEIVED + timedelta(days=5)
    assert [d.stage for d in _duties(road, [first], now=day5, changes=[day5]).unmet] == ["补报"]
    # a change before the first report is in that report: no 补报
    early = RECEIVED + timedelta(minutes=20)
    assert not [
        d for d in _duties(factory, [first], changes=[early]).deadlines if d.stage == "补报"
    ]
    met = _duties(
        factory,
        [first, _report("补报", "书面", day10 + timedelta(hours=1))],
        now=day10,
        changes=[day10],
    )
    assert met.complete


def test_an_ungraded_incident_is_never_complete() -> None:
    incident = _incident("事故灾难", "企业安全事故", None)
    sent = [_report("首报", "书面", RECEIVED + timedelta(minutes=30))]
    r = _duties(incident, sent)
    assert not r.unmet and r.ungraded and not r.complete
    assert status_text(r, RECEIVED) == "待定级"
    graded = _duties({**incident, "grade": "一般"}, sent)
    assert graded.complete and status_text(graded, RECEIVED) == "报送已完成"
    # 社会安全事件 carry no grade: complete once sent
    social = _incident("社会安全事件", "群体性", None)
    both = [_report("首报", c, RECEIVED + timedelta(minutes=10)) for c in ("电话", "书面")]
    assert _duties(social, both).complete


def test_rule_fields_that_do_not_go_together_are_refused_in_chinese() -> None:
    base = {"category": "自然灾害", "stage": "续报", "channel": "书面", "minutes": 60}
    assert rp.rule_problem({**base, "subtype": "火灾"}) == "“自然灾害”下没有子类“火灾”"
    assert "亚灾种" in (rp.rule_problem({**base, "subtype": "地质", "sub_hazard": "干旱"}) or "")
    assert "不分级" in (
        rp.rule_problem({**base, "category": "社会安全事件", "grade": "一般"}) or ""
    )
    assert "天数" in (rp.rule_problem({**base, "schedule": rp.ON_CASUALTY_CHANGE}) or "")
    assert "1 小时" in (rp.rule_problem({**base, "schedule": rp.PERIODIC, "minutes": 30}) or "")


def _v1_row(
    category: str, grade: str, stage: str, channel: str, minutes: int, basis: str
) -> dict[str, Any]:
    from console.domain.default_rules import rule_id

    return {
        "id": rule_id(category, grade, stage, channel),
        "category": category,
        "grade": grade,
        "stage": stage,
        "channel": channel,
        "minutes": minutes,
        "basis": basis,
        "subtype": "",
        "schedule": rp.AFTER_RECEIPT,
        "deleted": False,
        "updated_by": SYSTEM_USER,
    }


def test_the_first_default_table_is_replaced_unless_the_county_edited_it() -> None:
    rows = [_v1_row(*v) for v in rp.V1_RULES]
    calls = upgrade_calls(rows)
    deletes = [args["id"] for name, args in calls if name == "report_rule.delete"]
    assert sorted(deletes) == sorted(r["id"] for r in rows)
    assert len(calls) - len(deletes) == len(rp.DEFAULT_RULES)
    edited = [{**rows[0], "minutes": 25, "updated_by": "王局长"}, *rows[1:]]
    kept = [args["id"] for name, args in upgrade_calls(edited) if name == "report_rule.delete"]
    assert rows[0]["id"] not in kept and len(kept) == len(rows) - 1
    # once the current defaults were loaded, nothing more happens (a deleted one stays deleted)
    loaded = [*rows, {**_rules()[0], "deleted": True, "updated_by": "王局长"}]
    assert upgrade_calls(loaded) == []
    assert upgrade_calls([]) == []


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(120, "接报后 2 小时内"), (30, "接报后 30 分内")],
)
def test_schedules_read_as_people_say_them(minutes: int, text: str) -> None:
    assert rp.schedule_text({"minutes": minutes, "schedule": rp.AFTER_RECEIPT}) == text
    assert (
        rp.schedule_text({"schedule": rp.DAILY, "daily_at": 540}) == "事件未结案期间每日 09:00 前"
    )
    assert rp.schedule_text({"schedule": rp.PERIODIC, "minutes": 14400}) == "事件未结案期间每 10 天"


def test_the_readme_lists_the_default_rules_with_their_sources() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert rp.rules_markdown() in readme, "run python tools/readme_tables.py"
    for rule in rp.DEFAULT_RULES:
        assert rule.basis in readme


def test_the_detail_lists_every_report_due_with_its_source() -> None:
    from console.services.deadlines import duties_text

    incident = _incident("事故灾难", "企业安全事故", None)
    sent = [_report("首报", "书面", RECEIVED + timedelta(minutes=30))]
    text = duties_text(_duties(incident, sent), RECEIVED + timedelta(hours=1))
    assert text.startswith("报送要求：首报(书面) 截止 11-28 15:50 已报送 11-28 14:20〔法规〕")
    assert text.endswith("未定级，定级后可能还有报送要求")
    nuclear = _duties(_incident("事故灾难", "核与辐射", "一般"))
    assert "无适用规则" in duties_text(nuclear, RECEIVED)
    late = duties_text(_duties({**incident, "grade": "一般"}), RECEIVED + timedelta(hours=3))
    assert late.endswith("超时 1 小时〔法规〕")


def test_an_incident_open_for_years_lists_only_its_newest_occurrences() -> None:
    """The list computes duties for every row it shows: an incident left open for two
    years makes about two months of daily 续报, not seven hundred, and a report sent this
    morning still meets today's."""
    import time

    from console.services.deadlines import MAX_OCCURRENCES

    incident = _incident("自然灾害", "气象", "一般", sub_hazard="暴雨")
    now = RECEIVED + timedelta(days=730, hours=1)  # 11-28 14:50, two years on
    today = now.replace(hour=8, minute=30)
    started = time.perf_counter()
    r = _duties(incident, [_report("续报", "书面", today)], now=now)
    took = time.perf_counter() - started
    daily = [d for d in r.deadlines if d.stage == "续报"]
    assert len(daily) <= MAX_OCCURRENCES + 1 and took < 0.05
    assert daily[-1].due > now and not daily[-1].met  # tomorrow's
    assert daily[-2].due == now.replace(hour=9, minute=0) and daily[-2].met
    assert daily[0].due >= now - timedelta(days=MAX_OCCURRENCES + 1)
    drought = _incident("自然灾害", "水旱", "一般", sub_hazard="干旱")
    tenth = [d for d in _duties(drought, now=RECEIVED + timedelta(days=3650)).deadlines]
    assert len([d for d in tenth if d.stage == "续报"]) <= MAX_OCCURRENCES + 1


def test_a_call_to_a_responsible_person_is_a_measure_in_the_report() -> None:
    """A call logged from the 通讯录 (kind 通话) is listed among the measures taken."""
    from console.services.report_text import compose

    incident = {
        **_incident("自然灾害", "地质", "一般", sub_hazard="滑坡"),
        "title": "北界镇苏村滑坡",
        "township_id": None,
        "village_id": None,
    }
    call = {
        "id": "t1",
        "kind": "通话",
        "body": "致电张某某（乡镇第一责任人） 13800000001：已接通",
        "at": beijing.canonical(RECEIVED + timedelta(minutes=5)),
    }
    note = {**call, "id": "t2", "kind": "备注", "body": "内部备忘"}
    draft = compose("初报", incident, [call, note], [], {}, now=RECEIVED)
    assert "致电张某某（乡镇第一责任人） 13800000001：已接通" in draft.body
    assert "内部备忘" not in draft.body
