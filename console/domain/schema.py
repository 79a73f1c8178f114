"""Synced records: the tables every replica (workstations and server) holds.

Each record has a client-generated UUID key, the server ``version`` of its last change (null
until synced), an HLC ``updated_at``, ``updated_by`` and a ``deleted`` tombstone. Only the
mutation functions in :mod:`console.domain.mutations` write these tables.

Every column is built from its field declaration (:mod:`console.domain.columns`): the label,
length, format, choices and range that validation, forms and messages use are declared here
and only here. :data:`ENTITY_FIELDS` is derived from the columns, in declaration order.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from console.domain import (
    assessment_rules,
    catalog,
    files,
    grading,
    handover,
    rain_catalog,
    reporting,
    roster,
)
from console.domain.columns import (
    FIELD,
    SYSTEM,
    amount,
    area,
    choice,
    count,
    day,
    flag,
    integer,
    lat,
    lon,
    long_text,
    number,
    ref,
    setting,
    system,
    text,
    timestamp,
)
from console.domain.fields import (
    ACCOUNT,
    ACCOUNT_MAX_LEN,
    HLC,
    RECORD_ID,
    TIMESTAMP_MAX_LEN,
    Field,
)
from console.domain.situation import RESPONSE_LEVELS, WARNING_LEVELS


class SyncedBase(DeclarativeBase):
    """Declarative base of the synced tables (one MetaData shared with the server)."""


class SyncedRecord(SyncedBase):
    __abstract__ = True

    id: Mapped[str] = system(RECORD_ID, String(36), primary_key=True)
    version: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[str] = system(HLC, String(64))
    updated_by: Mapped[str] = system(ACCOUNT, String(64))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


def _is_sample() -> Mapped[bool]:
    return flag("样例数据", default=False)


class Township(SyncedRecord):
    __tablename__ = "townships"

    name: Mapped[str] = text("乡镇名称", 40, required=True)
    kind: Mapped[str] = choice("类型", catalog.TOWNSHIP_KINDS, 8, required=True)
    lon: Mapped[float | None] = lon()
    lat: Mapped[float | None] = lat()
    position_approximate: Mapped[bool] = flag("位置为近似值", default=True)
    area: Mapped[str] = area()  # 0026: the township's boundary (GeoJSON text, "" none)
    is_sample: Mapped[bool] = _is_sample()


class Station(SyncedRecord):
    __tablename__ = "stations"

    code: Mapped[str] = text("站码", 20, required=True)
    name: Mapped[str] = text("站名", 80, required=True)
    kind: Mapped[str] = choice("站点类型", catalog.STATION_KINDS, 8, required=True)
    township_id: Mapped[str | None] = ref("所属乡镇", "townships", index=True)
    lon: Mapped[float | None] = lon()
    lat: Mapped[float | None] = lat()
    warning_level_m: Mapped[float | None] = number("警戒水位", -100, 10_000)
    guarantee_level_m: Mapped[float | None] = number("保证水位", -100, 10_000)
    # 0011: reservoirs (水库) only.
    flood_limit_level_m: Mapped[float | None] = number("汛限水位", -100, 10_000)
    design_level_m: Mapped[float | None] = number("设计水位", -100, 10_000)
    check_level_m: Mapped[float | None] = number("校核水位", -100, 10_000)
    is_sample: Mapped[bool] = _is_sample()


class Village(SyncedRecord):
    __tablename__ = "villages"

    township_id: Mapped[str] = ref("所属乡镇", "townships", required=True, index=True)
    name: Mapped[str] = text("村名", 40, required=True)
    lon: Mapped[float | None] = lon()
    lat: Mapped[float | None] = lat()
    households: Mapped[int] = count("户数")  # 0011: 0 on villages recorded before
    population: Mapped[int] = count("人口")
    # 0013: the station whose readings stand for the village (null: the nearest rain
    # station); a level station judges it on its water lines.
    station_id: Mapped[str | None] = ref("关联站点", "stations")
    area: Mapped[str] = area()  # 0026: the village's boundary (GeoJSON text, "" none)
    is_sample: Mapped[bool] = _is_sample()


class Shelter(SyncedRecord):
    __tablename__ = "shelters"

    name: Mapped[str] = text("避灾场所名称", 80, required=True)
    township_id: Mapped[str | None] = ref("所属乡镇", "townships", index=True)
    village_id: Mapped[str | None] = ref("所属村", "villages")
    kind: Mapped[str] = text("场所类型", 20)
    capacity: Mapped[int] = count("容纳人数")
    # Free text kept for old data: the manager is a person_roles row (避灾场所管理员) now.
    manager: Mapped[str] = text("管理员", 40)
    phone: Mapped[str] = text("联系电话", 32)
    lon: Mapped[float | None] = lon()
    lat: Mapped[float | None] = lat()
    facilities: Mapped[str] = long_text("主要设施", 2000)  # 0011
    is_sample: Mapped[bool] = _is_sample()


def _rain(tier: str, window: str) -> Mapped[float | None]:
    return number(f"{tier}雨量（{window}，毫米）", 0, 2000)


class RiskPoint(SyncedRecord):
    __tablename__ = "risk_points"

    type: Mapped[str] = choice(
        "风险点类型", catalog.RISK_POINT_TYPES, 20, required=True, index=True
    )
    name: Mapped[str] = text("风险点名称", 80, required=True)
    township_id: Mapped[str | None] = ref("所属乡镇", "townships", index=True)
    village_id: Mapped[str | None] = ref("所属村", "villages")
    lon: Mapped[float | None] = lon()
    lat: Mapped[float | None] = lat()
    households: Mapped[int] = count("影响户数")
    persons: Mapped[int] = count("影响人数")
    # Free text kept for old data: the responsible people (山洪 六落实: 行政责任人,
    # 监测负责人, 信息报送人...) are person_roles rows now, not text.
    responsible_person: Mapped[str] = text("责任人", 40)
    responsible_phone: Mapped[str] = text("责任人电话", 32)
    shelter_id: Mapped[str | None] = ref("对应避灾场所", "shelters")  # 安全地点
    transfer_route: Mapped[str] = long_text("转移路线", 500)
    note: Mapped[str] = long_text("备注", 2000)
    # 0011: the rest of the 六落实 and the critical rainfall (临界雨量) where it applies.
    warning_signal: Mapped[str] = text("预警信号", 80)
    prepare_rain_1h_mm: Mapped[float | None] = _rain("准备转移", "1小时")
    prepare_rain_3h_mm: Mapped[float | None] = _rain("准备转移", "3小时")
    prepare_rain_24h_mm: Mapped[float | None] = _rain("准备转移", "24小时")
    evacuate_rain_1h_mm: Mapped[float | None] = _rain("立即转移", "1小时")
    evacuate_rain_3h_mm: Mapped[float | None] = _rain("立即转移", "3小时")
    evacuate_rain_24h_mm: Mapped[float | None] = _rain("立即转移", "24小时")
    # 0013: the station whose readings stand for the point (null: the village's, else the
    # nearest rain station); a level station (a reservoir) judges it on its water lines.
    station_id: Mapped[str | None] = ref("关联站点", "stations")
    # 0026: the extent (山洪危险区, 地质灾害隐患范围), GeoJSON text, "" none.
    area: Mapped[str] = area()
    is_sample: Mapped[bool] = _is_sample()


class Team(SyncedRecord):
    __tablename__ = "teams"

    name: Mapped[str] = text("队伍名称", 80, required=True)
    kind: Mapped[str] = text("队伍类型", 20, required=True, index=True)
    township_id: Mapped[str | None] = ref("所属乡镇", "townships", index=True)
    members: Mapped[int] = count("人数")
    leader: Mapped[str] = text("负责人", 40)
    phone: Mapped[str] = text("联系电话", 32)
    # Free text kept for old data: new equipment is team_equipment rows (name + count).
    equipment: Mapped[str] = long_text("主要装备", 500)
    lon: Mapped[float | None] = lon()
    lat: Mapped[float | None] = lat()
    is_sample: Mapped[bool] = _is_sample()
    # 0021 (issue 14): changed only by team.set_status, a dispatch and a return; 待命 on
    # teams recorded before.
    status: Mapped[str] = system(
        Field("队伍状态", str, required=True, choices=catalog.TEAM_STATUSES),
        String(4),
        default=catalog.TEAM_STANDBY,
    )
    status_at: Mapped[str | None] = system(
        Field("状态时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )


class TeamMember(SyncedRecord):
    """A person on a team (issue 14). Natural key: team + person. ``available`` false: the
    person is off (leave, injury) and not counted among the team's available people."""

    __tablename__ = "team_members"

    team_id: Mapped[str] = ref("所属队伍", "teams", required=True, index=True)
    person_id: Mapped[str] = ref("人员", "people", required=True, index=True)
    role: Mapped[str] = text("队内职务", 20)
    skills: Mapped[str] = text("技能特长", 200)
    available: Mapped[bool] = flag("在岗可用", default=True)
    is_sample: Mapped[bool] = _is_sample()


class Certificate(SyncedRecord):
    """A person's certificate (红十字救护员证...) with its expiry, flagged before it lapses.
    Natural key: person + certificate name."""

    __tablename__ = "person_certificates"

    person_id: Mapped[str] = ref("持证人", "people", required=True, index=True)
    name: Mapped[str] = text("证书名称", 60, required=True)
    number: Mapped[str] = text("证书编号", 60)
    expires_on: Mapped[str | None] = day("有效期至")
    is_sample: Mapped[bool] = _is_sample()


class TeamEquipment(SyncedRecord):
    """Equipment a team holds, with its count. Natural key: team + equipment name."""

    __tablename__ = "team_equipment"

    team_id: Mapped[str] = ref("所属队伍", "teams", required=True, index=True)
    name: Mapped[str] = text("装备名称", 40, required=True)
    count: Mapped[int] = count("数量")
    unit: Mapped[str] = text("计量单位", 8)
    is_sample: Mapped[bool] = _is_sample()


class Unit(SyncedRecord):
    """A unit people belong to: the county leadership, a township, a department, a village,
    a team, a company. Natural key: name (+ township, for units below the county)."""

    __tablename__ = "units"

    name: Mapped[str] = text("单位名称", 80, required=True)
    kind: Mapped[str] = choice("单位类型", catalog.UNIT_KINDS, 8, required=True)
    township_id: Mapped[str | None] = ref("所属乡镇", "townships", index=True)
    village_id: Mapped[str | None] = ref("所属村", "villages")
    phone: Mapped[str] = text("联系电话", 32)
    note: Mapped[str] = long_text("备注", 2000)
    is_sample: Mapped[bool] = _is_sample()


class Person(SyncedRecord):
    """Someone the duty room calls. Natural key: unit + name."""

    __tablename__ = "people"

    name: Mapped[str] = text("姓名", 40, required=True)
    unit_id: Mapped[str | None] = ref("所属单位", "units", index=True)
    post: Mapped[str] = text("职务", 40)
    mobile: Mapped[str] = text("手机", 32)
    landline: Mapped[str] = text("固定电话", 32)
    zzd_id: Mapped[str] = text("浙政钉", 64)
    # Experts (会商专家) only; "" for everyone else.
    expert_field: Mapped[str] = text("专业领域", 40)
    expert_title: Mapped[str] = text("职称", 40)
    note: Mapped[str] = long_text("备注", 2000)
    is_sample: Mapped[bool] = _is_sample()


class PersonRole(SyncedRecord):
    """A person's responsibility (责任角色) for a place or an object, for a period. Which of
    the object columns is set depends on the role (catalog.ROLE_OBJECTS, checked by
    catalog.role_problem; a village may come with its own township). Natural key: person +
    role + object."""

    __tablename__ = "person_roles"

    person_id: Mapped[str] = ref("人员", "people", required=True, index=True)
    role: Mapped[str] = choice("责任角色", catalog.PERSON_ROLES, 8, required=True)
    township_id: Mapped[str | None] = ref("所属乡镇", "townships", index=True)
    village_id: Mapped[str | None] = ref("所属村", "villages", index=True)
    risk_point_id: Mapped[str | None] = ref("风险点", "risk_points", index=True)
    shelter_id: Mapped[str | None] = ref("避灾场所", "shelters", index=True)
    station_id: Mapped[str | None] = ref("站点", "stations", index=True)
    valid_from: Mapped[str | None] = day("起始日期")
    valid_to: Mapped[str | None] = day("结束日期")
    note: Mapped[str] = long_text("备注", 500)
    is_sample: Mapped[bool] = _is_sample()


class SpecialHousehold(SyncedRecord):
    """一户一策: a household that needs help to move (the elderly, the disabled...), with the
    person who helps it (帮扶人). Natural key: township + village + 户主."""

    __tablename__ = "special_households"

    township_id: Mapped[str] = ref("所属乡镇", "townships", required=True, index=True)
    village_id: Mapped[str] = ref("所属村", "villages", required=True)
    head_name: Mapped[str] = text("户主", 40, required=True)
    persons: Mapped[int] = count("人数")
    condition: Mapped[str] = choice("类别", catalog.SPECIAL_CONDITIONS, 4, required=True)
    needs: Mapped[str] = text("转移需求", 200)
    phone: Mapped[str] = text("联系电话", 32)
    helper_id: Mapped[str | None] = ref("帮扶人", "people")
    risk_point_id: Mapped[str | None] = ref("所在风险点", "risk_points")
    address: Mapped[str] = text("住址", 120)
    note: Mapped[str] = long_text("备注", 2000)
    is_sample: Mapped[bool] = _is_sample()


class Incident(SyncedRecord):
    __tablename__ = "incidents"

    received_at: Mapped[str] = timestamp("接报时间")
    category: Mapped[str] = choice("事件类别", tuple(catalog.EVENT_CATEGORIES), 12, required=True)
    subtype: Mapped[str] = text("事件子类", 20)
    # "" when the subtype has none (and on incidents recorded before sub-hazards existed);
    # that it belongs to the subtype is a cross-field rule of the mutations.
    sub_hazard: Mapped[str] = choice(
        "亚灾种", ("", *catalog.ALL_SUB_HAZARDS), 12, nullable=False, default=""
    )
    grade: Mapped[str | None] = choice("事件等级", catalog.GRADES, 8)
    # Changed only by incident.set_status, along the workflow.
    status: Mapped[str] = system(
        Field("事件状态", str, required=True, choices=catalog.INCIDENT_STATUSES),
        String(8),
        default="接报",
    )
    # When it was last closed (0010), for the reports due after closure (终报/核报); set and
    # cleared only by incident.set_status.
    closed_at: Mapped[str | None] = system(
        Field("结案时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )
    title: Mapped[str] = text("事件标题", 120, required=True)
    description: Mapped[str] = long_text("事件经过", 20_000)
    township_id: Mapped[str | None] = ref("乡镇", "townships")
    village_id: Mapped[str | None] = ref("村（社区）", "villages")
    address: Mapped[str] = text("详细地址", 200)
    lon: Mapped[float | None] = lon()
    lat: Mapped[float | None] = lat()
    caller_name: Mapped[str] = text("来电人", 40)
    caller_unit: Mapped[str] = text("来电单位", 80)
    caller_post: Mapped[str] = text("职务", 40)
    caller_phone: Mapped[str] = text("来电号码", 32)
    notified: Mapped[str] = long_text("已通知单位", 2000)
    dead: Mapped[int] = count("死亡")
    missing: Mapped[int] = count("失踪")
    injured: Mapped[int] = count("受伤")
    trapped: Mapped[int] = count("被困")
    affected: Mapped[int] = count("受影响人数")
    # The numbers the grading table reads (0007): 0 on incidents recorded before.
    seriously_injured: Mapped[int] = count("重伤")
    evacuated: Mapped[int] = count("转移人数")
    economic_loss: Mapped[float] = amount("直接经济损失（万元）")
    area_burned: Mapped[float] = amount("过火（受害）面积（公顷）")
    # The signed-in account that took the call, so as long as an account name.
    recorder: Mapped[str] = text("记录人", ACCOUNT_MAX_LEN)
    teams_assigned: Mapped[str] = long_text("处置队伍", 2000)
    # The sample county's incidents (0010): shown as 样例, never pushed to a county's server.
    is_sample: Mapped[bool] = _is_sample()

    __table_args__ = (Index("ix_incidents_status_received", "status", "received_at"),)


class TimelineEntry(SyncedRecord):
    """Append-only log row of an incident: never edited, so it never conflicts."""

    __tablename__ = "incident_timeline"

    incident_id: Mapped[str] = ref("所属事件", "incidents", required=True, index=True)
    kind: Mapped[str] = choice("记录类型", catalog.TIMELINE_KINDS, 8, required=True)
    body: Mapped[str] = long_text("内容", 20_000, required=True)
    at: Mapped[str] = timestamp("时间")
    author: Mapped[str] = system(ACCOUNT, String(64))


class Dispatch(SyncedRecord):
    """A team sent to an incident (issue 14) and, once back, when it returned. Written with
    a 队伍调度 timeline row and the team's status by dispatch.create / dispatch.return."""

    __tablename__ = "incident_dispatches"

    incident_id: Mapped[str] = ref("所属事件", "incidents", required=True, index=True)
    team_id: Mapped[str] = ref("队伍", "teams", required=True, index=True)
    dispatched_at: Mapped[str] = timestamp("出动时间")
    note: Mapped[str] = text("调度说明", 200)
    author: Mapped[str] = system(ACCOUNT, String(64))
    returned_at: Mapped[str | None] = system(
        Field("返回时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )
    returned_by: Mapped[str | None] = system(
        Field("返回登记人", str, max_len=ACCOUNT_MAX_LEN), String(64), nullable=True
    )


class ReportRule(SyncedRecord):
    """A reporting duty: which report (``stage``, ``channel``) is due when (``schedule``) for
    the incidents it matches (category; subtype, sub-hazard, grade: "" = any), and the rule it
    comes from. See :mod:`console.domain.reporting`."""

    __tablename__ = "report_rules"

    category: Mapped[str] = choice("事件类别", tuple(catalog.EVENT_CATEGORIES), 12, required=True)
    # "" = any grade
    grade: Mapped[str] = choice("事件等级", ("", *catalog.GRADES), 8, nullable=False, default="")
    stage: Mapped[str] = choice("报送种类", reporting.REPORT_STAGES, 4, required=True)
    channel: Mapped[str] = choice("报送方式", reporting.CHANNELS, 4, required=True)
    minutes: Mapped[int] = integer("时限（分钟）", 1, reporting.MAX_MINUTES)
    basis: Mapped[str] = text("依据", 200)
    # 0010: rows of the first table match every subtype, report after receipt, and are the
    # county's own until the defaults upgrade replaces the untouched ones.
    subtype: Mapped[str] = text("事件子类", 20)  # "" = every subtype
    sub_hazard: Mapped[str] = choice(
        "亚灾种", ("", *catalog.ALL_SUB_HAZARDS), 12, nullable=False, default=""
    )
    schedule: Mapped[str] = choice(
        "报送时机", reporting.SCHEDULES, 8, nullable=False, default=reporting.AFTER_RECEIPT
    )
    daily_at: Mapped[int] = setting("每日截止时刻（分钟）", 0, 24 * 60 - 1, default=9 * 60)
    window_days: Mapped[int] = setting("补报期限（天）", 0, 366, default=0)
    enabled: Mapped[bool] = flag("启用", default=True)
    source: Mapped[str] = choice(
        "规则来源", reporting.RULE_SOURCES, 8, nullable=False, default=reporting.LOCAL
    )


def _bound(grade: str) -> Mapped[float | None]:
    return number(f"{grade}下限", 0, 1_000_000_000)


class GradingRule(SyncedRecord):
    """One row of the grading table: from which value of ``metric`` each grade begins for a
    category (and optionally one subtype), and the rule that says so."""

    __tablename__ = "grading_rules"

    category: Mapped[str] = choice("事件类别", tuple(catalog.EVENT_CATEGORIES), 12, required=True)
    subtype: Mapped[str] = text("事件子类", 20)  # "" = every subtype of the category
    metric: Mapped[str] = choice("定级指标", grading.GRADING_METRICS, 8, required=True)
    min_especially_major: Mapped[float | None] = _bound("特别重大")
    min_major: Mapped[float | None] = _bound("重大")
    min_large: Mapped[float | None] = _bound("较大")
    min_general: Mapped[float | None] = _bound("一般")
    basis: Mapped[str] = text("依据", 200)


class IncidentReport(SyncedRecord):
    """A report sent upward (首报/续报/终报), with the text as sent."""

    __tablename__ = "incident_reports"

    incident_id: Mapped[str] = ref("所属事件", "incidents", required=True, index=True)
    stage: Mapped[str] = choice("报送种类", reporting.REPORT_STAGES, 4, required=True)
    channel: Mapped[str] = choice("报送方式", reporting.CHANNELS, 4, required=True)
    sent_at: Mapped[str] = timestamp("报送时间")
    recipient: Mapped[str] = text("报送对象", 80)
    body: Mapped[str] = long_text("报告内容", 50_000)
    author: Mapped[str] = system(ACCOUNT, String(64))


class Evacuation(SyncedRecord):
    """转移行动: one transfer of people out of danger (opened by an order or a leader's
    call), with its circle of villages (:class:`EvacuationArea`) and the transfers reported
    (:class:`TransferEvent`)."""

    __tablename__ = "evacuations"

    title: Mapped[str] = text("转移行动名称", 80, required=True)
    started_at: Mapped[str] = timestamp("开始时间")
    incident_id: Mapped[str | None] = ref("关联事件", "incidents")
    note: Mapped[str] = long_text("备注", 2000)
    status: Mapped[str] = system(
        Field("状态", str, choices=catalog.EVACUATION_STATUSES), String(4), default="进行中"
    )
    ended_at: Mapped[str | None] = system(
        Field("结束时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )
    author: Mapped[str] = system(ACCOUNT, String(64))


class EvacuationArea(SyncedRecord):
    """A village (or one risk point of it) in an evacuation's circle, with the people to
    move (应转). 扩面转移 adds more rows while the evacuation is open."""

    __tablename__ = "evacuation_areas"

    evacuation_id: Mapped[str] = ref("转移行动", "evacuations", required=True, index=True)
    village_id: Mapped[str] = ref("村（社区）", "villages", required=True)
    risk_point_id: Mapped[str | None] = ref("风险点", "risk_points")
    planned_households: Mapped[int] = count("应转户数")
    planned_persons: Mapped[int] = count("应转人数")
    added_at: Mapped[str] = timestamp("纳入时间")
    reason: Mapped[str] = text("纳入原因", 200)
    author: Mapped[str] = system(ACCOUNT, String(64))


class TransferEvent(SyncedRecord):
    """One report of people moved, refusing or back home: an append-only event, so two
    workstations (or a township phoning twice) add up instead of overwriting each other. A
    correction is another event pointing at the one it corrects, its count negative."""

    __tablename__ = "transfer_events"

    evacuation_id: Mapped[str] = ref("转移行动", "evacuations", required=True)
    village_id: Mapped[str] = ref("村（社区）", "villages", required=True)
    risk_point_id: Mapped[str | None] = ref("风险点", "risk_points")
    kind: Mapped[str] = choice("类别", catalog.TRANSFER_KINDS, 4, required=True)
    persons: Mapped[int] = integer("人数", -1_000_000, 1_000_000)
    households: Mapped[int] = setting("户数", -1_000_000, 1_000_000, default=0)
    destination: Mapped[str] = choice(
        "去向", ("", *catalog.DESTINATIONS), 8, nullable=False, default=""
    )
    shelter_id: Mapped[str | None] = ref("避灾场所", "shelters")
    reported_by: Mapped[str] = text("报告人", 80)
    reported_at: Mapped[str] = timestamp("报告时间")
    # The id of the event a correction corrects ("" for a first report). Not a foreign key:
    # a pull page may bring a correction before the event it names; the mutation checks it.
    correction_of: Mapped[str] = text("更正的记录", 36)
    note: Mapped[str] = text("备注", 200)
    author: Mapped[str] = system(ACCOUNT, String(64))

    # The roll-up's GROUP BY village, kind reads this index alone (it holds every column
    # the sums need), in order: 20,000 events summed without touching the table.
    __table_args__ = (
        Index(
            "ix_transfer_events_rollup",
            "evacuation_id",
            "deleted",
            "village_id",
            "kind",
            "persons",
            "households",
            "correction_of",
            "reported_at",
            "shelter_id",
        ),
    )


class Assessment(SyncedRecord):
    """One version of a 研判一张单 (assessment sheet). A draft is edited in place; signing
    (带班领导) freezes it for good; a later edit makes a new draft version in the same series
    (``series_id``: the first version's id; ``previous_id``: the version it revises). The
    sheet's tables (rain per township, stations, endangered points, warnings, tasks) are
    ``content``: JSON text whose shape :func:`console.domain.assessment_rules.content_problem`
    checks in every mutation."""

    __tablename__ = "assessments"

    number: Mapped[str] = text("编号", 40, required=True)
    title: Mapped[str] = text("标题", 120, required=True)
    period_from: Mapped[str] = timestamp("研判时段起")
    period_to: Mapped[str] = timestamp("研判时段止")
    generated_at: Mapped[str] = timestamp("生成时间")
    summary: Mapped[str] = long_text("研判意见", 5000)
    highest_warning: Mapped[str] = choice(
        "最高预警等级", ("", *assessment_rules.WARNING_LEVELS), 4, nullable=False, default=""
    )
    proposed_response: Mapped[str] = choice(
        "建议响应等级", ("", *assessment_rules.RESPONSE_LEVELS), 4, nullable=False, default=""
    )
    content: Mapped[str] = long_text("研判内容", assessment_rules.CONTENT_MAX_LEN, required=True)
    # SHA-256 of the crossing set it was built on ("" when nothing was crossed): one open
    # proposal per crossing set. A digest, so 700 crossings of a county-wide storm fit.
    crossings: Mapped[str] = text("触发条件摘要", 64)
    incident_id: Mapped[str | None] = ref("关联事件", "incidents")
    simulated: Mapped[bool] = flag("模拟", default=False)
    is_sample: Mapped[bool] = _is_sample()
    # Set only by the assessment mutations.
    status: Mapped[str] = system(
        Field("状态", str, required=True, choices=assessment_rules.STATUSES),
        String(4),
        default=assessment_rules.DRAFT,
    )
    series_id: Mapped[str] = system(RECORD_ID, String(36), index=True)
    previous_id: Mapped[str | None] = system(
        Field("上一版本", str, max_len=36), String(36), nullable=True
    )
    revision: Mapped[int] = system(
        Field("版本号", int, required=True, minimum=1, maximum=10_000), Integer()
    )
    author: Mapped[str] = system(ACCOUNT, String(64))
    signed_by: Mapped[str | None] = system(
        Field("签发人", str, max_len=ACCOUNT_MAX_LEN), String(ACCOUNT_MAX_LEN), nullable=True
    )
    signed_at: Mapped[str | None] = system(
        Field("签发时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )


class ThresholdAlert(SyncedRecord):
    """A threshold crossing (Situation.crossings() key) raised as an alert, and who
    acknowledged it. One record per crossing key (its id comes from the key), so every
    workstation that sees the crossing raises the same alert; it is cleared when the
    crossing ends and raised again (unacknowledged) when it comes back."""

    __tablename__ = "threshold_alerts"

    key: Mapped[str] = text("触发条件", 120, required=True)
    level: Mapped[str] = choice(
        "预警等级", ("", *assessment_rules.WARNING_LEVELS), 4, nullable=False, default=""
    )
    message: Mapped[str] = long_text("提醒内容", 500, required=True)
    raised_at: Mapped[str] = timestamp("触发时间")
    simulated: Mapped[bool] = flag("模拟", default=False)
    # Set only by alert.clear / alert.acknowledge.
    cleared_at: Mapped[str | None] = system(
        Field("解除时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )
    acked_by: Mapped[str | None] = system(
        Field("确认人", str, max_len=ACCOUNT_MAX_LEN), String(ACCOUNT_MAX_LEN), nullable=True
    )
    acked_at: Mapped[str | None] = system(
        Field("确认时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )


class ReportedReading(SyncedRecord):
    """A station reading an officer took by phone (a 灾害信息员's report): kept as a record
    (who said what, when), and stored as a station reading (source ``phoned``) on every
    replica: the workstation writes it into its readings at once, the server ingests it into
    its readings channel when the push applies (console/domain/readings.py)."""

    __tablename__ = "reported_readings"

    station_id: Mapped[str] = ref("测站", "stations", required=True, index=True)
    kind: Mapped[str] = choice("读数类型", catalog.READING_KINDS, 4, required=True)
    observed_at: Mapped[str] = timestamp("观测时间")
    value: Mapped[float | None] = number("数值", -100, 10_000)
    # Rain: the minutes the amount fell in (5 or 60); levels: 0.
    interval_min: Mapped[int] = integer("时段(分钟)", 0, 60)
    reporter: Mapped[str] = text("报告人", 40)
    reporter_phone: Mapped[str] = text("联系电话", 20)
    note: Mapped[str] = long_text("备注", 500)
    author: Mapped[str] = system(ACCOUNT, String(64))


class RainThreshold(SyncedRecord):
    """One colour of a village's critical rainfall (临界雨量, per village or small basin):
    the mm of each window that reaches it (a window left empty has no threshold). A risk
    point is judged on its own 准备转移 / 立即转移 rain (黄 / 红, see
    :func:`console.domain.thresholds.risk_point_tiers`), else on its village's rows.
    Natural key: township + village + colour."""

    __tablename__ = "rain_thresholds"

    township_id: Mapped[str] = ref("所属乡镇", "townships", required=True, index=True)
    village_id: Mapped[str] = ref("所属村", "villages", required=True, index=True)
    level: Mapped[str] = choice("预警等级", WARNING_LEVELS, 4, required=True)
    rain_1h_mm: Mapped[float | None] = number("1小时（毫米）", 0, 2000)
    rain_3h_mm: Mapped[float | None] = number("3小时（毫米）", 0, 2000)
    rain_6h_mm: Mapped[float | None] = number("6小时（毫米）", 0, 2000)
    rain_24h_mm: Mapped[float | None] = number("24小时（毫米）", 0, 2000)
    basis: Mapped[str] = text("依据", 200)
    is_sample: Mapped[bool] = _is_sample()


class RainSignalRule(SyncedRecord):
    """One row of the county's rainstorm-signal table (暴雨预警信号标准). While the table has
    no live row the national defaults apply
    (:data:`console.domain.thresholds.DEFAULT_SIGNAL_RULES`); once it has any, its rows are
    the whole table. Natural key: colour + window."""

    __tablename__ = "rain_signal_rules"

    level: Mapped[str] = choice("信号等级", WARNING_LEVELS, 4, required=True)
    hours: Mapped[int] = integer("时段（小时）", 1, 24)
    mm: Mapped[float | None] = number("雨量（毫米）", 0, 2000)
    basis: Mapped[str] = text("依据", 200)


class ResponseTrigger(SyncedRecord):
    """One trigger of an emergency response level (应急响应启动条件): the measure within
    [下限, 上限), and whether more rain must be forecast. While the table has no live row the
    defaults apply (:data:`console.domain.thresholds.DEFAULT_RESPONSE_TRIGGERS`); once it
    has any, its rows are the whole table. Natural key: level + measure."""

    __tablename__ = "response_triggers"

    level: Mapped[str] = choice("响应等级", RESPONSE_LEVELS, 4, required=True)
    metric: Mapped[str] = choice("启动指标", rain_catalog.RESPONSE_METRICS, 12, required=True)
    low: Mapped[float | None] = number("下限", 0, 100_000)
    high: Mapped[float | None] = number("上限", 0, 100_000)
    with_forecast: Mapped[bool] = flag("且预报仍有降雨", default=False)
    basis: Mapped[str] = text("依据", 200)


class RainForecast(SyncedRecord):
    """An area rainfall forecast (面雨量预报) for a township: the mm expected over the next
    ``horizon_h`` hours from ``valid_from``. Natural key: township + issue time + horizon."""

    __tablename__ = "rain_forecasts"

    township_id: Mapped[str] = ref("乡镇", "townships", required=True, index=True)
    issued_at: Mapped[str] = timestamp("发布时间", index=True)
    valid_from: Mapped[str] = timestamp("起报时间")
    horizon_h: Mapped[int] = integer("预报时效（小时）", 1, 24)
    mm: Mapped[float | None] = number("预报雨量（毫米）", 0, 2000)
    source: Mapped[str] = text("来源", 80)


class IssuedWarning(SyncedRecord):
    """A warning issued (暴雨 / 台风 / 山洪 / 地质灾害预警信号): its colour, the area (a
    township, or text for a wider area), from when until when, who issued it. Natural key:
    kind + colour + issue time."""

    __tablename__ = "warnings"

    kind: Mapped[str] = choice("预警种类", rain_catalog.WARNING_KINDS, 8, required=True)
    level: Mapped[str] = choice("预警等级", WARNING_LEVELS, 4, required=True)
    issued_at: Mapped[str] = timestamp("发布时间", index=True)
    until: Mapped[str | None] = timestamp("解除时间", required=False)
    township_id: Mapped[str | None] = ref("预警乡镇", "townships", index=True)
    area: Mapped[str] = text("预警区域", 200)
    issuer: Mapped[str] = text("发布单位", 80)
    body: Mapped[str] = long_text("预警内容", 2000)


class Order(SyncedRecord):
    """指令: an order from the centre to townships, teams, departments or people (指挥一平台),
    made from a template (转移指令, 预警叫应...), linked to an incident, an assessment sheet
    or an evacuation. Its recipients are :class:`OrderRecipient` rows; what each did is
    :class:`OrderEvent` rows (append-only), so two workstations never overwrite each other."""

    __tablename__ = "orders"

    kind: Mapped[str] = choice("指令类型", catalog.ORDER_KINDS, 8, required=True)
    title: Mapped[str] = text("指令标题", 120, required=True)
    content: Mapped[str] = long_text("指令内容", 5000, required=True)
    action: Mapped[str] = text("要求动作", 200)
    issued_at: Mapped[str] = timestamp("下达时间")
    deadline: Mapped[str] = timestamp("完成时限")
    feedback_kind: Mapped[str] = choice("反馈要求", catalog.FEEDBACK_KINDS, 4, required=True)
    feedback_label: Mapped[str] = text("反馈事项", 40)  # 已转移人数, 巡查情况...
    # A recipient silent this long raises the escalation alarm (per order, from its type).
    escalate_minutes: Mapped[int] = setting("叫应时限（分钟）", 1, 24 * 60, default=15)
    warning_level: Mapped[str] = choice(
        "预警等级", ("", *assessment_rules.WARNING_LEVELS), 4, nullable=False, default=""
    )
    incident_id: Mapped[str | None] = ref("关联事件", "incidents", index=True)
    assessment_id: Mapped[str | None] = ref("关联研判单", "assessments")
    evacuation_id: Mapped[str | None] = ref("关联转移行动", "evacuations")
    # Set only by order.close / order.cancel.
    status: Mapped[str] = system(
        Field("状态", str, required=True, choices=catalog.ORDER_STATUSES),
        String(4),
        default=catalog.ORDER_OPEN,
    )
    closed_at: Mapped[str | None] = system(
        Field("结束时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )
    author: Mapped[str] = system(ACCOUNT, String(64))


class OrderRecipient(SyncedRecord):
    """One recipient of an order: a person (with the role that put them on the call list)
    and/or a unit, township or village; ``rank`` is the place in the chain (0 county, 1
    township first responsible, 2 village work group, 3 grid roles). Its state (已发 ->
    已叫应 -> 已反馈 -> 完成) is derived from its events, never stored."""

    __tablename__ = "order_recipients"

    order_id: Mapped[str] = ref("所属指令", "orders", required=True, index=True)
    name: Mapped[str] = text("接收人", 80, required=True)
    person_id: Mapped[str | None] = ref("人员", "people")
    unit_id: Mapped[str | None] = ref("单位", "units")
    township_id: Mapped[str | None] = ref("乡镇", "townships")
    village_id: Mapped[str | None] = ref("村（社区）", "villages")
    role: Mapped[str] = choice(
        "责任角色", ("", *catalog.PERSON_ROLES), 8, nullable=False, default=""
    )
    phone: Mapped[str] = text("联系电话", 32)
    rank: Mapped[int] = setting("链上层级", 0, 9, default=0)
    sent_at: Mapped[str] = timestamp("下发时间")
    # The recipient whose silence made this one (升级); "" for the order's own list. Not a
    # foreign key, as transfer_events.correction_of: the mutation checks it.
    escalated_from: Mapped[str] = text("升级自", 36)
    author: Mapped[str] = system(ACCOUNT, String(64))


class OrderEvent(SyncedRecord):
    """What a recipient did, or what the centre did about them: 已叫应 (who answered, how,
    when), 已反馈 (a number or a line of text), 完成, 升级 (to the next person up the chain,
    ``to_recipient_id``). Append-only."""

    __tablename__ = "order_events"

    order_id: Mapped[str] = ref("所属指令", "orders", required=True, index=True)
    recipient_id: Mapped[str] = ref("接收人", "order_recipients", required=True, index=True)
    kind: Mapped[str] = choice("记录类型", catalog.ORDER_EVENT_KINDS, 4, required=True)
    channel: Mapped[str] = choice(
        "叫应方式", ("", *catalog.ACK_CHANNELS), 4, nullable=False, default=""
    )
    answered_by: Mapped[str] = text("应答人", 40)
    at: Mapped[str] = timestamp("时间")
    value: Mapped[float | None] = number("反馈数值", 0, 10_000_000)
    note: Mapped[str] = text("反馈内容", 500)
    to_recipient_id: Mapped[str] = text("升级至", 36)
    author: Mapped[str] = system(ACCOUNT, String(64))


class Case(SyncedRecord):
    """案例一个库 (issue 13): a past event with its rain, course, response, losses, what
    worked and the lessons; a real public case carries its ``source`` (the outlet and date
    of the reports it rests on). Drafted by hand or from a closed incident (``incident_id``),
    then published (``status``: set only by case.create / case.publish)."""

    __tablename__ = "cases"

    title: Mapped[str] = text("案例名称", 120, required=True)
    occurred_on: Mapped[str | None] = day("发生日期")
    hazard: Mapped[str] = choice("灾种", catalog.CASE_HAZARDS, 8, required=True, index=True)
    township_id: Mapped[str | None] = ref("乡镇", "townships", index=True)
    place: Mapped[str] = text("地点", 200)
    rain_pattern: Mapped[str] = choice(
        "雨型", ("", *catalog.RAIN_PATTERNS), 8, nullable=False, default=""
    )
    rain_24h_mm: Mapped[float | None] = number("24小时雨量（毫米）", 0, 2000)
    rain_summary: Mapped[str] = long_text("雨水情", 5000)
    course: Mapped[str] = long_text("事件经过", 20_000)
    response: Mapped[str] = long_text("应对处置", 20_000)
    dead: Mapped[int] = count("死亡")
    missing: Mapped[int] = count("失踪")
    injured: Mapped[int] = count("受伤")
    evacuated: Mapped[int] = count("转移人数")
    economic_loss: Mapped[float] = amount("直接经济损失（万元）")
    losses: Mapped[str] = long_text("伤亡与损失", 5000)
    what_worked: Mapped[str] = long_text("有效做法", 10_000)
    lessons: Mapped[str] = long_text("经验教训", 10_000)
    source: Mapped[str] = long_text("来源", 2000)
    incident_id: Mapped[str | None] = ref("关联事件", "incidents")
    is_sample: Mapped[bool] = _is_sample()
    status: Mapped[str] = system(
        Field("状态", str, required=True, choices=catalog.CASE_STATUSES),
        String(4),
        default=catalog.CASE_DRAFT,
    )
    author: Mapped[str] = system(ACCOUNT, String(64))


class Plan(SyncedRecord):
    """预案 library (issue 13): one of the county's plans (总体 / 专项 / 部门 / 乡镇预案) with
    its owner, version, dates and the event type it answers (category and, optionally,
    subtype: an incident of that type shows it). ``document`` is the file's name in each
    workstation's plans folder and ``document_sha256`` its digest; ``body_text`` is the text
    extracted from it where it was attached, so every replica searches it."""

    __tablename__ = "plans"

    title: Mapped[str] = text("预案名称", 120, required=True)
    kind: Mapped[str] = choice("预案类别", catalog.PLAN_KINDS, 4, required=True)
    level: Mapped[str] = choice("预案层级", catalog.PLAN_LEVELS, 4, required=True)
    owner: Mapped[str] = text("编制单位", 80)
    plan_version: Mapped[str] = text("版本", 40)  # ("version" is the sync version)
    issued_on: Mapped[str | None] = day("印发日期")
    revise_by: Mapped[str | None] = day("修订期限")
    category: Mapped[str] = choice(
        "适用事件类别", ("", *catalog.EVENT_CATEGORIES), 12, nullable=False, default=""
    )
    subtype: Mapped[str] = text("适用事件子类", 20)
    summary: Mapped[str] = long_text("内容摘要", 5000)
    document: Mapped[str] = text("预案文件", 200)
    document_sha256: Mapped[str] = text("文件摘要", 64)
    body_text: Mapped[str] = long_text("文件正文", 200_000)
    is_sample: Mapped[bool] = _is_sample()


class CaseAttachment(SyncedRecord):
    """A file attached to a case (案例一个库): a picture or a document, kept on the server
    under its SHA-256 (console/domain/files.py) and cached on each workstation that opened
    it. ``name`` is the file's own name, for the list and the viewer; the content is only
    ever looked up by ``sha256``."""

    __tablename__ = "case_attachments"

    case_id: Mapped[str] = ref("所属案例", "cases", required=True, index=True)
    name: Mapped[str] = text("文件名", files.NAME_MAX, required=True)
    kind: Mapped[str] = choice("文件类型", files.KINDS, 4, required=True)
    size: Mapped[int] = integer("大小（字节）", 0, files.MAX_SIZE_BYTES)
    sha256: Mapped[str] = text("文件摘要", files.DIGEST_LEN, required=True)
    caption: Mapped[str] = text("说明", files.CAPTION_MAX)
    is_sample: Mapped[bool] = _is_sample()
    author: Mapped[str] = system(ACCOUNT, String(64))


class GuideItem(SyncedRecord):
    """One action of the response guide (应急一指南): for a hazard and a response level,
    what a role (带班领导, 值班员, 乡镇, 部门, 队伍) does, in which order, within how many
    minutes of the level starting (0: no limit). Reference data, the leader's. The defaults
    are drafts (草稿) for the county to confirm. Natural key: hazard + level + role + seq."""

    __tablename__ = "guide_items"

    hazard: Mapped[str] = text("灾种", 20, required=True)
    level: Mapped[str] = choice("响应等级", RESPONSE_LEVELS, 4, required=True)
    role: Mapped[str] = choice("责任主体", catalog.GUIDE_ROLES, 4, required=True)
    seq: Mapped[int] = integer("序号", 1, 999)
    action: Mapped[str] = text("工作事项", 500, required=True)
    limit_minutes: Mapped[int] = setting("时限（分钟）", 0, 7 * 24 * 60, default=0)
    is_draft: Mapped[bool] = flag("草稿", default=False)


class Response(SyncedRecord):
    """An emergency response started (启动应急响应) from an incident or an assessment sheet:
    its hazard and current level (changed only by response.change_level, each change an
    event), the leader who started it and when. Its checklist is the guide's items of that
    hazard and level, their state derived from :class:`ResponseEvent` rows."""

    __tablename__ = "responses"

    hazard: Mapped[str] = text("灾种", 20, required=True)
    level: Mapped[str] = choice("响应等级", RESPONSE_LEVELS, 4, required=True)
    incident_id: Mapped[str | None] = ref("关联事件", "incidents", index=True)
    assessment_id: Mapped[str | None] = ref("关联研判单", "assessments")
    activated_at: Mapped[str] = timestamp("启动时间")
    reason: Mapped[str] = text("启动理由", 500)
    # Set only by response.end.
    status: Mapped[str] = system(
        Field("状态", str, required=True, choices=catalog.RESPONSE_STATUSES),
        String(4),
        default=catalog.RESPONSE_ACTIVE,
    )
    ended_at: Mapped[str | None] = system(
        Field("终止时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )
    author: Mapped[str] = system(ACCOUNT, String(64))


class ResponseEvent(SyncedRecord):
    """What happened in a response: an item ticked, unticked or noted (any officer), the
    level raised or lowered with the reason, the response ended (the leader). Append-only,
    so two workstations ticking the same checklist never overwrite each other."""

    __tablename__ = "response_events"

    response_id: Mapped[str] = ref("所属响应", "responses", required=True, index=True)
    guide_item_id: Mapped[str | None] = ref("指南事项", "guide_items")
    kind: Mapped[str] = choice("记录类型", catalog.RESPONSE_EVENT_KINDS, 4, required=True)
    at: Mapped[str] = timestamp("时间")
    note: Mapped[str] = text("说明", 500)
    from_level: Mapped[str] = choice(
        "原等级", ("", *RESPONSE_LEVELS), 4, nullable=False, default=""
    )
    to_level: Mapped[str] = choice("新等级", ("", *RESPONSE_LEVELS), 4, nullable=False, default="")
    author: Mapped[str] = system(ACCOUNT, String(64))


class Handover(SyncedRecord):
    """交接班: the outgoing officer's handover of one shift (``shift_key``, see
    :mod:`console.domain.shifts`). ``content`` is the snapshot generated at the shift's end
    (JSON, shape checked by :func:`console.domain.handover.content_problem`): it never
    follows later changes of the data it lists. The incoming officer signs it (another
    account; ``incoming``, when given, names the only account that may); signed, it never
    changes again (the mutations refuse, on every replica and on the server)."""

    __tablename__ = "handovers"

    shift_key: Mapped[str] = text("班次", handover.SHIFT_KEY_MAX_LEN, required=True, index=True)
    shift_start: Mapped[str] = timestamp("班次开始")
    shift_end: Mapped[str] = timestamp("班次结束")
    generated_at: Mapped[str] = timestamp("生成时间")
    content: Mapped[str] = long_text("交接内容", handover.CONTENT_MAX_LEN, required=True)
    instructions: Mapped[str] = long_text("领导交办事项", handover.TEXT_MAX_LEN)
    notes: Mapped[str] = long_text("交班备注", handover.TEXT_MAX_LEN)
    incoming: Mapped[str] = text("接班人", ACCOUNT_MAX_LEN)
    # It lists sample (样例数据) records: it stays on this workstation, marked on print.
    is_sample: Mapped[bool] = _is_sample()
    # Set only by handover.sign.
    status: Mapped[str] = system(
        Field("状态", str, required=True, choices=handover.STATUSES),
        String(4),
        default=handover.PENDING,
    )
    author: Mapped[str] = system(ACCOUNT, String(64))
    signed_by: Mapped[str | None] = system(
        Field("签收人", str, max_len=ACCOUNT_MAX_LEN), String(ACCOUNT_MAX_LEN), nullable=True
    )
    signed_at: Mapped[str | None] = system(
        Field("签收时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )
    remarks: Mapped[str] = system(
        Field("接班意见", str, max_len=handover.REMARKS_MAX_LEN),
        String(handover.REMARKS_MAX_LEN),
        default="",
    )


class DutyLogEntry(SyncedRecord):
    """A line of the 值班日志 the officer writes by hand (to the minute). Append-only: the
    rest of the day's log is assembled from the incidents' timelines, orders and
    handovers, never copied here."""

    __tablename__ = "duty_log_entries"

    at: Mapped[str] = timestamp("时间", index=True)
    body: Mapped[str] = long_text("内容", handover.TEXT_MAX_LEN, required=True)
    author: Mapped[str] = system(ACCOUNT, String(64))


class RosterSettings(SyncedRecord):
    """The county's shift pattern and rest rule (排班设置): ONE record (id
    :data:`console.domain.roster.SETTINGS_ID`), synced, so every workstation cuts shifts
    the same way; the duty leader's. No record: 08:30, 24 hours, 24 hours' rest."""

    __tablename__ = "roster_settings"

    shift_start: Mapped[str] = text("交班时间", 5, required=True)
    shift_hours: Mapped[int] = setting("班次时长（小时）", 6, 24, default=24)
    min_rest_hours: Mapped[int] = setting(
        "最短休息（小时）", 0, 72, default=roster.DEFAULT_MIN_REST_HOURS
    )


class Holiday(SyncedRecord):
    """A holiday the roster marks (节假日); ``legal`` for a 法定节假日. Natural key: day."""

    __tablename__ = "holidays"

    day: Mapped[str | None] = day("日期")
    name: Mapped[str] = text("节日名称", 20, required=True)
    legal: Mapped[bool] = flag("法定节假日", default=True)
    is_sample: Mapped[bool] = _is_sample()


class RosterEntry(SyncedRecord):
    """One slot of one shift (排班): the shift's key (``2026-11-30#0``), the role (one
    带班领导 slot, two 值班员 slots) and the person in it. The id derives from shift, role
    and slot (:func:`console.domain.roster.entry_id`), so a slot planned on two
    workstations is one record; an approved swap changes ``person_id`` of two slots."""

    __tablename__ = "roster_entries"

    shift_key: Mapped[str] = text("班次", 16, required=True, index=True)
    role: Mapped[str] = choice("值班角色", roster.ROLES, 4, required=True)
    slot: Mapped[int] = setting("序号", 0, 1, default=0)
    person_id: Mapped[str] = ref("人员", "people", required=True, index=True)
    note: Mapped[str] = text("备注", 200)
    is_sample: Mapped[bool] = _is_sample()


class RosterSwap(SyncedRecord):
    """A swap request (换班申请): two entries of the same role whose people trade places,
    as they stood when requested (``person_a_id``, ``person_b_id``). Any officer asks; only
    a leader approves (the two entries change in the same transaction) or refuses."""

    __tablename__ = "roster_swaps"

    entry_a_id: Mapped[str] = ref("申请换出班次", "roster_entries", required=True, index=True)
    entry_b_id: Mapped[str] = ref("换入班次", "roster_entries", required=True)
    # The two slots' people when asked, taken from the entries (never an argument).
    person_a_id: Mapped[str] = system(
        Field("申请人", str, required=True, nullable=False, max_len=36), String(36)
    )
    person_b_id: Mapped[str] = system(
        Field("对方", str, required=True, nullable=False, max_len=36), String(36)
    )
    reason: Mapped[str] = text("换班理由", 200, required=True)
    requested_at: Mapped[str] = timestamp("申请时间")
    # Set only by roster_swap.approve / roster_swap.refuse.
    status: Mapped[str] = system(
        Field("状态", str, required=True, choices=roster.SWAP_STATUSES),
        String(4),
        default=roster.SWAP_PENDING,
    )
    decided_by: Mapped[str] = system(
        Field("审批人", str, nullable=False, max_len=ACCOUNT_MAX_LEN), String(64), default=""
    )
    decided_at: Mapped[str | None] = system(
        Field("审批时间", str, timestamp=True), String(TIMESTAMP_MAX_LEN), nullable=True
    )
    decision_note: Mapped[str] = system(
        Field("审批意见", str, nullable=False, max_len=200), String(200), default=""
    )
    author: Mapped[str] = system(ACCOUNT, String(64))


class Camera(SyncedRecord):
    """视频监控 (issue 15): a camera of one of the county's sources. No stream address here:
    the address and its credentials are the server's (server.camera_streams), given to
    administrators to edit and, at play time, to a signed-in workstation's memory only, so a
    synced replica never holds them. A sample camera plays the bundled clip."""

    __tablename__ = "cameras"

    name: Mapped[str] = text("摄像机名称", 80, required=True)
    department: Mapped[str] = choice("来源部门", catalog.CAMERA_DEPARTMENTS, 12, required=True)
    protocol: Mapped[str] = choice("视频流类型", catalog.CAMERA_PROTOCOLS, 8, required=True)
    township_id: Mapped[str | None] = ref("所属乡镇", "townships", index=True)
    lon: Mapped[float | None] = lon()
    lat: Mapped[float | None] = lat()
    tags: Mapped[str] = text("标签", 200)  # 、-separated
    groups: Mapped[str] = text("分组", 200)  # 、-separated: a tour cycles one group
    note: Mapped[str] = text("备注", 500)
    is_sample: Mapped[bool] = _is_sample()


SYNCED_MODELS: tuple[type[SyncedRecord], ...] = (
    Township,
    Station,  # before the villages and risk points that refer to it (0013)
    Village,
    Shelter,
    RiskPoint,
    Team,
    Unit,
    Person,
    PersonRole,
    TeamMember,
    Certificate,
    TeamEquipment,
    SpecialHousehold,
    Incident,
    TimelineEntry,
    Dispatch,
    ReportRule,
    IncidentReport,
    GradingRule,
    Evacuation,
    EvacuationArea,
    TransferEvent,
    Assessment,
    ThresholdAlert,
    ReportedReading,
    RainThreshold,
    RainSignalRule,
    ResponseTrigger,
    RainForecast,
    IssuedWarning,
    Order,
    OrderRecipient,
    OrderEvent,
    Case,
    Plan,
    GuideItem,
    Response,
    ResponseEvent,
    Handover,
    DutyLogEntry,
    RosterSettings,
    Holiday,
    RosterEntry,
    RosterSwap,
    CaseAttachment,
    Camera,
)
SYNCED_TABLES: frozenset[str] = frozenset(m.__tablename__ for m in SYNCED_MODELS)
MODEL_BY_TABLE: dict[str, type[SyncedRecord]] = {m.__tablename__: m for m in SYNCED_MODELS}


def _table(model: type[SyncedRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def input_fields(model: type[SyncedRecord]) -> dict[str, Field]:
    """The fields a mutation's arguments may set, in declaration order."""
    return {
        c.name: c.info[FIELD]
        for c in _table(model).columns
        if FIELD in c.info and not c.info.get(SYSTEM)
    }


ENTITY_FIELDS: dict[str, dict[str, Field]] = {
    m.__tablename__: input_fields(m) for m in SYNCED_MODELS
}


def merged_metadata(*bases: type[DeclarativeBase]) -> MetaData:
    """One MetaData holding copies of the bases' tables: a replica's whole schema."""
    merged = MetaData()
    for base in bases:
        for table in base.metadata.tables.values():
            table.to_metadata(merged)
    return merged
