"""The SMS gateway the duty-server posts to: ``{"to": mobile, "text": message}`` as JSON,
``Authorization: Bearer`` when a token is set. Its address and credential are the server's
configuration only (server.sms_api)."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from console.domain.sms import mobile_number

TIMEOUT_S = 10.0


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
