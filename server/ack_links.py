"""指挥一平台: acknowledgement links (叫应回执). A workstation asks for one link per recipient
of an order; the link goes out by SMS; on a phone the recipient opens it, sees the order and
taps 收到 or sends the feedback the order asks for (a number, a line of text), which lands on
every workstation as an ``order.record`` event pushed through the normal path.

The link is a random 256-bit token (unguessable), of which only the SHA-256 is stored; it is
scoped to one recipient of one order, expires, and each of its uses (收到, 反馈) works once:
the use is claimed in the database before the event is pushed, so two taps, two phones or
two server processes record it once. Wrong, expired and spent links are answered without
saying which order they were for; each source address is rate-limited.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert, select, update

from console.domain import beijing, catalog, roles
from console.domain.hlc import HybridLogicalClock
from console.domain.ids import is_uuid, new_id
from console.domain.mutations import SCHEMA_VERSION
from console.domain.schema import Order, OrderEvent, OrderRecipient
from server import sync_service
from server.auth import Principal
from server.schema import AckLink

# The account the links' events are recorded as (their author on every workstation).
ACK_USER = "短信回执"
ACK_PRINCIPAL = Principal(ACK_USER, roles.OFFICER)
ACK_CLIENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "duty-server:ack-links"))
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
DEFAULT_TTL_MINUTES = 24 * 60
MAX_TTL_MINUTES = 7 * 24 * 60
MAX_LINKS = 5000  # per request: a county-wide 叫应 is about 2,000 people
MAX_NOTE = 500


class LinkError(Exception):
    """An answer for the phone: HTTP status and a Chinese sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


INVALID = LinkError(404, "链接无效：请核对短信中的链接，或直接回电县应急指挥中心。")
EXPIRED = LinkError(410, "链接已过期：请直接回电县应急指挥中心。")
SPENT = LinkError(410, "该链接已使用：收到和反馈均已登记，无需重复。如需补充请回电县应急指挥中心。")


def _t(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _utc(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def issue(
    engine: Engine,
    who: Principal,
    order_id: str,
    recipient_ids: list[str],
    *,
    ttl_minutes: int = DEFAULT_TTL_MINUTES,
    now: datetime | None = None,
) -> tuple[dict[str, str], str]:
    """One new token per recipient of a live order: ({recipient id: token}, expiry)."""
    import secrets

    if not roles.allowed(who.role, "order.record"):
        label = roles.ROLE_LABELS.get(who.role, who.role)
        raise LinkError(403, f"“{label}”角色无权发送叫应链接")
    if not is_uuid(order_id) or not all(is_uuid(r) for r in recipient_ids):
        raise LinkError(400, "指令或接收人编号无效")
    if not 0 < len(recipient_ids) <= MAX_LINKS:
        raise LinkError(400, f"接收人应为 1 至 {MAX_LINKS} 人")
    if not 1 <= ttl_minutes <= MAX_TTL_MINUTES:
        raise LinkError(400, f"有效期应为 1 至 {MAX_TTL_MINUTES} 分钟")
    at = _utc(now)
    expires = (at + timedelta(minutes=ttl_minutes)).isoformat()
    o, r = _t(Order), _t(OrderRecipient)
    tokens: dict[str, str] = {}
    with engine.begin() as conn:
        order = conn.execute(select(o.c.status, o.c.deleted).where(o.c.id == order_id)).first()
        if order is None or order.deleted:
            raise LinkError(404, "指令不存在（请先同步）")
        if order.status == catalog.ORDER_CANCELLED:
            raise LinkError(409, "该指令已撤销")
        mine = set(
            conn.execute(
                select(r.c.id).where(
                    r.c.order_id == order_id, r.c.deleted.is_(False), r.c.id.in_(recipient_ids)
                )
            ).scalars()
        )
        missing = [x for x in recipient_ids if x not in mine]
        if missing:
            raise LinkError(404, f"有 {len(missing)} 个接收人不属于该指令（请先同步）")
        rows = []
        for recipient in dict.fromkeys(recipient_ids):
            token = secrets.token_urlsafe(32)
            tokens[recipient] = token
            rows.append(
                {
                    "token_hash": _hash(token),
                    "order_id": order_id,
                    "recipient_id": recipient,
                    "created_by": who.username,
                    "created_at": at.isoformat(),
                    "expires_at": expires,
                    "acked_at": None,
                    "fed_back_at": None,
                }
            )
        conn.execute(insert(AckLink), rows)
    return tokens, expires


@dataclass(frozen=True)
class LinkView:
    """What the phone page shows."""

    order_id: str
    recipient_id: str
    recipient: str
    kind: str
    title: str
    content: str
    action: str
    deadline: str
    feedback_kind: str
    feedback_label: str
    acked_at: str | None
    fed_back_at: str | None

    @property
    def wants_feedback(self) -> bool:
        return self.feedback_kind != catalog.FEEDBACK_NONE

    @property
    def spent(self) -> bool:
        return self.acked_at is not None and (
            self.fed_back_at is not None or not self.wants_feedback
        )


def lookup(engine: Engine, token: str, *, now: datetime | None = None) -> LinkView:
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise INVALID
    a, o, r = _t(AckLink), _t(Order), _t(OrderRecipient)
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(
                    a.c.order_id,
                    a.c.recipient_id,
                    a.c.expires_at,
                    a.c.acked_at,
                    a.c.fed_back_at,
                    r.c.name.label("recipient"),
                    o.c.kind,
                    o.c.title,
                    o.c.content,
                    o.c.action,
                    o.c.deadline,
                    o.c.feedback_kind,
                    o.c.feedback_label,
                    o.c.status,
                    o.c.deleted,
                )
                .select_from(a.join(o, o.c.id == a.c.order_id).join(r, r.c.id == a.c.recipient_id))
                .where(a.c.token_hash == _hash(token))
            )
            .mappings()
            .first()
        )
    if row is None or row["deleted"]:
        raise INVALID
    if datetime.fromisoformat(row["expires_at"]) <= _utc(now):
        raise EXPIRED
    if row["status"] == catalog.ORDER_CANCELLED:
        raise LinkError(410, "该指令已撤销，无需再回复。")
    return LinkView(
        row["order_id"],
        row["recipient_id"],
        row["recipient"],
        row["kind"],
        row["title"],
        row["content"],
        row["action"],
        row["deadline"],
        row["feedback_kind"],
        row["feedback_label"],
        row["acked_at"],
        row["fed_back_at"],
    )


_PUSH_LOCK = threading.Lock()


def _push_event(engine: Engine, args: dict[str, Any]) -> sync_service.MutationResult:
    """Push one order.record as the link account. The account's mutation ids are shared by
    every link: under this process's lock, and checked afterwards (another server process
    may have taken the same id: then the event is not there, and it is pushed again)."""
    clock = HybridLogicalClock("ack-link")
    e = _t(OrderEvent)
    for _attempt in range(8):
        with _PUSH_LOCK:
            last = sync_service.last_mutation_id(engine, ACK_CLIENT_ID)
            mutation = sync_service.PushedMutation(
                int(last) + 1, "order.record", args, clock.now(), SCHEMA_VERSION
            )
            try:
                _last, [result] = sync_service.push(
                    engine, ACK_PRINCIPAL, ACK_CLIENT_ID, [mutation]
                )
            except sync_service.PushError as exc:
                if exc.code != "gap":
                    raise
                continue
        if result.status != "applied":
            return result
        with engine.connect() as conn:
            if conn.execute(select(e.c.id).where(e.c.id == args["id"])).first() is not None:
                return result
    raise LinkError(503, "服务器繁忙，请稍后再试")


def use(
    engine: Engine,
    token: str,
    action: str,
    *,
    value: str = "",
    note: str = "",
    now: datetime | None = None,
) -> tuple[str, int | None]:
    """收到 (``action`` "ack") or 反馈 ("feedback"): claim the use, push the event; returns
    (what the phone is told, the new server version)."""
    link = lookup(engine, token, now=now)
    at = _utc(now)
    if action == "ack":
        column, kind, fields = "acked_at", catalog.ACKED, {}
    elif action == "feedback" and link.wants_feedback:
        column, kind = "fed_back_at", catalog.FED_BACK
        fields = _feedback_fields(link, value, note)
    else:
        raise LinkError(400, "无效的操作")
    if link.spent or getattr(link, column) is not None:
        raise SPENT if link.spent else LinkError(409, "已登记，无需重复提交。")
    a = _t(AckLink)
    with engine.begin() as conn:  # the claim: one use, whoever comes second is told
        claimed = conn.execute(
            update(a)
            .where(a.c.token_hash == _hash(token), a.c[column].is_(None))
            .values({column: at.isoformat()})
        ).rowcount
    if claimed != 1:
        raise LinkError(409, "已登记，无需重复提交。")
    args = {
        "id": new_id(),
        "order_id": link.order_id,
        "recipient_id": link.recipient_id,
        "kind": kind,
        "channel": "链接",
        "answered_by": link.recipient[:40],
        "at": beijing.canonical(at),
        **fields,
    }
    try:
        result = _push_event(engine, args)
    except Exception:
        _release(engine, token, column)
        raise
    if result.status != "applied":
        _release(engine, token, column)
        raise LinkError(422, result.message or "未能登记")
    if column == "fed_back_at":  # a feedback answers the call as well
        with engine.begin() as conn:
            conn.execute(
                update(a)
                .where(a.c.token_hash == _hash(token), a.c.acked_at.is_(None))
                .values(acked_at=at.isoformat())
            )
    told = (
        "已收到，县应急指挥中心已看到您的确认。"
        if action == "ack"
        else "反馈已送达县应急指挥中心。"
    )
    return told, result.version


def _release(engine: Engine, token: str, column: str) -> None:
    a = _t(AckLink)
    with engine.begin() as conn:
        conn.execute(update(a).where(a.c.token_hash == _hash(token)).values({column: None}))


def _feedback_fields(link: LinkView, value: str, note: str) -> dict[str, Any]:
    label = link.feedback_label or "反馈"
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise LinkError(400, f"反馈内容过长（最多 {MAX_NOTE} 字）")
    if link.feedback_kind == catalog.FEEDBACK_NUMBER:
        text = value.strip()
        if not re.fullmatch(r"\d{1,8}", text):
            raise LinkError(400, f"请填写“{label}”（0 至 99999999 的整数）")
        return {"value": float(int(text)), "note": note}
    if not note:
        raise LinkError(400, f"请填写“{label}”")
    return {"note": note}


class RateLimiter:
    """At most ``limit`` requests per ``window_s`` per source key; keeps at most ``keys``
    sources (the oldest forgotten first), so a flood of addresses cannot exhaust memory."""

    def __init__(self, limit: int, window_s: float, keys: int = 10_000) -> None:
        self.limit, self.window_s, self.keys = limit, window_s, keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        at = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= at - self.window_s:
                hits.popleft()
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(at)
            self._hits[key] = hits
            while len(self._hits) > self.keys:
                self._hits.popitem(last=False)
            return allowed
