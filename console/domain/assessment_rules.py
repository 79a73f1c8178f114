"""Rules of the 研判一张单 (assessment sheet) that every replica applies: its statuses and the
shape of its ``content`` (JSON text), checked by the mutations on the workstation and on the
server alike. Pure: no Qt, no I/O.

``content`` is one JSON object::

    {"townships": [{"id", "name", "observed": {"1": mm, "3": mm, ...}, "peak_1h",
                    "forecast": {"6": mm, ...}, "signal", "expected_signal", "note"}],
     "stations": [{"id", "code", "name", "kind", "rain": {...}, "level_m", "over": [...],
                   "signal"}],
     "endangered": [{"kind", "id", "name", "township", "village", "level", "expected_level",
                     "expected_in_h", "reason", "households", "persons",
                     "responsible": [{"name", "role", "mobile"}]}],
     "warnings": [{"township_id", "name", "level", "note"}],
     "response_reasons": ["..."],
     "tasks": [{"no": 1, "text": "...", "level": "红"}],
     "notes": ["..."]}

Every part is optional; values are plain JSON (no NaN), nested at most a few levels, with
bounded texts and lists, so a hostile push cannot make the sheet unreadable.
"""

from __future__ import annotations

import json
import math
from typing import Any

from console.domain.situation import RESPONSE_LEVELS, WARNING_LEVELS

__all__ = ["RESPONSE_LEVELS", "WARNING_LEVELS"]

DRAFT = "草稿"
SIGNED = "已签发"
STATUSES: tuple[str, ...] = (DRAFT, SIGNED)

CONTENT_MAX_LEN = 200_000
CONTENT_PARTS: tuple[str, ...] = (
    "townships",
    "stations",
    "endangered",
    "warnings",
    "response_reasons",
    "tasks",
    "notes",
)
MAX_ITEMS = 2000  # rows of one part (a county has hundreds of risk points)
MAX_TEXT = 2000  # characters of one text value
MAX_DEPTH = 5
TASK_MAX_LEN = 500

SIGNED_REFUSAL = "该研判单已签发，不能修改；如需修改，请使用“修订”生成新版本"


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _walk(value: Any, depth: int, where: str) -> str | None:
    """The first problem of a plain JSON value, or None."""
    if depth > MAX_DEPTH:
        return f"研判内容嵌套过深（{where}）"
    if value is None or isinstance(value, bool | str | int):
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return f"研判内容中的文字过长（{where}，最多 {MAX_TEXT} 字）"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"研判内容中的数值无效（{where}）"
    if isinstance(value, list):
        if len(value) > MAX_ITEMS:
            return f"研判内容的条目过多（{where}，最多 {MAX_ITEMS} 条）"
        for i, item in enumerate(value):
            problem = _walk(item, depth + 1, f"{where}[{i + 1}]")
            if problem is not None:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if len(key) > 40:
                return f"研判内容的字段名过长（{where}）"
            problem = _walk(item, depth + 1, f"{where}.{key}")
            if problem is not None:
                return problem
        return None
    return f"研判内容的值类型无效（{where}）"  # pragma: no cover - json gives no other types


def parse_content(text: str) -> dict[str, Any]:
    """The content object (call only on text :func:`content_problem` accepted)."""
    value = json.loads(text, parse_constant=_reject_constant)
    assert isinstance(value, dict)
    return value


def content_problem(text: object) -> str | None:
    """Why ``text`` is not a valid sheet content (Chinese), or None."""
    if not isinstance(text, str):
        return "研判内容必须是文本"
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return "研判内容不是有效的 JSON"
    if not isinstance(value, dict):
        return "研判内容必须是 JSON 对象"
    unknown = sorted(set(value) - set(CONTENT_PARTS))
    if unknown:
        return f"研判内容有未知部分：{'、'.join(unknown)[:100]}"
    for part in CONTENT_PARTS:
        items = value.get(part, [])
        if not isinstance(items, list):
            return f"研判内容的“{part}”必须是列表"
        if part in ("response_reasons", "notes"):
            if not all(isinstance(r, str) for r in items):
                return "响应理由和说明必须是文字"
        elif not all(isinstance(item, dict) for item in items):
            return f"研判内容的“{part}”每一项必须是对象"
    problem = _walk(value, 0, "内容")
    if problem is not None:
        return problem
    for warning in value.get("warnings", []):
        if warning.get("level", "") not in ("", *WARNING_LEVELS):
            return "乡镇预警等级只能是：" + "、".join(WARNING_LEVELS) + "，或留空"
    for task in value.get("tasks", []):
        text_ = task.get("text")
        if not isinstance(text_, str) or not text_.strip():
            return "工作任务内容不能为空"
        if len(text_) > TASK_MAX_LEN:
            return f"工作任务过长（最多 {TASK_MAX_LEN} 字）"
        no = task.get("no")
        if no is not None and (isinstance(no, bool) or not isinstance(no, int)):
            return "工作任务序号必须是整数"
    return None


def dump_content(content: dict[str, Any]) -> str:
    """Canonical JSON text of a content object (stable, so equal sheets compare equal)."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
