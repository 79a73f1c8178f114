"""Upward-reporting (信息报送) rules: which report is due when, and by which rule.

The rules are DATA (the synced ``report_rules`` table the duty leader edits in 设置). A rule
matches a category and, optionally, a subtype, a sub-hazard and a grade; for each kind of
report and channel the most specific matching rule wins (:func:`matching_rules`). Its
schedule says when the report is due:

- 接报后: ``minutes`` after the call was received (首报 / 初报);
- 定期: every ``minutes`` while the incident is open (drought 续报 every 10 days);
- 每日: every day before ``daily_at`` (minute of the day) while it is open (the 自然灾害
  24-hour 零报告, data to 24:00 of the day before);
- 伤亡变化: ``minutes`` after a change of casualties made within ``window_days`` of receipt
  (补报, 国务院令493号 Art. 13);
- 结案后: ``minutes`` after the incident was closed (终报 / 核报).

The defaults (:data:`DEFAULT_RULES`) each cite their source; duty-room practice that is
stricter than the law is a rule of its own, labelled 惯例, that the county can switch off.

Pure: no database, no Qt, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.domain import catalog
from console.domain.spans import span_text

# Kinds of report. 首报/续报/终报 in general; natural disasters use 初报/续报/核报
# (应急〔2020〕19号); 补报 when casualties change after the first report (493号令 Art. 13).
REPORT_STAGES: tuple[str, ...] = ("首报", "初报", "续报", "补报", "终报", "核报")
FIRST_STAGES: frozenset[str] = frozenset({"首报", "初报"})
CHANNELS: tuple[str, ...] = ("电话", "书面")

AFTER_RECEIPT, PERIODIC, DAILY, ON_CASUALTY_CHANGE, AFTER_CLOSED = (
    "接报后",
    "定期",
    "每日",
    "伤亡变化",
    "结案后",
)
SCHEDULES: tuple[str, ...] = (AFTER_RECEIPT, PERIODIC, DAILY, ON_CASUALTY_CHANGE, AFTER_CLOSED)

LAW, PRACTICE, LOCAL = "法规", "惯例", "本县规定"
RULE_SOURCES: tuple[str, ...] = (LAW, PRACTICE, LOCAL)

# The incident fields whose change calls for a 补报 (伤亡人数, 493号令 Art. 13).
CASUALTY_FIELDS: dict[str, str] = {
    "dead": "死亡",
    "missing": "失踪",
    "seriously_injured": "重伤",
    "injured": "受伤",
}

MAX_MINUTES = 60 * 24 * 30
DAY_MINUTES = 24 * 60


def natural_disaster(category: str) -> bool:
    return category == "自然灾害"


def stages_for(category: str) -> tuple[str, ...]:
    """The kinds of report an incident of ``category`` is reported with, in order."""
    if natural_disaster(category):
        return ("初报", "续报", "补报", "核报")
    return ("首报", "续报", "补报", "终报")


def clock_text(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def schedule_text(rule: Mapping[str, Any]) -> str:
    """'接报后 2 小时内' / '每 10 天' / '每日 09:00 前' / '伤亡变化后 2 小时内（接报 30 天内）'
    / '结案后 5 天内': a rule's schedule as people say it."""
    minutes = int(rule.get("minutes") or 0)
    schedule = rule.get("schedule") or AFTER_RECEIPT
    if schedule == PERIODIC:
        return f"事件未结案期间每 {span_text(minutes)}"
    if schedule == DAILY:
        return f"事件未结案期间每日 {clock_text(int(rule.get('daily_at') or 0))} 前"
    if schedule == ON_CASUALTY_CHANGE:
        days = int(rule.get("window_days") or 0)
        return f"伤亡变化后 {span_text(minutes)}内（接报 {days} 天内的变化）"
    if schedule == AFTER_CLOSED:
        return f"结案后 {span_text(minutes)}内"
    return f"接报后 {span_text(minutes)}内"


def rule_problem(values: Mapping[str, Any]) -> str | None:
    """Why a rule's fields do not go together (Chinese), None when they do. The one wording:
    the mutation refuses with it on every replica, the 设置 form shows it."""
    category = values.get("category")
    if category not in catalog.EVENT_CATEGORIES:
        return None  # the field check names a bad category
    subtype = values.get("subtype") or ""
    if subtype and subtype not in catalog.EVENT_CATEGORIES[category]:
        return f"“{category}”下没有子类“{subtype}”"
    problem = catalog.sub_hazard_problem(category, subtype, values.get("sub_hazard") or "")
    if problem is not None:
        return problem
    if values.get("grade") and category in catalog.UNGRADED_CATEGORIES:
        return f"“{category}”不分级，规则的事件等级请留空"
    schedule = values.get("schedule") or AFTER_RECEIPT
    if schedule == ON_CASUALTY_CHANGE and not values.get("window_days"):
        return "伤亡变化补报须填写“接报后多少天内的变化需补报”（天数）"
    if schedule == PERIODIC and int(values.get("minutes") or 0) < 60:
        return "定期报送的间隔不能短于 1 小时"
    return None


def specificity(rule: Mapping[str, Any]) -> int:
    return sum(1 for k in ("subtype", "sub_hazard", "grade") if rule.get(k))


def matches(rule: Mapping[str, Any], incident: Mapping[str, Any]) -> bool:
    if rule.get("deleted") or not rule.get("enabled", True):
        return False
    if rule["category"] != incident["category"]:
        return False
    for key in ("subtype", "sub_hazard", "grade"):
        wanted = rule.get(key) or ""
        if wanted and wanted != (incident.get(key) or ""):
            return False
    return True


def matching_rules(
    rules: Iterable[Mapping[str, Any]], incident: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """The rules that apply to the incident: for each kind of report and channel, the most
    specific enabled rule (subtype, sub-hazard and grade each count); among equally specific
    ones the stricter (shorter time) wins, so a county's practice rule and the law's rule at
    the same level never loosen each other."""
    chosen: dict[tuple[str, str], Mapping[str, Any]] = {}
    for rule in rules:
        if not matches(rule, incident):
            continue
        key = (rule["stage"], rule["channel"])
        held = chosen.get(key)
        if held is None or _beats(rule, held):
            chosen[key] = rule
    return sorted(chosen.values(), key=lambda r: (REPORT_STAGES.index(r["stage"]), r["channel"]))


def _beats(rule: Mapping[str, Any], held: Mapping[str, Any]) -> bool:
    a, b = specificity(rule), specificity(held)
    if a != b:
        return a > b
    ma, mb = int(rule["minutes"]), int(held["minutes"])
    if ma != mb:
        return ma < mb
    return str(rule["id"]) < str(held["id"])


@dataclass(frozen=True)
class DefaultRule:
    category: str
    stage: str
    channel: str
    minutes: int
    basis: str
    source: str
    schedule: str = AFTER_RECEIPT
    subtype: str = ""
    sub_hazard: str = ""
    grade: str = ""
    daily_at: int = 0
    window_days: int = 0


SERIOUS_GRADES: tuple[str, ...] = ("特别重大", "重大", "较大")
# 493号令 Art. 2: it governs production-safety accidents; environmental-pollution and
# nuclear-facility accidents are expressly outside it.
PRODUCTION_SAFETY_SUBTYPES: tuple[str, ...] = (
    "企业安全事故",
    "交通运输",
    "火灾",
    "公共设施设备",
    catalog.OTHER,
)
# 493号令 Art. 13: 补报 window 7 days for road traffic and fire accidents, else 30.
SHORT_SUPPLEMENT_SUBTYPES: frozenset[str] = frozenset({"交通运输", "火灾"})

_PRACTICE = "值班惯例（严于法规）：较大及以上事件30分钟内电话报告、1小时内书面报告；可停用"
_NATURAL_FIRST = "应急〔2020〕19号《自然灾害情况统计调查制度》：县级在灾害发生后2小时内向地市级初报"
_NATURAL_DAILY = (
    "应急〔2020〕19号：灾害持续期间执行24小时零报告，每日续报截至前一日24时的灾情"
    "（9时为默认截止时刻，请按本地要求核对）"
)
_DROUGHT = "应急〔2020〕19号：干旱灾害每10日续报一次"
_NATURAL_VERIFY = "应急〔2020〕19号：灾情稳定后核报（默认结案后5日内，请按本地要求核对）"
_FOREST_FIRE = "国家森林草原火灾应急预案：有火必报；30分钟电话报告为值班惯例，可停用"
_ACCIDENT_UP = (
    "国务院令493号第11条：事故报告逐级上报，每级不超过2小时"
    "（第9条的1小时是事故单位向县级报告的义务）"
)
_ACCIDENT_SUPPLEMENT = (
    "国务院令493号第13条：自事故发生之日起{days}日内伤亡人数变化的，应当及时补报（2小时为默认）"
)
_ENVIRONMENT = "《突发环境事件信息报告办法》（环境保护部令第17号）：县级4小时内报告"
_ENVIRONMENT_SERIOUS = (
    "《突发环境事件信息报告办法》（环境保护部令第17号）：重大、特别重大2小时内报告"
)
_HEALTH = "《突发公共卫生事件应急条例》第19条：县级人民政府接到报告后2小时内向上级报告"


def _practice(category: str, stage: str, grades: tuple[str, ...]) -> list[DefaultRule]:
    return [
        DefaultRule(category, stage, channel, minutes, _PRACTICE, PRACTICE, grade=grade)
        for grade in grades
        for channel, minutes in (("电话", 30), ("书面", 60))
    ]


DEFAULT_RULES: tuple[DefaultRule, ...] = tuple(
    [
        # 自然灾害: 初报 / 续报 / 核报.
        DefaultRule("自然灾害", "初报", "书面", 120, _NATURAL_FIRST, LAW),
        DefaultRule(
            "自然灾害", "续报", "书面", DAY_MINUTES, _NATURAL_DAILY, LAW, DAILY, daily_at=9 * 60
        ),
        DefaultRule(
            "自然灾害", "续报", "书面", 10 * DAY_MINUTES, _DROUGHT, LAW, PERIODIC, "水旱", "干旱"
        ),
        DefaultRule(
            "自然灾害", "核报", "书面", 5 * DAY_MINUTES, _NATURAL_VERIFY, LAW, AFTER_CLOSED
        ),
        DefaultRule("自然灾害", "初报", "电话", 30, _FOREST_FIRE, PRACTICE, subtype="森林火灾"),
        *_practice("自然灾害", "初报", SERIOUS_GRADES),
        # 事故灾难: production-safety accidents under 493号令 (not pollution or nuclear).
        *[
            DefaultRule("事故灾难", "首报", "书面", 120, _ACCIDENT_UP, LAW, subtype=subtype)
            for subtype in PRODUCTION_SAFETY_SUBTYPES
        ],
        *[
            DefaultRule(
                "事故灾难",
                "补报",
                "书面",
                120,
                _ACCIDENT_SUPPLEMENT.format(days=days),
                LAW,
                ON_CASUALTY_CHANGE,
                subtype,
                window_days=days,
            )
            for subtype in PRODUCTION_SAFETY_SUBTYPES
            for days in ((7 if subtype in SHORT_SUPPLEMENT_SUBTYPES else 30),)
        ],
        DefaultRule("事故灾难", "首报", "书面", 240, _ENVIRONMENT, LAW, subtype="环境污染"),
        *[
            DefaultRule(
                "事故灾难",
                "首报",
                "书面",
                120,
                _ENVIRONMENT_SERIOUS,
                LAW,
                subtype="环境污染",
                grade=g,
            )
            for g in ("特别重大", "重大")
        ],
        *_practice("事故灾难", "首报", SERIOUS_GRADES),
        # 公共卫生事件
        DefaultRule("公共卫生事件", "首报", "书面", 120, _HEALTH, LAW),
        *_practice("公共卫生事件", "首报", SERIOUS_GRADES),
        # 社会安全事件 carry no grade: the practice applies to every one.
        DefaultRule("社会安全事件", "首报", "电话", 30, _PRACTICE, PRACTICE),
        DefaultRule("社会安全事件", "首报", "书面", 60, _PRACTICE, PRACTICE),
    ]
)

# The first default table (before the rules knew subtypes, schedules and sources): rows still
# exactly like this were never edited by the county and are replaced by DEFAULT_RULES.
V1_BASIS_PRACTICE = "重大事件常见值班要求"
V1_RULES: tuple[tuple[str, str, str, str, int, str], ...] = tuple(
    [
        (category, grade, "首报", channel, minutes, V1_BASIS_PRACTICE)
        for category in ("自然灾害", "事故灾难", "公共卫生事件")
        for grade in ("特别重大", "重大", "较大")
        for channel, minutes in (("电话", 30), ("书面", 60))
    ]
    + [
        ("社会安全事件", "", "首报", "电话", 30, V1_BASIS_PRACTICE),
        ("社会安全事件", "", "首报", "书面", 60, V1_BASIS_PRACTICE),
        ("事故灾难", "一般", "首报", "电话", 60, "国务院令493号：事故单位1小时内报告"),
        ("事故灾难", "一般", "首报", "书面", 120, "国务院令493号：逐级上报不超过2小时"),
        ("自然灾害", "一般", "首报", "书面", 120, "应急〔2020〕19号：县级2小时内初报"),
        ("公共卫生事件", "一般", "首报", "书面", 120, "默认值，请按本地规定修改"),
    ]
)


def rules_markdown() -> str:
    """The default table as the README shows it (tools/readme_tables.py); the grades
    of otherwise identical rows share a line."""
    lines: dict[tuple[str, ...], list[str]] = {}
    for r in DEFAULT_RULES:
        scope = " / ".join(p for p in (r.category, r.subtype, r.sub_hazard) if p)
        when = schedule_text(
            {
                "minutes": r.minutes,
                "schedule": r.schedule,
                "daily_at": r.daily_at,
                "window_days": r.window_days,
            }
        )
        key = (scope, f"{r.stage}（{r.channel}）", when, r.source, r.basis)
        lines.setdefault(key, []).append(r.grade or "全部")
    out = [
        "| class | grades | report | due | kind | source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for (scope, report, when, source, basis), grades in lines.items():
        out.append(f"| {scope} | {'、'.join(grades)} | {report} | {when} | {source} | {basis} |")
    return "\n".join(out)
