"""指挥一平台's calls to the duty-server, the workstation's side: an acknowledgement link of
one recipient (server.ack_links) for the officer to read over the phone or paste into
浙政钉, and the order's SMS (console.services.sms). Each call runs with the signed-in
session, signs in again once when the token expired, and turns every failure into one plain
Chinese line (ValueError), as the sign-in dialog says it. Qt-free; call off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from console.services.accounts import Session
from console.sync.client import SyncClient, SyncHttpError, Unreachable
from console.sync.messages import SIGN_IN_AGAIN, refused_text, unreachable_text

T = TypeVar("T")

LINK = "确认链接由服务器生成"
SMS = "短信由服务器发送"
NOT_SIGNED_IN = "未登录服务器：{why}，请在“同步状态”页登录服务器后再试"
OFFLINE = "当前为离线登录：{why}，请在网络恢复、连上服务器后再试"


def session_problem(session: Session | None, why: str) -> str | None:
    """Why the server cannot be asked now (``why``: LINK, SMS), or None."""
    if session is None:
        return NOT_SIGNED_IN.format(why=why)
    if session.offline:
        return OFFLINE.format(why=why)
    return None


def on_server(session: Session, call: Callable[[SyncClient], T]) -> T:
    """``call`` with a client of the session; signed in again once on 401 (the token
    expired); ValueError with a Chinese line on any failure."""
    client = session.client()
    try:
        try:
            return call(client)
        except SyncHttpError as exc:
            if exc.status != 401:
                raise
            try:
                client.login(session.username, session.password)
            except SyncHttpError as again:
                if again.status == 401:
                    raise ValueError(SIGN_IN_AGAIN) from None
                raise
            return call(client)
    except Unreachable as exc:
        raise ValueError(unreachable_text(exc, session.server_url)) from None
    except SyncHttpError as exc:
        detail = exc.payload.get("detail")
        if isinstance(detail, str) and detail.isprintable() and 0 < len(detail) <= 160:
            raise ValueError(detail) from None  # the server's own Chinese sentence
        raise ValueError(refused_text(exc)) from None
    finally:
        client.close()


@dataclass(frozen=True)
class AckLink:
    recipient_id: str
    url: str  # the full address (the server's public one, or this session's server)
    expires_at: str  # ISO


def ack_link(session: Session, order_id: str, recipient_id: str) -> AckLink:
    """A new acknowledgement link for one recipient of an order (the order and the
    recipient must have reached the server)."""
    body: dict[str, Any] = on_server(session, lambda c: c.ack_links(order_id, [recipient_id]))
    link = next(x for x in body["links"] if x["recipient_id"] == recipient_id)
    url = str(link.get("url") or session.server_url.rstrip("/") + str(link["path"]))
    return AckLink(recipient_id, url, str(body["expires_at"]))
