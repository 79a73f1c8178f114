"""交接班 (shift handover): what a handover holds and the rules its mutations check. Pure
Python (no Qt, no I/O), shared by the workstation and the server.

A handover's ``content`` is a snapshot taken when the outgoing officer generates it: JSON
``{"sections": [{"key", "title", "items": [text, ...]}, ...]}``, one section per thing the
next shift must know (open incidents with their next report due, orders not acknowledged,
open checklists, the shift's calls, team changes). Stored as text so that a later change
of the incidents or orders it lists never changes what was handed over.
"""

from __future__ import annotations

import json
import re
from typing import Any

PENDING = "待签收"
SIGNED = "已签收"
STATUSES: tuple[str, ...] = (PENDING, SIGNED)

SHIFT_KEY_MAX_LEN = 16  # "2026-11-30#0"
CONTENT_MAX_LEN = 200_000
TEXT_MAX_LEN = 2000  # 领导交办事项, 交班备注, a hand-written log line
REMARKS_MAX_LEN = 500  # 接班意见
ITEM_MAX_LEN = 2000
MAX_ITEMS = 2000

# Section key -> title, in the order the handover lists them.
SECTIONS: dict[str, str] = {
    "incidents": "未结事件及下次报送时限",
    "orders": "未叫应的指令",
    "checklists": "未完成的应急响应清单",
    "calls": "本班接警",
    "teams": "队伍变动",
}

SIGNED_REFUSAL = "该交接单已签收，签收后不能再修改"
SELF_SIGN_REFUSAL = "交班人不能签收自己的交接单，请由接班人用本人账号签收"
_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}#\d$")


def shift_key_problem(key: str) -> str | None:
    if not _KEY.match(key):
        return f"班次编号无效：{key[:20]!r}"
    return None


def make_content(sections: dict[str, list[str]]) -> str:
    """The snapshot text of ``sections`` (key -> item lines), in :data:`SECTIONS` order."""
    out = [
        {"key": key, "title": title, "items": list(sections.get(key, []))}
        for key, title in SECTIONS.items()
    ]
    return json.dumps({"sections": out}, ensure_ascii=False)


def parse_content(text: str) -> list[dict[str, Any]]:
    """The sections of a stored snapshot (checked by :func:`content_problem` on write)."""
    sections: list[dict[str, Any]] = json.loads(text)["sections"]
    return sections


def content_problem(text: str) -> str | None:
    """Why ``text`` is not a handover snapshot, in Chinese; None when it is."""
    try:
        data = json.loads(text)
    except ValueError:
        return "交接内容不是有效的 JSON"
    if not isinstance(data, dict) or set(data) != {"sections"}:
        return "交接内容应只含 sections"
    sections = data["sections"]
    if not isinstance(sections, list) or len(sections) > len(SECTIONS):
        return "交接内容的分项无效"
    count = 0
    for s in sections:
        if not isinstance(s, dict) or set(s) != {"key", "title", "items"}:
            return "交接内容的分项应含 key、title、items"
        if s["key"] not in SECTIONS or s["title"] != SECTIONS[s["key"]]:
            return "交接内容含未知分项"
        items = s["items"]
        if not isinstance(items, list):
            return "交接内容的条目应为列表"
        for item in items:
            if not isinstance(item, str) or len(item) > ITEM_MAX_LEN:
                return f"交接内容的条目应为不超过 {ITEM_MAX_LEN} 字的文字"
        count += len(items)
    if count > MAX_ITEMS:
        return f"交接内容最多 {MAX_ITEMS} 条"
    return None


def sign_problem(row: dict[str, Any], user: str) -> str | None:
    """Why ``user`` may not sign the handover ``row`` (pending), in Chinese; None if they may."""
    if user == row["author"]:
        return SELF_SIGN_REFUSAL
    incoming = row.get("incoming") or ""
    if incoming and user != incoming:
        return f"该交接单指定由 {incoming} 签收"
    return None
