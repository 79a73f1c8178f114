"""A call as JSON (``duty-console incident new --json``): its keys, documented from the form's
field declarations, and reading the file a new user actually has (Notepad's UTF-8 with a BOM;
a GBK file is refused with what to do, never read as mojibake).

The key list, labels, types and limits all come from :data:`~console.services.intake.FORM_FIELDS`
(built from the schema's field declarations); only the defaults a missing key gets are
stated here, because they are the intake rules' and not a column's.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from console.domain import catalog
from console.domain.fields import TIMESTAMP_MAX_LEN, Field
from console.services.intake import FORM_FIELDS, MAX_COUNT

# The Chinese label of each key, for messages (also what the command line exports).
FIELD_LABELS: dict[str, str] = {key: spec.label for key, spec in FORM_FIELDS.items()}
# What a missing key becomes (validate_call fills these in): such a key is not required.
DEFAULTS: dict[str, str] = {
    "received_at": "当前时间",
    "title": "由乡镇、村和事件类别生成",
}
_EXAMPLE_TIME = "2026-11-28 14:05"


class JsonFormError(Exception):
    """The JSON cannot be taken as a call; ``str(exc)`` is the Chinese message."""


@dataclass(frozen=True)
class JsonField:
    key: str
    label: str
    type: str  # 文本, 整数, 数值, 时间, 选项
    limit: str  # the most characters, the range or the choices
    required: bool
    default: str


def _describe(key: str, spec: Field) -> tuple[str, str]:
    if key == "received_at" or spec.timestamp:
        return "时间", f"如 {_EXAMPLE_TIME}（北京时间）或 ISO 8601，最多 {TIMESTAMP_MAX_LEN} 字"
    if spec.choices:
        return "选项", "、".join(spec.choices)
    if key == "subtype":
        return "选项", "所选事件类别下的子类（见下表）"
    if spec.kind is int:
        return "整数", f"0 至 {MAX_COUNT}"
    if spec.kind is float:
        low = f"{spec.minimum:g}" if spec.minimum is not None else ""
        high = f"{spec.maximum:g}" if spec.maximum is not None else ""
        return "数值", f"{low} 至 {high}" if low or high else "数值"
    longest = spec.longest()
    return "文本", f"最多 {longest} 字" if longest is not None else "不限"


def json_fields() -> list[JsonField]:
    """Every key ``incident new --json`` takes, in the form's order."""
    fields = []
    for key, spec in FORM_FIELDS.items():
        kind, limit = _describe(key, spec)
        default = DEFAULTS.get(key, "")
        fields.append(
            JsonField(key, spec.label, kind, limit, spec.required and not default, default)
        )
    return fields


def _subtypes_lines() -> list[str]:
    return [f"{category}：{'、'.join(subs)}" for category, subs in catalog.EVENT_CATEGORIES.items()]


def fields_help() -> str:
    """Plain text for ``incident new --help``."""
    lines = ["JSON 字段（顶层为对象；未列出的字段会被拒绝）："]
    fields = json_fields()
    width = max(len(f.key) for f in fields) + 2  # the longest key still has a gap after it
    for f in fields:
        need = "必填" if f.required else (f"可选，默认{f.default}" if f.default else "可选")
        lines.append(f"  {f.key:<{width}}{f.label}｜{f.type}｜{f.limit}｜{need}")
    lines.append("事件类别与子类：")
    lines.extend(f"  {line}" for line in _subtypes_lines())
    lines.append(
        "文件编码：UTF-8（记事本保存的带 BOM 的 UTF-8 也可以）；GBK 等其他编码请先另存为 UTF-8。"
    )
    lines.append(
        '示例：{"category": "自然灾害", "subtype": "地质", "township": "北界镇", '
        '"caller_phone": "13905781234", "description": "山体滑坡"}'
    )
    return "\n".join(lines)


def fields_markdown() -> str:
    """The same as a Markdown table, for the README (tools/readme_tables.py)."""
    rows = [
        "| JSON 键 | 中文名 | 类型 | 限制 | 必填 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in json_fields():
        need = "必填" if f.required else (f"否（默认{f.default}）" if f.default else "否")
        rows.append(f"| `{f.key}` | {f.label} | {f.type} | {f.limit} | {need} |")
    rows.append("")
    rows.append("事件类别与子类：")
    rows.append("")
    rows.extend(f"- {line}" for line in _subtypes_lines())
    return "\n".join(rows)


def decode(raw: bytes) -> str:
    """UTF-8, with or without a BOM, or UTF-16 with its BOM (Notepad's "Unicode"); anything
    else is refused with what to do, naming GBK when the bytes read as GBK."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            raw.decode("gb18030")
            looks = "GBK（GB2312/GB18030）编码"
        except UnicodeDecodeError:
            looks = "其他编码"
        raise JsonFormError(
            f"无法读取 JSON：文件不是 UTF-8 编码（第 {exc.start + 1} 个字节起无法按 UTF-8 "
            f"读取，看起来是{looks}）。"
            "请用记事本打开该文件，“另存为”时把编码选为“UTF-8”，再重试"
        ) from None


def parse(text: str) -> dict[str, Any]:
    """The call as a dict of the form's keys; unknown keys and values that are not text or
    numbers are refused, each naming its key and label."""
    try:
        form = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonFormError(
            f"无法读取 JSON：格式错误（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"
        ) from None
    if not isinstance(form, dict):
        raise JsonFormError('JSON 顶层应为对象（字段名: 值），例如 {"category": "自然灾害"}')
    unknown = [key for key in form if key not in FORM_FIELDS]
    if unknown:
        valid = "、".join(f"{key}（{spec.label}）" for key, spec in FORM_FIELDS.items())
        raise JsonFormError(
            f"未知字段：{'、'.join(map(str, unknown))}。可用字段：{valid}"
            "（详见 duty-console incident new --help）"
        )
    problems = bad_values(form)
    if problems:
        raise JsonFormError("；".join(problems))
    return form


def bad_values(form: Mapping[str, Any]) -> list[str]:
    """Values that are neither text, a number nor null (a list, an object, true/false)."""
    return [
        f"{key}（{FORM_FIELDS[key].label}）应为文本或数字，收到的是 {json.dumps(value)[:40]}"
        for key, value in form.items()
        if value is not None
        and (isinstance(value, bool) or not isinstance(value, str | int | float))
    ]


def field_name(key: str) -> str:
    """``caller_phone（来电号码）``: how a message names a key."""
    label = FIELD_LABELS.get(key)
    return f"{key}（{label}）" if label is not None else key
