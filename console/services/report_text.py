"""首报 / 续报 / 终报 drafts composed from the incident and its timeline (editable afterwards).

What each must say follows DOMAIN.md: 首报 time, place, source, casualties and losses so far,
what is being done; 续报 verification, scope, measures, progress since the last report; 终报
the wrap-up. The officer edits the draft before it is sent; the text as sent is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain import beijing, catalog
from console.domain.catalog import CALL_KIND
from console.services.intake import COUNT_FIELDS, event_name

ISSUER = "遂昌县综合应急指挥中心"
# What the drafts list as measures taken: a call to a responsible person (通话, made from
# the 通讯录) is one, like a dispatch or an instruction.
ACTION_KINDS = ("处置", "指令", "领导批示", "状态变更", CALL_KIND, catalog.DISPATCH_LOG)


@dataclass(frozen=True)
class ReportDraft:
    stage: str
    title: str
    body: str
    issuer: str = ISSUER


def _casualties(incident: Mapping[str, Any]) -> str:
    parts = [
        (label, int(incident.get(key) or 0)) for key, label in COUNT_FIELDS if key != "affected"
    ]
    counted = "、".join(f"{label}{n}人" for label, n in parts if n)
    affected = int(incident.get("affected") or 0)
    text = counted or "暂无人员伤亡报告"
    if affected:
        text += f"，受影响群众约{affected}人"
    return text + "。"


def _place(incident: Mapping[str, Any], names: Mapping[str, str]) -> str:
    town = names.get(incident.get("township_id") or "", "")
    village = names.get(incident.get("village_id") or "", "")
    place = f"遂昌县{town}{village}{incident.get('address') or ''}"
    return place if place != "遂昌县" else "遂昌县（具体地点待核实）"


def _kind(incident: Mapping[str, Any]) -> str:
    """自然灾害（地质／滑坡）: category, subtype and the sub-hazard the county must report
    (asked for while unknown, so the draft is not sent without it)."""
    category, subtype = incident["category"], incident.get("subtype") or ""
    if not subtype:
        return category
    sub_hazard = incident.get("sub_hazard") or ""
    if not sub_hazard and catalog.sub_hazards(category, subtype):
        sub_hazard = "亚灾种待核实"
    return f"{category}（{subtype}{'／' + sub_hazard if sub_hazard else ''}）"


def _actions(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        f"{beijing.display(e['at'])[11:]} {e['body']}" for e in entries if e["kind"] in ACTION_KINDS
    ]


def _forces(incident: Mapping[str, Any], entries: Sequence[Mapping[str, Any]]) -> str:
    """处置力量: the teams dispatched (their 队伍调度 rows, issue 14), then the old free
    text of incidents recorded before dispatches existed; 请补充 when neither."""
    sent = [
        e["body"].split("“", 1)[1].split("”", 1)[0]
        for e in entries
        if e["kind"] == catalog.DISPATCH_LOG and e["body"].startswith("调派“")
    ]
    parts = ["、".join(dict.fromkeys(sent))] if sent else []
    if incident.get("teams_assigned"):
        parts.append(str(incident["teams_assigned"]))
    return "；".join(parts) or "（请补充）"


def compose(
    stage: str,
    incident: Mapping[str, Any],
    timeline: Sequence[Mapping[str, Any]],
    reports: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    now: datetime | None = None,
) -> ReportDraft:
    now = now or beijing.now()
    received = beijing.display(incident["received_at"])
    event = event_name(
        incident["category"], incident.get("subtype") or "", incident.get("sub_hazard") or ""
    )
    place = _place(incident, names)
    grade = incident.get("grade") or "未定级"
    source = (
        "，".join(p for p in (incident.get("caller_unit"), incident.get("caller_name")) if p)
        or "来电人"
    )
    ordered = sorted(timeline, key=lambda e: (e["at"], e["id"]))
    if stage in ("首报", "初报"):
        actions = _actions(ordered) or ["已通知属地乡镇（街道）核实情况，值班室持续跟踪。"]
        body = "\n".join(
            [
                f"{received}，{place}发生{event}。",
                f"信息来源：{source}报告。",
                f"人员伤亡：{_casualties(incident)}",
                f"事件类别：{_kind(incident)}；初判等级：{grade}。",
                f"基本情况：{incident.get('description') or '详细情况正在核实。'}",
                "已采取措施：",
                *[f"  {i}. {a}" for i, a in enumerate(actions, 1)],
                "后续情况将及时续报。",
            ]
        )
        return ReportDraft(stage, f"关于{incident['title']}的{stage}", body)
    if stage in ("续报", "补报"):
        n = sum(1 for r in reports if r["stage"] == stage) + 1
        since = max((r["sent_at"] for r in reports), default=incident["received_at"])
        recent = [e for e in ordered if e["at"] > since]
        progress = _actions(recent) or ["（自上次报告以来暂无新的处置记录，请补充）"]
        body = "\n".join(
            [
                f"{received}，{place}发生{event}，现{stage}如下：",
                f"一、核实情况：当前状态为“{incident['status']}”，等级：{grade}。",
                f"二、人员伤亡：{_casualties(incident)}",
                "三、处置进展：",
                *[f"  {i}. {a}" for i, a in enumerate(progress, 1)],
                f"四、处置力量：{_forces(incident, ordered)}",
                "有关情况将继续跟踪报告。",
            ]
        )
        return ReportDraft(stage, f"关于{incident['title']}的{stage}（第{n}次）", body)
    if stage in ("终报", "核报"):
        actions = _actions(ordered) or ["（请补充处置过程）"]
        body = "\n".join(
            [
                f"{received}，{place}发生{event}。",
                f"一、事件概况：{incident.get('description') or '（请补充）'}",
                f"二、人员伤亡及损失：{_casualties(incident)}",
                "三、处置过程：",
                *[f"  {i}. {a}" for i, a in enumerate(actions, 1)],
                f"四、处置力量：{_forces(incident, ordered)}",
                f"五、当前状态：{incident['status']}。截至{beijing.display(now)}，事件处置工作已结束。",
            ]
        )
        return ReportDraft(stage, f"关于{incident['title']}的{stage}", body)
    raise ValueError(f"unknown report stage {stage!r}")
