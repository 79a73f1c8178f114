"""指挥一平台 by SMS, sent by the server: ``POST /orders/{order_id}/sms``.

The SMS gateway's address and credential live only in the server's configuration
(``DUTY_SERVER_SMS_URL``, and the token in the file named by ``DUTY_SERVER_SMS_TOKEN_FILE``
or in ``DUTY_SERVER_SMS_TOKEN``), never on a workstation: a workstation asks the server to
send an order to some of its recipients; the server makes each recipient's acknowledgement
link (server.ack_links), composes the message (console.domain.sms.compose) and posts it
to the gateway. The phone numbers are the recipients' own, read from the database, so a
workstation cannot make the server text an arbitrary number.
"""

import asyncio
import os
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select

from console.domain import roles
from console.domain.ids import is_uuid
from console.domain.schema import Order, OrderRecipient
from console.domain.sms import compose, mobile_number
from server import ack_links, auth
from server.sms_gateway import SmsConfig, SmsError, SmsGateway

URL_ENV = "DUTY_SERVER_SMS_URL"
TOKEN_FILE_ENV = "DUTY_SERVER_SMS_TOKEN_FILE"
TOKEN_ENV = "DUTY_SERVER_SMS_TOKEN"
SIGNATURE_ENV = "DUTY_SERVER_SMS_SIGNATURE"
NOT_CONFIGURED = f"服务器未配置短信网关（{URL_ENV}），请联系系统管理员"
_UUID = r"^[0-9a-fA-F-]{36}$"


def config_from_env(env: dict[str, str] | None = None) -> SmsConfig:
    """The gateway as the server's environment says; off when no URL is set. A token file
    that cannot be read stops the server at start rather than failing each message later."""
    env = dict(os.environ) if env is None else env
    url = env.get(URL_ENV, "").strip()
    token = env.get(TOKEN_ENV, "").strip()
    token_file = env.get(TOKEN_FILE_ENV, "").strip()
    if token_file:
        try:
            token = FilePath(token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SystemExit(f"无法读取短信网关口令文件 {token_file}：{exc.strerror}") from None
    signature = env.get(SIGNATURE_ENV, "【遂昌县应急】")
    return SmsConfig(enabled=bool(url), url=url, token=token, signature=signature)


class SmsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    recipient_ids: list[Annotated[str, Field(pattern=_UUID)]] = Field(
        min_length=1, max_length=ack_links.MAX_LINKS
    )
    ttl_minutes: int = Field(
        default=ack_links.DEFAULT_TTL_MINUTES, ge=1, le=ack_links.MAX_TTL_MINUTES
    )


class FailedOut(BaseModel):
    recipient_id: str
    detail: str


class SmsOut(BaseModel):
    sent: list[str]
    skipped: list[str]  # no valid mobile number on record
    failed: list[FailedOut]


def _order_and_phones(
    engine: Engine, order_id: str, recipient_ids: list[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    o, r = Order.__table__, OrderRecipient.__table__
    with engine.connect() as conn:
        order = conn.execute(
            select(o.c.kind, o.c.title, o.c.action).where(
                o.c.id == order_id, o.c.deleted.is_(False)
            )
        ).first()
        if order is None:
            raise ack_links.LinkError(404, "指令不存在（请先同步）")
        rows = conn.execute(
            select(r.c.id, r.c.phone).where(
                r.c.order_id == order_id, r.c.deleted.is_(False), r.c.id.in_(recipient_ids)
            )
        ).all()
    phones = {str(row.id): str(row.phone or "") for row in rows}
    missing = [x for x in recipient_ids if x not in phones]
    if missing:
        raise ack_links.LinkError(404, f"有 {len(missing)} 个接收人不属于该指令（请先同步）")
    return dict(order._mapping), phones


def send(
    engine: Engine,
    config: SmsConfig,
    gateway: SmsGateway,
    who: auth.Principal,
    order_id: str,
    body: SmsIn,
    base_url: str,
) -> SmsOut:
    if not roles.allowed(who.role, "order.record"):
        label = roles.ROLE_LABELS.get(who.role, who.role)
        raise ack_links.LinkError(403, f"“{label}”角色无权发送叫应短信")
    if config.problem() is not None:
        raise ack_links.LinkError(503, NOT_CONFIGURED)
    wanted = list(dict.fromkeys(body.recipient_ids))
    order, phones = _order_and_phones(engine, order_id, wanted)
    numbers = {rid: n for rid in wanted if (n := mobile_number(phones[rid])) is not None}
    out = SmsOut(sent=[], skipped=[rid for rid in wanted if rid not in numbers], failed=[])
    if not numbers:
        return out
    tokens, _expires = ack_links.issue(
        engine, who, order_id, list(numbers), ttl_minutes=body.ttl_minutes
    )
    for rid, token in tokens.items():
        text = compose(config.signature, order, f"{base_url}/ack/{token}")
        try:
            gateway.send(numbers[rid], text)
        except SmsError as exc:
            out.failed.append(FailedOut(recipient_id=rid, detail=str(exc)))
        else:
            out.sent.append(rid)
    return out


def add_routes(
    app: FastAPI,
    engine: Engine,
    workstation: Callable[..., auth.Principal],  # signed in, not the ingest account
    public_url: str,
    config: SmsConfig | None = None,
) -> None:
    config = config_from_env() if config is None else config
    gateway = SmsGateway(config)
    Who = Annotated[auth.Principal, Depends(workstation)]

    @app.post("/orders/{order_id}/sms", response_model=SmsOut)
    async def send_sms(
        order_id: Annotated[str, Path(pattern=_UUID)], body: SmsIn, who: Who, request: Request
    ) -> Any:
        if not is_uuid(order_id):
            return JSONResponse({"detail": "指令编号无效"}, status_code=400)
        # The link must reach a phone: the public address if one is set, else this one.
        base = public_url or str(request.base_url).rstrip("/")
        try:
            return await asyncio.to_thread(send, engine, config, gateway, who, order_id, body, base)
        except ack_links.LinkError as exc:
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
