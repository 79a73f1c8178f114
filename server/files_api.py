"""HTTP routes of the file store (server/files.py does the disk work).

- ``PUT /files/{sha256}``: the raw file as the body, with its Content-Length (required, at
  most $DUTY_SERVER_MAX_FILE_MB, default 50 MB); the server recomputes the digest and
  refuses a body that does not match (422). Editors only (console.domain.roles
  FILE_WRITERS). 201 when stored, 200 when it was already there.
- ``GET /files/{sha256}``: the file (any workstation account); 404 when absent.
- ``POST /files/check`` ``{"sha256": [...]}`` (at most 1000): ``{"missing": [...]}``, the
  ones this server lacks, so a workstation uploads only those.

Every route takes the account behind the token as the sync endpoints do (server/api.py:
checked against the database on every request; the ingest account is refused).

(No ``from __future__ import annotations``: FastAPI must see the real dependency types.)
"""

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from console.domain.files import DIGEST_LEN, too_big_text
from console.domain.roles import FILE_WRITERS, ROLE_LABELS
from server import auth
from server.files import FileRefused, FileStore

MAX_CHECK = 1000
PREFIX = "/files/"
_DIGEST = r"^[0-9a-f]{64}$"
NOT_CONFIGURED = "服务器未配置文件存储"


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sha256: list[Annotated[str, Field(pattern=_DIGEST, max_length=DIGEST_LEN)]] = Field(
        max_length=MAX_CHECK
    )


class CheckOut(BaseModel):
    missing: list[str]


class StoredOut(BaseModel):
    sha256: str
    size: int
    stored: bool  # False: the server already had it


def add_routes(
    app: FastAPI, store: FileStore | None, workstation: Callable[..., auth.Principal]
) -> None:
    Who = Annotated[auth.Principal, Depends(workstation)]
    Digest = Annotated[str, Path(pattern=_DIGEST)]

    def _store() -> FileStore:
        if store is None:
            raise HTTPException(503, NOT_CONFIGURED)
        return store

    @app.put("/files/{sha256}", response_model=StoredOut, status_code=201)
    async def upload(sha256: Digest, request: Request, who: Who) -> Any:
        files = _store()
        if who.role not in FILE_WRITERS:
            label = ROLE_LABELS.get(who.role, who.role)
            raise HTTPException(403, f"“{label}”角色无权上传文件")
        declared = request.headers.get("content-length")
        if declared is None:
            raise HTTPException(411, "上传文件须声明长度（Content-Length）")
        if not declared.isdigit() or len(declared) > 15:
            raise HTTPException(400, "Content-Length 无效")
        length = int(declared)
        if length > files.max_bytes:
            return JSONResponse(
                {"detail": too_big_text(files.max_bytes), "code": "too_large"}, status_code=413
            )
        try:
            stored = await files.put(sha256, length, request.stream())
        except FileRefused as exc:
            return JSONResponse({"detail": exc.message, "code": exc.code}, exc.status)
        body = StoredOut(sha256=sha256, size=length, stored=stored)
        return JSONResponse(body.model_dump(), status_code=201 if stored else 200)

    @app.get("/files/{sha256}", response_class=FileResponse)
    async def download(sha256: Digest, who: Who) -> Response:
        path = _store().path(sha256)
        if not await asyncio.to_thread(path.is_file):
            return JSONResponse({"detail": "服务器上没有该文件", "code": "not_found"}, 404)
        return FileResponse(path, media_type="application/octet-stream")

    @app.post("/files/check", response_model=CheckOut)
    async def check(body: CheckIn, who: Who) -> Any:
        files = _store()
        return CheckOut(missing=await asyncio.to_thread(files.missing, body.sha256))
