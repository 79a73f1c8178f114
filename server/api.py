"""HTTP API of duty-server (FastAPI). OpenAPI schema at /openapi.json and the browsable
/docs only when enabled (``duty-server --api-docs`` or DUTY_SERVER_API_DOCS=1): a public
server need not hand out its map.

(No ``from __future__ import annotations`` here: FastAPI must see the real dependency types.)

Endpoints: POST /auth/login, POST /sync/push, GET /sync/pull, GET /sync/events (server-sent
events: "go pull" pokes with the latest version, a heartbeat every 15 s, and a final
"revoked" event when the token's session ends; a "readings" event when new readings land),
POST /readings and GET /readings/pull (server/readings_api.py), PUT and GET /files/{sha256}
and POST /files/check (the file store, server/files_api.py), GET /health;
指挥一平台's acknowledgement links: POST /orders/{order_id}/ack-links (signed in), GET and
POST /ack/{token} (the phone page, no sign-in: the link is the credential; server.ack_links).
"""

import asyncio
import contextlib
import json
import math
import os
import pathlib
import secrets
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import (
    BackgroundTasks,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
)
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Engine, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.domain.fields import ACCOUNT_MAX_LEN, HLC_MAX_LEN, MUTATION_NAME_MAX_LEN
from console.domain.roles import INGEST
from server import (
    ack_links,
    ack_page,
    auth,
    camera_api,
    files_api,
    login_guard,
    readings_api,
    sms_api,
    sync_service,
)
from server.drill import DrillGuard
from server.files import FileStore, max_bytes_from_env
from server.notify import REVOKED_STREAM, Notifier
from server.schema import ServerState

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_MUTATIONS_PER_PUSH = 1000
HEARTBEAT_S = 15.0
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=ACCOUNT_MAX_LEN)
    password: str = Field(min_length=1, max_length=256)

    @field_validator("username", "password")
    @classmethod
    def _storable(cls, value: str) -> str:
        # A NUL or a lone surrogate (valid JSON: "\u0000", "\ud800") cannot be encoded for
        # scrypt or PostgreSQL; refuse it here instead of failing with a 500.
        if not sync_service.storable_text(value):
            raise ValueError("contains a NUL character or an unpaired surrogate")
        return value


class LoginOut(BaseModel):
    token: str
    username: str
    role: str
    expires_in: int


class MutationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    mutation_id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=MUTATION_NAME_MAX_LEN)
    args: dict[str, Any]
    hlc: str = Field(min_length=1, max_length=HLC_MAX_LEN)
    schema_version: int = Field(ge=1)


class PushIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    client_id: str = Field(pattern=_UUID)
    mutations: list[MutationIn] = Field(max_length=MAX_MUTATIONS_PER_PUSH)


class ResultOut(BaseModel):
    mutation_id: int
    status: str
    code: str = ""
    message: str = ""
    version: int | None = None
    detail: str = ""


class PushOut(BaseModel):
    last_mutation_id: int
    results: list[ResultOut]


class AckLinksIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    recipient_ids: list[str] = Field(min_length=1, max_length=ack_links.MAX_LINKS)
    ttl_minutes: int = Field(
        default=ack_links.DEFAULT_TTL_MINUTES, ge=1, le=ack_links.MAX_TTL_MINUTES
    )


class AckLinkOut(BaseModel):
    recipient_id: str
    path: str  # /ack/<token>: the workstation puts its server address in front
    url: str = ""  # with $DUTY_SERVER_PUBLIC_URL, the full address for the SMS


class AckLinksOut(BaseModel):
    expires_at: str
    links: list[AckLinkOut]


# The phone page: requests per source address per minute, and wrong links per 10 minutes
# ($DUTY_SERVER_ACK_PER_MINUTE, $DUTY_SERVER_ACK_WRONG_PER_10_MIN).
ACK_PAGE_PER_MINUTE = 30
ACK_WRONG_PER_10_MIN = 10


def _limit(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, "")))
    except ValueError:
        return default


ACK_FORM_MAX_BYTES = 8192  # 500 characters of Chinese, percent-encoded, and the rest


class ErrorOut(BaseModel):
    """Every refusal: ``detail`` is Chinese, for the officer; ``code`` stable for programs."""

    detail: Any
    code: str = ""


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    meaning = {
        400: "请求无效（游标格式等）",
        401: "未登录、令牌无效或已过期",
        403: "角色无权、或工作站编号属于其他账号",
        404: "指令或接收人不存在（请先同步）",
        409: "操作编号不连续（服务器落后于工作站，例如从备份恢复）：按 last_mutation_id 重新提交",
        413: "请求体过大",
        422: "请求格式不符",
        429: "过于频繁，或该账号登记的工作站过多；见 Retry-After",
        503: "登录请求过多，服务器繁忙；见 Retry-After",
    }
    return {s: {"model": ErrorOut, "description": meaning[s]} for s in statuses}


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


class PullOut(BaseModel):
    epoch: str
    cursor: str
    server_version: int
    last_mutation_id: int
    reset: bool
    more: bool
    rows: dict[str, list[dict[str, Any]]]
    notice: str = ""  # Chinese: why this page resets (a new epoch), for the officer


def api_docs_enabled() -> bool:
    return os.environ.get("DUTY_SERVER_API_DOCS", "").strip().lower() in ("1", "true", "yes")


def create_app(
    engine: Engine,
    secret: bytes | None = None,
    *,
    api_docs: bool = False,
    drill: bool = False,
    files_dir: pathlib.Path | None = None,
) -> FastAPI:
    """The app on ``engine``; ``secret`` signs the tokens (server.keys.signing_key). Without
    one, a random key of this process only (tokens then work on this process alone).
    ``api_docs``: serve /openapi.json and /docs (off by default). ``drill``: a drill server
    (演练, server.drill), which answers drill workstations only (the real one: real only).
    ``files_dir``: the file store's folder (server/files.py; None: /files answers 503)."""
    if secret is None:
        secret = secrets.token_bytes(32)
    notifier = Notifier(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        notifier.start(asyncio.get_running_loop())
        yield
        notifier.stop()
        guard.close()

    app = FastAPI(
        title="duty-server",
        version="0.1.0",
        lifespan=lifespan,
        description="县综合应急指挥中心值班台 同步服务器",
        openapi_url="/openapi.json" if api_docs else None,
        docs_url="/docs" if api_docs else None,
        redoc_url=None,
    )

    # The file store's uploads check their own (larger) limit: server/files_api.py.
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES, own_limit=(files_api.PREFIX,))
    app.add_middleware(DrillGuard, drill=drill)
    guard = login_guard.LoginGuard()
    guard.dummy_hash()  # made once now, not in the first sign-in's event loop turn
    app.add_middleware(login_guard.ShedWhenFull, guard=guard)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own handler echoes the input as UTF-8 JSON, which fails (500) on a lone
        # surrogate sent as "\ud800"; ASCII escapes always encode.
        body = json.dumps({"detail": jsonable_encoder(exc.errors())}, ensure_ascii=True)
        return Response(body, status_code=422, media_type="application/json")

    def principal(authorization: Annotated[str | None, Header()] = None) -> auth.Principal:
        # A plain def: FastAPI runs it in its thread pool, so the account lookup does not
        # block the event loop.
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401, "需要登录")
        try:
            claims = auth.check_token(secret, authorization.removeprefix("Bearer ").strip())
            # Every request: the account must still exist, be enabled and be in the session
            # the token was issued for; the role is the database's, never the token's.
            return auth.resolve(engine, claims)
        except (auth.AuthError, ValueError, UnicodeDecodeError) as exc:
            raise HTTPException(401, str(exc) or "令牌无效") from None

    def workstation(who: Annotated[auth.Principal, Depends(principal)]) -> auth.Principal:
        # The ingest account (an external system's token) may only POST /readings.
        if who.role == INGEST:
            raise HTTPException(403, "数据接入账号只能提交站点读数（POST /readings）")
        return who

    Who = Annotated[auth.Principal, Depends(workstation)]
    # X-Duty-Client-Key: the workstation's own key (sync_service._authorize). A header, so an
    # older server ignores it; the service checks its form (400 bad_client_key).
    ClientKey = Annotated[str | None, Header(max_length=100)]

    @app.post("/auth/login", response_model=LoginOut, responses=_errors(401, 413, 422, 429, 503))
    async def login(body: LoginIn, request: Request, background: BackgroundTasks) -> Any:
        # Throttled per (source address, account) and per account; hashing runs in its
        # own small pool, outside any transaction (server/login_guard.py).
        address = login_guard.source_key(request.client.host if request.client else None)
        try:
            ticket = guard.admit(address, body.username)
        except login_guard.Throttled as exc:
            wait = max(1, math.ceil(exc.retry_after_s))
            await guard.refuse(address, wait)
            return JSONResponse(
                {"detail": f"登录失败次数过多，请 {wait} 秒后再试"},
                status_code=429,
                headers={"Retry-After": str(wait)},
            )
        except login_guard.Busy as exc:
            wait = max(1, math.ceil(exc.retry_after_s))
            await guard.refuse(address, wait)
            return JSONResponse(
                {"detail": f"登录请求过多，服务器繁忙，请 {wait} 秒后再试"},
                status_code=503,
                headers={"Retry-After": str(wait)},
            )
        checked, delay = await guard.check(ticket, engine, body.username, body.password)
        if login_guard.needs_record(checked):
            ok = checked.principal is not None
            background.add_task(
                login_guard.record_outcome, engine, body.username, ok, checked.rehash
            )
        if delay:
            await asyncio.sleep(delay)
        who = checked.principal
        if who is None:  # (a raised HTTPException would drop the background write)
            return JSONResponse({"detail": "用户名或密码错误"}, 401, background=background)
        return LoginOut(
            token=auth.issue_token(secret, who),
            username=who.username,
            role=who.role,
            expires_in=auth.TOKEN_TTL_S,
        )

    @app.post(
        "/sync/push",
        response_model=PushOut,
        responses=_errors(400, 401, 403, 409, 413, 422, 429),
    )
    async def push(
        body: PushIn,
        who: Who,
        x_duty_cursor: Annotated[str | None, Header(max_length=100)] = None,
        x_duty_client_key: ClientKey = None,
    ) -> Any:
        # X-Duty-Cursor: the workstation's pull cursor (a header, so servers that do not
        # know it ignore it); with a gap it tells a restored server from an old workstation.
        mutations = [sync_service.PushedMutation(**m.model_dump()) for m in body.mutations]
        try:
            last, results = await asyncio.to_thread(
                sync_service.push,
                engine,
                who,
                body.client_id,
                mutations,
                x_duty_cursor,
                x_duty_client_key,
            )
        except sync_service.PushError as exc:
            return JSONResponse(
                {"detail": exc.message, "code": exc.code, **exc.extra}, status_code=exc.status
            )
        versions = [r.version for r in results if r.version is not None]
        if versions:
            notifier.poke(max(versions))  # this process's streams need not wait for a poll
        return PushOut(last_mutation_id=last, results=[ResultOut(**asdict(r)) for r in results])

    @app.get("/sync/pull", response_model=PullOut, responses=_errors(400, 401, 403, 422))
    async def pull(
        who: Who,
        client_id: Annotated[str, Query(pattern=_UUID)],
        cursor: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=20000)] = 5000,
        acked: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        x_duty_client_key: ClientKey = None,
    ) -> Any:
        try:
            page = await asyncio.to_thread(
                sync_service.pull,
                engine,
                client_id,
                cursor,
                limit,
                who,
                acked,
                "",
                x_duty_client_key,
            )
        except ValueError as exc:
            raise HTTPException(400, f"游标无效：{exc}") from None
        except sync_service.PushError as exc:
            return JSONResponse(
                {"detail": exc.message, "code": exc.code, **exc.extra}, status_code=exc.status
            )
        return PullOut(
            epoch=page.epoch,
            cursor=f"{page.epoch}:{page.cursor}",
            server_version=page.server_version,
            last_mutation_id=page.last_mutation_id,
            reset=page.reset,
            more=page.more,
            rows=page.rows,
            notice=page.notice,
        )

    @app.get(
        "/sync/events",
        response_class=EventStreamResponse,
        responses={
            200: {
                "description": "server-sent events: poke {version}, heartbeat every 15 s",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
            # JSON, not the stream's type (ErrorOut is a component through the other routes)
            401: {
                "description": "未登录、令牌无效或已过期",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                },
            },
        },
    )
    async def events(who: Who) -> StreamingResponse:
        async def stream() -> AsyncIterator[bytes]:
            # Subscribed under the token's account and session: the notifier ends the stream
            # when that session is revoked (password, role or state changed).
            queue = notifier.subscribe(who.username, who.session)
            sent, sent_readings = notifier.version, notifier.readings_seq
            try:
                yield _sse("poke", {"version": sent})
                while True:
                    try:
                        woken = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
                    except TimeoutError:
                        yield _sse("heartbeat", {"version": notifier.version})
                        continue
                    if woken == REVOKED_STREAM:
                        yield _sse("revoked", {"detail": auth.REVOKED})
                        return  # closes the response: the workstation must sign in again
                    if notifier.version > sent:
                        sent = notifier.version
                        yield _sse("poke", {"version": sent})
                    if notifier.readings_seq > sent_readings:
                        sent_readings = notifier.readings_seq
                        yield _sse("readings", {"last_seq": sent_readings})
            finally:
                notifier.unsubscribe(queue)

        return EventStreamResponse(stream(), headers={"Cache-Control": "no-cache"})

    readings_api.add_routes(app, engine, notifier, principal)
    store = FileStore(files_dir, max_bytes_from_env()) if files_dir is not None else None
    files_api.add_routes(app, store, workstation)
    camera_api.add_routes(app, engine, workstation)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        def read() -> tuple[str, int]:
            with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
                row = conn.execute(select(ServerState.epoch, ServerState.version)).one()
                return str(row[0]), int(row[1])

        epoch, version = await asyncio.to_thread(read)
        return {"status": "ok", "epoch": epoch, "version": version, "drill": drill}

    ack_rate = ack_links.RateLimiter(
        _limit("DUTY_SERVER_ACK_PER_MINUTE", ACK_PAGE_PER_MINUTE), 60.0
    )
    ack_wrong = ack_links.RateLimiter(
        _limit("DUTY_SERVER_ACK_WRONG_PER_10_MIN", ACK_WRONG_PER_10_MIN), 600.0
    )
    public_url = os.environ.get("DUTY_SERVER_PUBLIC_URL", "").rstrip("/")

    @app.post(
        "/orders/{order_id}/ack-links",
        response_model=AckLinksOut,
        responses=_errors(400, 401, 403, 404, 422),
    )
    async def make_ack_links(
        order_id: Annotated[str, Path(pattern=_UUID)], body: AckLinksIn, who: Who
    ) -> Any:
        try:
            tokens, expires = await asyncio.to_thread(
                ack_links.issue,
                engine,
                who,
                order_id,
                body.recipient_ids,
                ttl_minutes=body.ttl_minutes,
            )
        except ack_links.LinkError as exc:
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        links = [
            AckLinkOut(
                recipient_id=r, path=f"/ack/{t}", url=f"{public_url}/ack/{t}" if public_url else ""
            )
            for r, t in tokens.items()
        ]
        return AckLinksOut(expires_at=expires, links=links)

    sms_api.add_routes(app, engine, workstation, public_url)

    def _ack_html(text: str, status: int) -> HTMLResponse:
        return HTMLResponse(text, status_code=status, headers=ack_page.HEADERS)

    def _ack_gate(request: Request) -> HTMLResponse | None:
        address = login_guard.source_key(request.client.host if request.client else None)
        if not ack_rate.allow(address):
            response = _ack_html(ack_page.message_page("请求过于频繁，请稍后再试。"), 429)
            response.headers["Retry-After"] = "60"
            return response
        return None

    def _ack_refused(request: Request, exc: ack_links.LinkError) -> HTMLResponse:
        if exc.status == 404:  # a wrong link: counted, so links cannot be guessed at speed
            address = login_guard.source_key(request.client.host if request.client else None)
            if not ack_wrong.allow(address):
                response = _ack_html(ack_page.message_page("错误次数过多，请稍后再试。"), 429)
                response.headers["Retry-After"] = "600"
                return response
        return _ack_html(ack_page.message_page(exc.message), exc.status)

    @app.get("/ack/{token}", include_in_schema=False)
    async def ack_show(token: str, request: Request) -> Response:
        refused = _ack_gate(request)
        if refused is not None:
            return refused
        try:
            link = await asyncio.to_thread(ack_links.lookup, engine, token)
        except ack_links.LinkError as exc:
            return _ack_refused(request, exc)
        if link.spent:
            return _ack_html(ack_page.message_page(ack_links.SPENT.message), 410)
        return _ack_html(ack_page.link_page(link), 200)

    @app.post("/ack/{token}", include_in_schema=False)
    async def ack_use(token: str, request: Request) -> Response:
        refused = _ack_gate(request)
        if refused is not None:
            return refused
        body = await request.body()
        if len(body) > ACK_FORM_MAX_BYTES:
            return _ack_html(ack_page.message_page("提交内容过长"), 413)
        try:
            form = urllib.parse.parse_qs(body.decode("utf-8"), max_num_fields=10)
        except (UnicodeDecodeError, ValueError):
            return _ack_html(ack_page.message_page("提交内容无效"), 400)

        def field(name: str) -> str:
            values = form.get(name) or [""]
            return values[0]

        try:
            said, version = await asyncio.to_thread(
                ack_links.use,
                engine,
                token,
                field("action"),
                value=field("value"),
                note=field("note"),
            )
        except ack_links.LinkError as exc:
            if exc.status in (400, 409, 422):  # the page again, with what was wrong
                try:
                    link = await asyncio.to_thread(ack_links.lookup, engine, token)
                except ack_links.LinkError as again:
                    return _ack_refused(request, again)
                if not link.spent:
                    return _ack_html(
                        ack_page.link_page(link, said=exc.message, ok=False), exc.status
                    )
            return _ack_refused(request, exc)
        if version is not None:
            notifier.poke(version)  # every workstation pulls within seconds
        link = await asyncio.to_thread(ack_links.lookup, engine, token)
        if link.spent:
            return _ack_html(ack_page.message_page(said, ok=True), 200)
        return _ack_html(ack_page.link_page(link, said=said), 200)

    app.state.notifier = notifier
    return app


class BodyLimit:
    """413 for a request body over ``limit`` bytes, announced or streamed (chunked).

    A declared Content-Length is checked up front; a body without one (chunked transfer
    encoding) is read here up to ``limit`` and handed on in one piece, so it cannot slip past.
    """

    def __init__(self, app: ASGIApp, limit: int, own_limit: tuple[str, ...] = ()) -> None:
        self.app = app
        self.limit = limit
        # Path prefixes whose uploads (PUT) the route streams and limits itself.
        self.own_limit = own_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            scope.get("method") == "PUT" and str(scope.get("path", "")).startswith(self.own_limit)
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                await _too_large(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"detail": "请求体过大"}, status_code=413)
    await response(scope, receive, send)


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
