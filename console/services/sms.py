"""指挥一平台: orders by SMS. The duty-server sends them (server.sms_api): the gateway's
address and credential are the server's configuration, never a workstation's. A workstation
asks ``POST /orders/{id}/sms`` for some recipients of an order; the server gives each its own
acknowledgement link (server.ack_links) so the recipient can tap 收到 or feed back from the
phone, and posts ``{"to": mobile, "text": message}`` to the gateway (``Authorization:
Bearer`` when a token is set).

The message and the number are console.domain.sms (the server shares them); the gateway
is the server's own (server.sms_gateway). This module is the workstation's side: the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from console.domain.sms import mobile_number


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
