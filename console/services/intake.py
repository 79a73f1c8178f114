"""接警: turning what the officer typed into a call record, with a message per field.

Input is the form's raw text (or an integration's JSON); output is the arguments of
``incident.create`` plus the 来电 timeline entry. Every problem is reported next to its field
in Chinese and nothing is written until the whole record is valid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from console.domain import beijing, catalog
from console.domain.fields import Field
from console.domain.schema import ENTITY_FIELDS

PHONE = re.compile(
    r"^(?:1[3-9]\d{9}"  # mobile
    r"|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?"  # landline with area code, optional extension
    r"|\d{7,8}"  # local landline
    r"|1\d{2,4}"  # short service numbers: 110, 119, 120, 12345
    r")$"
)
_INCIDENT = ENTITY_FIELDS["incidents"]
COUNT_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (key, _INCIDENT[key].label) for key in ("dead", "missing", "injured", "trapped", "affected")
)
MAX_COUNT = max(_INCIDENT[key].maximum or 0 for key, _label in COUNT_FIELDS)
# The further numbers the grading table reads (定级数据): whole people, and amounts.
GRADING_COUNT_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (key, _INCIDENT[key].label) for key in ("seriously_injured", "evacuated")
)
AMOUNT_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (key, _INCIDENT[key].label) for key in ("economic_loss", "area_burned")
)
MAX_AMOUNT = max(_INCIDENT[key].maximum or 0 for key, _label in AMOUNT_FIELDS)


def _limit(spec: Field) -> int:
    longest = spec.longest()
    assert longest is not None, spec.label
    return longest


TEXT_LIMITS: dict[str, tuple[str, int]] = {
    key: (_INCIDENT[key].label, _limit(_INCIDENT[key]))
    for key in (
        "caller_name",
        "caller_unit",
        "caller_post",
        "address",
        "title",
        "description",
        "notified",
    )
}
# The form's fields (key -> declaration): the incident's own, and the places typed by name,
# which are held to the length of the names they must match.
FORM_FIELDS: dict[str, Field] = {
    **{
        key: _INCIDENT[key]
        for key in (
            "received_at",
            "caller_phone",
            "category",
            "subtype",
            "sub_hazard",
            "grade",
            "lon",
            "lat",
        )
    },
    **{key: _INCIDENT[key] for key in TEXT_LIMITS},
    **{key: _INCIDENT[key] for key, _label in COUNT_FIELDS + GRADING_COUNT_FIELDS},
    **{key: _INCIDENT[key] for key, _label in AMOUNT_FIELDS},
    "township": Field(
        _INCIDENT["township_id"].label, max_len=ENTITY_FIELDS["townships"]["name"].max_len
    ),
    "village": Field(
        _INCIDENT["village_id"].label, max_len=ENTITY_FIELDS["villages"]["name"].max_len
    ),
}
# The text fields' label and most characters, for the form's widgets.
FORM_LIMITS: dict[str, tuple[str, int]] = {
    key: (spec.label, _limit(spec)) for key, spec in FORM_FIELDS.items() if spec.kind is str
}
FUTURE_TOLERANCE = timedelta(minutes=2)  # clocks of phones and PCs differ a little


class FormErrors(Exception):
    """Field name -> Chinese message; the form shows each next to its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Places:
    """Township and village names -> ids, for completion and validation."""

    townships: Mapping[str, str]  # name -> id
    villages: Mapping[tuple[str, str], str]  # (township id, village name) -> id


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key)
    return "" if value is None else str(value).strip()


def parse_received_at(text: str, now: datetime) -> tuple[str | None, str | None]:
    """(canonical time, error). Accepts 2026-11-28 14:05, ISO 8601, or empty (= now)."""
    if not text:
        return beijing.canonical(now), None
    for candidate in (text, text.replace(" ", "T")):
        try:
            moment = beijing.parse(candidate)
            break
        except ValueError:
            continue
    else:
        return None, "时间格式应为 2026-11-28 14:05"
    if moment > now + FUTURE_TOLERANCE:
        return None, "接报时间不能晚于当前时间"
    return beijing.canonical(moment), None


def validate_call(
    form: Mapping[str, Any], *, now: datetime, places: Places, recorder: str
) -> dict[str, Any]:
    """Return ``incident.create`` arguments (without id) or raise FormErrors."""
    errors: dict[str, str] = {}
    args: dict[str, Any] = {"recorder": recorder}

    received, err = parse_received_at(_text(form, "received_at"), now)
    if err:
        errors["received_at"] = err
    args["received_at"] = received

    phone = _text(form, "caller_phone").replace(" ", "")
    if phone and not PHONE.match(phone):
        errors["caller_phone"] = "不是有效的电话号码（手机 11 位，座机如 0578-8123456）"
    args["caller_phone"] = phone

    category = _text(form, "category")
    subtype = _text(form, "subtype")
    sub_hazard = _text(form, "sub_hazard")
    grade = _text(form, "grade")
    if category not in catalog.EVENT_CATEGORIES:
        errors["category"] = "请选择事件类别"
    else:
        args["category"] = category
        if subtype and subtype not in catalog.EVENT_CATEGORIES[category]:
            errors["subtype"] = f"“{category}”下没有“{subtype}”"
        else:
            problem = catalog.sub_hazard_problem(category, subtype, sub_hazard)
            if problem is not None:
                errors["sub_hazard"] = problem
        if grade and category in catalog.UNGRADED_CATEGORIES:
            errors["grade"] = "社会安全事件不分级"
    if grade and grade not in catalog.GRADES:
        errors["grade"] = "等级只能是：" + "、".join(catalog.GRADES)
    args["subtype"] = subtype
    args["sub_hazard"] = sub_hazard
    args["grade"] = grade or None

    township = _text(form, "township")
    village = _text(form, "village")
    township_id = places.townships.get(township) if township else None
    if township and township_id is None:
        errors["township"] = f"没有名为“{township}”的乡镇（街道）"
    village_id = None
    if village:
        village_id = places.villages.get((township_id or "", village))
        if village_id is None and "township" not in errors:
            errors["village"] = f"“{township}”下没有“{village}”" if township else "请先填写乡镇"
    args["township_id"] = township_id
    args["village_id"] = village_id

    for key, label in AMOUNT_FIELDS:
        raw = _text(form, key)
        try:
            args[key] = float(raw) if raw else 0.0
        except ValueError:
            args[key] = None
        if args[key] is None or not 0 <= args[key] <= MAX_AMOUNT:
            errors[key] = f"{label}应为 0 或正数"
    for key, label in COUNT_FIELDS + GRADING_COUNT_FIELDS:
        noun = label if label.endswith("人数") else f"{label}人数"  # 死亡人数, 受影响人数
        raw = _text(form, key)
        if not raw:
            args[key] = 0
            continue
        if not raw.isdigit():
            errors[key] = f"{noun}应为 0 或正整数"
            continue
        args[key] = int(raw)
        if args[key] > MAX_COUNT:
            errors[key] = f"{noun}过大"

    for key, (label, limit) in TEXT_LIMITS.items():
        value = _text(form, key)
        if len(value) > limit:
            errors[key] = f"{label}最多 {limit} 字（现有 {len(value)} 字）"
        args[key] = value
    if not args["title"]:
        title = f"{township}{village}{event_name(category, subtype, sub_hazard)}" or "未命名事件"
        args["title"] = title[: TEXT_LIMITS["title"][1]]
    for key in ("lon", "lat"):
        raw = _text(form, key)
        if raw:
            try:
                args[key] = float(raw)
            except ValueError:
                errors[key] = "坐标应为数值"
    if errors:
        raise FormErrors(errors)
    return args


def event_name(category: str, subtype: str, sub_hazard: str = "") -> str:
    """地质 -> 地质灾害, 地质/滑坡 -> 滑坡, 气象/台风 -> 台风灾害, 交通运输 -> 交通运输事故:
    how a title or a report names the event (the sub-hazard, when known, says most)."""
    if sub_hazard and sub_hazard != catalog.OTHER:
        if subtype == "地质" or sub_hazard.endswith("灾"):
            return sub_hazard  # 滑坡, 泥石流, 地面塌陷; 雪灾
        return sub_hazard + "灾害"  # 洪涝灾害, 台风灾害, 低温冷冻灾害 (19号文's names)
    if not subtype:
        return category
    if subtype == catalog.OTHER:
        return catalog.OTHER + category  # 其他自然灾害, 其他社会安全事件
    if category == "自然灾害" and not subtype.endswith("火灾"):
        return subtype + "灾害"
    if category == "事故灾难" and subtype in ("交通运输", "公共设施设备", "核与辐射"):
        return subtype + "事故"
    if category == "事故灾难" and subtype == "环境污染":
        return "环境污染事件"
    if subtype.endswith(("事件", "疫情", "事故", "火灾")):
        return subtype
    if category == "社会安全事件" or (category == "公共卫生事件" and subtype != "传染病"):
        return subtype + "事件"  # 群体性事件, 涉外事件, 食品安全与职业危害事件
    if subtype == "传染病":
        return "传染病疫情"
    return subtype


def classification(incident: Mapping[str, Any]) -> str:
    """自然灾害／地质／滑坡: category, subtype and sub-hazard as far as they are known."""
    keys = ("category", "subtype", "sub_hazard")
    return "／".join(str(incident[k]) for k in keys if incident.get(k))


def call_summary(args: Mapping[str, Any]) -> str:
    """The 来电 timeline line: who called, from where, and what they said."""
    who = "，".join(
        p for p in (args.get("caller_unit"), args.get("caller_post"), args.get("caller_name")) if p
    )
    phone = f"（{args['caller_phone']}）" if args.get("caller_phone") else ""
    said = args.get("description") or args.get("title") or ""
    notified = f"；已通知：{args['notified']}" if args.get("notified") else ""
    return f"来电：{who or '来电人未留名'}{phone}。{said}{notified}"
