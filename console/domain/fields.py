"""Argument specs of the mutations and their validation, with messages in Chinese.

Mutation arguments arrive as JSON from the officer's form, from scripts and (on the server)
from any workstation, so every value is checked here before a table is touched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain import catalog, reporting
from console.domain.ids import is_uuid


class MutationRejected(Exception):
    """A business rejection: the mutation is refused and changes nothing.

    ``message`` is Chinese and shown to the officer; ``code`` is stable for programs.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    label: str
    kind: type = str
    required: bool = False
    nullable: bool = True
    max_len: int | None = None
    choices: tuple[str, ...] | None = None
    ref: str | None = None  # table a uuid value must point to
    minimum: float | None = None
    maximum: float | None = None
    timestamp: bool = False  # ISO 8601 text with a UTC offset


def _type_name(kind: type) -> str:
    return {str: "文本", int: "整数", float: "数值", bool: "是/否"}.get(kind, kind.__name__)


def check_value(name: str, spec: Field, value: Any) -> Any:
    """Validate and normalise one value; raise :class:`MutationRejected` with a clear message."""
    if value is None:
        if spec.required or not spec.nullable:
            raise MutationRejected("missing_field", f"“{spec.label}”不能为空")
        return None
    kind = spec.kind
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise MutationRejected(
            "bad_type", f"“{spec.label}”应为{_type_name(kind)}，收到的是“{value!r:.40}”"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise MutationRejected("bad_value", f"“{spec.label}”不是有效数值")
    if isinstance(value, str):
        value = value.strip()
        if spec.required and not value:
            raise MutationRejected("missing_field", f"“{spec.label}”不能为空")
        if spec.max_len is not None and len(value) > spec.max_len:
            raise MutationRejected(
                "too_long", f"“{spec.label}”过长（最多 {spec.max_len} 字，实际 {len(value)} 字）"
            )
        if spec.choices is not None and value not in spec.choices:
            allowed = "、".join(spec.choices)
            raise MutationRejected("bad_choice", f"“{spec.label}”只能是：{allowed}")
        if spec.ref is not None and not is_uuid(value):
            raise MutationRejected("bad_ref", f"“{spec.label}”不是有效的记录编号")
        if spec.timestamp:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise MutationRejected(
                    "bad_time", f"“{spec.label}”不是有效的时间（应为 ISO 8601 格式）"
                ) from None
            if parsed.tzinfo is None:
                raise MutationRejected("bad_time", f"“{spec.label}”缺少时区（例如 +08:00）")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            raise MutationRejected("out_of_range", f"“{spec.label}”不能小于 {spec.minimum:g}")
        if spec.maximum is not None and value > spec.maximum:
            raise MutationRejected("out_of_range", f"“{spec.label}”不能大于 {spec.maximum:g}")
    return value


def check_fields(
    specs: dict[str, Field], values: dict[str, Any], *, creating: bool
) -> dict[str, Any]:
    """Validate a field dict: unknown keys refused, required ones enforced when creating."""
    unknown = sorted(set(values) - set(specs))
    if unknown:
        raise MutationRejected("unknown_field", f"未知字段：{', '.join(unknown)[:200]}")
    clean = {name: check_value(name, specs[name], v) for name, v in values.items()}
    if creating:
        for name, spec in specs.items():
            if spec.required and name not in clean:
                raise MutationRejected("missing_field", f"“{spec.label}”不能为空")
    return clean


def _lon() -> Field:
    return Field("经度", float, minimum=-180, maximum=180)


def _lat() -> Field:
    return Field("纬度", float, minimum=-90, maximum=90)


def _count(label: str) -> Field:
    return Field(label, int, nullable=False, minimum=0, maximum=10_000_000)


def _text(label: str, max_len: int, *, required: bool = False) -> Field:
    return Field(label, str, required=required, nullable=False, max_len=max_len)


_SAMPLE = Field("样例数据", bool, nullable=False)

ENTITY_FIELDS: dict[str, dict[str, Field]] = {
    "townships": {
        "name": _text("乡镇名称", 40, required=True),
        "kind": Field("类型", str, required=True, choices=catalog.TOWNSHIP_KINDS),
        "lon": _lon(),
        "lat": _lat(),
        "position_approximate": Field("位置为近似值", bool, nullable=False),
        "is_sample": _SAMPLE,
    },
    "villages": {
        "township_id": Field("所属乡镇", str, required=True, ref="townships"),
        "name": _text("村名", 40, required=True),
        "lon": _lon(),
        "lat": _lat(),
        "is_sample": _SAMPLE,
    },
    "shelters": {
        "name": _text("避灾场所名称", 80, required=True),
        "township_id": Field("所属乡镇", str, ref="townships"),
        "village_id": Field("所属村", str, ref="villages"),
        "kind": _text("场所类型", 20),
        "capacity": _count("容纳人数"),
        "manager": _text("管理员", 40),
        "phone": _text("联系电话", 32),
        "lon": _lon(),
        "lat": _lat(),
        "is_sample": _SAMPLE,
    },
    "risk_points": {
        "type": Field("风险点类型", str, required=True, choices=catalog.RISK_POINT_TYPES),
        "name": _text("风险点名称", 80, required=True),
        "township_id": Field("所属乡镇", str, ref="townships"),
        "village_id": Field("所属村", str, ref="villages"),
        "lon": _lon(),
        "lat": _lat(),
        "households": _count("影响户数"),
        "persons": _count("影响人数"),
        "responsible_person": _text("责任人", 40),
        "responsible_phone": _text("责任人电话", 32),
        "shelter_id": Field("对应避灾场所", str, ref="shelters"),
        "transfer_route": _text("转移路线", 500),
        "note": _text("备注", 2000),
        "is_sample": _SAMPLE,
    },
    "teams": {
        "name": _text("队伍名称", 80, required=True),
        "kind": _text("队伍类型", 20, required=True),
        "township_id": Field("所属乡镇", str, ref="townships"),
        "members": _count("人数"),
        "leader": _text("负责人", 40),
        "phone": _text("联系电话", 32),
        "equipment": _text("主要装备", 500),
        "lon": _lon(),
        "lat": _lat(),
        "is_sample": _SAMPLE,
    },
    "stations": {
        "code": _text("站码", 20, required=True),
        "name": _text("站名", 80, required=True),
        "kind": Field("站点类型", str, required=True, choices=catalog.STATION_KINDS),
        "township_id": Field("所属乡镇", str, ref="townships"),
        "lon": _lon(),
        "lat": _lat(),
        "warning_level_m": Field("警戒水位", float, minimum=-100, maximum=10_000),
        "guarantee_level_m": Field("保证水位", float, minimum=-100, maximum=10_000),
        "is_sample": _SAMPLE,
    },
    "incidents": {
        "received_at": Field("接报时间", str, required=True, timestamp=True),
        "category": Field("事件类别", str, required=True, choices=tuple(catalog.EVENT_CATEGORIES)),
        "subtype": _text("事件子类", 20),
        "grade": Field("事件等级", str, choices=catalog.GRADES),
        "title": _text("事件标题", 120, required=True),
        "description": _text("事件经过", 20_000),
        "township_id": Field("乡镇", str, ref="townships"),
        "village_id": Field("村", str, ref="villages"),
        "address": _text("详细地址", 200),
        "lon": _lon(),
        "lat": _lat(),
        "caller_name": _text("来电人", 40),
        "caller_unit": _text("来电单位", 80),
        "caller_post": _text("职务", 40),
        "caller_phone": _text("来电号码", 32),
        "notified": _text("已通知单位", 2000),
        "dead": _count("死亡"),
        "missing": _count("失踪"),
        "injured": _count("受伤"),
        "trapped": _count("被困"),
        "affected": _count("受影响人数"),
        "recorder": _text("记录人", 40),
        "teams_assigned": _text("处置队伍", 2000),
    },
    "incident_timeline": {
        "incident_id": Field("所属事件", str, required=True, ref="incidents"),
        "kind": Field("记录类型", str, required=True, choices=catalog.TIMELINE_KINDS),
        "body": _text("内容", 20_000, required=True),
        "at": Field("时间", str, required=True, timestamp=True),
    },
    "report_rules": {
        "category": Field("事件类别", str, required=True, choices=tuple(catalog.EVENT_CATEGORIES)),
        "grade": Field("事件等级", str, nullable=False, choices=("", *catalog.GRADES)),
        "stage": Field("报送阶段", str, required=True, choices=reporting.REPORT_STAGES),
        "channel": Field("报送方式", str, required=True, choices=reporting.CHANNELS),
        "minutes": Field("时限（分钟）", int, required=True, minimum=1, maximum=60 * 24 * 30),
        "basis": _text("依据", 200),
    },
    "incident_reports": {
        "incident_id": Field("所属事件", str, required=True, ref="incidents"),
        "stage": Field("报送阶段", str, required=True, choices=reporting.REPORT_STAGES),
        "channel": Field("报送方式", str, required=True, choices=reporting.CHANNELS),
        "sent_at": Field("报送时间", str, required=True, timestamp=True),
        "recipient": _text("报送对象", 80),
        "body": _text("报告内容", 50_000),
    },
}
