"""The server's drill mode (演练): ``duty-server --drill`` keeps its own database, keys and
port, and answers only drill workstations (and the real server only real ones).

- Storage: ``<data dir>/drill/`` (its SQLite file, token signing key and audit key);
  PostgreSQL from ``--drill-database-url`` or ``DUTY_SERVER_DRILL_DATABASE_URL``, never the
  real database URL (refused when only that is given).
- Port: the real default + 1 (8766), so a drill workstation's default address is another
  server than the real one.
- Pairing: a drill workstation sends ``X-Duty-Drill: 1`` on every request
  (console.sync.client); :class:`DrillGuard` refuses sign-in, sync and readings pulls whose
  mode differs from the server's (409), so drill data cannot reach the real database, nor
  real data the drill's, even with a wrong address typed in.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from console.domain import drill

HEADER = drill.DRILL_HEADER
URL_ENV = "DUTY_SERVER_DRILL_DATABASE_URL"
REAL_URL_ENV = "DUTY_SERVER_DATABASE_URL"
DEFAULT_PORT = 8765
GUARDED = ("/auth/", "/sync/", "/readings/pull", "/files/")
TO_REAL = "这是演练服务器（duty-server --drill）：正式值班台不能连接。请使用正式服务器的地址。"
TO_DRILL = "这是正式服务器：演练模式的值班台不能连接。请使用演练服务器的地址（默认端口 8766）。"


class DrillDatabaseMissing(ValueError):
    pass


def data_dir(folder: Path, on: bool) -> Path:
    """The server's data folder in this mode: ``<folder>/drill`` for a drill."""
    return folder / drill.DRILL_DIR if on else folder


def database_url(given: str | None, drill_url: str | None, on: bool) -> str | None:
    """The database URL to use (None: the SQLite default in the mode's data folder)."""
    if not on:
        return given or os.environ.get(REAL_URL_ENV) or None
    chosen = drill_url or os.environ.get(URL_ENV)
    if chosen:
        if chosen == (given or os.environ.get(REAL_URL_ENV)):
            raise DrillDatabaseMissing("演练数据库不能与正式数据库相同")
        return chosen
    if given or os.environ.get(REAL_URL_ENV):
        raise DrillDatabaseMissing(
            f"演练模式需要单独的数据库：请用 --drill-database-url 或 {URL_ENV} 指定"
            "（不指定数据库时使用数据文件夹下 drill/ 中的 SQLite）"
        )
    return None


def port(given: int | None, on: bool) -> int:
    if given is not None:
        return given
    return DEFAULT_PORT + (drill.DRILL_PORT_OFFSET if on else 0)


class DrillGuard:
    """409 for a workstation request whose drill mode is not the server's."""

    def __init__(self, app: ASGIApp, drill: bool) -> None:
        self.app = app
        self.drill = drill

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(GUARDED):
            sent = dict(scope["headers"]).get(HEADER.lower().encode(), b"") == b"1"
            if sent != self.drill:
                detail = TO_REAL if self.drill else TO_DRILL
                response = JSONResponse({"detail": detail, "drill": self.drill}, status_code=409)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
