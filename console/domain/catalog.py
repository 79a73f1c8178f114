"""Domain vocabularies from DOMAIN.md: event categories and sub-hazards, grades, risk-point and
team kinds.

These are the law's and the province's fixed lists. Tables a county tunes (deadlines,
thresholds) are data, not constants, and live in the store.
"""

from __future__ import annotations

import itertools

# What fits no listed subtype (or sub-hazard) is filed as 其他, never left out.
OTHER = "其他"

EVENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "自然灾害": ("水旱", "气象", "地震", "地质", "海洋", "生物", "森林火灾", OTHER),
    "事故灾难": ("企业安全事故", "交通运输", "火灾", "公共设施设备", "核与辐射", "环境污染", OTHER),
    "公共卫生事件": ("传染病", "不明原因疾病", "食品安全与职业危害", "动物疫情", OTHER),
    "社会安全事件": ("恐怖袭击", "民族宗教", "经济安全", "涉外", "群体性", OTHER),
}

# 亚灾种: the sub-hazard a county reports a natural disaster under (自然灾害情况统计调查制度,
# 应急〔2020〕19号), for the subtypes that split into several; (category, subtype) -> choices.
# Every other subtype has none, and its incidents carry "".
SUB_HAZARDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("自然灾害", "地质"): ("滑坡", "崩塌", "泥石流", "地面塌陷", OTHER),
    ("自然灾害", "水旱"): ("洪涝", "干旱", OTHER),
    ("自然灾害", "气象"): ("台风", "暴雨", "风雹", "低温冷冻", "雪灾", "高温", "沙尘暴", OTHER),
}
# Every sub-hazard once, in catalog order: the column's valid values.
ALL_SUB_HAZARDS: tuple[str, ...] = tuple(
    dict.fromkeys(h for hs in SUB_HAZARDS.values() for h in hs)
)


def sub_hazards(category: str, subtype: str) -> tuple[str, ...]:
    """The sub-hazards of a subtype; () when it has none."""
    return SUB_HAZARDS.get((category, subtype), ())


def sub_hazard_problem(category: str, subtype: str, sub_hazard: str) -> str | None:
    """Why ``sub_hazard`` cannot go with the subtype (Chinese), None when it can. The one
    wording of the rule: the shared mutations refuse with it on every replica, the intake
    form shows it under the field."""
    if not sub_hazard:
        return None
    if not subtype:
        return "请先选择事件子类，再填写亚灾种"
    allowed = sub_hazards(category, subtype)
    if not allowed:
        return f"“{subtype}”不分亚灾种，请不要填写亚灾种"
    if sub_hazard not in allowed:
        return f"“{subtype}”下没有亚灾种“{sub_hazard}”（可选：{'、'.join(allowed)}）"
    return None


# Severity grades, most severe first; 社会安全事件 carries no grade.
GRADES: tuple[str, ...] = ("特别重大", "重大", "较大", "一般")
UNGRADED_CATEGORIES: frozenset[str] = frozenset({"社会安全事件"})

INCIDENT_STATUSES: tuple[str, ...] = ("接报", "核实", "处置中", "已结案")

RISK_POINT_TYPES: tuple[str, ...] = (
    "山洪危险区",
    "地质灾害隐患点",
    "水库",
    "山塘",
    "河道",
    "低洼易涝区",
    "城市内涝点",
    "危旧房",
    "在建工地",
    "道路桥梁",
)

TOWNSHIP_KINDS: tuple[str, ...] = ("街道", "镇", "乡")
STATION_KINDS: tuple[str, ...] = ("雨量站", "水位站", "水文站", "水库")
# A phoned-in reading's kind (reported_readings.kind): 雨量 rain, 水位 level.
READING_KINDS: tuple[str, ...] = ("雨量", "水位")
RESERVOIR = "水库"  # the station kind that also has 汛限 / 设计 / 校核水位
# A reservoir's characteristic levels, lowest first: (column, label).
RESERVOIR_LEVELS: tuple[tuple[str, str], ...] = (
    ("flood_limit_level_m", "汛限水位"),
    ("design_level_m", "设计水位"),
    ("check_level_m", "校核水位"),
)


def station_problem(values: dict[str, object]) -> str | None:
    """Why a station's levels cannot be stored (Chinese), None when they can: only a
    reservoir has 汛限 / 设计 / 校核水位, and they do not fall as they go up the list."""
    given = [
        (label, v)
        for col, label in RESERVOIR_LEVELS
        if isinstance(v := values.get(col), float | int)
    ]
    if given and values.get("kind") != RESERVOIR:
        return f"只有水库才填写{given[0][0]}（该站点类型为“{values.get('kind')}”）"
    for (low_label, low), (high_label, high) in itertools.pairwise(given):
        if high < low:
            return f"“{high_label}”（{high:g}）不应低于“{low_label}”（{low:g}）"
    return None


# 临界雨量 of a risk point: (准备转移 column, 立即转移 column, window).
RAIN_TIERS: tuple[tuple[str, str, str], ...] = tuple(
    (f"prepare_rain_{w}_mm", f"evacuate_rain_{w}_mm", label)
    for w, label in (("1h", "1小时"), ("3h", "3小时"), ("24h", "24小时"))
)


RAIN_COLUMNS: tuple[str, ...] = tuple(c for p, e, _w in RAIN_TIERS for c in (p, e))
# The risk points whose people are moved on rain: 临界雨量 is set per flash-flood area
# (山洪危险区, per village or small basin) and per landslide point (地质灾害隐患点); the
# others are judged on water lines (水库, 山塘, 河道) or on the rainstorm signals.
RAIN_TIER_TYPES: tuple[str, ...] = ("山洪危险区", "地质灾害隐患点")

# Fields that apply to some kinds of record only: table -> (the column naming the kind,
# {field: the kinds it applies to}). The forms show a field only for those kinds and the
# mutations refuse a value for any other (station_problem, rainfall_problem).
KIND_FIELDS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "stations": ("kind", {col: (RESERVOIR,) for col, _label in RESERVOIR_LEVELS}),
    "risk_points": ("type", dict.fromkeys(RAIN_COLUMNS, RAIN_TIER_TYPES)),
}


def field_applies(table: str, field: str, values: dict[str, object]) -> bool:
    """Whether ``field`` applies to a record of ``table`` with ``values`` (its kind)."""
    kind_column, only = KIND_FIELDS.get(table, ("", {}))
    return field not in only or values.get(kind_column) in only[field]


def rainfall_problem(values: dict[str, object]) -> str | None:
    """Why a risk point's critical rainfall cannot be stored (Chinese), None when it can:
    only the types of RAIN_TIER_TYPES have one, and the 立即转移 threshold of a window is
    not below its 准备转移 threshold."""
    kind = values.get("type")
    if kind is not None and kind not in RAIN_TIER_TYPES:
        given = [c for c in RAIN_COLUMNS if isinstance(values.get(c), float | int)]
        if given:
            return f"只有{'、'.join(RAIN_TIER_TYPES)}才填写临界雨量（该风险点类型为“{kind}”）"
    for prepare_col, evacuate_col, window in RAIN_TIERS:
        prepare, evacuate = values.get(prepare_col), values.get(evacuate_col)
        if (
            isinstance(prepare, float | int)
            and isinstance(evacuate, float | int)
            and evacuate < prepare
        ):
            return (
                f"{window}立即转移雨量（{evacuate:g} 毫米）不应低于准备转移雨量（{prepare:g} 毫米）"
            )
    return None


TIMELINE_KINDS: tuple[str, ...] = (
    "来电",
    "处置",
    "领导批示",
    "指令",
    "报送",
    "状态变更",
    "备注",
    "伤亡变化",  # written with the change of casualty figures: the clock of a 补报
    "通话",  # a call made from 通讯录 (who, number, outcome)
    "应急响应",  # a response started, raised, lowered or ended (应急一指南)
    "视频截图",  # a frame of a camera saved into the data folder (视频监控)
    "队伍调度",  # a team dispatched to the incident or back from it (issue 14)
)
RESPONSE_LOG = "应急响应"
SNAPSHOT_LOG = "视频截图"
DISPATCH_LOG = "队伍调度"

# 视频监控 (issue 15): where a camera's video comes from and how it is served (the county's
# media gateway re-serves GB/T 28181 cameras as RTSP, HLS or HTTP-FLV).
CAMERA_DEPARTMENTS: tuple[str, ...] = ("公安雪亮", "水利", "林业", "执法记录仪/布控球", "无人机")
CAMERA_PROTOCOLS: tuple[str, ...] = ("RTSP", "HLS", "HTTP-FLV", "MJPEG", "文件")

# A rescue team's status (issue 14): set by hand, by a dispatch (出动) and by its return.
TEAM_STANDBY = "待命"
TEAM_OUT = "出动"
TEAM_RESTING = "休整"
TEAM_UNAVAILABLE = "不可用"
TEAM_STATUSES: tuple[str, ...] = (TEAM_STANDBY, TEAM_OUT, TEAM_RESTING, TEAM_UNAVAILABLE)
# What a team returned from an incident becomes.
TEAM_RETURN_STATUSES: tuple[str, ...] = (TEAM_STANDBY, TEAM_RESTING)
# A member's role in a team (free text in the record; these are offered).
TEAM_MEMBER_ROLES: tuple[str, ...] = ("队长", "副队长", "队员", "驾驶员", "救护员", "通讯员")

# 应急一指南 (issue 13): who acts in a response guide, the hazards offered by default (the
# county may write others), a response's states and what happens to its checklist.
GUIDE_ROLES: tuple[str, ...] = ("带班领导", "值班员", "乡镇", "部门", "队伍")
GUIDE_HAZARDS: tuple[str, ...] = (
    "山洪",
    "地质灾害",
    "台风",
    "暴雨内涝",
    "森林火灾",
    "生产安全事故",
)
RESPONSE_ACTIVE = "响应中"
RESPONSE_ENDED = "已终止"
RESPONSE_STATUSES: tuple[str, ...] = (RESPONSE_ACTIVE, RESPONSE_ENDED)
TICKED = "勾选"
UNTICKED = "取消勾选"
ITEM_NOTE = "备注"
RAISED = "升级"
LOWERED = "降级"
ENDED = "终止"
# The kinds any officer records about one item; the others are the leader's.
ITEM_EVENT_KINDS: tuple[str, ...] = (TICKED, UNTICKED, ITEM_NOTE)
RESPONSE_EVENT_KINDS: tuple[str, ...] = (*ITEM_EVENT_KINDS, RAISED, LOWERED, ENDED)
CALL_KIND = "通话"
# What came of a call made from 通讯录.
CALL_OUTCOMES: tuple[str, ...] = ("已接通", "未接通", "占线", "留言")
CASUALTY_CHANGE = "伤亡变化"


# Units people belong to (issue 10): the county's own structure.
UNIT_KINDS: tuple[str, ...] = ("县领导", "乡镇街道", "县级部门", "村社区", "队伍", "企业")

# What a person's role ties them to: the column of person_roles holding the object.
TOWNSHIP, VILLAGE, RISK_POINT, SHELTER, STATION = (
    "township_id",
    "village_id",
    "risk_point_id",
    "shelter_id",
    "station_id",
)
ROLE_TARGETS: tuple[str, ...] = (TOWNSHIP, VILLAGE, RISK_POINT, SHELTER, STATION)
ROLE_TARGET_LABELS: dict[str, str] = {
    TOWNSHIP: "乡镇",
    VILLAGE: "村",
    RISK_POINT: "风险点",
    SHELTER: "避灾场所",
    STATION: "站点",
}

# 责任角色 -> the objects it may be tied to (exactly one of them), () = the whole county.
# Every risk point, shelter and station gets its responsible person through these roles.
ROLE_OBJECTS: dict[str, tuple[str, ...]] = {
    "县领导包乡": (TOWNSHIP,),
    "乡镇第一责任人": (TOWNSHIP,),
    "村监测预警": (VILLAGE,),
    "村人员转移": (VILLAGE,),
    "村抢险救援": (VILLAGE,),
    "村后勤保障": (VILLAGE,),
    "水利工程巡查员": (RISK_POINT, STATION),
    "山洪预警员": (RISK_POINT, VILLAGE),
    "地灾群测群防员": (RISK_POINT,),
    "避灾场所管理员": (SHELTER,),
    "危房联络员": (RISK_POINT, VILLAGE),
    "县级灾害信息员": (),
    "乡镇灾害信息员": (TOWNSHIP,),
    "村级灾害信息员": (VILLAGE,),
    "会商专家": (),
}
PERSON_ROLES: tuple[str, ...] = tuple(ROLE_OBJECTS)
# The village work group (村级防汛防台工作组): its four roles.
VILLAGE_WORK_GROUP: tuple[str, ...] = ("村监测预警", "村人员转移", "村抢险救援", "村后勤保障")


def role_problem(values: dict[str, object]) -> str | None:
    """Why a person's role cannot be stored as given (Chinese), None when it can: the object
    it is tied to must be one its role takes (exactly one, or none for a county-wide role),
    and the period must not end before it begins. The one wording of the rule: the shared
    mutations refuse with it on every replica, the forms show it."""
    role = values.get("role")
    if not isinstance(role, str) or role not in ROLE_OBJECTS:
        return None  # the choice itself is checked (and worded) by the field validation
    allowed = ROLE_OBJECTS[role]
    given = [t for t in ROLE_TARGETS if values.get(t)]
    if VILLAGE in given and TOWNSHIP in given and TOWNSHIP not in allowed:
        # A village may come with its township (a duty room's sheet names both: 乡镇 +
        # 村名); that they go together is the place rule (references.check_place).
        given.remove(TOWNSHIP)
    names = "、".join(ROLE_TARGET_LABELS[t] for t in allowed)
    if not allowed:
        if given:
            return f"“{role}”面向全县，不要填写所属{ROLE_TARGET_LABELS[given[0]]}"
    elif len(given) != 1 or given[0] not in allowed:
        if len(allowed) == 1:
            return f"“{role}”应且只应填写所属{names}"
        return f"“{role}”应在{names}中选填一项（只填一项）"
    start, end = values.get("valid_from"), values.get("valid_to")
    if isinstance(start, str) and isinstance(end, str) and start and end and end < start:
        return f"任职结束日期（{end}）早于开始日期（{start}）"
    return None


# 管控一张表 (issue 12): people moved out of danger, recorded as events.
EVACUATION_OPEN, EVACUATION_CLOSED = "进行中", "已结束"
EVACUATION_STATUSES: tuple[str, ...] = (EVACUATION_OPEN, EVACUATION_CLOSED)
# 已转: moved out; 拒转: refused to move; 返回: came back home (from a shelter or relatives).
MOVED, REFUSED_MOVE, RETURNED = "已转", "拒转", "返回"
TRANSFER_KINDS: tuple[str, ...] = (MOVED, REFUSED_MOVE, RETURNED)
TO_SHELTER = "安置点"
DESTINATIONS: tuple[str, ...] = (TO_SHELTER, "投亲靠友", "其他")
# 一户一策: households that need help to move, and why.
SPECIAL_CONDITIONS: tuple[str, ...] = ("高龄", "残疾", "孕产妇", "重病", "独居", "其他")


# 指挥一平台 (issue 12): orders (指令) from the centre and their 叫应 down the chain.
ORDER_KINDS: tuple[str, ...] = ("转移指令", "预警叫应", "巡查指令", "队伍预置", "其他指令")
ORDER_OPEN, ORDER_DONE, ORDER_CANCELLED = "执行中", "已完成", "已撤销"
ORDER_STATUSES: tuple[str, ...] = (ORDER_OPEN, ORDER_DONE, ORDER_CANCELLED)
# What feedback an order asks of each recipient.
FEEDBACK_NONE, FEEDBACK_NUMBER, FEEDBACK_TEXT = "无需反馈", "数字", "文字"
FEEDBACK_KINDS: tuple[str, ...] = (FEEDBACK_NONE, FEEDBACK_NUMBER, FEEDBACK_TEXT)
# The events of one recipient (已发 is the recipient's own row): append-only facts.
ACKED, FED_BACK, COMPLETED, ESCALATED = "已叫应", "已反馈", "完成", "升级"
ORDER_EVENT_KINDS: tuple[str, ...] = (ACKED, FED_BACK, COMPLETED, ESCALATED)
# How an acknowledgement came in.
ACK_CHANNELS: tuple[str, ...] = ("电话", "浙政钉", "短信", "链接")

# 案例一个库 (issue 13): the hazard a case is filed under (filters and "similar cases"),
# the rain pattern behind it, and a case's life (a draft is edited, then published).
CASE_HAZARDS: tuple[str, ...] = (
    "山洪",
    "滑坡",
    "崩塌",
    "泥石流",
    "地面塌陷",
    "洪涝",
    "台风",
    "暴雨",
    "森林火灾",
    OTHER,
)
RAIN_PATTERNS: tuple[str, ...] = ("台风雨", "梅雨", "短时强降雨", "连续性降雨", OTHER)
CASE_DRAFT, CASE_PUBLISHED = "草稿", "已发布"
CASE_STATUSES: tuple[str, ...] = (CASE_DRAFT, CASE_PUBLISHED)

# 预案 library (issue 13): the county's plans by kind and level.
PLAN_KINDS: tuple[str, ...] = ("总体预案", "专项预案", "部门预案", "乡镇预案")
PLAN_LEVELS: tuple[str, ...] = ("省级", "市级", "县级", "乡镇级", "村级")


def plan_problem(values: dict[str, object]) -> str | None:
    """Why a plan's event type or dates cannot be (Chinese), None when they can: the
    subtype belongs to the category, the revision date is not before the issue date."""
    category, subtype = str(values.get("category") or ""), str(values.get("subtype") or "")
    if subtype and not category:
        return "请先选择适用事件类别，再填写适用事件子类"
    if subtype and subtype not in EVENT_CATEGORIES.get(category, ()):
        choices = "、".join(EVENT_CATEGORIES[category])
        return f"“{category}”下没有子类“{subtype}”（可选：{choices}）"
    issued, revise = values.get("issued_on"), values.get("revise_by")
    if issued and revise and str(revise) < str(issued):
        return "修订期限不能早于印发日期"
    return None
