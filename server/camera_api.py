"""视频监控 routes (server.camera_streams): PUT/GET ``/cameras/{id}/stream`` for
administrators, ``POST /cameras/{id}/play`` for any signed-in duty account.

(No ``from __future__ import annotations``: FastAPI must see the real dependency types.)
"""

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from console.domain import cameras as rules
from console.domain.roles import CAMERA_STREAM_EDITORS, CAMERA_VIEWERS, ROLE_LABELS
from server import auth, camera_streams

UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
NO_STORE = {"Cache-Control": "no-store"}


class StreamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=rules.URL_MAX_LEN)
    username: str = Field(default="", max_length=rules.SECRET_MAX_LEN)
    password: str = Field(default="", max_length=rules.SECRET_MAX_LEN)


def _role_check(who: auth.Principal, roles: frozenset[str]) -> None:
    if who.role not in roles:
        label = ROLE_LABELS.get(who.role, who.role)
        raise HTTPException(403, f"“{label}”角色无权执行此操作")


def _shown(view: camera_streams.StreamView) -> JSONResponse:
    """What an administrator sees of a stream: the user name, never the password."""
    body = {"url": view.url, "username": view.username, "has_credentials": view.has_credentials}
    return JSONResponse(body, headers=NO_STORE)


def add_routes(app: FastAPI, engine: Engine, principal: Callable[..., auth.Principal]) -> None:
    Who = Annotated[auth.Principal, Depends(principal)]
    CameraId = Annotated[str, Path(pattern=UUID)]

    async def run(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            return await asyncio.to_thread(fn, *args, **kw)
        except camera_streams.StreamError as exc:
            raise HTTPException(exc.status, exc.message) from None

    @app.put("/cameras/{camera_id}/stream")
    async def put_stream(camera_id: CameraId, body: StreamIn, who: Who) -> Any:
        _role_check(who, CAMERA_STREAM_EDITORS)
        view = await run(
            camera_streams.set_stream,
            engine,
            camera_id,
            body.url,
            body.username,
            body.password,
            by=who.username,
        )
        return _shown(view)

    @app.get("/cameras/{camera_id}/stream")
    async def get_stream(camera_id: CameraId, who: Who) -> Any:
        _role_check(who, CAMERA_STREAM_EDITORS)
        return _shown(await run(camera_streams.view_stream, engine, camera_id))

    @app.post("/cameras/{camera_id}/play")
    async def play(camera_id: CameraId, who: Who) -> Any:
        _role_check(who, CAMERA_VIEWERS)
        url = await run(camera_streams.play_url, engine, camera_id)
        return JSONResponse({"url": url}, headers=NO_STORE)
