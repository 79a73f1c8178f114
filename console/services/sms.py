"""指挥一平台: orders by SMS, optional and off by default. A configurable HTTP gateway takes
``POST {url}`` with JSON ``{"to": mobile, "text": message}`` (and ``Authorization: Bearer``
when a token is set); the message carries the recipient's own acknowledgement link, made by
the duty-server (``POST /orders/{id}/ack-links``, server.ack_links), so the recipient can tap
收到 or feed back from the phone.

Qt-free: the configuration comes in as :class:`SmsConfig` (the console reads it from its
settings); the server is reached through :class:`console.sync.client.SyncClient`.
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
            return "短信网关未启用（设置 > 短信网关）"
        if not self.url.startswith(("http://", "https://")):
            return "短信网关地址无效，应以 http:// 或 https:// 开头"
        return None


class SmsGateway:
    def __init__(self, config: SmsConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self._http = session or requests.Session()

    def send(self, mobile: str, text: str) -> None:
        problem = self.config.problem()
        if problem is not None:
            raise SmsError(problem)
        number = mobile.replace(" ", "").replace("-", "")
        if not _MOBILE.match(number):
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


class LinkSource(Protocol):
    def ack_links(
        self, order_id: str, recipient_ids: list[str], ttl_minutes: int = ...
    ) -> dict[str, Any]: ...


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


def send_order(
    gateway: SmsGateway,
    server: LinkSource,
    server_url: str,
    order: dict[str, Any],
    recipients: Sequence[Any],
    *,
    ttl_minutes: int = 24 * 60,
) -> SendReport:
    """Ask the server for one link per recipient with a mobile number, then send each its
    message; a failure of one message does not stop the others."""
    problem = gateway.config.problem()
    if problem is not None:
        raise SmsError(problem)
    report = SendReport()
    phones = {
        r.id: r.phone for r in recipients if _MOBILE.match(str(r.phone or "").replace(" ", ""))
    }
    report.skipped = [r.id for r in recipients if r.id not in phones]
    if not phones:
        return report
    body = server.ack_links(order["id"], list(phones), ttl_minutes)
    base = server_url.rstrip("/")
    for link in body["links"]:
        rid = link["recipient_id"]
        url = link.get("url") or base + link["path"]
        try:
            gateway.send(phones[rid], compose(gateway.config.signature, order, url))
        except SmsError as exc:
            report.failed.append((rid, str(exc)))
        else:
            report.sent.append(rid)
    return report
