"""应急一指南 (issue 13): the response guide per hazard and level, and a response's checklist.

The default guides for 山洪 and 地质灾害 follow the domain brief (DOMAIN.md: 六个一, the 山洪
六落实, 应转尽转); they are drafts (草稿，待县里确认) that the county edits into its own.
A response's checklist is the guide's items of its hazard and current level; the state of
each item (ticked by whom and when, notes, overdue) is derived here from the response's
append-only events, so two workstations ticking at once both count. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from console.domain import catalog
from console.domain.ids import reference_id
from console.domain.situation import RESPONSE_LEVELS, RESPONSE_RANK

DRAFT_LABEL = "草稿，待县里确认"
LEVEL_NAMES: dict[str, str] = {"IV": "Ⅳ级", "III": "Ⅲ级", "II": "Ⅱ级", "I": "Ⅰ级"}

# (hazard, level) -> rows of (role, action, minutes); seq is the row's place within its role.
_LEADER, _OFFICER, _TOWN, _DEPT, _TEAM = catalog.GUIDE_ROLES
_Rows = tuple[tuple[str, str, int], ...]
_FLOOD: dict[str, _Rows] = {
    "IV": (
        (_LEADER, "到岗带班，主持会商研判，签发研判单", 30),
        (_LEADER, "向县防指分管领导报告启动Ⅳ级响应", 30),
        (_OFFICER, "通知山洪危险区所在乡镇进入Ⅳ级响应，逐一叫应乡镇第一责任人", 30),
        (_OFFICER, "每小时汇总雨水情，关注临界雨量站点", 60),
        (_OFFICER, "初报：2 小时内向市防指报送响应启动情况", 120),
        (_TOWN, "落实山洪六落实：行政责任人、监测负责人、信息报送人到岗", 60),
        (_TOWN, "山洪预警员、巡查员上岗，危险区加密巡查", 60),
        (_TOWN, "做好人员转移准备，应转对象逐户告知（明白卡）", 120),
        (_DEPT, "水利、气象部门每 3 小时提供雨水情和降雨预报", 180),
        (_TEAM, "综合救援队伍集结待命，检查装备", 120),
    ),
    "III": (
        (_LEADER, "县防指副指挥到岗指挥，召开会商会", 30),
        (_LEADER, "派出工作组赴重点乡镇督导", 60),
        (_OFFICER, "向危险区乡镇下达转移指令并逐级叫应", 30),
        (_OFFICER, "每小时统计应转、已转人数并续报", 60),
        (_TOWN, "危险区人员应转尽转、应转早转，特殊人群一户一策", 120),
        (_TOWN, "避灾安置场所开放，落实管理员和生活保障", 120),
        (_DEPT, "交通、电力、通信部门落实抢修力量", 120),
        (_TEAM, "救援队伍前置到重点乡镇", 120),
    ),
    "II": (
        (_LEADER, "县防指指挥长到岗指挥，县领导包乡到岗", 30),
        (_OFFICER, "扩面转移：通知周边村同步转移", 30),
        (_OFFICER, "每小时续报转移和险情，重大险情即报", 60),
        (_TOWN, "危险区封控，严防人员返回", 60),
        (_DEPT, "应急物资调拨到位", 120),
        (_TEAM, "救援队伍进入现场，开展搜救", 60),
    ),
    "I": (
        (_LEADER, "县委县政府主要领导坐镇指挥，请求上级支援", 30),
        (_OFFICER, "全县范围危险区人员全部转移，每 30 分钟续报", 30),
        (_TOWN, "全面停工停课停业，封闭危险区道路", 60),
        (_DEPT, "全部救援资源统一调度", 60),
        (_TEAM, "请求市级及社会救援力量增援", 60),
    ),
}
_GEOLOGY: dict[str, _Rows] = {
    "IV": (
        (_LEADER, "到岗带班，会同自然资源部门研判地质灾害风险", 30),
        (_OFFICER, "通知隐患点所在乡镇进入Ⅳ级响应，叫应群测群防员", 30),
        (_OFFICER, "初报：2 小时内向市防指报送", 120),
        (_TOWN, "地灾群测群防员加密巡查隐患点，每 2 小时报告", 120),
        (_TOWN, "隐患点受威胁人员做好转移准备（明白卡）", 120),
        (_DEPT, "自然资源部门派出技术人员驻点", 180),
        (_TEAM, "救援队伍集结待命", 120),
    ),
    "III": (
        (_LEADER, "县防指副指挥到岗，派出工作组和专家组", 60),
        (_OFFICER, "下达隐患点人员转移指令并逐级叫应", 30),
        (_TOWN, "隐患点及周边受威胁人员全部转移", 120),
        (_DEPT, "对出现变形迹象的隐患点开展应急调查", 180),
        (_TEAM, "救援队伍前置到重点乡镇", 120),
    ),
    "II": (
        (_LEADER, "县防指指挥长到岗指挥", 30),
        (_OFFICER, "扩大转移范围，续报险情和转移情况", 60),
        (_TOWN, "危险区域封控，设置警示标志", 60),
        (_TEAM, "开展应急排险和搜救", 60),
    ),
    "I": (
        (_LEADER, "县主要领导坐镇指挥，请求上级支援", 30),
        (_OFFICER, "每 30 分钟续报，重大险情即报", 30),
        (_TOWN, "全面转移受威胁区域人员", 60),
        (_TEAM, "请求市级及社会救援力量增援", 60),
    ),
}
DEFAULT_GUIDES: dict[str, dict[str, _Rows]] = {"山洪": _FLOOD, "地质灾害": _GEOLOGY}


def guide_item_id(hazard: str, level: str, role: str, seq: int) -> str:
    return reference_id("guide_item", hazard, level, role, str(seq))


def default_guide_calls() -> list[tuple[str, dict[str, Any]]]:
    """The draft guides as guide_item.upsert calls (ids from the natural key, so two
    workstations loading them converge on one record each)."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for hazard, levels in DEFAULT_GUIDES.items():
        for level, rows in levels.items():
            seq_of_role: dict[str, int] = {}
            for role, action, minutes in rows:
                seq = seq_of_role[role] = seq_of_role.get(role, 0) + 1
                args = {
                    "id": guide_item_id(hazard, level, role, seq),
                    "hazard": hazard,
                    "level": level,
                    "role": role,
                    "seq": seq,
                    "action": action,
                    "limit_minutes": minutes,
                    "is_draft": True,
                }
                calls.append(("guide_item.upsert", args))
    return calls


def sort_key(item: Mapping[str, Any]) -> tuple[int, int, int, str]:
    """Guide items in the order read out: level, role as listed, seq."""
    role = item["role"]
    role_rank = catalog.GUIDE_ROLES.index(role) if role in catalog.GUIDE_ROLES else 99
    return (RESPONSE_RANK.get(item["level"], 9), role_rank, int(item["seq"]), item["id"])


def trigger_text(trigger: Mapping[str, Any]) -> str:
    """One response trigger read out: 全县24小时面雨量 50–80（且预报仍有降雨）."""
    low, high = trigger.get("low"), trigger.get("high")
    if low is not None and high is not None:
        span = f"{low:g}–{high:g}"
    elif low is not None:
        span = f"≥ {low:g}"
    elif high is not None:
        span = f"< {high:g}"
    else:
        span = ""
    text = f"{trigger['metric']} {span}".strip()
    return text + ("（且预报仍有降雨）" if trigger.get("with_forecast") else "")


# ----- level changes -------------------------------------------------------------------


def change_kind(current: str, to: str) -> str:
    return catalog.RAISED if RESPONSE_RANK[to] > RESPONSE_RANK[current] else catalog.LOWERED


def level_change_problem(current: str, to: object, reason: object) -> str | None:
    """Why a response at ``current`` cannot go to ``to`` with ``reason`` (None: it can)."""
    if to not in RESPONSE_LEVELS:
        return "响应等级只能是：" + "、".join(RESPONSE_LEVELS)
    if to == current:
        return f"响应已是{LEVEL_NAMES[current]}"
    if not isinstance(reason, str) or not reason.strip():
        return "升级或降级须写明理由"
    if len(reason) > 500:
        return "理由不能超过 500 字"
    return None


def level_change_text(hazard: str, current: str, to: str, reason: str) -> str:
    verb = "升级" if change_kind(current, to) == catalog.RAISED else "降级"
    change = f"{LEVEL_NAMES[current]} → {LEVEL_NAMES[to]}"
    return f"{hazard}应急响应{verb}：{change}；理由：{reason.strip()}"


def activation_text(hazard: str, level: str, reason: str) -> str:
    text = f"启动{hazard}{LEVEL_NAMES[level]}应急响应"
    return text + (f"；理由：{reason.strip()}" if reason.strip() else "")


# ----- the checklist -------------------------------------------------------------------


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _event_order(event: Mapping[str, Any]) -> tuple[datetime, str]:
    return (_time(event["at"]), str(event["id"]))


def level_started_at(response: Mapping[str, Any], events: Iterable[Mapping[str, Any]]) -> str:
    """When the current level began: the last raise or lowering, else the activation."""
    changes = [e for e in events if e["kind"] in (catalog.RAISED, catalog.LOWERED)]
    if not changes:
        return str(response["activated_at"])
    return str(max(changes, key=_event_order)["at"])


@dataclass(frozen=True)
class Note:
    author: str
    at: str
    text: str


@dataclass(frozen=True)
class ItemState:
    """One line of a response's checklist at a moment."""

    item_id: str
    role: str
    seq: int
    action: str
    limit_minutes: int
    due_at: datetime | None  # None: no time limit
    ticked: bool
    ticked_by: str = ""
    ticked_at: str = ""
    notes: tuple[Note, ...] = field(default_factory=tuple)
    overdue: bool = False  # open past its limit
    late: bool = False  # ticked after its limit


def checklist(
    response: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]],
    now: datetime,
) -> list[ItemState]:
    """The checklist of the response's current level. An item is ticked when its last tick
    or untick (by event time, then id) is a tick; its limit counts from the start of the
    current level."""
    events = list(events)
    start = _time(level_started_at(response, events))
    by_item: dict[str, list[Mapping[str, Any]]] = {}
    for event in sorted(events, key=_event_order):
        if event.get("guide_item_id"):
            by_item.setdefault(str(event["guide_item_id"]), []).append(event)
    result = []
    current = [
        i for i in items if i["hazard"] == response["hazard"] and i["level"] == response["level"]
    ]
    for item in sorted(current, key=sort_key):
        history = by_item.get(str(item["id"]), [])
        last = None
        for event in history:
            if event["kind"] in (catalog.TICKED, catalog.UNTICKED):
                last = event
        ticked = last is not None and last["kind"] == catalog.TICKED
        notes = tuple(
            Note(str(e["author"]), str(e["at"]), str(e["note"]))
            for e in history
            if e["kind"] == catalog.ITEM_NOTE
        )
        minutes = int(item["limit_minutes"])
        due = start + timedelta(minutes=minutes) if minutes > 0 else None
        state = ItemState(
            item_id=str(item["id"]),
            role=str(item["role"]),
            seq=int(item["seq"]),
            action=str(item["action"]),
            limit_minutes=minutes,
            due_at=due,
            ticked=ticked,
            ticked_by=str(last["author"]) if ticked and last is not None else "",
            ticked_at=str(last["at"]) if ticked and last is not None else "",
            notes=notes,
            overdue=due is not None and not ticked and now > due,
            late=due is not None and ticked and last is not None and _time(last["at"]) > due,
        )
        result.append(state)
    return result


def progress(states: Iterable[ItemState]) -> tuple[int, int, int]:
    """(ticked, total, overdue) of a checklist."""
    states = list(states)
    return (
        sum(1 for s in states if s.ticked),
        len(states),
        sum(1 for s in states if s.overdue),
    )


# ----- 山洪 六落实 per village -------------------------------------------------------------

# The six, each filled from the responsibility table (责任角色, first role found wins) or
# from the village's 山洪危险区 points. Which role stands for which duty is our reading of
# the practice (DOMAIN.md: "contents partly inferred"), for the county to confirm.
SIX_DUTIES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("行政责任人", ("乡镇第一责任人",), ""),
    ("监测负责人", ("山洪预警员", "村监测预警"), ""),
    ("信息报送人", ("村级灾害信息员",), ""),
    ("预警信号", (), "warning_signal"),
    ("转移路线", (), "transfer_route"),
    ("安全地点", (), "shelter"),
)


@dataclass(frozen=True)
class Duty:
    name: str
    filled: bool
    text: str  # who (with phone) or what; "" when missing


def six_duties(
    roles: Iterable[Mapping[str, Any]], points: Iterable[Mapping[str, Any]]
) -> list[Duty]:
    """The 六落实 of one village: ``roles`` are the people responsible for the village, its
    township or its points (role, name, mobile); ``points`` its 山洪危险区 points
    (warning_signal, transfer_route, shelter: the linked shelter's name)."""
    roles, points = list(roles), list(points)
    out = []
    for name, wanted, column in SIX_DUTIES:
        if wanted:
            found = [r for w in wanted for r in roles if r["role"] == w]
            people = dict.fromkeys(
                f"{r['name']} {r['mobile']}".strip() for r in found if r.get("name")
            )
            text = "、".join(people)
        else:
            values = dict.fromkeys(
                str(p.get(column) or "").strip() for p in points if str(p.get(column) or "").strip()
            )
            text = "；".join(values)
        out.append(Duty(name, bool(text), text))
    return out
