"""视频监控 (issue 15): rules about cameras that the workstation and the server share.

- A stream address is kept apart from its credentials: :func:`split_credentials` takes
  ``rtsp://user:pass@host/path`` apart (the server stores the parts; nothing shows or syncs
  the password) and :func:`with_credentials` puts them back at play time.
- :func:`names` reads the 、-separated tags and groups of a camera.
- :func:`nearby` orders cameras by distance from a place (an incident), the township's
  cameras first when the place has no position.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

SCHEMES: dict[str, tuple[str, ...]] = {
    "RTSP": ("rtsp", "rtsps"),
    "HLS": ("http", "https"),
    "HTTP-FLV": ("http", "https"),
    "MJPEG": ("http", "https"),
    "文件": ("file",),
}
URL_MAX_LEN = 1000
SECRET_MAX_LEN = 200
NEAR_KM = 10.0  # "附近": within this distance of the place
_SEPARATORS = ("、", ",", "，", ";", "；")


class StreamAddressError(ValueError):
    """The address cannot be a camera's stream; ``str(exc)`` says why in Chinese."""


def split_credentials(url: str) -> tuple[str, str, str]:
    """``(address without credentials, user, password)``; refuses what no player takes."""
    url = url.strip()
    if not url or len(url) > URL_MAX_LEN:
        raise StreamAddressError(f"视频流地址须为 1–{URL_MAX_LEN} 个字符")
    if any(ord(c) < 0x20 or c.isspace() for c in url):
        raise StreamAddressError("视频流地址不能含空白或控制字符")
    parts = urlsplit(url)
    allowed = {s for schemes in SCHEMES.values() for s in schemes}
    if parts.scheme.lower() not in allowed:
        raise StreamAddressError("视频流地址须以 rtsp://、http(s):// 或 file:// 开头")
    if parts.scheme.lower() != "file" and not parts.hostname:
        raise StreamAddressError("视频流地址缺少主机名")
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, user, password


def with_credentials(url: str, user: str, password: str) -> str:
    """The playable address: ``url`` with ``user:password@`` put in (percent-encoded)."""
    if not user and not password:
        return url
    parts = urlsplit(url)
    auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit((parts.scheme, f"{auth}@{parts.netloc}", *parts[2:]))


def names(text: str) -> list[str]:
    """The 、-separated names of a tags or groups field, blanks dropped, order kept."""
    for sep in _SEPARATORS[1:]:
        text = text.replace(sep, _SEPARATORS[0])
    out: list[str] = []
    for part in text.split(_SEPARATORS[0]):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def nearby(
    cameras: Iterable[Mapping[str, Any]],
    *,
    lon: float | None,
    lat: float | None,
    township_id: str | None,
    radius_km: float = NEAR_KM,
) -> list[dict[str, Any]]:
    """The cameras near a place, nearest first: within ``radius_km`` of its position, and
    every camera of its township (those without a position after the placed ones)."""
    placed: list[tuple[float, dict[str, Any]]] = []
    township: list[dict[str, Any]] = []
    for cam in cameras:
        row = dict(cam)
        same_town = township_id is not None and row.get("township_id") == township_id
        if lon is not None and lat is not None and row.get("lon") is not None:
            d = distance_km(lon, lat, float(row["lon"]), float(row["lat"]))
            if d <= radius_km or same_town:
                placed.append((d, {**row, "distance_km": d}))
                continue
        if same_town:
            township.append({**row, "distance_km": None})
    placed.sort(key=lambda pair: pair[0])
    return [row for _, row in placed] + sorted(township, key=lambda r: str(r.get("name")))


def matches(
    camera: Mapping[str, Any],
    *,
    township_id: str | None = None,
    group: str | None = None,
    department: str | None = None,
) -> bool:
    """The camera list's filter: each given criterion must hold."""
    if township_id and camera.get("township_id") != township_id:
        return False
    if department and camera.get("department") != department:
        return False
    return not group or group in names(str(camera.get("groups", "")))


def all_groups(cameras: Sequence[Mapping[str, Any]]) -> list[str]:
    out: list[str] = []
    for cam in cameras:
        for g in names(str(cam.get("groups", ""))):
            if g not in out:
                out.append(g)
    return out
