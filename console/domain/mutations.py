"""The named mutations: what each one does to the synced tables.

The workstation runs them when the officer acts (together with the outbox row) and again
when re-applying pending work after a pull; the server runs the very same functions when a
push arrives. So this module must stay deterministic given (tables, args, context) and free of
Qt, I/O and clocks: the context carries who, when (HLC) and the server version.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Connection, RowMapping

from console.domain import (
    assessment_rules,
    catalog,
    grading,
    rain_catalog,
    readings,
    reporting,
    roles,
    workflow,
)
from console.domain.fields import (
    ACCOUNT,
    HLC,
    Field,
    MutationRejected,
    check_fields,
    check_value,
)
from console.domain.ids import is_uuid, reference_id
from console.domain.references import check_place
from console.domain.rows import RowChange
from console.domain.schema import ENTITY_FIELDS, MODEL_BY_TABLE

# Bumped whenever a mutation's meaning or arguments change; stored with every outbox row so
# the server can refuse or translate work recorded by an older workstation.
# 2: incident.create / incident.update take ``sub_hazard`` (亚灾种). A version-1 server
# refuses such work with "服务器需要升级" instead of "未知字段：sub_hazard" (and instead of
# refusing the timeline rows of an incident it never created); version-1 work stays valid.
# 3: report_rule.upsert takes subtype, sub_hazard, schedule, daily_at, window_days, enabled
# and source; incident.set_status records closed_at; new report kinds (初报/补报/核报) and the
# 伤亡变化 log kind.
# 4: unit / person / person_role upsert and delete (people and their roles); village.upsert
# takes households and population, risk_point.upsert warning_signal and the critical rainfall
# tiers, shelter.upsert facilities, station.upsert the reservoir levels and the kind 水库.
# 5: the 通话 log kind (a call made from 通讯录 and its outcome, onto an incident's timeline).
# 6: 研判一张单 (assessment.create / update / sign / revise / discard) and threshold alerts
# (alert.raise / clear / acknowledge).
# 7: village.upsert and risk_point.upsert take station_id (关联站点); rain_threshold,
# rain_signal_rule, response_trigger, rain_forecast and warning upsert and delete (issue 11).
# 8: 指挥一平台 (order.issue / add_recipient / record / escalate / close / cancel).
# 9: 案例一个库 (case.create / update / publish / delete) and the 预案 library (plan.upsert /
# delete).
# 10: 应急一指南 (guide_item upsert and delete; response.activate / record / change_level /
# end) and the 应急响应 log kind.
# 11: 交接班 and the 值班日志 (handover.create / update / sign / discard; duty_log.add / delete).
# 12: the duty roster (roster_setting / holiday / roster_entry upsert and delete;
# roster_swap.request / approve / refuse).
# 13: case attachments (case_attachment.attach / detach); files travel through /files.
# 14: 视频监控 (camera.upsert and delete) and the 视频截图 log kind.
# 15: teams in action (issue 14): team_member / certificate / team_equipment upsert and
# delete, team.set_status, dispatch.create / dispatch.return and the 队伍调度 log kind.
# 16: township.upsert, village.upsert and risk_point.upsert take area (范围: a boundary or
# extent, GeoJSON Polygon/MultiPolygon text).
SCHEMA_VERSION = 16


TouchHook = Callable[[str, str, "RowMapping | None"], None]
ConflictHook = Callable[[list[dict[str, Any]]], None]


@dataclass(frozen=True)
class MutationContext:
    user: str
    client_id: str
    hlc: str
    version: int | None = None  # the server's global sequence; None on a workstation
    # Workstation only: told (table, id, row before) just before a row is written, so the
    # sync engine can keep the server's copy of rows that pending local work changed.
    on_touch: TouchHook | None = None
    # Server only: told about fields this write overwrote although someone else had changed
    # them since the writer looked (last writer wins, but the officer is shown both values).
    on_conflict: ConflictHook | None = None
    # Server only: the pusher's role. Bringing a deleted record back undoes a delete, so it
    # needs the right to delete it (an officer cannot revive what a leader deleted). None on
    # a workstation, whose pending work the server judges.
    role: str | None = None

    def touch(self, table: str, record_id: str, before: RowMapping | None) -> None:
        if self.on_touch is not None:
            self.on_touch(table, record_id, before)


MutationFn = Callable[[Connection, dict[str, Any], MutationContext], list[RowChange]]


@dataclass(frozen=True)
class Mutation:
    name: str
    apply: MutationFn
    description: str


REGISTRY: dict[str, Mutation] = {}
# Table -> the mutation that deletes its records: undoing a delete needs that right.
DELETE_MUTATION: dict[str, str] = {}


def _register(name: str, description: str) -> Callable[[MutationFn], MutationFn]:
    def wrap(fn: MutationFn) -> MutationFn:
        REGISTRY[name] = Mutation(name, fn, description)
        return fn

    return wrap


def run_mutation(
    conn: Connection, name: str, args: object, ctx: MutationContext
) -> list[RowChange]:
    """Apply one named mutation inside the caller's transaction."""
    mutation = REGISTRY.get(name)
    if mutation is None:
        raise MutationRejected("unknown_mutation", f"未知的操作类型：{name[:60]}")
    if not isinstance(args, dict):
        raise MutationRejected("bad_args", "操作参数必须是 JSON 对象")
    # Who and when end up in updated_by/author and updated_at: held to their columns' limits
    # here, so no backend ever meets a value too long for them.
    check_value("user", ACCOUNT, ctx.user)
    check_value("hlc", HLC, ctx.hlc)
    return mutation.apply(conn, args, ctx)


def _record_id(args: dict[str, Any]) -> str:
    record_id = args.get("id")
    if not is_uuid(record_id):
        raise MutationRejected("bad_id", "记录编号缺失或无效")
    assert isinstance(record_id, str)
    return record_id


def _no_extra_keys(args: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise MutationRejected("unknown_field", f"未知字段：{', '.join(map(str, unknown))[:200]}")


def _meta(ctx: MutationContext) -> dict[str, Any]:
    return {"version": ctx.version, "updated_at": ctx.hlc, "updated_by": ctx.user}


def _table(name: str) -> Table:
    table = MODEL_BY_TABLE[name].__table__
    assert isinstance(table, Table)
    return table


# Statements built once: their compiled form is cached, which keeps a write well under a
# millisecond of Python (see bench/write_path.py).
_FETCH = {
    name: select(_table(name)).where(_table(name).c.id == bindparam("rid"))
    for name in MODEL_BY_TABLE
}
_INSERT = {name: _table(name).insert() for name in MODEL_BY_TABLE}
_UPDATE = {
    name: _table(name).update().where(_table(name).c.id == bindparam("rid"))
    for name in MODEL_BY_TABLE
}


def fetch(conn: Connection, table: str, record_id: str) -> RowMapping | None:
    return conn.execute(_FETCH[table], {"rid": record_id}).mappings().first()


def _update(conn: Connection, table: str, record_id: str, values: dict[str, Any]) -> None:
    conn.execute(_UPDATE[table], {"rid": record_id, **values})


# Opt-in per transaction (the server's push): records known to exist and be live, so the
# same township referenced by 500 incidents of one push is looked up once. The owner of the
# transaction must call forget_refs() after any rollback; tombstones drop their entry.
REF_CACHE = "duty_ref_cache"


def forget_refs(conn: Connection) -> None:
    cache = conn.info.get(REF_CACHE)
    if cache is not None:
        cache.clear()


def _check_refs(conn: Connection, specs: dict[str, Field], values: dict[str, Any]) -> None:
    cache: set[tuple[str, str]] | None = conn.info.get(REF_CACHE)
    for name, value in values.items():
        ref = specs[name].ref
        if ref is None or value is None:
            continue
        if cache is not None and (ref, value) in cache:
            continue
        target = fetch(conn, ref, value)
        if target is None or target["deleted"]:
            raise MutationRejected("missing_ref", f"“{specs[name].label}”指向的记录不存在")
        if cache is not None:
            cache.add((ref, value))


def _differs(row: RowMapping, values: dict[str, Any]) -> bool:
    return any(row[k] != v for k, v in values.items())


def _put(
    conn: Connection,
    table: str,
    args: dict[str, Any],
    ctx: MutationContext,
    *,
    must_be_new: bool,
    check: Callable[[dict[str, Any]], None] | None = None,
    check_merged: bool = False,
) -> list[RowChange]:
    """Create a record, or (for reference data) update the fields given.

    An identical create of an existing record is a no-op, so reference data loaded on
    several workstations converges on one record, and a replayed create applies once.
    ``check`` runs on the validated, normalised values (cross-field rules); with
    ``check_merged``, on the record as it will be (the stored values merged with them).
    """
    specs = ENTITY_FIELDS[table]
    record_id = _record_id(args)
    fields = {k: v for k, v in args.items() if k != "id"}
    if must_be_new:
        values = check_fields(specs, fields, creating=True)
        if check is not None:
            check(values)
        _check_refs(conn, specs, values)
        return _create_once(conn, ctx, table, record_id, values, {})
    existing = fetch(conn, table, record_id)
    values = check_fields(specs, fields, creating=existing is None)
    if check is not None:
        if check_merged and existing is not None:
            check({**{k: existing[k] for k in specs}, **values})
        else:
            check(values)
    _check_refs(conn, specs, values)
    if existing is None:
        ctx.touch(table, record_id, None)
        conn.execute(_INSERT[table], {"id": record_id, "deleted": False, **values, **_meta(ctx)})
        return [RowChange(table, record_id)]
    if not _differs(existing, values) and not existing["deleted"]:
        return []
    if existing["deleted"]:
        _check_revive(table, ctx)
    ctx.touch(table, record_id, existing)
    _update(conn, table, record_id, {"deleted": False, **values, **_meta(ctx)})
    return [RowChange(table, record_id)]


def _check_revive(table: str, ctx: MutationContext) -> None:
    """An upsert of a deleted record undoes the delete: only a role that may delete it."""
    if ctx.role is None:
        return
    delete_name = DELETE_MUTATION.get(table)
    if delete_name is None or not roles.allowed(ctx.role, delete_name):
        label = roles.ROLE_LABELS.get(ctx.role, ctx.role)
        raise MutationRejected(
            "forbidden", f"该记录已被删除；恢复已删除的记录需要删除权限，“{label}”角色无此权限"
        )


_INSERT_NEW: dict[tuple[str, str], Any] = {}


def _insert_new(conn: Connection, table: str, row: dict[str, Any]) -> bool:
    """INSERT unless the id exists (one round trip instead of look-up + insert); True when
    the row was inserted."""
    dialect = conn.dialect.name
    stmt = _INSERT_NEW.get((dialect, table))
    if stmt is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects import postgresql

            stmt = postgresql.insert(_table(table)).on_conflict_do_nothing(index_elements=["id"])
        elif dialect == "sqlite":
            from sqlalchemy.dialects import sqlite

            stmt = sqlite.insert(_table(table)).on_conflict_do_nothing(index_elements=["id"])
        else:
            if fetch(conn, table, row["id"]) is not None:
                return False
            conn.execute(_INSERT[table], row)
            return True
        # rowcount of an INSERT is only kept when asked for (SQLAlchemy 2 drops it otherwise)
        stmt = stmt.execution_options(preserve_rowcount=True)
        _INSERT_NEW[(dialect, table)] = stmt
    return bool(conn.execute(stmt, row).rowcount == 1)


def _create_once(
    conn: Connection,
    ctx: MutationContext,
    table: str,
    record_id: str,
    values: dict[str, Any],
    extra: dict[str, Any],
) -> list[RowChange]:
    """Create a record that must be new; an identical replay is a no-op, anything else
    under the same id is refused."""
    if _insert_new(
        conn, table, {"id": record_id, "deleted": False, **extra, **values, **_meta(ctx)}
    ):
        ctx.touch(table, record_id, None)  # the pre-image of an insert: no row
        return [RowChange(table, record_id)]
    existing = fetch(conn, table, record_id)
    if existing is not None and not existing["deleted"] and not _differs(existing, values):
        return []
    raise MutationRejected("duplicate_id", "该编号的记录已存在，内容不同")


def _tombstone(
    conn: Connection, table: str, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id"})
    existing = fetch(conn, table, record_id)
    if existing is None:
        raise MutationRejected("not_found", "要删除的记录不存在")
    if existing["deleted"]:
        return []
    ctx.touch(table, record_id, existing)
    cache = conn.info.get(REF_CACHE)
    if cache is not None:
        cache.discard((table, record_id))
    _update(conn, table, record_id, {"deleted": True, **_meta(ctx)})
    return [RowChange(table, record_id)]


RecordRule = Callable[[dict[str, Any]], "str | None"]


def _reference_mutations(
    table: str, entity: str, label: str, rule: RecordRule | None = None
) -> None:
    """``entity.upsert`` and ``entity.delete``. The upsert judges on the record as it will be
    (the stored values merged with the ones given): the village of a record placed in a
    township and a village must be one of the township's (:func:`check_place`), and
    ``rule`` (a cross-field rule giving the Chinese refusal, or None) must pass."""
    specs = ENTITY_FIELDS[table]
    placed = "township_id" in specs and "village_id" in specs

    def upsert(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
        def check(record: dict[str, Any]) -> None:
            if placed:
                check_place(conn, record, None)
            problem = rule(record) if rule is not None else None
            if problem is not None:
                raise MutationRejected("bad_combination", problem)

        if not placed and rule is None:
            return _put(conn, table, args, ctx, must_be_new=False)
        return _put(conn, table, args, ctx, must_be_new=False, check=check, check_merged=True)

    def delete(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
        return _tombstone(conn, table, args, ctx)

    _register(f"{entity}.upsert", f"新增或修改{label}")(upsert)
    _register(f"{entity}.delete", f"删除{label}")(delete)
    DELETE_MUTATION[table] = f"{entity}.delete"


for _name, _entity, _label in (
    ("townships", "township", "乡镇"),
    ("villages", "village", "村"),
    ("shelters", "shelter", "避灾安置场所"),
    ("teams", "team", "救援队伍"),
    ("units", "unit", "单位"),
    ("people", "person", "人员"),
    ("special_households", "special_household", "一户一策户"),
):
    _reference_mutations(_name, _entity, _label)
_reference_mutations("risk_points", "risk_point", "风险点", catalog.rainfall_problem)
_reference_mutations("stations", "station", "水文雨量站", catalog.station_problem)
_reference_mutations("person_roles", "person_role", "责任角色", catalog.role_problem)
_reference_mutations("rain_thresholds", "rain_threshold", "临界雨量", rain_catalog.tier_problem)
_reference_mutations(
    "rain_signal_rules", "rain_signal_rule", "暴雨信号标准", rain_catalog.signal_rule_problem
)
_reference_mutations(
    "response_triggers", "response_trigger", "应急响应条件", rain_catalog.trigger_problem
)
_reference_mutations("rain_forecasts", "rain_forecast", "面雨量预报", rain_catalog.forecast_problem)
_reference_mutations("warnings", "warning", "预警信号", rain_catalog.warning_problem)
_reference_mutations("plans", "plan", "预案", catalog.plan_problem)
_reference_mutations("cameras", "camera", "摄像机")


def _check_grading_rule(values: dict[str, Any]) -> None:
    """A grading row: a graded category, a subtype of it, at least one bound, and bounds
    that grow with the grade (一般 < 较大 < 重大 < 特别重大)."""
    category = values["category"]
    if category in catalog.UNGRADED_CATEGORIES:
        raise MutationRejected("bad_choice", f"“{category}”不分级，不能设定级规则")
    subtype = values.get("subtype") or ""
    if subtype and subtype not in catalog.EVENT_CATEGORIES[category]:
        raise MutationRejected("bad_choice", f"“{category}”下没有子类“{subtype}”")
    given: list[tuple[str, float]] = [
        (grade, values[column])
        for grade, column in reversed(grading.BOUND_COLUMNS.items())
        if values.get(column) is not None
    ]
    if not given:
        raise MutationRejected("missing_field", "至少填写一个等级的下限")
    for (lower, low), (higher, high) in itertools.pairwise(given):
        if high <= low:
            raise MutationRejected(
                "bad_value", f"“{higher}下限”（{high:g}）应大于“{lower}下限”（{low:g}）"
            )


@_register("grading_rule.upsert", "新增或修改定级规则")
def grading_rule_upsert(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    _record_id(args)
    # A row is always stated whole: a bound left out is "no bound", not "keep the old one".
    whole = {"subtype": "", "basis": "", **dict.fromkeys(grading.BOUND_COLUMNS.values()), **args}
    check_fields(
        ENTITY_FIELDS["grading_rules"], {k: v for k, v in whole.items() if k != "id"}, creating=True
    )
    return _put(conn, "grading_rules", whole, ctx, must_be_new=False, check=_check_grading_rule)


_RULE_DEFAULTS: dict[str, Any] = {
    "grade": "",
    "basis": "",
    "subtype": "",
    "sub_hazard": "",
    "schedule": reporting.AFTER_RECEIPT,
    "daily_at": 9 * 60,
    "window_days": 0,
    "enabled": True,
    "source": reporting.LOCAL,
}


def _check_report_rule(values: dict[str, Any]) -> None:
    problem = reporting.rule_problem(values)
    if problem is not None:
        raise MutationRejected("bad_choice", problem)


@_register("report_rule.upsert", "新增或修改报送规则")
def report_rule_upsert(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    _record_id(args)
    # A rule is always stated whole: what a version-2 workstation leaves out (subtype,
    # schedule...) is the first table's meaning: any subtype, after receipt, the county's.
    whole = {**_RULE_DEFAULTS, **args}
    check_fields(
        ENTITY_FIELDS["report_rules"], {k: v for k, v in whole.items() if k != "id"}, creating=True
    )
    return _put(conn, "report_rules", whole, ctx, must_be_new=False, check=_check_report_rule)


@_register("report_rule.delete", "删除报送规则")
def report_rule_delete(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _tombstone(conn, "report_rules", args, ctx)


DELETE_MUTATION["grading_rules"] = "grading_rule.delete"
DELETE_MUTATION["report_rules"] = "report_rule.delete"
DELETE_MUTATION["incidents"] = "incident.delete"


@_register("grading_rule.delete", "删除定级规则")
def grading_rule_delete(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _tombstone(conn, "grading_rules", args, ctx)


_CLASSIFICATION = ("category", "subtype", "sub_hazard", "grade")


def _check_classification(values: dict[str, Any]) -> None:
    """Cross-field rules of category, subtype, sub-hazard and grade; call only with values
    already validated by ``check_fields`` (a missing key counts as empty)."""
    category: str | None = values.get("category")
    if category is None:
        return
    subtype: str = values.get("subtype") or ""
    subtypes = catalog.EVENT_CATEGORIES[category]
    if subtype and subtype not in subtypes:
        raise MutationRejected("bad_choice", f"“{category}”下没有子类“{subtype}”")
    problem = catalog.sub_hazard_problem(category, subtype, values.get("sub_hazard") or "")
    if problem is not None:
        raise MutationRejected("bad_choice", problem)
    if values.get("grade") and category in catalog.UNGRADED_CATEGORIES:
        raise MutationRejected("bad_choice", f"“{category}”不分级，请不要填写事件等级")


@_register("incident.create", "新建事件")
def incident_create(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    # Classification is checked on the validated values: a raw category may be of the wrong
    # type or not a category at all, which check_fields reports in Chinese.
    return _put(conn, "incidents", args, ctx, must_be_new=True, check=_check_classification)


@_register("incident.update", "修改事件信息")
def incident_update(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """Change some fields. ``before`` (optional) holds the values the officer saw, so a
    field someone else changed meanwhile is reported as a conflict (last writer wins)."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "fields", "before"})
    fields = args.get("fields")
    before = args.get("before") or {}
    if not isinstance(fields, dict) or not fields:
        raise MutationRejected("bad_args", "没有要修改的字段")
    if not isinstance(before, dict):
        raise MutationRejected("bad_args", "“修改前的值”必须是 JSON 对象")
    existing = fetch(conn, "incidents", record_id)
    if existing is None or existing["deleted"]:
        raise MutationRejected("not_found", "要修改的事件不存在")
    specs = ENTITY_FIELDS["incidents"]
    values = check_fields(specs, fields, creating=False)
    _check_refs(conn, specs, values)
    # Judged on the record as it will be: changing the subtype alone cannot leave a
    # sub-hazard of the old one behind.
    _check_classification({k: values.get(k, existing[k]) for k in _CLASSIFICATION})
    if not _differs(existing, values):
        return []
    conflicts = [
        {
            "field": k,
            "label": specs[k].label,
            "base": before[k],
            "theirs": existing[k],
            "theirs_by": existing["updated_by"],
            "mine": v,
        }
        for k, v in values.items()
        if k in before and existing[k] != before[k] and existing[k] != v
    ]
    if conflicts and ctx.on_conflict is not None:
        ctx.on_conflict(conflicts)
    ctx.touch("incidents", record_id, existing)
    _update(conn, "incidents", record_id, {**values, **_meta(ctx)})
    return [RowChange("incidents", record_id)]


@_register("incident.delete", "删除事件")
def incident_delete(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _tombstone(conn, "incidents", args, ctx)


@_register("timeline.append", "追加事件记录")
def timeline_append(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    fields = {k: v for k, v in args.items() if k != "id"}
    values = check_fields(ENTITY_FIELDS["incident_timeline"], fields, creating=True)
    _check_refs(conn, ENTITY_FIELDS["incident_timeline"], values)
    # Log rows are immutable: an identical replay is a no-op.
    return _create_once(conn, ctx, "incident_timeline", record_id, values, {"author": ctx.user})


@_register("reading.report", "报告站点读数")
def reading_report(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    """A phoned-in station reading (append-only: an identical replay is a no-op). The
    reading itself is written to each side's readings table by that side (workstation:
    console/services/readings_report.py; server: server/readings_phoned.py)."""
    record_id = _record_id(args)
    fields = {k: v for k, v in args.items() if k != "id"}
    specs = ENTITY_FIELDS["reported_readings"]
    values = check_fields(specs, fields, creating=True)
    _check_refs(conn, specs, values)
    station = fetch(conn, "stations", values["station_id"])
    assert station is not None  # _check_refs: a live station
    problem = readings.reported_problem(str(station["kind"]), values)
    if problem is not None:
        raise MutationRejected("bad_reading", problem)
    return _create_once(conn, ctx, "reported_readings", record_id, values, {"author": ctx.user})


def _append_log(
    conn: Connection,
    ctx: MutationContext,
    args: dict[str, Any],
    incident_id: str,
    kind: str,
    body: str,
) -> list[RowChange]:
    """The timeline row a workflow mutation writes; its id comes from the caller so every
    replica creates the same row."""
    entry_id = args.get("timeline_id")
    if not is_uuid(entry_id):
        raise MutationRejected("bad_id", "缺少事件记录编号")
    assert isinstance(entry_id, str)
    at = check_fields(ENTITY_FIELDS["incident_timeline"], {"at": args.get("at")}, creating=False)[
        "at"
    ]
    if fetch(conn, "incident_timeline", entry_id) is not None:
        raise MutationRejected("duplicate_id", "该编号的事件记录已存在")
    return _insert_log(conn, ctx, entry_id, incident_id, kind, body, at)


def _insert_log(
    conn: Connection,
    ctx: MutationContext,
    entry_id: str,
    incident_id: str,
    kind: str,
    body: str,
    at: str,
) -> list[RowChange]:
    """Write one timeline row (validated by the caller) by the mutation's author."""
    ctx.touch("incident_timeline", entry_id, None)
    conn.execute(
        _INSERT["incident_timeline"],
        {
            "id": entry_id,
            "deleted": False,
            "author": ctx.user,
            "incident_id": incident_id,
            "kind": kind,
            "body": body,
            "at": at,
            **_meta(ctx),
        },
    )
    return [RowChange("incident_timeline", entry_id)]


@_register("incident.set_status", "变更事件状态")
def incident_set_status(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    target = args.get("status")
    reason = args.get("reason") or ""
    if target not in catalog.INCIDENT_STATUSES:
        raise MutationRejected(
            "bad_choice", "事件状态只能是：" + "、".join(catalog.INCIDENT_STATUSES)
        )
    if not isinstance(reason, str) or len(reason) > 2000:
        raise MutationRejected("bad_args", "原因应为不超过 2000 字的文本")
    existing = fetch(conn, "incidents", record_id)
    if existing is None or existing["deleted"]:
        raise MutationRejected("not_found", "事件不存在")
    refusal = workflow.check_transition(existing["status"], target, reason)
    if refusal is not None:
        raise MutationRejected("bad_transition", refusal)
    ctx.touch("incidents", record_id, existing)
    at = check_fields(ENTITY_FIELDS["incident_timeline"], {"at": args.get("at")}, creating=False)[
        "at"
    ]
    closed_at = at if target == workflow.CLOSED else None
    _update(conn, "incidents", record_id, {"status": target, "closed_at": closed_at, **_meta(ctx)})
    body = f"状态变更：{existing['status']} → {target}"
    if reason.strip():
        body += f"；原因：{reason.strip()}"
    return [
        RowChange("incidents", record_id),
        *_append_log(conn, ctx, args, record_id, "状态变更", body),
    ]


@_register("report.record_sent", "登记已报送的报告")
def report_record_sent(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    fields = {k: v for k, v in args.items() if k not in ("id", "timeline_id", "at")}
    specs = ENTITY_FIELDS["incident_reports"]
    values = check_fields(specs, fields, creating=True)
    existing = fetch(conn, "incident_reports", record_id)
    if existing is not None:
        if _differs(existing, values):
            raise MutationRejected("duplicate_id", "该编号的报告已存在，内容不同")
        return []
    _check_refs(conn, specs, values)
    ctx.touch("incident_reports", record_id, None)
    conn.execute(
        _INSERT["incident_reports"],
        {"id": record_id, "deleted": False, "author": ctx.user, **values, **_meta(ctx)},
    )
    recipient = f"，报送对象：{values['recipient']}" if values.get("recipient") else ""
    body = f"{values['stage']}（{values['channel']}）已报送{recipient}"
    return [
        RowChange("incident_reports", record_id),
        *_append_log(
            conn, ctx, {**args, "at": values["sent_at"]}, values["incident_id"], "报送", body
        ),
    ]


# -- 研判一张单 (assessment sheets) and threshold alerts ------------------------------------

_SHEET_EDITABLE = frozenset(
    {
        "number",
        "title",
        "period_from",
        "period_to",
        "summary",
        "highest_warning",
        "proposed_response",
        "content",
        "incident_id",
    }
)


def _check_content(values: dict[str, Any]) -> None:
    if "content" in values:
        problem = assessment_rules.content_problem(values["content"])
        if problem is not None:
            raise MutationRejected("bad_content", problem)


def _live(conn: Connection, table: str, record_id: Any, missing: str) -> RowMapping:
    """The live record ``record_id`` of ``table``, or a refusal saying ``missing``."""
    row = fetch(conn, table, record_id) if is_uuid(record_id) else None
    if row is None or row["deleted"]:
        raise MutationRejected("not_found", missing)
    return row


def _live_sheet(conn: Connection, record_id: str) -> RowMapping:
    existing = fetch(conn, "assessments", record_id)
    if existing is None or existing["deleted"]:
        raise MutationRejected("not_found", "研判单不存在")
    return existing


def _sheet_time(args: dict[str, Any], label: str = "时间") -> str:
    spec = Field(label, str, required=True, timestamp=True)
    value: str = check_value("at", spec, args.get("at"))
    return value


@_register("assessment.create", "生成研判单（草稿）")
def assessment_create(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    specs = ENTITY_FIELDS["assessments"]
    values = check_fields(specs, {k: v for k, v in args.items() if k != "id"}, creating=True)
    _check_content(values)
    _check_refs(conn, specs, values)
    existing = fetch(conn, "assessments", record_id)
    if (
        existing is not None
        and not existing["deleted"]
        and values.get("crossings")
        and existing["crossings"] == values["crossings"]
    ):
        return []  # the same crossings proposed on another workstation: the first stands
    extra = {
        "status": assessment_rules.DRAFT,
        "series_id": record_id,
        "previous_id": None,
        "revision": 1,
        "author": ctx.user,
        "signed_by": None,
        "signed_at": None,
    }
    return _create_once(conn, ctx, "assessments", record_id, values, extra)


def _edit_fields(
    conn: Connection,
    ctx: MutationContext,
    table: str,
    args: dict[str, Any],
    editable: frozenset[str],
    load: Callable[[str], RowMapping],
    check: Callable[[dict[str, Any]], None],
) -> list[RowChange]:
    """``{"id", "fields"}``: change the ``editable`` fields of the record ``load`` returns
    (it refuses a record past editing), ``check`` judging the validated values."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "fields"})
    fields = args.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise MutationRejected("bad_args", "没有要修改的字段")
    _no_extra_keys(fields, set(editable))
    existing = load(record_id)
    specs = ENTITY_FIELDS[table]
    values = check_fields(specs, fields, creating=False)
    check(values)
    _check_refs(conn, specs, values)
    if not _differs(existing, values):
        return []
    ctx.touch(table, record_id, existing)
    _update(conn, table, record_id, {**values, **_meta(ctx)})
    return [RowChange(table, record_id)]


@_register("assessment.update", "修改研判单草稿")
def assessment_update(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    def draft(record_id: str) -> RowMapping:
        existing = _live_sheet(conn, record_id)
        if existing["status"] != assessment_rules.DRAFT:
            raise MutationRejected("signed", assessment_rules.SIGNED_REFUSAL)
        return existing

    return _edit_fields(conn, ctx, "assessments", args, _SHEET_EDITABLE, draft, _check_content)


@_register("assessment.sign", "签发研判单")
def assessment_sign(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "at"})
    at = _sheet_time(args, "签发时间")
    existing = _live_sheet(conn, record_id)
    if existing["status"] == assessment_rules.SIGNED:
        if existing["signed_by"] == ctx.user and existing["signed_at"] == at:
            return []  # the same signature replayed
        raise MutationRejected(
            "signed", f"该研判单已由 {existing['signed_by']} 签发，签发后不能再次签发"
        )
    ctx.touch("assessments", record_id, existing)
    _update(
        conn,
        "assessments",
        record_id,
        {"status": assessment_rules.SIGNED, "signed_by": ctx.user, "signed_at": at, **_meta(ctx)},
    )
    return [RowChange("assessments", record_id)]


@_register("assessment.revise", "修订已签发的研判单（生成新版本）")
def assessment_revise(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """A new draft version of a signed sheet: its content copied, the signed one untouched.
    One revision per signed version (a second is refused: edit the draft instead)."""
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "previous_id"})
    previous_id = args.get("previous_id")
    if not is_uuid(previous_id):
        raise MutationRejected("bad_id", "缺少要修订的研判单编号")
    assert isinstance(previous_id, str)
    previous = _live_sheet(conn, previous_id)
    if previous["status"] != assessment_rules.SIGNED:
        raise MutationRejected("not_signed", "只有已签发的研判单需要修订；草稿请直接修改")
    existing = fetch(conn, "assessments", record_id)
    if existing is not None:
        if existing["previous_id"] == previous_id and not existing["deleted"]:
            return []  # the same revision replayed
        raise MutationRejected("duplicate_id", "该编号的记录已存在，内容不同")
    t = _table("assessments")
    other = conn.execute(
        select(t.c.id).where(t.c.previous_id == previous_id, t.c.deleted.is_(False))
    ).first()
    if other is not None:
        raise MutationRejected("revised", "该版本已有修订稿，请直接修改修订稿")
    copied = {k: previous[k] for k in ENTITY_FIELDS["assessments"]}
    ctx.touch("assessments", record_id, None)
    conn.execute(
        _INSERT["assessments"],
        {
            "id": record_id,
            "deleted": False,
            **copied,
            "status": assessment_rules.DRAFT,
            "series_id": previous["series_id"],
            "previous_id": previous_id,
            "revision": previous["revision"] + 1,
            "author": ctx.user,
            "signed_by": None,
            "signed_at": None,
            **_meta(ctx),
        },
    )
    return [RowChange("assessments", record_id)]


def _discard_unsigned(
    conn: Connection,
    table: str,
    args: dict[str, Any],
    ctx: MutationContext,
    signed: str,
    refusal: str,
) -> list[RowChange]:
    """Tombstone a record unless its status is ``signed`` (then refuse with ``refusal``)."""
    existing = fetch(conn, table, _record_id(args))
    if existing is not None and existing["status"] == signed:
        raise MutationRejected("signed", refusal)
    return _tombstone(conn, table, args, ctx)


@_register("assessment.discard", "删除研判单草稿")
def assessment_discard(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    return _discard_unsigned(
        conn, "assessments", args, ctx, assessment_rules.SIGNED, "已签发的研判单不能删除"
    )


DELETE_MUTATION["assessments"] = "assessment.discard"


def alert_id(key: str) -> str:
    """The one id of the alert of a crossing key, on every workstation."""
    return reference_id("threshold_alert", key)


@_register("alert.raise", "触发阈值提醒")
def alert_raise(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    """Raise the alert of a crossing: new, or again after it was cleared (then unacknowledged).
    Raising an alert that is on already changes nothing (the first raise wins)."""
    record_id = _record_id(args)
    specs = ENTITY_FIELDS["threshold_alerts"]
    values = check_fields(specs, {k: v for k, v in args.items() if k != "id"}, creating=True)
    if record_id != alert_id(values["key"]):
        raise MutationRejected("bad_id", "提醒编号与触发条件不符")
    existing = fetch(conn, "threshold_alerts", record_id)
    if existing is None:
        return _create_once(
            conn,
            ctx,
            "threshold_alerts",
            record_id,
            values,
            {"cleared_at": None, "acked_by": None, "acked_at": None},
        )
    if existing["cleared_at"] is None and not existing["deleted"]:
        return []
    ctx.touch("threshold_alerts", record_id, existing)
    _update(
        conn,
        "threshold_alerts",
        record_id,
        {
            **values,
            "deleted": False,
            "cleared_at": None,
            "acked_by": None,
            "acked_at": None,
            **_meta(ctx),
        },
    )
    return [RowChange("threshold_alerts", record_id)]


def _live_alert(conn: Connection, args: dict[str, Any]) -> tuple[str, RowMapping, str]:
    record_id = _record_id(args)
    _no_extra_keys(args, {"id", "at"})
    at = _sheet_time(args)
    existing = fetch(conn, "threshold_alerts", record_id)
    if existing is None or existing["deleted"]:
        raise MutationRejected("not_found", "提醒不存在")
    return record_id, existing, at


@_register("alert.clear", "阈值提醒解除")
def alert_clear(conn: Connection, args: dict[str, Any], ctx: MutationContext) -> list[RowChange]:
    record_id, existing, at = _live_alert(conn, args)
    if existing["cleared_at"] is not None:
        return []
    ctx.touch("threshold_alerts", record_id, existing)
    _update(conn, "threshold_alerts", record_id, {"cleared_at": at, **_meta(ctx)})
    return [RowChange("threshold_alerts", record_id)]


@_register("alert.acknowledge", "确认阈值提醒")
def alert_acknowledge(
    conn: Connection, args: dict[str, Any], ctx: MutationContext
) -> list[RowChange]:
    """Record who acknowledged the alert and when; the first acknowledgement stands."""
    record_id, existing, at = _live_alert(conn, args)
    if existing["acked_by"] is not None:
        return []
    ctx.touch("threshold_alerts", record_id, existing)
    _update(
        conn, "threshold_alerts", record_id, {"acked_by": ctx.user, "acked_at": at, **_meta(ctx)}
    )
    return [RowChange("threshold_alerts", record_id)]


# The 管控一张表 and 指挥一平台 mutations register themselves on import (kept in their own
# modules).
from console.domain import (  # noqa: E402, F401
    mutations_cases,
    mutations_files,
    mutations_guides,
    mutations_handover,
    mutations_orders,
    mutations_roster,
    mutations_teams,
    mutations_transfers,
)
