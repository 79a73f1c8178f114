"""指挥一平台: orders by SMS. The duty-server sends them (server.sms_api): the gateway's
address and credential are the server's configuration, never a workstation's. A workstation
asks ``POST /orders/{id}/sms`` for some recipients of an order; the server gives each its own
acknowledgement link (server.ack_links) so the recipient can tap 收到 or feed back from the
phone, and posts ``{"to": mobile, "text": message}`` to the gateway (``Authorization:
Bearer`` when a token is set).

Qt-free: the server imports the gateway and the message; the console the report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

SMS_MAX_LEN = 300  # one message, the link included (long SMS are joined by phones)
TIMEOUT_S = 10.0
_MOBILE = re.compile(r"^\+?\d{6,20}$")


class SmsError(Exception):
    """Why a message was not sent (Chinese)."""


@dataclass(frozen=True)
class SmsConfig:
    enabled: bool = False
    url: str = ""
    token: str = ""
    signature: str = "【遂昌县应急】"

    def problem(self) -> str | None:
        if not self.enabled:
            return "短信网关未启用"
        if not self.url.startswith(("http://", "https://")):
            return "短信网关地址无效，应以 http:// 或 https:// 开头"
        return None


def mobile_number(text: str) -> str | None:
    """The number as the gateway takes it (spaces and dashes dropped), None if not one."""
    number = text.replace(" ", "").replace("-", "")
    return number if _MOBILE.match(number) else None


class SmsGateway:
    def __init__(self, config: SmsConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self._http = session or requests.Session()

    def send(self, mobile: str, text: str) -> None:
        problem = self.config.problem()
        if problem is not None:
            raise SmsError(problem)
        number = mobile_number(mobile)
        if number is None:
            raise SmsError(f"手机号码无效：{mobile[:32]}")
        headers = {"Authorization": f"Bearer {self.config.token}"} if self.config.token else {}
        try:
            resp = self._http.post(
                self.config.url,
                json={"to": number, "text": text},
                headers=headers,
                timeout=TIMEOUT_S,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise SmsError(f"短信网关无法连接：{type(exc).__name__}") from None
        if not 200 <= resp.status_code < 300:
            raise SmsError(f"短信网关拒绝发送（HTTP {resp.status_code}）")


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


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)  # recipient ids
    failed: list[tuple[str, str]] = field(default_factory=list)  # (recipient id, why)
    skipped: list[str] = field(default_factory=list)  # no mobile number

    def summary(self) -> str:
        parts = [f"已发送 {len(self.sent)} 条"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} 人无手机号")
        if self.failed:
            parts.append(f"{len(self.failed)} 条失败（{self.failed[0][1]}）")
        return "，".join(parts)


class SmsServer(Protocol):
    def send_order_sms(
        self, order_id: str, recipient_ids: list[str], ttl_minutes: int = ...
    ) -> dict[str, Any]: ...


def send_order(server: SmsServer, order: dict[str, Any], recipients: Sequence[Any]) -> SendReport:
    """Ask the server to text the order to each recipient; the ones without a mobile number
    on this workstation's copy are not even asked for (the server checks its own copy)."""
    report = SendReport()
    asked = [r.id for r in recipients if mobile_number(str(r.phone or "")) is not None]
    report.skipped = [r.id for r in recipients if r.id not in asked]
    if not asked:
        return report
    body = server.send_order_sms(order["id"], asked)
    report.sent = [str(x) for x in body.get("sent", [])]
    report.skipped += [str(x) for x in body.get("skipped", [])]
    report.failed = [(str(f["recipient_id"]), str(f["detail"])) for f in body.get("failed", [])]
    return report
