"""HTTP routes of the readings channel (server/readings.py does the work).

- ``POST /readings`` ``{"rows": [{"station": 站码, "kind": "rain"|"level", "ts": epoch s,
  "value": number, "interval_s"?: 300|3600|0, "simulated"?: bool}, ...]}``: the ``ingest``
  role (an external system's account) and ``admin``. Answers 200 with
  ``{accepted, updated, unchanged, refused: [{index, reason}], last_seq}``: bad rows are
  refused one by one, the others stored.
- ``GET /readings/pull?after=SEQ&since=EPOCH_S&limit=N``: every reading role but ingest;
  columnar JSON (server/readings_channel.py ``Page``), gzip-compressed when the client accepts it.

(No ``from __future__ import annotations``: FastAPI must see the real dependency types.)
"""

import asyncio
import gzip
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from console.domain.roles import READINGS_READERS, READINGS_WRITERS, ROLE_LABELS
from server import auth, readings, readings_channel
from server.notify import Notifier

# Pages larger than this are gzipped when the client accepts it (level 1: the cheapest;
# see docs/readings.md for what it saves on a first pull).
GZIP_MIN_BYTES = 64 * 1024


class ReadingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[Any] = Field(max_length=readings.MAX_BATCH)


class RefusalOut(BaseModel):
    index: int
    reason: str


class IngestOut(BaseModel):
    accepted: int
    updated: int
    unchanged: int
    refused: list[RefusalOut]
    last_seq: int


def _role_check(who: auth.Principal, roles: frozenset[str]) -> None:
    if who.role not in roles:
        label = ROLE_LABELS.get(who.role, who.role)
        raise HTTPException(403, f"“{label}”角色无权执行此操作")


def add_routes(
    app: FastAPI,
    engine: Engine,
    notifier: Notifier,
    principal: Callable[..., auth.Principal],
) -> None:
    Who = Annotated[auth.Principal, Depends(principal)]

    @app.post("/readings", response_model=IngestOut)
    async def post_readings(body: ReadingsIn, who: Who) -> Any:
        _role_check(who, READINGS_WRITERS)
        result = await asyncio.to_thread(readings.ingest, engine, body.rows, "ingest")
        notifier.poke_readings(result.last_seq)
        return result.as_json()

    @app.get("/readings/pull")
    async def pull_readings(
        who: Who,
        request: Request,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        since: Annotated[int, Query(ge=0, le=2**40)] = 0,
        limit: Annotated[int, Query(ge=1, le=200_000)] = 50_000,
    ) -> Response:
        _role_check(who, READINGS_READERS)

        def page() -> tuple[bytes, dict[str, str]]:
            body = readings_channel.pull_json(engine, after, since, limit)
            accepts = "gzip" in request.headers.get("accept-encoding", "")
            if accepts and len(body) >= GZIP_MIN_BYTES:
                return gzip.compress(body, 1), {"Content-Encoding": "gzip"}
            return body, {}

        try:
            body, headers = await asyncio.to_thread(page)
        except ValueError as exc:  # pragma: no cover - parameters are range-checked above
            raise HTTPException(400, str(exc)) from None
        return Response(body, media_type="application/json", headers=headers)
