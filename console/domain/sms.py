"""指挥一平台 by SMS: the message and the number, shared by the console (which asks the
server to send) and the server (which composes and sends, server.sms_api). Pure: no I/O."""

from __future__ import annotations

import re
from typing import Any

SMS_MAX_LEN = 300  # one message, the link included (long SMS are joined by phones)
_MOBILE = re.compile(r"^\+?\d{6,20}$")


def mobile_number(text: str) -> str | None:
    """The number as the gateway takes it (spaces and dashes dropped), None if not one."""
    number = text.replace(" ", "").replace("-", "")
    return number if _MOBILE.match(number) else None


def compose(signature: str, order: dict[str, Any], link: str) -> str:
    """The message: signature, the order's kind and title, the action, the link (kept
    whole: the title is shortened when the whole would be too long)."""
    tail = f"。{order['action']}" if order.get("action") else ""
    tail += f"。请点击确认收到并反馈：{link}"
    head = f"{signature}{order['kind']}："
    room = SMS_MAX_LEN - len(head) - len(tail)
    title = str(order["title"])
    if len(title) > room:
        title = title[: max(0, room - 1)] + "…"
    return (head + title + tail)[: max(SMS_MAX_LEN, len(tail))]
