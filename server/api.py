"""HTTP API of duty-server (FastAPI). OpenAPI schema at /openapi.json.

(No ``from __future__ import annotations`` here: FastAPI must see the real dependency types.)

Endpoints: POST /auth/login, POST /sync/push, GET /sync/pull, GET /sync/events (server-sent
events: "go pull" pokes with the latest version, a heartbeat every 15 s), GET /health.
"""


import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select

from server import auth, sync_service
from server.notify import Notifier
from server.schema import ServerState

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_MUTATIONS_PER_PUSH = 1000
HEARTBEAT_S = 15.0
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    token: str
    username: str
    role: str
    expires_in: int


class MutationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    mutation_id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=64)
    args: dict[str, Any]
    hlc: str = Field(min_length=1, max_length=64)
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


class PushOut(BaseModel):
    last_mutation_id: int
    results: list[ResultOut]


class PullOut(BaseModel):
    epoch: str
    cursor: str
    server_version: int
    last_mutation_id: int
    reset: bool
    more: bool
    rows: dict[str, list[dict[str, Any]]]


def create_app(engine: Engine) -> FastAPI:
    notifier = Notifier(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        notifier.start(asyncio.get_running_loop())
        yield
        notifier.stop()

    app = FastAPI(
        title="duty-server",
        version="0.1.0",
        lifespan=lifespan,
        description="县综合应急指挥中心值班台 同步服务器",
    )
    with engine.connect() as conn:
        secret = bytes.fromhex(conn.execute(select(ServerState.token_secret)).scalar_one())

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse({"detail": "请求体过大"}, status_code=413)
        return await call_next(request)

    def principal(authorization: Annotated[str | None, Header()] = None) -> auth.Principal:
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401, "需要登录")
        try:
            return auth.check_token(secret, authorization.removeprefix("Bearer ").strip())
        except (auth.AuthError, ValueError, UnicodeDecodeError) as exc:
            raise HTTPException(401, str(exc) or "令牌无效") from None

    Who = Annotated[auth.Principal, Depends(principal)]

    @app.post("/auth/login", response_model=LoginOut)
    async def login(body: LoginIn) -> LoginOut:
        who, delay = await asyncio.to_thread(
            auth.authenticate, engine, body.username, body.password
        )
        if delay:
            await asyncio.sleep(delay)
        if who is None:
            raise HTTPException(401, "用户名或密码错误")
        return LoginOut(
            token=auth.issue_token(secret, who),
            username=who.username,
            role=who.role,
            expires_in=auth.TOKEN_TTL_S,
        )

    @app.post("/sync/push", response_model=PushOut)
    async def push(body: PushIn, who: Who) -> Any:
        mutations = [sync_service.PushedMutation(**m.model_dump()) for m in body.mutations]
        try:
            last, results = await asyncio.to_thread(
                sync_service.push, engine, who, body.client_id, mutations
            )
        except sync_service.PushError as exc:
            return JSONResponse(
                {"detail": exc.message, "code": exc.code, **exc.extra}, status_code=exc.status
            )
        versions = [r.version for r in results if r.version is not None]
        if versions:
            notifier.poke(max(versions))  # this process's streams need not wait for a poll
        return PushOut(last_mutation_id=last, results=[ResultOut(**asdict(r)) for r in results])

    @app.get("/sync/pull", response_model=PullOut)
    async def pull(
        who: Who,
        client_id: Annotated[str, Query(pattern=_UUID)],
        cursor: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=20000)] = 5000,
    ) -> Any:
        del who  # any authenticated role may read
        try:
            page = await asyncio.to_thread(sync_service.pull, engine, client_id, cursor, limit)
        except ValueError as exc:
            raise HTTPException(400, f"游标无效：{exc}") from None
        return PullOut(
            epoch=page.epoch,
            cursor=f"{page.epoch}:{page.cursor}",
            server_version=page.server_version,
            last_mutation_id=page.last_mutation_id,
            reset=page.reset,
            more=page.more,
            rows=page.rows,
        )

    @app.get("/sync/events")
    async def events(who: Who) -> StreamingResponse:
        del who

        async def stream() -> AsyncIterator[bytes]:
            queue = notifier.subscribe()
            try:
                yield _sse("poke", {"version": notifier.version})
                while True:
                    try:
                        version = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
                    except TimeoutError:
                        yield _sse("heartbeat", {"version": notifier.version})
                        continue
                    yield _sse("poke", {"version": version})
            finally:
                notifier.unsubscribe(queue)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    @app.get("/health")
    async def health() -> dict[str, Any]:
        def read() -> tuple[str, int]:
            with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
                row = conn.execute(select(ServerState.epoch, ServerState.version)).one()
                return str(row[0]), int(row[1])

        epoch, version = await asyncio.to_thread(read)
        return {"status": "ok", "epoch": epoch, "version": version}

    app.state.notifier = notifier
    return app


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
