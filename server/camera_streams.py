"""视频监控 (issue 15): each camera's stream address and credentials, the server's alone.

Why here and not in the synced ``cameras`` row: every replica holds every synced row, so a
secret there would sit in every workstation's SQLite file. The address is kept without its
credentials (``url``) beside them (``username``, ``password``) in ``camera_streams``, a
server table no change row carries. Administrators set them and read back the address and
whether credentials are set (never the password); a signed-in workstation gets the playable
address (credentials put back) at play time and keeps it in memory only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from console.domain import cameras as rules
from console.domain.schema import Camera
from server.schema import CameraStream


class StreamError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class StreamView:
    """What an administrator sees: the user name (to edit the address without typing the
    password again), never the password."""

    url: str
    username: str
    has_credentials: bool


def _camera(engine: Engine, camera_id: str) -> Camera:
    with engine.connect() as conn:
        row = conn.execute(
            select(Camera.protocol).where(Camera.id == camera_id, Camera.deleted.is_(False))
        ).first()
    if row is None:
        raise StreamError(404, "摄像机不存在")
    return row  # type: ignore[return-value]


def set_stream(
    engine: Engine, camera_id: str, url: str, username: str, password: str, *, by: str
) -> StreamView:
    """Store the address (credentials written in it are split off and win over the
    separate fields). An empty password with the stored user keeps the stored password, so
    an administrator editing the address need not type it again."""
    protocol = _camera(engine, camera_id).protocol
    try:
        clean, url_user, url_password = rules.split_credentials(url)
    except rules.StreamAddressError as exc:
        raise StreamError(422, str(exc)) from None
    scheme = clean.split(":", 1)[0].lower()
    if scheme not in rules.SCHEMES.get(protocol, ()):
        raise StreamError(422, f"“{protocol}”摄像机的地址不能以 {scheme}:// 开头")
    user, secret = (url_user, url_password) if url_user else (username, password)
    if any(len(v) > rules.SECRET_MAX_LEN for v in (user, secret)):
        raise StreamError(422, f"用户名和密码各不超过 {rules.SECRET_MAX_LEN} 个字符")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with engine.begin() as conn:
        stored = conn.execute(
            select(CameraStream).where(CameraStream.camera_id == camera_id)
        ).first()
        if stored is not None and not secret and user == stored.username:
            secret = stored.password
        values = {
            "url": clean,
            "username": user,
            "password": secret,
            "updated_by": by,
            "updated_at": now,
        }
        table = CameraStream.__table__
        if stored is None:
            conn.execute(table.insert().values(camera_id=camera_id, **values))  # type: ignore[attr-defined]
        else:
            conn.execute(
                table.update().where(table.c.camera_id == camera_id).values(**values)  # type: ignore[attr-defined]
            )
    return StreamView(clean, user, bool(user or secret))


def _stored(engine: Engine, camera_id: str) -> CameraStream:
    _camera(engine, camera_id)
    with engine.connect() as conn:
        row = conn.execute(select(CameraStream).where(CameraStream.camera_id == camera_id)).first()
    if row is None:
        raise StreamError(404, "尚未设置该摄像机的视频流地址")
    return row  # type: ignore[return-value]


def view_stream(engine: Engine, camera_id: str) -> StreamView:
    row = _stored(engine, camera_id)
    return StreamView(row.url, row.username, bool(row.username or row.password))


def play_url(engine: Engine, camera_id: str) -> str:
    row = _stored(engine, camera_id)
    return rules.with_credentials(row.url, row.username, row.password)
