"""The county's own base layer: raster tiles from a local folder or an MBTiles file.

Qt-free, no network. Both hold Web Mercator (EPSG:3857) 256-pixel tiles:

- a folder laid out ``{z}/{x}/{y}.png`` (or .jpg/.jpeg/.webp), rows counted from the north
  (XYZ, as most tile tools write them);
- an MBTiles file (SQLite, table ``tiles(zoom_level, tile_column, tile_row, tile_data)``),
  rows counted from the south (TMS): row = 2^z - 1 - y.

:func:`open_tiles` picks one from a path and refuses anything else with a Chinese message.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from pathlib import Path
from typing import Any, Protocol

TILE_PIXELS = 256
EARTH_RADIUS_KM = 6378.137  # the sphere of Web Mercator
WORLD_KM = 2 * math.pi * EARTH_RADIUS_KM  # width (and height) of the Web Mercator world
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


class TileError(ValueError):
    """A base layer that cannot be used (Chinese message)."""


class TileSource(Protocol):
    name: str
    min_zoom: int
    max_zoom: int

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The image bytes of tile (z, x, y) in XYZ numbering; None when it is not there."""
        ...

    def close(self) -> None: ...


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator kilometres (EPSG:3857 metres / 1000) of a point."""
    lat = max(-85.0511, min(85.0511, lat))
    x = math.radians(lon) * EARTH_RADIUS_KM
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS_KM
    return x, y


def tile_bounds_km(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of an XYZ tile in Web Mercator kilometres."""
    size = WORLD_KM / (1 << z)
    west = -WORLD_KM / 2 + x * size
    north = WORLD_KM / 2 - y * size
    return west, north - size, west + size, north


def tile_range(z: int, west: float, south: float, east: float, north: float) -> tuple[range, range]:
    """The XYZ columns and rows of zoom ``z`` that cover a Web Mercator km rectangle."""
    n = 1 << z
    size = WORLD_KM / n

    def col(v: float) -> int:
        return max(0, min(n - 1, math.floor((v + WORLD_KM / 2) / size)))

    def row(v: float) -> int:
        return max(0, min(n - 1, math.floor((WORLD_KM / 2 - v) / size)))

    return range(col(west), col(east) + 1), range(row(north), row(south) + 1)


def zoom_for(km_per_pixel: float, min_zoom: int, max_zoom: int) -> int:
    """The tile zoom whose pixels are closest to (not coarser than) the screen's."""
    if km_per_pixel <= 0:
        return max_zoom
    z = math.ceil(math.log2(WORLD_KM / (TILE_PIXELS * km_per_pixel)))
    return max(min_zoom, min(max_zoom, z))


class FolderTiles:
    """``{z}/{x}/{y}.png`` under a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = root.name
        zooms = sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit())
        if not zooms:
            raise TileError(f"文件夹“{root.name}”中没有按 {{z}}/{{x}}/{{y}}.png 存放的瓦片")
        self.min_zoom, self.max_zoom = zooms[0], zooms[-1]

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        for suffix in IMAGE_SUFFIXES:
            path = self.root / str(z) / str(x) / f"{y}{suffix}"
            if path.is_file():
                return path.read_bytes()
        return None

    def close(self) -> None:
        pass


class MBTiles:
    """An MBTiles file, opened read-only; one connection per thread (tiles may be read on
    the task runner)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []  # every thread's, closed together
        self._closed = False
        try:
            conn = self._conn()
            meta = dict(conn.execute("SELECT name, value FROM metadata").fetchall())
            zooms: tuple[Any, Any] | None = (meta.get("minzoom"), meta.get("maxzoom"))
            if not all(str(z or "").isdigit() for z in zooms or ()):  # not declared: look
                zooms = conn.execute(
                    "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles"
                ).fetchone()
        except sqlite3.Error as exc:
            raise TileError(f"“{path.name}”不是可用的 MBTiles 文件（{exc}）") from exc
        if zooms is None or zooms[0] is None:
            raise TileError(f"“{path.name}”中没有瓦片")
        if str(meta.get("format", "png")).lower() not in ("png", "jpg", "jpeg", "webp"):
            raise TileError(f"“{path.name}”是矢量瓦片（{meta.get('format')}），只支持栅格瓦片")
        self.min_zoom, self.max_zoom = int(zooms[0]), int(zooms[1])
        self.name = str(meta.get("name") or path.name)

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise sqlite3.ProgrammingError("closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        tms_row = (1 << z) - 1 - y
        try:
            row = (
                self._conn()
                .execute(
                    "SELECT tile_data FROM tiles "
                    "WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                    (z, x, tms_row),
                )
                .fetchone()
            )
        except sqlite3.Error:
            return None  # closed meanwhile (another base layer chosen), or a damaged file
        return bytes(row[0]) if row else None

    def close(self) -> None:
        """Close every thread's connection (a read still running gets no tile)."""
        with self._lock:
            self._closed = True
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()


def open_tiles(path: str | Path) -> FolderTiles | MBTiles:
    """The tile source at ``path`` (a folder or an .mbtiles file)."""
    p = Path(path)
    if not p.exists():
        raise TileError(f"找不到底图“{p}”")
    if p.is_dir():
        return FolderTiles(p)
    if p.suffix.lower() != ".mbtiles":
        raise TileError("底图应为瓦片文件夹（{z}/{x}/{y}.png）或 .mbtiles 文件")
    return MBTiles(p)
