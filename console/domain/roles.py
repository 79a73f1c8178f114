"""Roles and which mutations each may push; the server checks every mutation against this.

The workstation uses the same table to grey out actions the officer's role cannot do.
"""

from __future__ import annotations

ADMIN = "admin"
LEADER = "leader"
OFFICER = "officer"
READONLY = "readonly"
# An external system's account (the hydrology platform): it may only POST /readings, never
# push, pull or stream the synced data (server/api.py).
INGEST = "ingest"

# The account the default rules and the sample county are written as, on either side.
SYSTEM_USER = "系统"

ROLE_LABELS: dict[str, str] = {
    ADMIN: "管理员",
    LEADER: "带班领导",
    OFFICER: "值班员",
    READONLY: "只读",
    INGEST: "数据接入",
}

_EDITORS = frozenset({ADMIN, LEADER, OFFICER})
_LEADERS = frozenset({ADMIN, LEADER})

# Mutation name -> roles allowed. Anything not listed is refused (fail closed).
PERMISSIONS: dict[str, frozenset[str]] = {
    "incident.create": _EDITORS,
    "incident.update": _EDITORS,
    "incident.delete": _LEADERS,
    "timeline.append": _EDITORS,
    "incident.set_status": _EDITORS,
    "report.record_sent": _EDITORS,
    # A reading phoned in by a 灾害信息员, typed by the officer on duty.
    "reading.report": _EDITORS,
    # Deadlines are the leader's call (设置 > 报送时限).
    "report_rule.upsert": _LEADERS,
    "report_rule.delete": _LEADERS,
    # So is the grading table (设置 > 定级标准): it decides grades and so deadlines.
    "grading_rule.upsert": _LEADERS,
    "grading_rule.delete": _LEADERS,
    # 管控一张表: any officer tracks an evacuation and records what is reported; reopening
    # one the centre closed is the leader's call.
    "evacuation.open": _EDITORS,
    "evacuation.update": _EDITORS,
    "evacuation.close": _EDITORS,
    "evacuation.reopen": _LEADERS,
    "evacuation.add_area": _EDITORS,
    "evacuation.set_planned": _EDITORS,
    "transfer.record": _EDITORS,
    # 研判一张单: the officer drafts and edits, only the duty leader signs (签发).
    "assessment.create": _EDITORS,
    "assessment.update": _EDITORS,
    "assessment.revise": _EDITORS,
    "assessment.discard": _EDITORS,
    "assessment.sign": _LEADERS,
    # Threshold alerts: raised and cleared by each workstation's engine, acknowledged by
    # whoever is on duty.
    "alert.raise": _EDITORS,
    "alert.clear": _EDITORS,
    "alert.acknowledge": _EDITORS,
    # 指挥一平台: any officer issues orders and records who answered; cancelling an order
    # that went out is the duty leader's call.
    "order.issue": _EDITORS,
    "order.add_recipient": _EDITORS,
    "order.record": _EDITORS,
    "order.escalate": _EDITORS,
    "order.close": _EDITORS,
    "order.cancel": _LEADERS,
    # 案例一个库: any officer drafts and edits a case; publishing it to the county's library
    # and deleting one are the duty leader's call.
    "case.create": _EDITORS,
    "case.update": _EDITORS,
    "case.publish": _LEADERS,
    "case.delete": _LEADERS,
    # Its attachments: any officer adds a picture or document; removing one is the
    # leader's, as deleting a case is.
    "case_attachment.attach": _EDITORS,
    "case_attachment.detach": _LEADERS,
    # 应急一指南: the guide is the county's, edited by the leader; starting, raising,
    # lowering and ending a response is the duty leader's call; any officer ticks items.
    "guide_item.upsert": _LEADERS,
    "guide_item.delete": _LEADERS,
    "response.activate": _LEADERS,
    "response.change_level": _LEADERS,
    "response.end": _LEADERS,
    "response.record": _EDITORS,
    # 交接班: any officer generates and edits a pending handover; signing is any other
    # account (the mutation refuses the author and, when named, anyone but the incoming);
    # deleting an unsigned one is the duty leader's call. The 值班日志 likewise.
    "handover.create": _EDITORS,
    "handover.update": _EDITORS,
    "handover.sign": _EDITORS,
    "handover.discard": _LEADERS,
    "duty_log.add": _EDITORS,
    "duty_log.delete": _LEADERS,
    # 排班 (issue #14): the roster, the shift pattern and the holidays are the duty leader's
    # plan; any officer asks for a swap, only a leader approves or refuses it (an approval
    # changes two slots of the roster).
    "roster_swap.request": _EDITORS,
    "roster_swap.approve": _LEADERS,
    "roster_swap.refuse": _LEADERS,
    # Teams in action (issue 14): any officer on duty dispatches a team, brings it back and
    # sets its status; deleting members, equipment or certificates is the leader's call.
    "team.set_status": _EDITORS,
    "dispatch.create": _EDITORS,
    "dispatch.return": _EDITORS,
}
for _entity in ("roster_setting", "holiday", "roster_entry"):
    PERMISSIONS[f"{_entity}.upsert"] = _LEADERS
    PERMISSIONS[f"{_entity}.delete"] = _LEADERS
# The rainstorm-signal table and the response triggers decide warnings and response
# levels: the leader's call, as the grading table is.
# 视频监控: the camera records are the administrators' and leaders' (the stream addresses and
# credentials are not in them: server.camera_streams, administrators only).
for _entity in ("rain_signal_rule", "response_trigger", "camera"):
    PERMISSIONS[f"{_entity}.upsert"] = _LEADERS
    PERMISSIONS[f"{_entity}.delete"] = _LEADERS
for _entity in (
    "township",
    "village",
    "shelter",
    "risk_point",
    "team",
    "station",
    "unit",
    "person",
    "person_role",
    "special_household",
    "rain_threshold",
    "rain_forecast",
    "warning",
    "plan",  # the 预案 library (issue 13)
    "team_member",  # teams in action (issue 14)
    "certificate",
    "team_equipment",
):
    PERMISSIONS[f"{_entity}.upsert"] = _EDITORS
    PERMISSIONS[f"{_entity}.delete"] = _LEADERS


# Who may upload files to the server's file store (PUT /files/{sha256}): whoever may attach
# one; every workstation account may download (GET) and ask which are there.
FILE_WRITERS = _EDITORS

# Who may read the readings channel (GET /readings/pull) and who may write it (POST /readings).
READINGS_READERS = frozenset({ADMIN, LEADER, OFFICER, READONLY})
READINGS_WRITERS = frozenset({ADMIN, INGEST})
# Who may set and read a camera's stream address (never its password back), and who may
# fetch the playable address (credentials included) into a workstation's memory to play it.
CAMERA_STREAM_EDITORS = frozenset({ADMIN})
CAMERA_VIEWERS = frozenset({ADMIN, LEADER, OFFICER, READONLY})


def allowed(role: str, mutation: str) -> bool:
    return role in PERMISSIONS.get(mutation, frozenset())
