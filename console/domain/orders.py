"""指挥一平台 (issue 12), the pure part: order templates, a recipient's state derived from
its events, the call list down the responsibility chain and the escalation rule.

No clock, no I/O: times come in as aware datetimes or ISO text; the mutations
(:mod:`console.domain.mutations_orders`) and the service share these rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain import catalog

# -- templates --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderTemplate:
    kind: str
    title: str
    content: str
    action: str
    feedback_kind: str
    feedback_label: str
    escalate_minutes: int  # silent this long -> the escalation alarm
    deadline_minutes: int  # the deadline proposed, after the order is issued


ORDER_TEMPLATES: dict[str, OrderTemplate] = {
    t.kind: t
    for t in (
        OrderTemplate(
            "转移指令",
            "人员转移指令",
            "根据当前雨情水情研判，请立即组织危险区域人员转移，做到应转尽转、应转早转，"
            "重点落实一户一策对象，转移后严防人员擅自返回。",
            "立即组织人员转移并报告已转移人数",
            catalog.FEEDBACK_NUMBER,
            "已转移人数",
            10,
            60,
        ),
        OrderTemplate(
            "预警叫应",
            "预警叫应",
            "气象（水文）部门已发布预警，请立即进入临战状态，责任人到岗到位，"
            "做好巡查值守和转移准备，收到请回复。",
            "收到后立即回复，落实责任人到岗",
            catalog.FEEDBACK_NONE,
            "",
            5,
            30,
        ),
        OrderTemplate(
            "巡查指令",
            "隐患巡查指令",
            "请立即组织对辖区内山洪、地质灾害隐患点、水库山塘、危旧房开展巡查，"
            "发现险情立即报告并先行转移受威胁人员。",
            "开展巡查并反馈巡查情况",
            catalog.FEEDBACK_TEXT,
            "巡查情况",
            15,
            120,
        ),
        OrderTemplate(
            "队伍预置",
            "救援队伍预置指令",
            "请所属救援队伍携带装备立即赶赴指定地点预置待命，保持通讯畅通，听从现场指挥。",
            "赶赴预置点并报告到位人数",
            catalog.FEEDBACK_NUMBER,
            "到位人数",
            15,
            90,
        ),
        OrderTemplate("其他指令", "工作指令", "", "", catalog.FEEDBACK_TEXT, "落实情况", 30, 120),
    )
}


_TEMPLATE_TEXT = {"title": 120, "content": 5000, "action": 200, "feedback_label": 40}
_TEMPLATE_MINUTES = {"escalate_minutes": (1, 24 * 60), "deadline_minutes": (5, 7 * 24 * 60)}


def templates_from_json(text: str) -> dict[str, OrderTemplate]:
    """The county's own templates: a JSON object {order kind: {field: value}} over the
    defaults (title, content, action, feedback_kind, feedback_label, escalate_minutes,
    deadline_minutes), so a county sets, say, 预警叫应's escalation to 3 minutes. Raises
    ValueError (Chinese) on anything it cannot use."""
    import dataclasses
    import json

    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("指令模板应为 JSON 对象：{指令类型: {字段: 值}}")
    out = dict(ORDER_TEMPLATES)
    for kind, fields in data.items():
        if kind not in ORDER_TEMPLATES or not isinstance(fields, dict):
            raise ValueError(f"未知的指令类型：{str(kind)[:20]}")
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            if name in _TEMPLATE_TEXT:
                if not isinstance(value, str) or len(value) > _TEMPLATE_TEXT[name]:
                    raise ValueError(f"{kind}.{name} 应为不超过 {_TEMPLATE_TEXT[name]} 字的文本")
            elif name in _TEMPLATE_MINUTES:
                lo, hi = _TEMPLATE_MINUTES[name]
                if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                    raise ValueError(f"{kind}.{name} 应为 {lo} 至 {hi} 的整数（分钟）")
            elif name == "feedback_kind":
                if value not in catalog.FEEDBACK_KINDS:
                    raise ValueError(
                        f"{kind}.feedback_kind 只能是：" + "、".join(catalog.FEEDBACK_KINDS)
                    )
            else:
                raise ValueError(f"{kind} 的未知字段：{str(name)[:40]}")
            changes[name] = value
        out[kind] = dataclasses.replace(out[kind], **changes)
    return out


# -- a recipient's state ----------------------------------------------------------------

SENT = "已发"
# The states in order; a recipient's state is the furthest its events reached.
STATES: tuple[str, ...] = (SENT, catalog.ACKED, catalog.FED_BACK, catalog.COMPLETED)
_STEP = {state: i for i, state in enumerate(STATES)}


@dataclass(frozen=True)
class RecipientState:
    state: str  # one of STATES
    acked_at: str | None  # the first acknowledgement
    acked_by: str
    channel: str
    value: float | None  # the latest numeric feedback
    note: str  # the latest text feedback
    escalated_to: str  # recipient id ("" when not escalated)

    @property
    def silent(self) -> bool:
        return self.state == SENT


def recipient_state(events: Iterable[Mapping[str, Any]]) -> RecipientState:
    """Fold a recipient's events (any order; two workstations may both record an
    acknowledgement) into its state: the furthest step reached, the first acknowledgement,
    the latest feedback. Feedback or completion without an acknowledgement counts as one
    (someone answered)."""
    ordered = sorted(events, key=lambda e: (e["at"], e.get("id", "")))
    step = 0
    acked_at: str | None = None
    acked_by = channel = note = escalated_to = ""
    value: float | None = None
    for e in ordered:
        kind = e["kind"]
        if kind == catalog.ESCALATED:
            escalated_to = escalated_to or (e.get("to_recipient_id") or "")
            continue
        step = max(step, _STEP.get(kind, 0))
        if acked_at is None:
            acked_at = e["at"]
            acked_by = e.get("answered_by") or ""
            channel = e.get("channel") or ""
        if kind == catalog.FED_BACK:
            if e.get("value") is not None:
                value = float(e["value"])
            if e.get("note"):
                note = e["note"]
    return RecipientState(STATES[step], acked_at, acked_by, channel, value, note, escalated_to)


def event_problem(
    kind: str,
    order: Mapping[str, Any],
    *,
    value: float | None = None,
    note: str = "",
    channel: str = "",
) -> str | None:
    """Why an event cannot be recorded for a recipient of ``order`` (Chinese), or None.
    Events are facts: one recorded twice (two workstations phoned the same person) is kept,
    so the only refusals are about the order and the event's own content."""
    if order["status"] == catalog.ORDER_CANCELLED:
        return "该指令已撤销，不能再登记"
    if kind == catalog.ACKED and not channel:
        return "请填写叫应方式（电话、浙政钉、短信或链接）"
    if kind == catalog.FED_BACK:
        wanted = order["feedback_kind"]
        if wanted == catalog.FEEDBACK_NONE:
            return "该指令无需反馈"
        label = order.get("feedback_label") or "反馈"
        if wanted == catalog.FEEDBACK_NUMBER and value is None:
            return f"请填写“{label}”（数字）"
        if wanted == catalog.FEEDBACK_TEXT and not note.strip():
            return f"请填写“{label}”"
    return None


# -- the chain ---------------------------------------------------------------------------

COUNTY, TOWNSHIP_HEAD, VILLAGE_GROUP, GRID = 0, 1, 2, 3
# A recipient added by hand (a person, a unit, a team), not through the chain of an area.
ADDED = 9
RANK_LABELS: dict[int, str] = {
    COUNTY: "县级",
    TOWNSHIP_HEAD: "乡镇",
    VILLAGE_GROUP: "村工作组",
    GRID: "网格",
    ADDED: "另加",
}
# How far down the chain an order goes (新建指令's 叫应层级): label -> the ranks called. The
# ranks left out above an area's recipients are who a silence escalates to: an order to the
# 乡镇第一责任人 only proposes the township's 县领导包乡 when one stays silent.
DEPTHS: dict[str, tuple[int, ...]] = {
    "全链（县领导包乡至网格）": (COUNTY, TOWNSHIP_HEAD, VILLAGE_GROUP, GRID),
    "乡镇第一责任人": (TOWNSHIP_HEAD,),
    "到村工作组": (TOWNSHIP_HEAD, VILLAGE_GROUP),
    "到网格": (TOWNSHIP_HEAD, VILLAGE_GROUP, GRID),
}
# Role -> rank in the call list. Roles not here (信息员, 专家) are not called down the chain.
CHAIN_RANK: dict[str, int] = {
    "县领导包乡": COUNTY,
    "乡镇第一责任人": TOWNSHIP_HEAD,
    **{role: VILLAGE_GROUP for role in catalog.VILLAGE_WORK_GROUP},
    "山洪预警员": GRID,
    "危房联络员": GRID,
    "水利工程巡查员": GRID,
    "地灾群测群防员": GRID,
    "避灾场所管理员": GRID,
}
ROLE_ORDER = {role: i for i, role in enumerate(catalog.PERSON_ROLES)}


@dataclass(frozen=True)
class RoleRow:
    """A person's role, placed: the township and village it answers for ("" when it has
    none: a county leader's township is its own)."""

    person_id: str
    role: str
    township_id: str
    village_id: str


@dataclass(frozen=True)
class ChainEntry:
    person_id: str
    role: str
    rank: int
    township_id: str
    village_id: str  # "" above the village


def place_role(
    row: Mapping[str, Any],
    village_township: Mapping[str, str],
    object_village: Mapping[str, str],
) -> RoleRow:
    """Where a person_roles row sits in the chain: its village (its own, or the village of
    its risk point or shelter) and that village's township."""
    village = row.get("village_id") or ""
    if not village:
        for column in ("risk_point_id", "shelter_id"):
            if row.get(column):
                village = object_village.get(row[column], "")
                break
    township = village_township.get(village, "") if village else ""
    township = township or (row.get("township_id") or "")
    return RoleRow(row["person_id"], row["role"], township, village)


def call_list(
    roles: Iterable[RoleRow],
    *,
    townships: Sequence[str] = (),
    villages: Sequence[str] = (),
    village_township: Mapping[str, str],
    order_of: Mapping[str, str] | None = None,
    ranks: Iterable[int] | None = None,
) -> list[ChainEntry]:
    """The call list down the chain for a warned area: for each township (a whole one in
    ``townships``, or the township of a village in ``villages``) its county leader, its
    乡镇第一责任人, then per village of the area its work group and its grid roles. Ordered
    township by township (``order_of``: id -> sort key, the name), county before township
    before village; within a rank by the catalog's role order. A person is called once, at
    the highest place they hold in the area. ``ranks`` (:data:`DEPTHS`): only those levels
    are called (all when None); a person is then called at the highest place they hold among
    them."""
    keyed = order_of or {}
    wanted_ranks = set(CHAIN_RANK.values()) if ranks is None else set(ranks)
    whole = set(townships)
    wanted_villages = set(villages)
    area_towns = whole | {village_township.get(v, "") for v in wanted_villages} - {""}

    def in_area(row: RoleRow) -> bool:
        if row.village_id:
            return row.village_id in wanted_villages or (
                village_township.get(row.village_id, row.township_id) in whole
            )
        if CHAIN_RANK[row.role] <= TOWNSHIP_HEAD:  # the township's leaders: any part of it
            return row.township_id in area_towns
        return row.township_id in whole  # a point of no village: with its whole township

    entries: list[ChainEntry] = []
    for row in roles:
        rank = CHAIN_RANK.get(row.role)
        if rank is None or rank not in wanted_ranks or not in_area(row):
            continue
        # A county or township role tied to the township only; village roles to the village.
        village = row.village_id if rank >= VILLAGE_GROUP else ""
        entries.append(ChainEntry(row.person_id, row.role, rank, row.township_id, village))

    def sort_key(e: ChainEntry) -> tuple[Any, ...]:
        return (
            keyed.get(e.township_id, e.township_id),
            e.township_id,
            e.rank > TOWNSHIP_HEAD,  # the township's leaders before its villages
            keyed.get(e.village_id, e.village_id),
            e.village_id,
            e.rank,
            ROLE_ORDER.get(e.role, 99),
            keyed.get(e.person_id, e.person_id),
        )

    entries.sort(key=sort_key)
    seen: set[str] = set()
    out: list[ChainEntry] = []
    for e in entries:
        if e.person_id in seen:
            continue
        seen.add(e.person_id)
        out.append(e)
    return out


def next_up(
    silent: ChainEntry, chain: Sequence[ChainEntry], *, skip: Iterable[str] = ()
) -> ChainEntry | None:
    """The next person up the chain from a silent recipient: in the same village a more
    senior rank (grid -> work group), then the township's first responsible, then the
    county leader of that township. The nearest rank wins, then chain order; people in
    ``skip`` (the silent person, those already escalated to) are passed over."""
    passed = set(skip) | {silent.person_id}
    best: ChainEntry | None = None
    for e in chain:
        if e.person_id in passed or e.rank >= silent.rank:
            continue
        if e.township_id != silent.township_id:
            continue
        if e.village_id and e.village_id != silent.village_id:
            continue
        if best is None or e.rank > best.rank:
            best = e
    return best


def silent_minutes(sent_at: datetime, now: datetime) -> int:
    """Whole minutes a recipient has been silent (0 before the order went out)."""
    return max(0, int((now - sent_at).total_seconds() // 60))


def overdue(state: RecipientState, sent_at: datetime, now: datetime, minutes: int) -> bool:
    """The escalation rule: still silent ``minutes`` after the order went out, and not
    escalated yet."""
    return state.silent and not state.escalated_to and silent_minutes(sent_at, now) >= minutes


def order_problem(values: Mapping[str, Any]) -> str | None:
    """Why an order cannot be issued as given (Chinese), or None: its deadline must not come
    before it is issued."""
    issued, deadline = values.get("issued_at"), values.get("deadline")
    if (
        isinstance(issued, str)
        and isinstance(deadline, str)
        and datetime.fromisoformat(deadline) < datetime.fromisoformat(issued)
    ):
        return "完成时限早于下达时间"
    return None
