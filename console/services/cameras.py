"""视频监控 (issue 15): what the video page reads and writes, without Qt.

- :class:`CameraDirectory`: the cameras with their township's name, the incidents a snapshot
  may go to, and the cameras near an incident.
- :class:`StreamResolver`: the address a cell plays. A sample camera plays the bundled clip;
  any other asks the duty-server (``POST /cameras/{id}/play``, signed in) and keeps the
  answer in memory only: the workstation never writes a stream address or a credential.
- :class:`StreamSettings`: an administrator reads and sets a camera's address and
  credentials on the duty-server (``GET``/``PUT /cameras/{id}/stream``); nothing of it is
  written on the workstation, and the password is never read back (:func:`masked_address`).
- :func:`save_snapshot`: a frame saved as PNG into the data folder and a 视频截图 row on the
  incident's timeline naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from sqlalchemy import select

from console.domain import beijing, catalog
from console.domain import cameras as rules
from console.domain.schema import Incident
from console.services.order_server import on_server, session_problem
from console.services.queries import Queries
from console.store.writer import Changes
from console.sync.client import SyncHttpError

if TYPE_CHECKING:
    from console.services.accounts import Session

SAMPLE_CLIP = Path(__file__).resolve().parents[1] / "resources" / "video" / "sample_clip.mp4"
SNAPSHOT_DIR = "snapshots"
PlayUrlFetch = Callable[[str], str]  # camera id -> playable address (the server's answer)
MASK = "******"
STREAM_WHY = "视频地址保存在服务器上"


class StreamUnavailable(Exception):
    """No address can be had for the camera; ``str(exc)`` says why in Chinese."""


@dataclass(frozen=True)
class Stream:
    url: str
    loop: bool  # a recording (the sample clip): start again at its end


class CameraDirectory:
    """Reads for the video page (the store's, through :class:`Queries`)."""

    def __init__(self, queries: Queries) -> None:
        self._queries = queries

    def cameras(self) -> list[dict[str, Any]]:
        towns = {t["id"]: t["name"] for t in self._queries.townships()}
        return [
            {**cam, "township": towns.get(cam.get("township_id") or "", "")}
            for cam in self._queries.cameras()
        ]

    def townships(self) -> list[tuple[str, str]]:
        return [(t["id"], t["name"]) for t in self._queries.townships()]

    def incidents(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest live incidents (a snapshot's target; "附近摄像机" from one)."""
        cols = (
            Incident.id,
            Incident.title,
            Incident.received_at,
            Incident.township_id,
            Incident.lon,
            Incident.lat,
        )
        stmt = (
            select(*cols)
            .where(Incident.deleted.is_(False))
            .order_by(Incident.received_at.desc())
            .limit(limit)
        )
        with self._queries.store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def near_point(
        self, lon: float, lat: float, radius_km: float = rules.NEAR_KM
    ) -> list[dict[str, Any]]:
        """The placed cameras within ``radius_km`` of a point of the map, nearest first,
        each with its ``distance_km``."""
        return rules.nearby(self.cameras(), lon=lon, lat=lat, township_id=None, radius_km=radius_km)

    def near_incident(self, incident: dict[str, Any]) -> list[dict[str, Any]]:
        return rules.nearby(
            self.cameras(),
            lon=incident.get("lon"),
            lat=incident.get("lat"),
            township_id=incident.get("township_id"),
        )


class StreamResolver:
    """``fetch``: the signed-in server's play call, or None standalone."""

    def __init__(self, fetch: PlayUrlFetch | None = None, sample_clip: Path = SAMPLE_CLIP) -> None:
        self._fetch = fetch
        self._clip = sample_clip

    def stream(self, camera: dict[str, Any]) -> Stream:
        """May block on the network: call it off the GUI thread."""
        if camera.get("is_sample"):
            return Stream(self._clip.as_uri(), loop=True)
        if self._fetch is None:
            raise StreamUnavailable("未登录服务器，无法获取视频流地址")
        url = self._fetch(str(camera["id"]))
        if not url:
            raise StreamUnavailable("管理员尚未设置该摄像机的视频流地址")
        return Stream(url, loop=camera.get("protocol") == "文件")


@dataclass(frozen=True)
class StreamSetting:
    """What an administrator sees of a camera's stream: no password."""

    url: str  # without credentials
    username: str
    has_credentials: bool

    def masked(self) -> str:
        return masked_address(self.url, self.username, self.has_credentials)


def masked_address(url: str, username: str, has_credentials: bool) -> str:
    """``rtsp://user:******@host/path``: the address as shown, the password never."""
    if not has_credentials:
        return url
    parts = urlsplit(url)
    auth = f"{quote(username, safe='')}:{MASK}@"
    return urlunsplit((parts.scheme, auth + parts.netloc, *parts[2:]))


def check_stream_input(
    protocol: str, url: str, username: str, password: str
) -> tuple[str, str, str]:
    """``(address, user, password)`` to send, the address without credentials (those
    written into it are taken out and win over the fields, as on the server); raises
    :class:`rules.StreamAddressError` with the Chinese reason."""
    clean, url_user, url_password = rules.split_credentials(url)
    scheme = clean.split(":", 1)[0].lower()
    schemes = rules.SCHEMES.get(protocol, ())
    if scheme not in schemes:
        starts = "、".join(f"{s}://" for s in schemes)
        raise rules.StreamAddressError(f"“{protocol}”类型摄像机的地址须以 {starts} 开头")
    user, secret = (url_user, url_password) if url_user else (username.strip(), password)
    for label, value in (("用户名", user), ("密码", secret)):
        if len(value) > rules.SECRET_MAX_LEN:
            raise rules.StreamAddressError(f"{label}不超过 {rules.SECRET_MAX_LEN} 个字符")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise rules.StreamAddressError(f"{label}不能含控制字符")
    return clean, user, secret


class StreamSettings:
    """An administrator's reads and writes of stream addresses on the signed-in server.
    Qt-free and blocking: call off the GUI thread. Failures are ValueError in Chinese."""

    def __init__(self, session: Session | None) -> None:
        self._session = session

    def problem(self) -> str | None:
        """Why the server cannot be asked now, or None."""
        return session_problem(self._session, STREAM_WHY)

    def _on_server(self, call: Callable[[Any], Any]) -> Any:
        problem = self.problem()
        if problem is not None or self._session is None:
            raise ValueError(problem)
        return on_server(self._session, call)

    def read(self, camera_id: str) -> StreamSetting | None:
        """The camera's address as the server keeps it; None when none is set yet."""

        def get(client: Any) -> dict[str, Any] | None:
            try:
                return dict(client.camera_stream(camera_id))
            except SyncHttpError as exc:
                if exc.status == 404 and "尚未设置" in str(exc.payload.get("detail", "")):
                    return None
                raise

        body = self._on_server(get)
        if body is None:
            return None
        return StreamSetting(
            str(body.get("url", "")), str(body.get("username", "")), bool(body["has_credentials"])
        )

    def save(self, camera: dict[str, Any], url: str, username: str, password: str) -> StreamSetting:
        """Check (:func:`check_stream_input`) and set; an empty password with the stored
        user name keeps the stored password. Returns what the server now holds."""
        try:
            clean, user, secret = check_stream_input(
                str(camera.get("protocol", "")), url, username, password
            )
        except rules.StreamAddressError as exc:
            raise ValueError(str(exc)) from None
        camera_id = str(camera["id"])
        self._on_server(lambda c: c.set_camera_stream(camera_id, clean, user, secret))
        stored = self.read(camera_id)
        if stored is None:  # deleted meanwhile
            raise ValueError("摄像机不存在")
        return stored


def snapshot_name(camera_name: str, at: datetime) -> str:
    """``20260701-143005-<camera>.png``: sortable; the camera's name made file-safe."""
    safe = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", camera_name).strip("_")[:40] or "camera"
    return f"{at:%Y%m%d-%H%M%S}-{safe}.png"


def save_snapshot(
    data_dir: Path,
    png: bytes,
    *,
    camera_name: str,
    incident_id: str,
    log: Callable[[str, str, str], Changes],
    now: datetime | None = None,
) -> tuple[Path, Changes]:
    """Write the PNG under ``data_dir/snapshots`` and append the timeline row through
    ``log(incident_id, kind, body)`` (IncidentService.log with the user bound)."""
    if not png.startswith(b"\x89PNG"):
        raise ValueError("not a PNG image")
    at = now or beijing.now()
    folder = data_dir / SNAPSHOT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / snapshot_name(camera_name, at)
    n = 1
    while path.exists():  # two snapshots in one second
        path = path.with_name(f"{path.stem}-{n}.png")
        n += 1
    path.write_bytes(png)
    body = f"视频截图：{camera_name}，{at:%Y-%m-%d %H:%M:%S}，文件 {SNAPSHOT_DIR}/{path.name}"
    return path, log(incident_id, catalog.SNAPSHOT_LOG, body)
